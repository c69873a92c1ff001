#include "state_store.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <array>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace hr {
namespace {

constexpr std::string_view kMagic = "HRSTATE1\n";
constexpr uint32_t kMaxRecord = 256u << 20;
constexpr uint8_t kOpPut = 1;
// One batch of puts in one record: a crash keeps all of it or none (the sink
// position and the cursors it matches must never be split).
constexpr uint8_t kOpBatch = 2;

void put_u32(std::string &out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get_u32(const unsigned char *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void put_triple(std::string &out, const std::string &ns, const std::string &key, const std::string &value) {
    for (const std::string *x : {&ns, &key, &value}) {
        put_u32(out, static_cast<uint32_t>(x->size()));
        out += *x;
    }
}

// Length and CRC in front of a payload: what load() checks.
std::string frame(const std::string &payload) {
    std::string rec;
    put_u32(rec, static_cast<uint32_t>(payload.size()));
    put_u32(rec, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef *>(payload.data()),
                                             static_cast<uInt>(payload.size()))));
    return rec + payload;
}

std::string encode(const std::string &ns, const std::string &key, const std::string &value) {
    std::string payload(1, static_cast<char>(kOpPut));
    put_triple(payload, ns, key, value);
    return frame(payload);
}

std::string encode_batch(const std::vector<StateStore::Write> &writes) {
    std::string payload(1, static_cast<char>(kOpBatch));
    put_u32(payload, static_cast<uint32_t>(writes.size()));
    for (const auto &w : writes) put_triple(payload, w.ns, w.key, w.value);
    return frame(payload);
}

// Bytes one key takes in a compacted file (a single put record).
uint64_t record_size(const std::string &ns, const std::string &key, const std::string &value) {
    return 8 + 1 + 12 + ns.size() + key.size() + value.size();
}

std::string errno_text(const std::string &what, const std::string &path) {
    return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

std::string dir_of(const std::string &path) {
    auto pos = path.rfind('/');
    if (pos == std::string::npos) return ".";
    if (pos == 0) return "/";
    return path.substr(0, pos);
}

bool fsync_dir(const std::string &path) {
    int d = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return false;
    bool ok = ::fsync(d) == 0;
    ::close(d);
    return ok;
}

} // namespace

StateStore::~StateStore() { close(); }

void StateStore::close() {
    std::lock_guard lk(mu_);
    if (fd_ >= 0) {
        ::fsync(fd_);
        ::close(fd_);
    }
    if (lock_fd_ >= 0) ::close(lock_fd_); // releases the flock
    fd_ = lock_fd_ = -1;
}

bool StateStore::check_path(const std::string &path, std::string &err) {
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            err = "state path " + path + " is not a regular file";
            return false;
        }
        if (::access(path.c_str(), R_OK | W_OK) != 0) {
            err = errno_text("state file is not readable and writable:", path);
            return false;
        }
        return true;
    }
    std::string dir = dir_of(path);
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        err = errno_text("cannot create the state file in", dir) + " (state Path " + path + ")";
        return false;
    }
    return true;
}

bool StateStore::open(const std::string &path, bool sync, std::string &err) {
    std::lock_guard lk(mu_);
    path_ = path;
    sync_ = sync;
    std::string lock_path = path + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) {
        err = errno_text("cannot open state lock file", lock_path);
        return false;
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        err = "state file " + path + " is in use by another hosted_runner (lock " + lock_path +
              " held); two runners cannot share one state file";
        ::close(lock_fd_);
        lock_fd_ = -1;
        return false;
    }
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        err = errno_text("cannot open state file", path);
        return false;
    }
    struct stat st{};
    if (::fstat(fd_, &st) == 0 && (st.st_mode & 0077) != 0) ::fchmod(fd_, 0600);
    if (!load(err)) return false;
    return true;
}

