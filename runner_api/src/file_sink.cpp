#include "file_sink.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <fcntl.h>
#include <vector>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hr {
namespace {

void append_json_string(std::string &out, std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    out.append(sb.GetString(), sb.GetSize());
}

// Event bytes are embedded as they are only when they form exactly one JSON value.
bool is_json_value(std::string_view s) {
    if (s.empty()) return false;
    rapidjson::BaseReaderHandler<> h;
    rapidjson::Reader r;
    rapidjson::MemoryStream ms(s.data(), s.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    return !r.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag>(is, h).IsError() &&
           [&] {
               // Only whitespace may follow the value, and no raw newline may
               // split our one-line-per-entry format.
               for (size_t i = is.Tell(); i < s.size(); ++i)
                   if (s[i] != ' ' && s[i] != '\t') return false;
               return s.find('\n') == std::string_view::npos && s.find('\r') == std::string_view::npos;
           }();
}

std::string format_ts(int64_t sec, uint32_t nsec) {
    std::time_t t = static_cast<std::time_t>(sec);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
    return buf;
}

} // namespace

std::string format_file_line(const Entry &e) {
    std::string out;
    out.reserve(e.data.size() + e.tag.size() + 96);
    out += "{\"ts\":\"";
    out += format_ts(e.ts_sec, e.ts_nsec);
    out += "\",\"tag\":";
    append_json_string(out, e.tag);
    out += ",\"src\":";
    append_json_string(out, e.src);
    out += ",\"data\":";
    if (is_json_value(e.data)) {
        // Trailing blanks are dropped so the line stays canonical.
        size_t end = e.data.find_last_not_of(" \t");
        out.append(e.data, 0, end + 1);
    } else {
        append_json_string(out, e.data);
    }
    out += "}\n";
    return out;
}

FileSink::FileSink(std::string path) : path_(std::move(path)) {}

FileSink::~FileSink() { close(); }

bool FileSink::check_path(const std::string &path, std::string &err) {
    if (path == "-") return true;
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            err = "File-Backend-Target " + path + " is a directory; give a file path or - for stdout";
            return false;
        }
        if (::access(path.c_str(), W_OK) != 0) {
            err = "File-Backend-Target " + path + " is not writable: " + std::strerror(errno);
            return false;
        }
        return true;
    }
    auto pos = path.rfind('/');
    std::string dir = pos == std::string::npos ? "." : (pos == 0 ? "/" : path.substr(0, pos));
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        err = "File-Backend-Target " + path + ": cannot create it in " + dir + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

bool FileSink::open(std::string &err) {
    if (path_ == "-") {
        fd_ = STDOUT_FILENO;
        is_stdout_ = true;
    } else {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd_ < 0) {
            err = "cannot open File-Backend-Target " + path_ + ": " + std::strerror(errno);
            return false;
        }
    }
    if (!is_stdout_) {
        struct stat st{};
        if (::fstat(fd_, &st) == 0) end_offset_ = static_cast<uint64_t>(st.st_size);
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

bool FileSink::recover(std::optional<uint64_t> committed, std::string &note) {
    if (path_ == "-" || !committed) return true;
    struct stat st{};
    if (::stat(path_.c_str(), &st) != 0) return true;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size > *committed) {
        // Written after the last cursor commit: the plugins send these again.
        if (::truncate(path_.c_str(), static_cast<off_t>(*committed)) != 0) {
            note = "cannot cut uncommitted tail of " + path_ + ": " + std::strerror(errno);
            return false;
        }
        note = "removed " + std::to_string(size - *committed) + " bytes written to " + path_ +
               " after the last commit; they are delivered again";
    } else if (size < *committed) {
        note = path_ + " is shorter than recorded (rotated or truncated by someone else?); appending";
    }
    return true;
}

std::optional<uint64_t> FileSink::position_after(uint64_t seq) {
    if (is_stdout_) return std::nullopt;
    std::lock_guard lk(pos_mu_);
    // ends_ is in seq order; find the last entry <= seq.
    auto it = std::upper_bound(ends_.begin(), ends_.end(), seq,
                               [](uint64_t s, const std::pair<uint64_t, uint64_t> &e) { return s < e.first; });
    if (it == ends_.begin()) return std::nullopt;
    return std::prev(it)->second;
}

void FileSink::release(uint64_t seq) {
    std::lock_guard lk(pos_mu_);
    // Keep the last one at or below seq: the next lookup may still need it.
    while (ends_.size() > 1 && ends_[1].first <= seq) ends_.pop_front();
}

void FileSink::push(EntryPtr entry) {
    {
        std::lock_guard lk(mu_);
        queue_.push_back(std::move(entry));
    }
    cv_.notify_one();
}

bool FileSink::write_batch(const std::string &bytes, size_t &written) {
    while (written < bytes.size()) {
        ssize_t w = ::write(fd_, bytes.data() + written, bytes.size() - written);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        written += static_cast<size_t>(w);
    }
    if (is_stdout_) return true;
    // A pipe or tty cannot be fsynced; its bytes are as durable as they get.
    return ::fdatasync(fd_) == 0 || errno == EINVAL || errno == EROFS;
}

void FileSink::run() {
    constexpr size_t kMaxBatchBytes = 4u << 20;
    std::string buf;
    for (;;) {
        std::deque<EntryPtr> batch;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return closing_ || !queue_.empty(); });
            if (queue_.empty() && closing_) break;
            size_t bytes = 0;
            while (!queue_.empty() && bytes < kMaxBatchBytes) {
                bytes += queue_.front()->data.size() + 96;
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        buf.clear();
        std::vector<std::pair<uint64_t, uint64_t>> ends;
        ends.reserve(batch.size());
        for (const auto &e : batch) {
            buf += format_file_line(*e);
            ends.emplace_back(e->seq, end_offset_ + buf.size());
        }
        // A failed write (full disk) resumes where it stopped; nothing is
        // reported durable before it reached the disk.
        int delay_ms = 100;
        size_t written = 0;
        while (!write_batch(buf, written)) {
            write_errors_.fetch_add(1);
            std::unique_lock lk(mu_);
            if (cv_.wait_for(lk, std::chrono::milliseconds(delay_ms), [&] { return closing_; }) && closing_ &&
                delay_ms >= 5000)
                return; // closing and still failing: give up, the cursor stays behind
            delay_ms = std::min(delay_ms * 2, 5000);
        }
        end_offset_ += buf.size();
        if (!is_stdout_) {
            std::lock_guard lk(pos_mu_);
            ends_.insert(ends_.end(), ends.begin(), ends.end());
        }
        durable_.store(batch.back()->seq);
        if (progress_) progress_();
    }
}

void FileSink::close() {
    {
        std::lock_guard lk(mu_);
        closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0 && !is_stdout_) ::close(fd_);
    fd_ = -1;
}

} // namespace hr
