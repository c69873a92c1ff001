#pragma once
// Sink speaking Gravwell's native ingest protocol to one or more indexers.
// Durability = the indexer confirmed the entry (CONFIRM_ENTRY).
#include "protocol.hpp"
#include "disk_cache.hpp"
#include "log.hpp"
#include "sink.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hr::gw {

struct Target {
    enum class Kind { tcp, tls, unix_socket };
    Kind kind = Kind::tcp;
    std::string host; // tcp/tls host; unix: socket path
    uint16_t port = 4023;
    std::string display() const;
};

// "host", "host:port", "[v6]:port"; port defaults per kind (4023 / 4024).
bool parse_target(Target::Kind kind, const std::string &text, Target &out, std::string &err);

enum class CacheMode { always, fail };

// One plugin instance as the Gravwell UI shows it (a child of the runner).
struct ChildState {
    std::string name; // "mimecast[prod]"
    std::string uuid;
    uint64_t entries = 0, bytes = 0;
    std::vector<std::string> tags;
    std::string state; // "running", "restarting", ...
    std::string error; // last failure, "" if none
};

struct GravwellConfig {
    std::vector<Target> targets;
    std::string secret;
    bool insecure_skip_tls_verify = false;
    // Extra PEM trust anchors for TLS targets (besides the system's); empty: none.
    std::string tls_ca_file;
    // open() waits this long for a first live connection; 0: don't wait.
    std::chrono::milliseconds connection_timeout{0};
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::milliseconds backoff_initial{1000};
    std::chrono::milliseconds backoff_max{5 * 60 * 1000};
    std::chrono::milliseconds ingest_ok_retry{10000}; // INGEST_OK answered "not yet"
    // close() waits this long for acks; with the host's 4 s drain it stays
    // inside the runner's 9 s shutdown deadline.
    std::chrono::milliseconds close_timeout{3000};
    size_t max_unconfirmed = 4096;                     // per connection, as the indexer allows
    std::string ingester_name = "hosted_runner";
    std::string ingester_version = "0.1.0";
    std::string ingester_uuid = "00000000-0000-0000-0000-000000000000";
    std::string label;

    // Disk cache (empty path: none). Entries written there count as durable.
    std::string cache_path;
    uint64_t cache_max_bytes = 1000ull << 20;
    CacheMode cache_mode = CacheMode::always;
    // Mode fail: spill to the cache once no indexer took entries for this long.
    std::chrono::milliseconds fail_grace{2000};
    // Mode always: also spill while connected once this much waits in memory.
    uint64_t spill_bytes = 32ull << 20;

    // Ingester state (INGESTER_STATE) is sent on connect and then this often.
    std::chrono::milliseconds state_interval{30000};
    // Called on the sink's thread; must not block long.
    std::function<std::vector<ChildState>()> children;

    Logger *log = nullptr; // connection events; may be null
};

class GravwellSink : public hr::Sink {
public:
    explicit GravwellSink(GravwellConfig cfg);
    ~GravwellSink() override;

    std::string name() const override;
    bool open(std::string &err) override;
    void push(EntryPtr entry) override;
    uint64_t durable_seq() const override { return durable_.load(); }
    void set_progress_callback(std::function<void()> fn) override { progress_ = std::move(fn); }
    void close() override;

    // Diagnostics (any thread).
    std::string last_error() const;
    size_t live_connections() const { return live_.load(); }
    uint64_t connect_attempts() const { return attempts_.load(); }
    uint64_t resent_entries() const { return resent_.load(); }

    struct Impl; // io-thread state, in the .cpp

private:
    GravwellConfig cfg_;
    std::unique_ptr<DiskCache> cache_;
    std::unique_ptr<Impl> impl_;
    std::thread thread_;
    std::atomic<uint64_t> durable_{0};
    std::atomic<size_t> live_{0};
    std::atomic<uint64_t> attempts_{0};
    std::atomic<uint64_t> resent_{0};
    std::atomic<uint64_t> confirmed_entries_{0}, confirmed_bytes_{0};
    std::function<void()> progress_;
    mutable std::mutex err_mu_;
    std::string last_error_;
    bool opened_ = false, closed_ = false;

    friend struct Impl;
    void set_error(std::string e);
    void note(LogLevel level, const std::string &msg);
};

} // namespace hr::gw
