// ABI glue for the Mimecast kind: entry symbol, tables, exception guards.
// The work itself lives in poller.* (per stanza) and module.* (shared).
#include "config.hpp"
#include "module.hpp"
#include "poller.hpp"

#include <hosted_runner/plugin_abi.h>
#include <hr_sdk/guard.hpp>

#include <cstring>
#include <memory>
#include <string>

using hr::mimecast::Module;
using hr::mimecast::Poller;
using hr::sdk::guarded;

struct hr_module {
    std::unique_ptr<Module> impl;
};

struct hr_instance {
    std::shared_ptr<Poller> poller;
};

namespace {

void report(hr_diag_fn fn, void *ctx, const std::string &msg) {
    if (fn) fn(ctx, HR_LOG_ERROR, hr_str{"", 0}, 0, hr_str{msg.data(), msg.size()});
}

hr_status module_init(const hr_host_api *host, hr_module **out, hr_diag_fn d, void *dctx) {
    return guarded([&] {
        std::string err;
        auto impl = Module::create(host, err);
        if (!impl) {
            report(d, dctx, "mimecast: " + err);
            return HR_FAILED;
        }
        *out = new hr_module{std::move(impl)};
        return HR_OK;
    }, d, dctx);
}

void module_fini(hr_module *m) {
    guarded([&] {
        delete m;
        return HR_OK;
    }, nullptr, nullptr);
}

hr_status validate(hr_module *, const hr_stanza *st, hr_diag_fn d, void *dctx) {
    return guarded([&] { return hr::mimecast::parse_config(*st, d, dctx) ? HR_OK : HR_INVALID; }, d, dctx);
}

hr_status create(hr_module *m, const hr_stanza *st, hr_host_instance *h, hr_instance **out, hr_diag_fn d,
                 void *dctx) {
    return guarded([&] {
        auto cfg = hr::mimecast::parse_config(*st, d, dctx);
        if (!cfg) return HR_INVALID;
        *out = new hr_instance{Poller::create(*m->impl, std::move(*cfg), h)};
        return HR_OK;
    }, d, dctx);
}

hr_status start(hr_instance *i) {
    return guarded([&] {
        i->poller->start();
        return HR_OK;
    }, nullptr, nullptr);
}

void stop(hr_instance *i) {
    guarded([&] {
        i->poller->stop();
        return HR_OK;
    }, nullptr, nullptr);
}

void destroy(hr_instance *i) {
    guarded([&] {
        i->poller->stop();
        i->poller->wait_stopped();
        delete i;
        return HR_OK;
    }, nullptr, nullptr);
}

hr_status check(hr_module *m, const hr_stanza *st, hr_diag_fn d, void *dctx) {
    return guarded([&] {
        auto cfg = hr::mimecast::parse_config(*st, d, dctx);
        if (!cfg) return HR_INVALID;
        return m->impl->check_credentials(*cfg, d, dctx) ? HR_OK : HR_FAILED;
    }, d, dctx);
}

hr_plugin_api make_api() {
    hr_plugin_api a{};
    a.struct_size = sizeof(hr_plugin_api);
    a.abi_major = HR_ABI_MAJOR;
    a.abi_minor = HR_ABI_MINOR;
    a.kind = "Mimecast";
    a.version = HR_MIMECAST_VERSION;
    a.keys = hr::mimecast::key_schema(a.key_count);
    a.module_init = &module_init;
    a.module_fini = &module_fini;
    a.validate = &validate;
    a.create = &create;
    a.start = &start;
    a.stop = &stop;
    a.destroy = &destroy;
    a.check = &check;
    return a;
}

const hr_plugin_api kApi = make_api();

} // namespace

extern "C" HR_PLUGIN_EXPORT const hr_plugin_api *hr_plugin_entry(uint16_t host_major, uint16_t) {
    return host_major == HR_ABI_MAJOR ? &kApi : nullptr;
}
