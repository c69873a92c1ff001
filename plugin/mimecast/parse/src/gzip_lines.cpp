#include "hr_mimecast/parse/gzip_lines.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace hr::mimecast {

struct GzipLineSplitter::Zlib {
    Zlib() {
        std::memset(&s, 0, sizeof s);
        // 16 + MAX_WBITS: gzip wrapper only (header and CRC checked).
        if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    }
    ~Zlib() { inflateEnd(&s); }
    z_stream s;
};

GzipLineSplitter::GzipLineSplitter(LineFn on_line, std::uint64_t skip_lines, std::size_t chunk_bytes)
    : on_line_(std::move(on_line)),
      skip_(skip_lines),
      z_(std::make_unique<Zlib>()),
      out_(std::clamp<std::size_t>(chunk_bytes, 64, 16u << 20)) {}

GzipLineSplitter::~GzipLineSplitter() = default;

bool GzipLineSplitter::fail(std::string message) {
    state_ = State::failed;
    error_ = std::move(message);
    partial_.clear();
    partial_.shrink_to_fit();
    return false;
}

bool GzipLineSplitter::feed(std::string_view in) {
    if (state_ != State::running) return false;
    bytes_in_ += in.size();
    z_stream& s = z_->s;
    while (!in.empty()) {
        // avail_in is a uInt; hand over huge buffers in slices.
        const std::size_t slice = std::min<std::size_t>(in.size(), std::numeric_limits<uInt>::max() / 2);
        // zlib's API is not const-correct; it never writes through next_in.
        s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        s.avail_in = static_cast<uInt>(slice);
        in.remove_prefix(slice);

        bool out_full = false;
        // Keep calling while input remains or the last call filled the
        // output chunk (zlib may still hold decoded bytes then).
        while (s.avail_in > 0 || out_full) {
            if (member_done_) {
                if (s.avail_in == 0) break;
                inflateReset(&s);  // the next gzip member of a concatenated file
                member_done_ = false;
            }
            s.next_out = reinterpret_cast<Bytef*>(out_.data());
            s.avail_out = static_cast<uInt>(out_.size());
            const uInt before = s.avail_in;
            const int rc = inflate(&s, Z_NO_FLUSH);
            if (s.avail_in != before) in_member_ = true;
            const std::size_t produced = out_.size() - s.avail_out;
            out_full = s.avail_out == 0;
            bytes_out_ += produced;
            if (produced != 0 && !consume(out_.data(), produced)) return false;
            if (rc == Z_STREAM_END) {
                member_done_ = true;
                in_member_ = false;
                out_full = false;
                ++members_;
                continue;
            }
            if (rc == Z_OK) continue;
            if (rc == Z_BUF_ERROR) break;  // needs more input
            // Z_DATA_ERROR covers both corrupt data and garbage after a member.
            return fail(std::string("gzip: ") + (s.msg != nullptr ? s.msg : zError(rc)));
        }
    }
    return true;
}

bool GzipLineSplitter::finish() {
    if (state_ == State::finished) return true;
    if (state_ != State::running) return false;
    if (bytes_in_ == 0) return fail("gzip: empty input");
    if (!member_done_) return fail("gzip: truncated stream (ended inside a member)");
    if (open_line_) {  // a last line without '\n' still counts
        open_line_ = false;
        ++line_no_;
        std::string last = std::move(partial_);
        partial_.clear();
        if (line_no_ > skip_ && !deliver(last)) return false;
    }
    state_ = State::finished;
    return true;
}

bool GzipLineSplitter::consume(const char* p, std::size_t n) {
    while (n > 0) {
        const bool skipping = line_no_ < skip_;  // the line being completed is <= skip_
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', n));
        if (nl == nullptr) {
            if (!skipping) partial_.append(p, n);  // skipped lines are never buffered
            open_line_ = true;
            return true;
        }
        open_line_ = false;
        const std::size_t len = static_cast<std::size_t>(nl - p);
        ++line_no_;
        bool go_on = true;
        if (!skipping) {
            if (partial_.empty()) {
                go_on = deliver(std::string_view(p, len));  // zero copy: whole line in this chunk
            } else {
                partial_.append(p, len);
                go_on = deliver(partial_);
            }
        }
        partial_.clear();
        // Give back the buffer of an unusually long line.
        if (partial_.capacity() > (4u << 20)) partial_.shrink_to_fit();
        p = nl + 1;
        n -= len + 1;
        if (!go_on) return false;
    }
    return true;
}

bool GzipLineSplitter::deliver(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return true;  // counted, not delivered
    try {
        if (!on_line_(line, line_no_)) {
            state_ = State::stopped;
            error_ = "stopped by the line handler";
            return false;
        }
    } catch (const std::exception& e) {
        return fail(std::string("line handler: ") + e.what());
    } catch (...) {
        return fail("line handler threw");
    }
    ++delivered_;
    return true;
}

}  // namespace hr::mimecast
