#pragma once
// Fans entries out to every sink and applies state commits only once the
// entries they cover are durable in every sink.
//
// Exactly-once across a crash needs the sinks' content and the cursors to
// move together. A commit covers the entries its instance emitted before it.
// The "covered prefix" P is the longest run of sequence numbers that are all
// durable and all covered by a commit already made; commits are stored only
// up to P, in one state batch together with each sink's position after P.
// On the next start a sink cuts whatever it holds past that position: those
// entries' cursors were never stored, so the plugins deliver them again.
#include "log.hpp"
#include "sink.hpp"
#include "state_store.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace hr {

class Pipeline {
public:
    using CommitFn = void (*)(void *ctx, int ok);
    // State namespace holding sink positions.
    static constexpr const char *kSinkNamespace = "hosted_runner/sinks";

    Pipeline(StateStore &store, Logger &log, uint64_t max_pending_bytes = 64u << 20);
    ~Pipeline();

    // Before start(): rolls the sink back to its committed position, opens it.
    bool add_sink(std::unique_ptr<Sink> sink, std::string &note);
    void start();
    // Bytes of entries held until every sink has them durable; emit() refuses beyond.
    void set_max_pending_bytes(uint64_t bytes);

    // Gives the entry a sequence number and hands it to every sink. False
    // (entry not taken) while more than max_pending_bytes are not yet durable.
    bool emit(uint64_t owner, Entry &&entry);

    // Queues ns/key=value, covering every entry owner emitted so far. If the
    // owner is detached, fn is called with ok=0 before this returns and the
    // write still happens.
    void commit(uint64_t owner, std::string ns, std::string key, std::string value, CommitFn fn, void *ctx);
    // After this returns, no callback of owner runs again: pending ones get ok=0 now.
    void detach(uint64_t owner);
    // Waits until owner's commits are stored or the timeout passes.
    bool wait_committed(uint64_t owner, std::chrono::milliseconds timeout);

    uint64_t last_seq() const;
    uint64_t durable_seq() const;
    uint64_t pending_bytes() const;
    uint64_t commit_failures() const;

    // Flushes every sink, stores what became covered, stops the threads.
    void close();

    // Entries with no commit after them for this long count as covered
    // (plugins without cursors must not hold everyone's commits back).
    // Guarded by mu_ once started.
    std::chrono::milliseconds uncommitted_grace{2000};

private:
    struct Commit {
        uint64_t threshold, owner;
        std::string ns, key, value;
        CommitFn fn;
        void *ctx;
    };
    struct Owner {
        uint64_t last_emitted = 0;
        uint64_t committed_upto = 0; // highest threshold of a commit call
        size_t pending = 0;          // commits queued, not stored
    };
    struct Emitted {
        uint64_t seq, owner;
        std::chrono::steady_clock::time_point at;
    };
    void on_progress();
    void run_committer();
    uint64_t advance_covered_locked(std::chrono::steady_clock::time_point now);

    StateStore &store_;
    Logger &log_;
    uint64_t max_pending_bytes_; // guarded by mu_
    std::vector<std::unique_ptr<Sink>> sinks_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    uint64_t seq_ = 0;
    uint64_t durable_ = 0;
    uint64_t covered_ = 0;
    uint64_t pending_bytes_ = 0;
    std::deque<std::pair<uint64_t, uint64_t>> sizes_; // (seq, bytes) not yet durable
    std::deque<Emitted> uncovered_;
    std::map<uint64_t, Owner> owners_;
    std::deque<Commit> commits_;
    bool closing_ = false, closed_ = false;
    uint64_t commit_failures_ = 0;

    std::mutex cb_mu_; // held while a callback runs, so detach() can fence them
    std::set<uint64_t> detached_;
    std::thread committer_;
};

} // namespace hr
