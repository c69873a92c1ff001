#include "host.hpp"

#include "tag_rules.hpp"

#include <algorithm>
#include <random>

namespace hr {

bool valid_tag(std::string_view tag) { return tags::valid_tag(tag); }

namespace {
std::string_view sv(hr_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

LogLevel to_level(hr_log_level l) {
    switch (l) {
    case HR_LOG_DEBUG: return LogLevel::Debug;
    case HR_LOG_INFO: return LogLevel::Info;
    case HR_LOG_WARN: return LogLevel::Warn;
    case HR_LOG_ERROR: return LogLevel::Error;
    default: return LogLevel::Critical;
    }
}
} // namespace

Host::Host(Logger &log, Pipeline &pipeline, StateStore &store, Options opts)
    : log_(log), pipeline_(pipeline), store_(store), opts_(opts) {
    api_.struct_size = sizeof(hr_host_api);
    api_.abi_major = HR_ABI_MAJOR;
    api_.abi_minor = HR_ABI_MINOR;
    api_.log = &abi_log;
    api_.log_enabled = &abi_log_enabled;
    api_.emit = &abi_emit;
    api_.state_get = &abi_state_get;
    api_.commit = &abi_commit;
    api_.set_stat = &abi_set_stat;
    api_.fail = &abi_fail;
    next_progress_ = std::chrono::steady_clock::now() + opts_.progress_interval;
    supervisor_ = std::thread([this] { supervise(); });
}

Host::~Host() {
    stop_all();
    if (supervisor_.joinable()) supervisor_.join();
}

// ---------------------------------------------------------------- ABI side
// Every entry point catches everything: nothing unwinds into plugin code.

void Host::abi_log(hr_host_instance *h, hr_log_level level, hr_str msg) {
    try {
        h->host->log_.write(to_level(level), h->who, sv(msg));
    } catch (...) {
    }
}

int Host::abi_log_enabled(hr_host_instance *h, hr_log_level level) {
    return h->host->log_.enabled(to_level(level)) ? 1 : 0;
}

hr_status Host::abi_emit(hr_host_instance *h, const hr_entry *e) {
    try {
        if (h->stopping.load()) return HR_STOPPING;
        if (!e || !valid_tag(sv(e->tag)) || e->ts_nsec > 999999999u) {
            h->host->log_.write(LogLevel::Error, h->who,
                                std::string("emit refused: invalid tag (") + tags::kTagRuleText + ") or timestamp");
            return HR_INVALID;
        }
        Entry en;
        en.ts_sec = e->ts_sec;
        en.ts_nsec = e->ts_nsec;
        en.tag.assign(sv(e->tag));
        en.src.assign(sv(e->src));
        en.data.assign(sv(e->data));
        size_t n = en.data.size();
        std::string_view tag = sv(e->tag);
        if (!h->host->pipeline_.emit(h->id, std::move(en))) return HR_AGAIN;
        h->entries.fetch_add(1, std::memory_order_relaxed);
        h->bytes.fetch_add(n, std::memory_order_relaxed);
        std::lock_guard lk(h->stats_mu);
        if (std::find(h->tags.begin(), h->tags.end(), tag) == h->tags.end()) h->tags.emplace_back(tag);
        return HR_OK;
    } catch (...) {
        return HR_FAILED;
    }
}

hr_status Host::abi_state_get(hr_host_instance *h, hr_str key, hr_value_fn fn, void *ctx) {
    try {
        auto v = h->host->store_.get(h->ns, std::string(sv(key)));
        if (!v) return HR_NOT_FOUND;
        if (fn) fn(ctx, hr_str{v->data(), v->size()});
        return HR_OK;
    } catch (...) {
        return HR_FAILED;
    }
}

hr_status Host::abi_commit(hr_host_instance *h, hr_str key, hr_str value, hr_commit_fn fn, void *ctx) {
    try {
        if (key.len == 0) return HR_INVALID;
        h->host->pipeline_.commit(h->id, h->ns, std::string(sv(key)), std::string(sv(value)), fn, ctx);
        return HR_OK;
    } catch (...) {
        return HR_FAILED;
    }
}

void Host::abi_set_stat(hr_host_instance *h, hr_str name, int64_t value) {
    try {
        std::lock_guard lk(h->stats_mu);
        h->stats[std::string(sv(name))] = value;
    } catch (...) {
    }
}

void Host::abi_fail(hr_host_instance *h, hr_str msg) {
    try {
        // No host lock here: a plugin may call this from inside create or start.
        h->host->log_.write(LogLevel::Error, h->who, std::string("failed: ") + std::string(sv(msg)));
        {
            std::lock_guard lk(h->stats_mu);
            h->fail_msg.assign(sv(msg));
        }
        h->failed = true;
        h->host->cv_.notify_all();
    } catch (...) {
    }
}

// ---------------------------------------------------------------- lifecycle

bool Host::create_and_start(Instance &in) {
    auto hi = std::make_unique<hr_host_instance>();
    if (in.hi) { // a restart: its totals carry on
        hi->entries = in.hi->entries.load();
        hi->bytes = in.hi->bytes.load();
        std::lock_guard sl(in.hi->stats_mu);
        hi->tags = in.hi->tags;
    }
    in.hi = std::move(hi);
    in.hi->host = this;
    in.hi->id = next_id_++;
    in.hi->who = in.cfg.who;
    in.hi->ns = in.cfg.ns;
    std::vector<cfg::Diag> diags;
    DiagCollector dc{&in.cfg, &diags};
    const hr_plugin_api *api = in.cfg.plugin->api;
    hr_instance *inst = nullptr;
    hr_status st = api->create(in.cfg.plugin->module, &in.cfg.owned->stanza, in.hi.get(), &inst, &DiagCollector::fn, &dc);
    for (const auto &d : diags)
        log_.write(d.severity == cfg::Severity::Error ? LogLevel::Error : LogLevel::Warn, in.cfg.who, d.format());
    if (st != HR_OK || !inst) {
        log_.write(LogLevel::Error, in.cfg.who, "could not be created; will retry");
        return false;
    }
    in.inst = inst;
    if (api->start(inst) != HR_OK) {
        log_.write(LogLevel::Error, in.cfg.who, "could not be started; will retry");
        in.hi->stopping = true;
        api->stop(inst);
        pipeline_.detach(in.hi->id);
        api->destroy(inst);
        in.inst = nullptr;
        return false;
    }
    in.running = true;
    log_.write(LogLevel::Info, in.cfg.who, "started (state " + in.cfg.ns + ")");
    return true;
}

void Host::stop_instance(Instance &in, std::chrono::steady_clock::time_point deadline) {
    if (!in.inst) return;
    const hr_plugin_api *api = in.cfg.plugin->api;
    in.hi->stopping = true;
    api->stop(in.inst);
    // Let what it already emitted become durable so its last cursor commits land.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pipeline_.wait_committed(in.hi->id, std::max(left, std::chrono::milliseconds(0)));
    pipeline_.detach(in.hi->id);
    api->destroy(in.inst);
    in.inst = nullptr;
    in.running = false;
    log_.write(LogLevel::Info, in.cfg.who, "stopped");
}

void Host::start(std::vector<StanzaConfig> stanzas) { reload(std::move(stanzas)); }

void Host::add_instance(StanzaConfig sc) {
    auto in = std::make_unique<Instance>();
    in->cfg = std::move(sc);
    if (!create_and_start(*in)) schedule_restart(*in, std::chrono::steady_clock::now());
    instances_.push_back(std::move(in));
}

void Host::schedule_restart(Instance &in, std::chrono::steady_clock::time_point now) {
    in.restarts++;
    auto base = opts_.restart_backoff_min * (1 << std::min(in.restarts - 1, 10));
    auto delay = std::min<std::chrono::milliseconds>(base, opts_.restart_backoff_max);
    // Jitter keeps many failing stanzas from retrying in step.
    delay += std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 250)(rng_));
    in.restart_at = now + delay;
}

