#pragma once
#include "sink.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace hr {

// One JSON object per line:
// {"ts":"2026-11-24T19:14:18.123456789Z","tag":"t","src":"192.0.2.1","data":<event>}
std::string format_file_line(const Entry &e);

// Appends to a file (or stdout for "-") from its own thread; fsyncs each batch
// before reporting it durable.
class FileSink : public Sink {
public:
    explicit FileSink(std::string path);
    ~FileSink() override;
    // Opens the target; false with a message naming the path.
    bool open(std::string &err) override;
    static bool check_path(const std::string &path, std::string &err);

    std::string name() const override { return "file:" + path_; }
    void push(EntryPtr entry) override;
    uint64_t durable_seq() const override { return durable_.load(); }
    void set_progress_callback(std::function<void()> fn) override { progress_ = std::move(fn); }
    void close() override;
    std::optional<uint64_t> position_after(uint64_t seq) override;
    void release(uint64_t seq) override;
    bool recover(std::optional<uint64_t> committed, std::string &note) override;

    // Write errors so far (a full disk, say); the sink retries them.
    uint64_t write_errors() const { return write_errors_.load(); }

private:
    void run();
    bool write_batch(const std::string &bytes, size_t &written);

    std::string path_;
    int fd_ = -1;
    bool is_stdout_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<EntryPtr> queue_;
    bool closing_ = false;
    std::atomic<uint64_t> durable_{0};
    std::atomic<uint64_t> write_errors_{0};
    std::function<void()> progress_;
    uint64_t end_offset_ = 0;                          // writer thread
    std::mutex pos_mu_;
    std::deque<std::pair<uint64_t, uint64_t>> ends_;   // (seq, offset after it), durable only
    std::thread thread_;
};

} // namespace hr
