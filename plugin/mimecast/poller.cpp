#include "poller.hpp"

#include <hr_mimecast/parse/envelope.hpp>
#include <hr_mimecast/parse/pages.hpp>
#include <hr_mimecast/parse/requests.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include <future>

namespace asio = boost::asio;

namespace hr::mimecast {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {
hr_str hs(std::string_view s) { return hr_str{s.data(), s.size()}; }
constexpr auto kApiDeadline = std::chrono::minutes(2);
} // namespace

Poller::Poller(Module &mod, Config cfg, hr_host_instance *h)
    : mod_(mod), host_(mod.host()), cfg_(std::move(cfg)), h_(h), strand_(mod.executor().make_strand()) {
    budget_ = mod_.budgets().get(cfg_.host + "\n" + cfg_.client_id, static_cast<size_t>(cfg_.requests_per_minute),
                                 std::chrono::seconds(60));
    token_ctx_ = std::make_unique<ApiCtx>(strand_, "token");
}

Poller::~Poller() = default;

std::shared_ptr<Poller> Poller::create(Module &mod, Config cfg, hr_host_instance *h) {
    auto p = std::shared_ptr<Poller>(new Poller(mod, std::move(cfg), h));
    for (const auto &api : p->cfg_.apis)
        p->collectors_.push_back(api.info->kind == ApiKind::Audit ? make_audit_collector(*p, api)
                                                                  : make_batch_collector(*p, api));
    return p;
}

void Poller::start() {
    asio::post(strand_, [self = shared_from_this()] {
        if (self->stopped_) return;
        self->log(HR_LOG_INFO, "starting " + std::to_string(self->collectors_.size()) + " API(s) against " +
                                   self->cfg_.host + ", at most " + std::to_string(self->cfg_.requests_per_minute) +
                                   " requests/min");
        for (auto &c : self->collectors_) c->start();
    });
}

void Poller::stop() {
    if (stop_requested_.exchange(true)) return;
    asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        for (auto &c : self->collectors_) c->stop();
        self->token_ctx_->timer.cancel();
        self->token_ctx_->in_flight.cancel();
        self->token_waiters_.clear();
    });
}

void Poller::wait_stopped() {
    // A fence on the strand: once it ran, stopped_ is set there and every
    // later handler sees it before touching the host.
    std::promise<void> done;
    asio::post(strand_, [this, &done] {
        stopped_ = true;
        done.set_value();
    });
    done.get_future().wait();
}

void Poller::log(hr_log_level level, const std::string &msg) {
    if (stopped_) return;
    host_->log(h_, level, hs(msg));
}

hr_status Poller::emit(const std::string &tag, int64_t ts_ns, std::string_view src, std::string_view data) {
    if (stopped_) return HR_STOPPING;
    int64_t sec = ts_ns / 1000000000, nsec = ts_ns % 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec -= 1;
    }
    hr_entry e{sec, static_cast<uint32_t>(nsec), hs(tag), hs(src), hs(data)};
    return host_->emit(h_, &e);
}

void Poller::commit(const std::string &key, const std::string &value) {
    if (stopped_) return;
    host_->commit(h_, hs(key), hs(value), nullptr, nullptr);
}

std::optional<std::string> Poller::state_get(const std::string &key) {
    std::optional<std::string> out;
    host_->state_get(
        h_, hs(key), [](void *ctx, hr_str v) { *static_cast<std::optional<std::string> *>(ctx) = std::string(v.ptr, v.len); },
        &out);
    return out;
}

void Poller::count(ApiCtx &ctx, const char *counter, int64_t delta) { ctx.counters[counter] += delta; }

void Poller::log_send(ApiCtx &ctx, const sdk::Request &req) {
    if (stopped_ || !host_->log_enabled(h_, HR_LOG_DEBUG)) return;
    // Method and path only: the query holds page tokens, the token body the secret.
    std::string path = req.url.substr(0, req.url.find('?'));
    host_->log(h_, HR_LOG_DEBUG, hs(ctx.name + ": API call " + req.method + " " + path));
}

void Poller::publish_stats(ApiCtx &ctx) {
    if (stopped_) return;
    for (const auto &[k, v] : ctx.counters) {
        std::string name = ctx.name + "." + k;
        host_->set_stat(h_, hs(name), v);
    }
    if (ctx.newest_event_ns > 0) {
        std::string name = ctx.name + ".lag_s";
        host_->set_stat(h_, hs(name), (now_ns() - ctx.newest_event_ns) / 1000000000);
    }
}

void Poller::after(ApiCtx &ctx, std::chrono::milliseconds delay, std::function<void()> fn) {
    ctx.timer.expires_after(delay);
    ctx.timer.async_wait([self = shared_from_this(), fn = std::move(fn)](boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        fn();
    });
}

