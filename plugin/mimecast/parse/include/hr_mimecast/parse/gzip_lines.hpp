// Streaming gunzip + line split for SIEM batch files.
//
// Feed compressed bytes as they arrive; complete lines come out as they are
// decoded. Memory: zlib's inflate state + one output chunk + the current
// partial line, whatever the file size (no line length cap: a long line is
// not an error, unlike bufio.Scanner's 64 KiB).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hr::mimecast {

class GzipLineSplitter {
public:
    // Return false to stop early (feed() then returns false; stopped()).
    // `line` excludes the '\n' and a trailing '\r'; valid during the call.
    // line_no is 1-based and counts every line of the file, including the
    // skipped and the empty ones (which are not delivered).
    using LineFn = std::function<bool(std::string_view line, std::uint64_t line_no)>;

    // skip_lines: lines 1..skip_lines are counted but not delivered (resume
    // inside a file after a restart).
    explicit GzipLineSplitter(LineFn on_line, std::uint64_t skip_lines = 0, std::size_t chunk_bytes = 64 * 1024);
    ~GzipLineSplitter();
    GzipLineSplitter(const GzipLineSplitter&) = delete;
    GzipLineSplitter& operator=(const GzipLineSplitter&) = delete;

    // More compressed bytes. Concatenated gzip members are one stream.
    // False once failed or stopped (further calls do nothing).
    bool feed(std::string_view compressed);
    // End of input: delivers a last unterminated line, then checks that the
    // stream ended at a gzip member boundary. False if truncated, empty,
    // corrupt, stopped, or already failed.
    bool finish();

    bool failed() const noexcept { return state_ == State::failed; }
    bool stopped() const noexcept { return state_ == State::stopped; }
    const std::string& error() const noexcept { return error_; }

    std::uint64_t lines_seen() const noexcept { return line_no_; }
    std::uint64_t lines_delivered() const noexcept { return delivered_; }
    std::uint64_t bytes_in() const noexcept { return bytes_in_; }
    std::uint64_t bytes_out() const noexcept { return bytes_out_; }
    std::uint64_t members() const noexcept { return members_; }
    // Bytes held for the unfinished line (memory bound checks).
    std::size_t partial_bytes() const noexcept { return partial_.size(); }

private:
    enum class State { running, stopped, failed, finished };
    struct Zlib;

    bool consume(const char* data, std::size_t n);
    bool deliver(std::string_view line);
    bool fail(std::string message);

    LineFn on_line_;
    std::uint64_t skip_;
    std::unique_ptr<Zlib> z_;
    std::vector<char> out_;
    std::string partial_;
    State state_ = State::running;
    std::string error_;
    bool member_done_ = false;  // last inflate() call ended a member
    bool in_member_ = false;    // bytes of a member have been consumed
    bool open_line_ = false;    // bytes after the last '\n' (kept in partial_ unless skipped)
    std::uint64_t line_no_ = 0;
    std::uint64_t delivered_ = 0;
    std::uint64_t bytes_in_ = 0;
    std::uint64_t bytes_out_ = 0;
    std::uint64_t members_ = 0;
};

}  // namespace hr::mimecast
