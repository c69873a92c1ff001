#pragma once
// Turns config files plus loaded plugins into everything the runner needs.
#include "config/config.hpp"
#include "log.hpp"
#include "plugin_loader.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace hr {

// The fallback Gravwell >= 5.10 uses when no Ingester-UUID is set.
inline constexpr const char *kDefaultIngesterUuid = "e528af50-3ccf-41be-b930-78ae9e10648d";

// hr_stanza plus the storage its pointers point into (stable addresses).
struct OwnedStanza {
    std::deque<std::string> strings;
    std::vector<hr_kv> items;
    hr_stanza stanza{};
    hr_str keep(std::string s);
};

struct StanzaConfig {
    LoadedPlugin *plugin = nullptr;
    cfg::ResolvedSection section;
    std::string ns;          // "<kind>/<instance>/<uuid>"
    std::string who;         // "mimecast[prod]" for log lines
    std::string fingerprint; // changes when any value changes (SIGHUP)
    std::unique_ptr<OwnedStanza> owned;
};

struct RunnerConfig {
    LogLevel log_level = LogLevel::Info;
    std::string log_file;
    std::vector<std::string> file_targets;
    std::string ingester_uuid = kDefaultIngesterUuid;
    std::string state_path;
    bool state_sync = false;
    std::chrono::milliseconds progress_interval{30000}; // [Global] Stats-Sample-Interval
    std::vector<StanzaConfig> stanzas;
    std::vector<std::string> secrets;
    std::string sinks_fingerprint; // changes need a restart
    uint64_t max_pending_bytes = 64ull << 20; // [Global] Max-Pending-MB
    cfg::ResolvedSection global;             // for sinks that read their own keys
    bool network_sink = false;               // [Global] names Gravwell indexers
};

// Loads and checks everything; diags gets every warning and error. Returns
// true when there are no errors. Plugins must have had module_init (validate
// hooks are called).
bool build_runner_config(const std::string &main_path, const std::string &overlay_dir,
                         const std::vector<std::unique_ptr<LoadedPlugin>> &plugins, RunnerConfig &out,
                         std::vector<cfg::Diag> &diags, const cfg::EnvFn &env = {});

// Builds the ABI view of a stanza (into sc.owned).
void build_owned_stanza(StanzaConfig &sc);

// Collects a plugin's diagnostics into cfg::Diag values.
struct DiagCollector {
    const StanzaConfig *sc = nullptr;
    std::vector<cfg::Diag> *out = nullptr;
    static void fn(void *ctx, hr_log_level sev, hr_str key, uint32_t line, hr_str msg);
};

} // namespace hr