void Poller::retry_later(ApiCtx &ctx, const std::string &why, std::function<void()> fn) {
    auto delay = ctx.backoff.next();
    count(ctx, "errors");
    publish_stats(ctx);
    log(HR_LOG_WARN, ctx.name + ": " + why + "; backing off " + std::to_string(delay.count()) + " ms");
    after(ctx, delay, std::move(fn));
}

// ------------------------------------------------------------------ token

void Poller::with_token(std::function<void(bool)> fn) {
    if (!token_.empty() && std::chrono::steady_clock::now() < token_refresh_at_) {
        fn(true);
        return;
    }
    token_waiters_.push_back(std::move(fn));
    if (!token_in_flight_) fetch_token();
}

void Poller::fetch_token() {
    token_in_flight_ = true;
    token_.clear();
    // The token call counts against the same budget as data calls.
    budget_->async_acquire(token_ctx_->timer, asio::bind_executor(strand_, [self = shared_from_this()](
                                                                                 boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        sdk::Request req;
        req.method = "POST";
        req.url = self->cfg_.host + "/oauth/token";
        req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
        req.body = build_token_form(self->cfg_.client_id, self->cfg_.client_secret);
        req.deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kApiDeadline).count();
        self->log_send(*self->token_ctx_, req);
        sdk::Handlers h;
        h.on_done = [self](sdk::Result r) {
            asio::post(self->strand_, [self, r = std::move(r)]() mutable {
                if (self->stopped_) return;
                ApiCtx &ctx = *self->token_ctx_;
                self->count(ctx, "requests");
                self->observe_rate_headers(r);
                std::string why;
                if (!r.transport_ok()) {
                    why = "token request failed: " + r.error;
                } else {
                    auto t = parse_token_response(r.status, r.body);
                    if (t.ok() && !t.grant.access_token.empty()) {
                        int64_t ttl = t.grant.expires_in_s.value_or(1800);
                        // Renew 5 minutes early, or at 80% of a short lifetime.
                        int64_t early = std::min<int64_t>(300, ttl / 5);
                        self->token_ = t.grant.access_token;
                        self->token_refresh_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(ttl - early);
                        self->token_in_flight_ = false;
                        ctx.backoff.reset();
                        if (self->auth_failing_) self->log(HR_LOG_INFO, "authentication works again");
                        self->auth_failing_ = false;
                        auto waiters = std::move(self->token_waiters_);
                        self->token_waiters_.clear();
                        for (auto &w : waiters) w(true);
                        return;
                    }
                    if (r.status == 429) {
                        self->token_in_flight_ = false;
                        self->fetch_token();
                        return;
                    }
                    why = "authentication refused: " + t.envelope.summary();
                    if (r.status == 400 || r.status == 401 || r.status == 403)
                        why += " (check Client-Id and Client-Secret of the API 2.0 application)";
                }
                self->auth_failing_ = true;
                self->retry_later(ctx, why, [self] { self->fetch_token(); });
            });
        };
        self->token_ctx_->in_flight = self->mod_.http().request(std::move(req), std::move(h));
    }));
}

void Poller::observe_rate_headers(const sdk::Result &r) {
    auto now = std::chrono::steady_clock::now();
    const std::string *reset = r.header("x-ratelimit-reset");
    const std::string *remaining = r.header("x-ratelimit-remaining");
    long reset_ms = 0;
    if (reset) {
        try {
            reset_ms = std::stol(*reset);
        } catch (...) {
            reset_ms = 0;
        }
    }
    if (remaining) {
        try {
            budget_->observe_remaining(std::stol(*remaining), std::chrono::milliseconds(reset_ms), now);
        } catch (...) {
        }
    }
    if (r.status == 429) {
        // X-RateLimit-Reset is milliseconds to wait; Retry-After is seconds.
        long wait_ms = reset_ms > 0 ? reset_ms : 0;
        if (const std::string *ra = r.header("retry-after")) {
            try {
                wait_ms = std::max(wait_ms, std::stol(*ra) * 1000);
            } catch (...) {
            }
        }
        if (wait_ms <= 0) wait_ms = 1000;
        budget_->defer_until(now + std::chrono::milliseconds(wait_ms));
    }
}

// ------------------------------------------------------------------ API calls

void Poller::api_call(ApiCtx &ctx, std::function<sdk::Request()> build, std::function<void(sdk::Result)> done) {
    send(ctx, std::make_shared<std::function<sdk::Request()>>(std::move(build)),
         std::make_shared<std::function<void(sdk::Result)>>(std::move(done)), false);
}

