#pragma once
// One [Mimecast "name"] stanza: one strand, one token, one request budget and
// one collector per Api. Everything of a stanza runs on its strand, so its
// state needs no locks; stanzas are strands and timers, never threads.
#include "config.hpp"
#include "module.hpp"

#include <hr_sdk/backoff.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hr::mimecast {

class Collector;

// Per-Api transport state: its own timer, backoff and counters.
struct ApiCtx {
    explicit ApiCtx(sdk::Executor::strand_type &strand, std::string api_name)
        : name(std::move(api_name)), timer(strand),
          backoff(std::chrono::seconds(1), std::chrono::minutes(5)) {}
    std::string name;
    boost::asio::steady_timer timer;
    sdk::Backoff backoff;
    std::map<std::string, int64_t> counters; // entries, bytes, requests, ...
    int64_t newest_event_ns = 0;
    sdk::RequestHandle in_flight;
};

class Poller : public std::enable_shared_from_this<Poller> {
public:
    static std::shared_ptr<Poller> create(Module &mod, Config cfg, hr_host_instance *h);
    ~Poller();
    void start();
    void stop();         // any thread, idempotent
    void wait_stopped(); // after it returns no handler of this stanza calls the host

    // ----- for collectors (strand only) -----
    const Config &config() const { return cfg_; }
    sdk::Executor::strand_type &strand() { return strand_; }
    bool stopping() const { return stopped_; }
    // An authenticated Mimecast API call within the budget. Retries
    // transport errors, 5xx, 429 and one 401 itself; done gets every other
    // answer (2xx or a 4xx the collector must judge), on the strand.
    void api_call(ApiCtx &ctx, std::function<sdk::Request()> build, std::function<void(sdk::Result)> done);
    // A plain GET of a pre-signed URL: no bearer token, not in the budget.
    // on_chunk runs on the strand in order; return false to abort.
    void download(ApiCtx &ctx, const std::string &url, std::function<bool(std::string_view)> on_chunk,
                  std::function<void(sdk::Result)> done);
    // Waits ctx's backoff, then runs fn; logs why at WARN.
    void retry_later(ApiCtx &ctx, const std::string &why, std::function<void()> fn);
    void after(ApiCtx &ctx, std::chrono::milliseconds delay, std::function<void()> fn);

    hr_status emit(const std::string &tag, int64_t ts_ns, std::string_view src, std::string_view data);
    void commit(const std::string &key, const std::string &value);
    std::optional<std::string> state_get(const std::string &key);
    void log(hr_log_level level, const std::string &msg);
    void count(ApiCtx &ctx, const char *counter, int64_t delta = 1);
    void publish_stats(ApiCtx &ctx);

private:
    Poller(Module &mod, Config cfg, hr_host_instance *h);
    void with_token(std::function<void(bool ok)> fn);
    void fetch_token();
    void send(ApiCtx &ctx, std::shared_ptr<std::function<sdk::Request()>> build,
              std::shared_ptr<std::function<void(sdk::Result)>> done, bool auth_retry);
    void observe_rate_headers(const sdk::Result &r);
    void log_send(ApiCtx &ctx, const sdk::Request &req); // DEBUG: one line per API call, as sent

    Module &mod_;
    const hr_host_api *host_;
    Config cfg_;
    hr_host_instance *h_;
    sdk::Executor::strand_type strand_;
    std::shared_ptr<sdk::SharedBudget> budget_;
    bool stopped_ = false; // strand only
    std::atomic<bool> stop_requested_{false};

    // OAuth token shared by the stanza's APIs.
    std::string token_;
    std::chrono::steady_clock::time_point token_refresh_at_{};
    bool token_in_flight_ = false;
    std::vector<std::function<void(bool)>> token_waiters_;
    std::unique_ptr<ApiCtx> token_ctx_;
    bool auth_failing_ = false;

    std::vector<std::unique_ptr<Collector>> collectors_;
};

// One Api of a stanza: audit or an MTA batch type.
class Collector {
public:
    virtual ~Collector() = default;
    virtual void start() = 0; // strand
    virtual void stop() = 0;  // strand: cancel timers and requests
};

std::unique_ptr<Collector> make_audit_collector(Poller &p, const ApiConfig &api);
std::unique_ptr<Collector> make_batch_collector(Poller &p, const ApiConfig &api);

int64_t now_ns();

} // namespace hr::mimecast
