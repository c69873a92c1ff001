#pragma once
// Runs plugin instances: the host side of the ABI, supervision, reloads.
#include "log.hpp"
#include "pipeline.hpp"
#include "runner_config.hpp"

#include <hosted_runner/plugin_abi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace hr {
class Host;
}

// The opaque handle the ABI hands to plugins (declared in plugin_abi.h).
struct hr_host_instance {
    hr::Host *host = nullptr;
    uint64_t id = 0;
    std::string who; // "mimecast[prod]"
    std::string ns;
    std::atomic<bool> stopping{false};
    std::atomic<bool> failed{false}; // set by fail(); the supervisor restarts it
    std::string fail_msg;            // guarded by stats_mu
    std::mutex stats_mu;
    std::map<std::string, int64_t> stats;
    std::map<std::string, int64_t> last_reported;
    // What it emitted (over restarts too), for the ingester state.
    std::atomic<uint64_t> entries{0}, bytes{0};
    std::vector<std::string> tags; // guarded by stats_mu
};

namespace hr {

class Host {
public:
    struct Options {
        std::chrono::milliseconds progress_interval{30000};
        std::chrono::milliseconds restart_backoff_min{1000};
        std::chrono::milliseconds restart_backoff_max{60000};
        std::chrono::milliseconds drain_timeout{4000};
    };

    Host(Logger &log, Pipeline &pipeline, StateStore &store, Options opts);
    ~Host();

    const hr_host_api *api() const { return &api_; }

    // Creates and starts an instance per stanza (takes ownership of them).
    void start(std::vector<StanzaConfig> stanzas);
    // Applies a new config: stops removed/changed stanzas, starts new/changed ones.
    void reload(std::vector<StanzaConfig> stanzas);
    // Stops every instance, waiting for their durable commits; idempotent.
    void stop_all();

    void set_progress_interval(std::chrono::milliseconds interval);
    // Status of instances for tests and logs.
    size_t running_count() const;

    struct InstanceStatus {
        std::string who, uuid;
        uint64_t entries = 0, bytes = 0;
        std::vector<std::string> tags;
        std::string state, error;
    };
    // Any thread; a snapshot of every configured instance.
    std::vector<InstanceStatus> status() const;

private:
    struct Instance {
        StanzaConfig cfg;
        std::unique_ptr<hr_host_instance> hi;
        hr_instance *inst = nullptr;
        bool running = false;
        int restarts = 0;
        std::chrono::steady_clock::time_point restart_at{};
        uint64_t last_emitted_seq = 0;
    };

    bool create_and_start(Instance &in);
    void add_instance(StanzaConfig sc); // mu_ held
    void schedule_restart(Instance &in, std::chrono::steady_clock::time_point now);
    // deadline: when to stop waiting for its last commits (shared by a whole shutdown).
    void stop_instance(Instance &in, std::chrono::steady_clock::time_point deadline);
    void stop_instance(Instance &in) { stop_instance(in, std::chrono::steady_clock::now() + opts_.drain_timeout); }
    void supervise();
    void report_progress(bool force);
    void refresh_status_locked();

    // ABI entry points.
    static void abi_log(hr_host_instance *h, hr_log_level level, hr_str msg);
    static int abi_log_enabled(hr_host_instance *h, hr_log_level level);
    static hr_status abi_emit(hr_host_instance *h, const hr_entry *e);
    static hr_status abi_state_get(hr_host_instance *h, hr_str key, hr_value_fn fn, void *ctx);
    static hr_status abi_commit(hr_host_instance *h, hr_str key, hr_str value, hr_commit_fn fn, void *ctx);
    static void abi_set_stat(hr_host_instance *h, hr_str name, int64_t value);
    static void abi_fail(hr_host_instance *h, hr_str msg);

    Logger &log_;
    Pipeline &pipeline_;
    StateStore &store_;
    Options opts_;
    hr_host_api api_{};

    mutable std::mutex mu_; // guards instances_ and the supervisor's view
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Instance>> instances_;
    uint64_t next_id_ = 1;
    bool shutting_down_ = false;
    std::thread supervisor_;
    std::chrono::steady_clock::time_point next_progress_{}, next_status_{};
    std::mt19937 rng_{std::random_device{}()};
    mutable std::mutex status_mu_;
    std::vector<InstanceStatus> status_;
};

// True when a tag is acceptable to every sink (Gravwell's rules, and ours).
bool valid_tag(std::string_view tag);

} // namespace hr
