#include "gw_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace hr::gw {
namespace {

cfg::Diag diag(cfg::Severity sev, const cfg::Location &loc, std::string key, std::string msg) {
    cfg::Diag d;
    d.severity = sev;
    d.loc = loc;
    d.section = "Global";
    d.key = std::move(key);
    d.message = std::move(msg);
    return d;
}

// Environment values are comma lists (GRAVWELL_CLEARTEXT_TARGETS=a,b).
std::vector<std::string> split_env(const cfg::Value &v) {
    if (v.loc.file.empty() || v.loc.file[0] != '$') return {v.text};
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= v.text.size()) {
        size_t end = v.text.find(',', start);
        if (end == std::string::npos) end = v.text.size();
        std::string item = v.text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

} // namespace

bool check_cache_path(const std::string &path, std::string &err) {
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            err = path + " exists and is not a directory; give a directory for the cache";
            return false;
        }
        if (::access(path.c_str(), W_OK | X_OK) != 0) {
            err = path + " is not writable: " + std::strerror(errno);
            return false;
        }
        return true;
    }
    auto pos = path.find_last_of('/');
    std::string parent = pos == std::string::npos ? "." : (pos == 0 ? "/" : path.substr(0, pos));
    if (::access(parent.c_str(), W_OK | X_OK) != 0) {
        err = "cannot create " + path + " in " + parent + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

bool config_from_global(const cfg::ResolvedSection &g, GravwellConfig &out, std::vector<cfg::Diag> &diags) {
    using cfg::Severity;
    struct KindKey {
        const char *key;
        Target::Kind kind;
    };
    const KindKey kinds[] = {{"Cleartext-Backend-Target", Target::Kind::tcp},
                             {"Encrypted-Backend-Target", Target::Kind::tls},
                             {"Pipe-Backend-Target", Target::Kind::unix_socket}};
    bool any = false;
    for (const auto &k : kinds)
        for (const cfg::Value *v : g.all(k.key)) {
            any = true;
            for (const auto &text : split_env(*v)) {
                Target t;
                std::string err;
                if (!parse_target(k.kind, text, t, err)) {
                    diags.push_back(diag(Severity::Error, v->loc, k.key,
                                         err + (k.kind == Target::Kind::unix_socket
                                                    ? std::string("; give the indexer's unix socket path")
                                                    : std::string("; write host, host:port or [v6addr]:port"))));
                    continue;
                }
                bool dup = std::any_of(out.targets.begin(), out.targets.end(),
                                       [&](const Target &o) { return o.display() == t.display(); });
                if (dup) {
                    diags.push_back(diag(Severity::Warning, v->loc, k.key, t.display() + " is listed twice; "
                                                                                          "one connection is made"));
                    continue;
                }
                out.targets.push_back(t);
            }
        }
    if (!any) {
        if (auto *p = g.get("Ingest-Cache-Path"))
            diags.push_back(diag(Severity::Warning, p->loc, "Ingest-Cache-Path",
                                 "has no effect without a Cleartext-, Encrypted- or Pipe-Backend-Target"));
        return false;
    }

    if (auto *s = g.get("Ingest-Secret"); s && !s->text.empty()) {
        out.secret = s->text;
    } else {
        diags.push_back(diag(Severity::Error, g.loc, "Ingest-Secret",
                             "is required with a network backend target; set Ingest-Secret (the indexers' "
                             "Ingest-Auth), Ingest-Secret-File or GRAVWELL_INGEST_SECRET"));
    }
    if (auto *v = g.get("Connection-Timeout"))
        out.connection_timeout = std::chrono::milliseconds(std::max<int64_t>(v->number, 0) / 1000000);
    if (auto *v = g.get("Insecure-Skip-TLS-Verify")) out.insecure_skip_tls_verify = v->number != 0;
    if (auto *v = g.get("Ingester-Name"); v && !v->text.empty()) out.ingester_name = v->text;
    if (auto *v = g.get("Label")) out.label = v->text;
    if (auto *v = g.get("Ingester-UUID")) out.ingester_uuid = v->text;

    if (auto *p = g.get("Ingest-Cache-Path"); p && !p->text.empty()) {
        out.cache_path = p->text;
        int64_t mb = 0;
        if (auto *m = g.get("Max-Ingest-Cache")) {
            mb = m->number;
            if (mb < 0)
                diags.push_back(diag(Severity::Error, m->loc, "Max-Ingest-Cache",
                                     "must be 0 (meaning 1000) or a positive number of MB"));
        }
        out.cache_max_bytes = static_cast<uint64_t>(mb > 0 ? mb : 1000) << 20;
        if (auto *m = g.get("Cache-Mode")) out.cache_mode = m->text == "fail" ? CacheMode::fail : CacheMode::always;
        std::string err;
        if (!check_cache_path(out.cache_path, err))
            diags.push_back(diag(Severity::Error, p->loc, "Ingest-Cache-Path", err));
    }
    return true;
}

} // namespace hr::gw
