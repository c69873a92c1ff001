#pragma once
// What every Mimecast stanza in the process shares: the thread pool, one HTTP
// client (one curl multi handle, connections reused across stanzas) and the
// request budgets keyed by (Host, Client-Id), since Mimecast counts per app.
#include "config.hpp"

#include <hosted_runner/plugin_abi.h>
#include <hr_sdk/executor.hpp>
#include <hr_sdk/http.hpp>
#include <hr_sdk/rate_limiter.hpp>

#include <memory>
#include <string>

namespace hr::mimecast {

class Module {
public:
    static std::unique_ptr<Module> create(const hr_host_api *host, std::string &err);
    ~Module();
    const hr_host_api *host() const { return host_; }
    sdk::Executor &executor() { return *exec_; }
    sdk::HttpClient &http() { return *http_; }
    sdk::RateRegistry &budgets() { return budgets_; }

    // -test-credentials: a token and one page per API, nothing ingested.
    // Blocks the calling (host) thread; never called from the pool.
    bool check_credentials(const Config &cfg, hr_diag_fn diag, void *diag_ctx);

private:
    explicit Module(const hr_host_api *host);
    const hr_host_api *host_;
    std::unique_ptr<sdk::Executor> exec_;
    std::unique_ptr<sdk::HttpClient> http_; // destroyed before the executor
    sdk::RateRegistry budgets_;
};

} // namespace hr::mimecast