void Poller::send(ApiCtx &ctx, std::shared_ptr<std::function<sdk::Request()>> build,
                  std::shared_ptr<std::function<void(sdk::Result)>> done, bool auth_retry) {
    auto self = shared_from_this();
    ApiCtx *c = &ctx;
    with_token([self, c, build, done, auth_retry](bool ok) {
        if (!ok || self->stopped_) return;
        self->budget_->async_acquire(c->timer, asio::bind_executor(self->strand_, [self, c, build, done, auth_retry](
                                                                                       boost::system::error_code ec) {
            if (ec || self->stopped_) return;
            // The token may have been dropped while waiting for the slot.
            if (self->token_.empty()) {
                self->send(*c, build, done, auth_retry);
                return;
            }
            sdk::Request req = (*build)();
            req.headers.emplace_back("Authorization", "Bearer " + self->token_);
            req.headers.emplace_back("Accept", "application/json");
            req.deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kApiDeadline).count();
            std::string used_token = self->token_;
            self->log_send(*c, req);
            sdk::Handlers h;
            h.on_done = [self, c, build, done, auth_retry, used_token](sdk::Result r) {
                asio::post(self->strand_, [self, c, build, done, auth_retry, used_token, r = std::move(r)]() mutable {
                    if (self->stopped_ || r.cancelled) return;
                    self->count(*c, "requests");
                    self->observe_rate_headers(r);
                    if (!r.transport_ok()) {
                        self->retry_later(*c, "request failed: " + r.error,
                                          [self, c, build, done] { self->send(*c, build, done, false); });
                        return;
                    }
                    if (r.status == 429) {
                        self->count(*c, "throttled");
                        self->log(HR_LOG_INFO, c->name + ": throttled by Mimecast (429); waiting for the reset");
                        self->send(*c, build, done, auth_retry); // the budget now holds the deferral
                        return;
                    }
                    auto env = classify_response(r.status, r.body);
                    if (env.refresh_token || r.status == 401) {
                        if (self->token_ == used_token) self->token_.clear();
                        if (!auth_retry) {
                            self->log(HR_LOG_INFO, c->name + ": token refused (" + env.summary() + "); renewing it");
                            self->send(*c, build, done, true);
                        } else {
                            self->retry_later(*c, "still unauthorised after a new token: " + env.summary(),
                                              [self, c, build, done] { self->send(*c, build, done, false); });
                        }
                        return;
                    }
                    if (r.status >= 500 || r.status == 408) {
                        self->retry_later(*c, env.summary(),
                                          [self, c, build, done] { self->send(*c, build, done, false); });
                        return;
                    }
                    (*done)(std::move(r));
                });
            };
            c->in_flight = self->mod_.http().request(std::move(req), std::move(h));
        }));
    });
}

void Poller::download(ApiCtx &ctx, const std::string &url, std::function<bool(std::string_view)> on_chunk,
                      std::function<void(sdk::Result)> done) {
    // Chunks hop from curl's strand to ours; at most kHigh bytes wait in
    // between, then curl pauses the transfer until we are down to kLow.
    // Memory per download stays a constant, whatever the file size.
    constexpr size_t kHigh = 4u << 20, kLow = 1u << 20;
    struct Flow {
        std::atomic<bool> abort{false};
        std::atomic<size_t> queued{0};
        std::atomic<bool> paused{false};
        sdk::RequestHandle handle;
        std::function<bool(std::string_view)> on_chunk;
    };
    auto self = shared_from_this();
    auto flow = std::make_shared<Flow>();
    flow->on_chunk = std::move(on_chunk);
    sdk::Request req;
    req.url = url;
    // Deliberately no Authorization: the URL is pre-signed for another host.
    req.low_speed_limit_bytes_per_s = 1024;
    req.low_speed_time_s = 60;
    sdk::Handlers h;
    h.pause_when = [flow] {
        if (flow->queued.load() < kHigh) return false;
        flow->paused = true;
        return true;
    };
    h.on_data = [self, flow](std::string_view chunk) {
        if (flow->abort.load()) return false;
        flow->queued += chunk.size();
        asio::post(self->strand_, [self, flow, data = std::string(chunk)] {
            flow->queued -= data.size();
            if (!self->stopped_ && !flow->abort.load() && !flow->on_chunk(data)) flow->abort = true;
            if (flow->queued.load() <= kLow && flow->paused.exchange(false)) flow->handle.resume();
        });
        return true;
    };
    h.on_done = [self, done = std::move(done), flow](sdk::Result r) {
        asio::post(self->strand_, [self, done, flow, r = std::move(r)]() mutable {
            if (self->stopped_ || r.cancelled) return;
            if (flow->abort.load()) r.aborted_by_handler = true;
            done(std::move(r));
        });
    };
    flow->handle = mod_.http().request(std::move(req), std::move(h));
    ctx.in_flight = flow->handle;
}

} // namespace hr::mimecast