void Host::reload(std::vector<StanzaConfig> stanzas) {
    std::lock_guard lk(mu_);
    auto key = [](const StanzaConfig &c) { return c.plugin->kind + "\n" + c.section.instance.value_or(""); };
    std::vector<std::unique_ptr<Instance>> keep;
    // Stop instances that were removed or changed.
    for (auto &in : instances_) {
        auto it = std::find_if(stanzas.begin(), stanzas.end(), [&](const StanzaConfig &c) {
            return key(c) == key(in->cfg) && c.fingerprint == in->cfg.fingerprint && c.ns == in->cfg.ns;
        });
        if (it != stanzas.end()) {
            keep.push_back(std::move(in));
            stanzas.erase(it);
        } else {
            log_.write(LogLevel::Info, in->cfg.who, "configuration changed or removed; stopping");
            stop_instance(*in);
        }
    }
    instances_ = std::move(keep);
    for (auto &sc : stanzas) add_instance(std::move(sc));
    refresh_status_locked();
}

void Host::stop_all() {
    std::unique_lock lk(mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    // Ask everyone first so they wind down in parallel.
    for (auto &in : instances_)
        if (in->inst) {
            in->hi->stopping = true;
            in->cfg.plugin->api->stop(in->inst);
        }
    auto deadline = std::chrono::steady_clock::now() + opts_.drain_timeout;
    for (auto &in : instances_) stop_instance(*in, deadline);
    report_progress(true);
    lk.unlock();
    cv_.notify_all();
}

void Host::set_progress_interval(std::chrono::milliseconds interval) {
    std::lock_guard lk(mu_);
    opts_.progress_interval = interval;
    next_progress_ = std::chrono::steady_clock::now() + interval;
}

size_t Host::running_count() const {
    std::lock_guard lk(mu_);
    return static_cast<size_t>(std::count_if(instances_.begin(), instances_.end(), [](const auto &in) { return in->running; }));
}

std::vector<Host::InstanceStatus> Host::status() const {
    std::lock_guard lk(status_mu_);
    return status_;
}

// mu_ held. Readers take only status_mu_: a sink thread asking must never
// wait behind a stop that itself waits for that sink.
void Host::refresh_status_locked() {
    std::vector<InstanceStatus> out;
    for (const auto &in : instances_) {
        InstanceStatus st;
        st.who = in->cfg.who;
        st.uuid = in->cfg.ns.substr(in->cfg.ns.rfind('/') + 1);
        st.state = in->running ? "running" : (in->restarts > 0 ? "restarting" : "stopped");
        if (in->hi) {
            st.entries = in->hi->entries.load();
            st.bytes = in->hi->bytes.load();
            std::lock_guard sl(in->hi->stats_mu);
            st.tags = in->hi->tags;
            st.error = in->hi->fail_msg;
        }
        out.push_back(std::move(st));
    }
    std::lock_guard sl(status_mu_);
    status_ = std::move(out);
}

void Host::report_progress(bool force) {
    for (auto &in : instances_) {
        if (!in->hi) continue;
        std::map<std::string, int64_t> now;
        {
            std::lock_guard sl(in->hi->stats_mu);
            now = in->hi->stats;
            if (!force && now == in->hi->last_reported) continue;
            in->hi->last_reported = now;
        }
        if (now.empty()) continue;
        // One line per group ("audit.entries" -> group "audit"), so each tag's progress reads on its own.
        std::map<std::string, std::string> groups;
        for (const auto &[k, v] : now) {
            auto dot = k.find('.');
            std::string g = dot == std::string::npos ? "" : k.substr(0, dot);
            std::string name = dot == std::string::npos ? k : k.substr(dot + 1);
            groups[g] += " " + name + "=" + std::to_string(v);
        }
        for (const auto &[g, text] : groups)
            log_.write(LogLevel::Info, in->cfg.who, (g.empty() ? "progress:" : g + ": progress:") + text);
    }
}

void Host::supervise() {
    std::unique_lock lk(mu_);
    while (!shutting_down_) {
        cv_.wait_for(lk, std::chrono::milliseconds(200));
        if (shutting_down_) break;
        auto now = std::chrono::steady_clock::now();
        for (auto &in : instances_) {
            if (in->inst && in->hi->failed.load()) {
                std::string why;
                {
                    std::lock_guard sl(in->hi->stats_mu);
                    why = in->hi->fail_msg;
                }
                stop_instance(*in);
                schedule_restart(*in, now);
                auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(in->restart_at - now).count();
                log_.write(LogLevel::Warn, in->cfg.who,
                           "restarting in " + std::to_string(ms) + " ms after failure: " + why);
            } else if (!in->inst && in->restarts > 0 && now >= in->restart_at) {
                if (create_and_start(*in)) log_.write(LogLevel::Info, in->cfg.who, "restarted");
                else schedule_restart(*in, now);
            }
        }
        if (now >= next_status_) { // once a second: 500 stanzas are a real config
            next_status_ = now + std::chrono::seconds(1);
            refresh_status_locked();
        }
        if (now >= next_progress_) {
            next_progress_ = now + opts_.progress_interval;
            report_progress(false);
        }
    }
}

} // namespace hr
