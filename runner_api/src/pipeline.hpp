#pragma once
// Fans entries out to every sink and applies state commits only once every
// entry emitted before them is durable in every sink.
#include "log.hpp"
#include "sink.hpp"
#include "state_store.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace hr {

class Pipeline {
public:
    using CommitFn = void (*)(void *ctx, int ok);

    Pipeline(StateStore &store, Logger &log, uint64_t max_pending_bytes = 64u << 20);
    ~Pipeline();

    void add_sink(std::unique_ptr<Sink> sink); // before start()
    void start();

    // Assigns the entry a sequence number and hands it to every sink. False
    // (entry not taken) while more than max_pending_bytes are not yet durable.
    bool emit(Entry &&entry);

    // Queues ns/key=value to be stored once everything emitted so far is durable.
    // owner identifies the instance for detach(). If the owner is detached, fn
    // is called with ok=0 before this returns and the write still happens.
    void commit(uint64_t owner, std::string ns, std::string key, std::string value, CommitFn fn, void *ctx);
    // After this returns, no callback of owner runs again: pending ones get ok=0 now.
    void detach(uint64_t owner);
    void attach(uint64_t owner); // undo detach for an id that is reused

    uint64_t last_seq() const;
    uint64_t durable_seq() const;
    // Waits until durable_seq() >= seq or the timeout; true if reached.
    bool wait_durable(uint64_t seq, std::chrono::milliseconds timeout);
    uint64_t pending_bytes() const;
    uint64_t commit_failures() const { return commit_failures_; }

    // Flushes every sink, applies what became durable, stops the threads.
    void close();

private:
    struct Commit {
        uint64_t threshold, owner;
        std::string ns, key, value;
        CommitFn fn;
        void *ctx;
    };
    void on_progress();
    void run_committer();
    uint64_t compute_durable_locked() const;

    StateStore &store_;
    Logger &log_;
    const uint64_t max_pending_bytes_;
    std::vector<std::unique_ptr<Sink>> sinks_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    uint64_t seq_ = 0;
    uint64_t durable_ = 0;
    uint64_t pending_bytes_ = 0;
    std::deque<std::pair<uint64_t, uint64_t>> sizes_; // (seq, bytes) not yet durable
    std::deque<Commit> commits_;
    bool closing_ = false;
    uint64_t commit_failures_ = 0;

    std::mutex cb_mu_; // held while a callback runs, so detach() can fence them
    std::set<uint64_t> detached_;
    std::thread committer_;
};

} // namespace hr
