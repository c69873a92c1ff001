#pragma once
// Sinks take entries in sequence order and report how far they are durable.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hr {

struct Entry {
    uint64_t seq = 0; // assigned by the Pipeline, 1-based, strictly increasing
    int64_t ts_sec = 0;
    uint32_t ts_nsec = 0;
    std::string tag;
    std::string src;
    std::string data;
};
using EntryPtr = std::shared_ptr<const Entry>;

class Sink {
public:
    virtual ~Sink() = default;
    // Name for logs ("file:/var/log/x.json"); also its key in the state.
    virtual std::string name() const = 0;
    // Starts the sink (after recover()); false with a message naming the target.
    virtual bool open(std::string &err) = 0;
    // Called by the Pipeline in seq order, from one thread at a time. Never blocks long.
    virtual void push(EntryPtr entry) = 0;
    // Every entry with seq <= durable_seq() is durable (for a file: written and fsynced).
    virtual uint64_t durable_seq() const = 0;
    // Wakes `fn` whenever durable_seq() advances. Set before the first push.
    virtual void set_progress_callback(std::function<void()> fn) = 0;
    // Write and make durable what was pushed, then stop the sink's threads.
    virtual void close() = 0;

    // For sinks that can roll back (a file): the position just after entry
    // seq, once durable. The Pipeline stores it with the cursors it commits,
    // and on the next start recover() cuts off anything written past it,
    // which the plugins deliver again. nullopt: no rollback (at-least-once).
    virtual std::optional<uint64_t> position_after(uint64_t seq) { (void)seq; return std::nullopt; }
    // Positions up to seq are no longer asked for.
    virtual void release(uint64_t seq) { (void)seq; }
    // Before the first push: the last position stored with committed cursors.
    virtual bool recover(std::optional<uint64_t> committed, std::string &note) { (void)committed; (void)note; return true; }
};

} // namespace hr
