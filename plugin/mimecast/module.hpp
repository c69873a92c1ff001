#pragma once
// What every Mimecast stanza in the process shares: the thread pool, the HTTP
// client, and the request budgets keyed by (Host, Client-Id).
#include "config.hpp"

#include <hosted_runner/plugin_abi.h>

#include <memory>
#include <string>

namespace hr::mimecast {

class Module {
public:
    static std::unique_ptr<Module> create(const hr_host_api *host, std::string &err);
    ~Module();
    const hr_host_api *host() const { return host_; }
    // -test-credentials: token + one page per API, nothing ingested.
    bool check_credentials(const Config &cfg, hr_diag_fn diag, void *diag_ctx);

private:
    explicit Module(const hr_host_api *host) : host_(host) {}
    const hr_host_api *host_;
};

} // namespace hr::mimecast