bool StateStore::load(std::string &err) {
    std::string bytes;
    char buf[1 << 16];
    if (::lseek(fd_, 0, SEEK_SET) < 0) {
        err = errno_text("cannot seek state file", path_);
        return false;
    }
    for (;;) {
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno_text("cannot read state file", path_);
            return false;
        }
        if (n == 0) break;
        bytes.append(buf, static_cast<size_t>(n));
    }
    if (bytes.empty()) {
        if (!append(std::string(kMagic), err)) return false;
        if (::fsync(fd_) != 0 || !fsync_dir(path_)) {
            err = errno_text("cannot sync new state file", path_);
            return false;
        }
        file_size_ = live_size_ = kMagic.size();
        return true;
    }
    if (bytes.compare(0, kMagic.size(), kMagic) != 0) {
        // A file we did not write is never overwritten; Gravwell's bbolt file is the common case.
        err = "state file " + path_ +
              " is not a hosted_runner state file (Gravwell's bbolt state cannot be read); set [State] Path to a new file";
        return false;
    }
    size_t off = kMagic.size();
    data_.clear();
    while (off + 8 <= bytes.size()) {
        auto *p = reinterpret_cast<const unsigned char *>(bytes.data() + off);
        uint32_t len = get_u32(p), crc = get_u32(p + 4);
        if (len > kMaxRecord || off + 8 + len > bytes.size()) break;
        const char *payload = bytes.data() + off + 8;
        if (static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef *>(payload), len)) != crc) break;
        // op, then (batch: a count and) length-prefixed ns/key/value triples.
        if (len < 1) break;
        uint8_t op = static_cast<uint8_t>(payload[0]);
        size_t q = 1;
        uint32_t count = 1;
        bool ok = op == kOpPut || op == kOpBatch;
        if (ok && op == kOpBatch) {
            ok = q + 4 <= len;
            if (ok) count = get_u32(reinterpret_cast<const unsigned char *>(payload + q));
            q += 4;
        }
        std::vector<std::array<std::string, 3>> triples;
        for (uint32_t n = 0; ok && n < count; ++n) {
            std::array<std::string, 3> parts;
            for (int i = 0; ok && i < 3; ++i) {
                if (q + 4 > len) { ok = false; break; }
                uint32_t sl = get_u32(reinterpret_cast<const unsigned char *>(payload + q));
                q += 4;
                if (q + sl > len) { ok = false; break; }
                parts[i].assign(payload + q, sl);
                q += sl;
            }
            if (ok) triples.push_back(std::move(parts));
        }
        if (!ok) break;
        for (auto &t : triples) data_[{t[0], t[1]}] = std::move(t[2]);
        off += 8 + len;
    }
    if (off != bytes.size()) {
        // Torn tail from an interrupted write: drop it so appends follow a good record.
        if (::ftruncate(fd_, static_cast<off_t>(off)) != 0) {
            err = errno_text("cannot truncate torn state tail of", path_);
            return false;
        }
    }
    file_size_ = off;
    live_size_ = kMagic.size();
    for (auto &[k, v] : data_) live_size_ += record_size(k.first, k.second, v);
    if (::lseek(fd_, 0, SEEK_END) < 0) {
        err = errno_text("cannot seek state file", path_);
        return false;
    }
    return true;
}

bool StateStore::append(const std::string &bytes, std::string &err) {
    if (!write_all(fd_, bytes.data(), bytes.size())) {
        err = errno_text("cannot write state file", path_);
        return false;
    }
    file_size_ += bytes.size();
    return true;
}

std::optional<std::string> StateStore::get(const std::string &ns, const std::string &key) const {
    std::lock_guard lk(mu_);
    auto it = data_.find({ns, key});
    if (it == data_.end()) return std::nullopt;
    return it->second;
}

std::map<std::string, std::string> StateStore::namespace_items(const std::string &ns) const {
    std::lock_guard lk(mu_);
    std::map<std::string, std::string> out;
    for (auto it = data_.lower_bound({ns, ""}); it != data_.end() && it->first.first == ns; ++it)
        out[it->first.second] = it->second;
    return out;
}

bool StateStore::put(const std::vector<Write> &writes, std::string &err) {
    std::lock_guard lk(mu_);
    if (fd_ < 0) {
        err = "state store is not open";
        return false;
    }
    for (const auto &w : writes) {
        auto it = data_.find({w.ns, w.key});
        if (it != data_.end()) live_size_ -= record_size(w.ns, w.key, it->second);
        live_size_ += record_size(w.ns, w.key, w.value);
        data_[{w.ns, w.key}] = w.value;
    }
    std::string batch = encode_batch(writes);
    if (!append(batch, err)) return false;
    if (sync_ && ::fdatasync(fd_) != 0) {
        err = errno_text("cannot sync state file", path_);
        return false;
    }
    if (file_size_ > 2 * live_size_ + (1u << 20)) return compact(err);
    return true;
}

bool StateStore::compact(std::string &err) {
    std::string tmp = path_ + ".tmp";
    int t = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (t < 0) {
        err = errno_text("cannot create", tmp);
        return false;
    }
    std::string all(kMagic);
    for (auto &[k, v] : data_) all += encode(k.first, k.second, v);
    // The rename is only safe once the new file's bytes are on disk.
    if (!write_all(t, all.data(), all.size()) || ::fsync(t) != 0) {
        err = errno_text("cannot write", tmp);
        ::close(t);
        ::unlink(tmp.c_str());
        return false;
    }
    ::close(t);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        err = errno_text("cannot replace state file with", tmp);
        ::unlink(tmp.c_str());
        return false;
    }
    fsync_dir(path_);
    int nfd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC | O_APPEND);
    if (nfd < 0) {
        err = errno_text("cannot reopen state file", path_);
        return false;
    }
    ::close(fd_);
    fd_ = nfd;
    file_size_ = live_size_ = all.size();
    return true;
}

} // namespace hr
