// The Tester kind: emits a small JSON entry every Interval, as Gravwell's does.
// Also the simplest complete example of the plugin ABI.
#include <hosted_runner/plugin_abi.h>
#include <hr_sdk/guard.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <mutex>
#include <thread>

namespace asio = boost::asio;

namespace {

const hr_key_schema kKeys[] = {
    {"Interval", HR_KEY_DURATION, 0, "1s", "how often to emit a test entry", nullptr},
    {"Tag-Name", HR_KEY_STRING, 0, "test", "tag of the entries", nullptr},
    {"Ingester-UUID", HR_KEY_UUID, 0, nullptr, "names the state namespace (default: [Global] Ingester-UUID)",
     nullptr},
};

std::string str(hr_str s) { return s.ptr ? std::string(s.ptr, s.len) : std::string(); }
hr_str hs(const std::string &s) { return hr_str{s.data(), s.size()}; }

void diag(hr_diag_fn fn, void *ctx, hr_log_level sev, const char *key, const std::string &msg) {
    if (fn) fn(ctx, sev, hr_str{key, std::strlen(key)}, 0, hs(msg));
}

const hr_kv *find(const hr_stanza *st, const char *key) {
    const hr_kv *found = nullptr;
    for (uint32_t i = 0; i < st->item_count; ++i)
        if (str(st->items[i].key) == key) found = &st->items[i];
    return found;
}

} // namespace

// One io_context and one thread for every Tester instance in the process,
// started with the first instance: a runner without Tester stanzas has no
// Tester thread.
struct hr_module {
    const hr_host_api *host;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::once_flag started;
    std::thread thread;
    void ensure_thread() {
        std::call_once(started, [this] { thread = std::thread([this] { io.run(); }); });
    }
};

struct hr_instance : std::enable_shared_from_this<hr_instance> {
    hr_module *mod;
    hr_host_instance *h;
    std::string name, tag;
    std::chrono::nanoseconds interval;
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    uint64_t seq = 0;
    bool stopped = false;
    std::shared_ptr<hr_instance> self; // keeps the chain alive until destroy

    hr_instance(hr_module *m, hr_host_instance *hi)
        : mod(m), h(hi), strand(asio::make_strand(m->io)), timer(strand) {}

    void log(hr_log_level lvl, const std::string &msg) { mod->host->log(h, lvl, hs(msg)); }

    void tick() {
        if (stopped) return;
        auto now = std::chrono::system_clock::now().time_since_epoch();
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
        std::string data = "{\"tester\":\"" + name + "\",\"seq\":" + std::to_string(seq + 1) + "}";
        hr_entry e{ns / 1000000000, static_cast<uint32_t>(ns % 1000000000), hs(tag), hr_str{"", 0}, hs(data)};
        hr_status st = mod->host->emit(h, &e);
        if (st == HR_OK) {
            ++seq;
            std::string v = std::to_string(seq);
            mod->host->commit(h, hr_str{"seq", 3}, hs(v), nullptr, nullptr);
            mod->host->set_stat(h, hr_str{"entries", 7}, static_cast<int64_t>(seq));
        } else if (st != HR_AGAIN && st != HR_STOPPING) {
            log(HR_LOG_ERROR, "emit failed");
        }
        timer.expires_after(interval);
        timer.async_wait([p = shared_from_this()](boost::system::error_code ec) {
            if (!ec) p->tick();
        });
    }
};

namespace {

hr_status module_init(const hr_host_api *host, hr_module **out, hr_diag_fn d, void *dctx) {
    return hr::sdk::guarded(
        [&] {
            auto m = std::make_unique<hr_module>();
            m->host = host;
            *out = m.release();
            return HR_OK;
        },
        d, dctx);
}

void module_fini(hr_module *m) {
    hr::sdk::guarded(
        [&] {
            m->work.reset();
            m->io.stop();
            if (m->thread.joinable()) m->thread.join();
            delete m;
        },
        nullptr, nullptr);
}

hr_status validate(hr_module *, const hr_stanza *st, hr_diag_fn d, void *dctx) {
    const hr_kv *iv = find(st, "Interval");
    if (iv && iv->number <= 0) {
        diag(d, dctx, HR_LOG_ERROR, "Interval", "must be greater than zero, e.g. 1s or 500ms");
        return HR_INVALID;
    }
    return HR_OK;
}

hr_status create(hr_module *m, const hr_stanza *st, hr_host_instance *h, hr_instance **out, hr_diag_fn d,
                 void *dctx) {
    return hr::sdk::guarded(
        [&] {
            if (validate(m, st, d, dctx) != HR_OK) return HR_INVALID;
            auto p = std::make_shared<hr_instance>(m, h);
            p->name = str(st->instance);
            const hr_kv *iv = find(st, "Interval");
            p->interval = std::chrono::nanoseconds(iv ? iv->number : 1000000000);
            const hr_kv *tag = find(st, "Tag-Name");
            p->tag = tag ? str(tag->value) : "test";
            m->host->state_get(
                h, hr_str{"seq", 3},
                [](void *ctx, hr_str v) { static_cast<hr_instance *>(ctx)->seq = std::stoull(str(v)); }, p.get());
            p->self = p;
            m->ensure_thread();
            *out = p.get();
            return HR_OK;
        },
        d, dctx);
}

hr_status start(hr_instance *p) {
    return hr::sdk::guarded([&] { asio::post(p->strand, [s = p->shared_from_this()] { s->tick(); }); }, nullptr,
                            nullptr);
}

void stop(hr_instance *p) {
    hr::sdk::guarded(
        [&] {
            asio::post(p->strand, [s = p->shared_from_this()] {
                s->stopped = true;
                s->timer.cancel();
            });
        },
        nullptr, nullptr);
}

void destroy(hr_instance *p) {
    hr::sdk::guarded([&] {
        // Run a last step on the strand: after it nothing of this instance is queued.
        std::promise<void> done;
        asio::post(p->strand, [p, &done] {
            p->stopped = true;
            p->timer.cancel();
            done.set_value();
        });
        done.get_future().wait();
        auto keep = std::move(p->self); // freed when the last queued handler lets go
    }, nullptr, nullptr);
}

const hr_plugin_api kApi = {
    sizeof(hr_plugin_api), HR_ABI_MAJOR, HR_ABI_MINOR, "Tester", "1.0.0", kKeys,
    static_cast<uint32_t>(sizeof kKeys / sizeof kKeys[0]), &module_init, &module_fini, &validate, &create, &start,
    &stop, &destroy, nullptr,
};

} // namespace

extern "C" HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t host_major, uint16_t) {
    return host_major == HR_ABI_MAJOR ? &kApi : nullptr;
}
