#include "module.hpp"

#include <hr_mimecast/parse/envelope.hpp>
#include <hr_mimecast/parse/pages.hpp>
#include <hr_mimecast/parse/requests.hpp>

#include <chrono>
#include <cstring>
#include <future>

namespace hr::mimecast {

Module::Module(const hr_host_api *host) : host_(host) {}

std::unique_ptr<Module> Module::create(const hr_host_api *host, std::string &err) {
    // Once per process, before any handle exists; the plugin is loaded once.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        err = "libcurl could not be initialised";
        return nullptr;
    }
    std::unique_ptr<Module> m(new Module(host));
    // A fixed pool: stanza count never adds threads.
    m->exec_ = std::make_unique<sdk::Executor>(2);
    sdk::HttpOptions opts;
    opts.user_agent = "hosted_runner-mimecast/" HR_MIMECAST_VERSION;
    m->http_ = std::make_unique<sdk::HttpClient>(m->exec_->context(), opts);
    return m;
}

Module::~Module() {
    if (http_) http_->close();
    http_.reset();
    exec_.reset();
}

namespace {

struct Say {
    hr_diag_fn fn;
    void *ctx;
    void operator()(hr_log_level sev, const std::string &msg) const {
        if (fn) fn(ctx, sev, hr_str{"", 0}, 0, hr_str{msg.data(), msg.size()});
    }
};

sdk::Result fetch(sdk::HttpClient &http, sdk::Request req) {
    std::promise<sdk::Result> p;
    auto f = p.get_future();
    sdk::Handlers h;
    h.on_done = [&p](sdk::Result r) { p.set_value(std::move(r)); };
    req.deadline_ms = 60000;
    http.request(std::move(req), std::move(h));
    return f.get();
}

} // namespace

bool Module::check_credentials(const Config &cfg, hr_diag_fn diag, void *diag_ctx) {
    Say say{diag, diag_ctx};
    sdk::Request tok;
    tok.method = "POST";
    tok.url = cfg.host + "/oauth/token";
    tok.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    tok.body = build_token_form(cfg.client_id, cfg.client_secret);
    auto r = fetch(*http_, tok);
    if (!r.transport_ok()) {
        say(HR_LOG_ERROR, "token request to " + cfg.host + " failed: " + r.error);
        return false;
    }
    auto t = parse_token_response(r.status, r.body);
    if (!t.ok()) {
        say(HR_LOG_ERROR, "token request refused: " + t.envelope.summary() +
                              " (check Client-Id and Client-Secret of the API 2.0 application)");
        return false;
    }
    say(HR_LOG_INFO, "token OK (expires in " + std::to_string(t.grant.expires_in_s.value_or(0)) + " s)");
    bool all_ok = true;
    auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    for (const auto &api : cfg.apis) {
        sdk::Request q;
        q.headers = {{"Authorization", "Bearer " + t.grant.access_token}, {"Accept", "application/json"}};
        std::string what;
        if (api.info->kind == ApiKind::Audit) {
            q.method = "POST";
            q.url = cfg.host + "/api/audit/get-audit-events";
            q.headers.emplace_back("Content-Type", "application/json");
            q.body = build_audit_request(now_ns - 3600LL * 1000000000, now_ns, 1);
        } else {
            q.url = cfg.host + "/siem/v1/batch/events/cg?" +
                    build_batch_query(api.info->siem_type, now_ns - 24LL * 3600 * 1000000000, std::nullopt, 1);
        }
        auto rr = fetch(*http_, q);
        if (!rr.transport_ok()) {
            say(HR_LOG_ERROR, std::string(api.info->name) + ": request failed: " + rr.error);
            all_ok = false;
            continue;
        }
        auto env = classify_response(rr.status, rr.body);
        if (!env.ok()) {
            say(HR_LOG_ERROR, std::string(api.info->name) + ": " + env.summary() +
                                  (rr.status == 403 ? " (grant the application this product in the Mimecast console)"
                                                    : ""));
            all_ok = false;
            continue;
        }
        say(HR_LOG_INFO, std::string(api.info->name) + ": OK");
    }
    return all_ok;
}

} // namespace hr::mimecast
