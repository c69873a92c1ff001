#pragma once
// Sinks take entries in sequence order and report how far they are durable.
#include <cstdint>
#include <functional>
#include <memory>
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
    // Name for logs ("file:/var/log/x.json").
    virtual std::string name() const = 0;
    // Called by the Pipeline in seq order, from one thread at a time. Never blocks long.
    virtual void push(EntryPtr entry) = 0;
    // Every entry with seq <= durable_seq() is durable (for a file: written and fsynced).
    virtual uint64_t durable_seq() const = 0;
    // Wakes `fn` whenever durable_seq() advances. Set before the first push.
    virtual void set_progress_callback(std::function<void()> fn) = 0;
    // Write and make durable what was pushed, then stop the sink's threads.
    virtual void close() = 0;
};

} // namespace hr
