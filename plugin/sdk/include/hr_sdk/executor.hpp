// One io_context per plugin library, run by a small fixed pool of threads.
//
// Stanzas never get threads of their own: each one takes a strand from here
// and its own timers, so 500 stanzas cost 500 strands, not 500 threads.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace hr::sdk {

class Executor {
public:
    using executor_type = boost::asio::io_context::executor_type;
    using strand_type = boost::asio::strand<executor_type>;
    // Told about an exception that escaped a handler (the pool keeps running).
    using ErrorFn = std::function<void(std::string_view what)>;

    // Starts `threads` threads (at least 1) running the context at once.
    explicit Executor(unsigned threads = 2, ErrorFn on_handler_error = {});
    // stop() + join().
    ~Executor();

    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    boost::asio::io_context& context() noexcept { return ctx_; }
    executor_type get_executor() noexcept { return ctx_.get_executor(); }
    strand_type make_strand() { return boost::asio::make_strand(ctx_); }
    unsigned thread_count() const noexcept { return static_cast<unsigned>(threads_.size()); }

    // Let run() return once no work is left (graceful); idempotent.
    void drain() noexcept;
    // Make run() return as soon as possible; queued handlers stay unrun.
    // Idempotent, any thread.
    void stop() noexcept;
    // Wait for the pool threads. From a pool thread it skips that thread
    // (which cannot join itself) and detaches it instead.
    void join() noexcept;
    // True when the calling thread is one of this pool's.
    bool running_in_pool() const noexcept;

private:
    void thread_main(unsigned index);

    boost::asio::io_context ctx_;
    std::optional<boost::asio::executor_work_guard<executor_type>> work_;
    ErrorFn on_error_;
    std::vector<std::thread> threads_;
};

}  // namespace hr::sdk
