// hosted_runner: loads plugin kinds and runs every configured stanza.
#include "file_sink.hpp"
#include "gw_config.hpp"
#include "host.hpp"
#include "log.hpp"
#include "pipeline.hpp"
#include "plugin_loader.hpp"
#include "runner_config.hpp"
#include "state_store.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <pthread.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#ifndef HR_VERSION
#define HR_VERSION "0.0.0"
#endif
#ifndef HR_DEFAULT_CONFIG
#define HR_DEFAULT_CONFIG "/etc/hosted-runner/hosted_runner.conf"
#endif
#ifndef HR_DEFAULT_PLUGIN_DIR
#define HR_DEFAULT_PLUGIN_DIR "/usr/lib/hosted-runner/plugins"
#endif

namespace {

constexpr int kExitInvalid = 255;

struct Flags {
    std::string config_file = HR_DEFAULT_CONFIG;
    std::string overlays; // empty: hosted_runner.conf.d beside the config file
    std::string plugin_dir;
    bool validate = false, version = false, verbose = false, help = false, test_credentials = false;
};

const char *kUsage =
    "Usage: hosted_runner [flags]\n"
    "\n"
    "Runs the plugin instances configured in hosted_runner.conf ([Mimecast \"name\"],\n"
    "[Tester \"name\"], ...) and delivers their entries to the configured sinks.\n"
    "\n"
    "Flags (one or two leading dashes; -flag value or -flag=value):\n"
    "  -config-file PATH       main config file (default " HR_DEFAULT_CONFIG ")\n"
    "  -config-overlays DIR    overlay directory, every *.conf read after the main file in\n"
    "                          name order (default: hosted_runner.conf.d beside the config file)\n"
    "  -plugin-dir DIR         where plugin libraries (*.so) live (default: plugins/ beside\n"
    "                          the executable if present, else " HR_DEFAULT_PLUGIN_DIR ")\n"
    "  -validate               check the configuration, print every problem, exit 0 if valid,\n"
    "                          255 if not; safe while the service runs\n"
    "  -test-credentials       for each stanza whose plugin supports it, check credentials and\n"
    "                          fetch one page per API without ingesting; exit 0 if all passed\n"
    "  -v                      also write log lines to stdout\n"
    "  -version                print the version and exit\n"
    "  -h, --help              this text\n"
    "\n"
    "Signals: SIGINT/SIGTERM stop cleanly (entries flushed, cursors committed);\n"
    "SIGHUP reloads the configuration, restarting only the stanzas that changed.\n"
    "Config reference: the README's Configuration section and the commented\n"
    "hosted_runner.conf shipped with the package.\n";

bool parse_flags(int argc, char **argv, Flags &f, std::string &err) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) == 0) a = a.substr(1);
        if (a.empty() || a[0] != '-') {
            err = "unexpected argument " + std::string(argv[i]);
            return false;
        }
        std::string name = a.substr(1), value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        auto take = [&](std::string &dst) {
            if (!has_value) {
                if (i + 1 >= argc) {
                    err = "flag -" + name + " needs a value";
                    return false;
                }
                value = argv[++i];
            }
            dst = value;
            return true;
        };
        if (name == "config-file") {
            if (!take(f.config_file)) return false;
        } else if (name == "config-overlays") {
            if (!take(f.overlays)) return false;
        } else if (name == "plugin-dir") {
            if (!take(f.plugin_dir)) return false;
        } else if (name == "validate") {
            f.validate = true;
        } else if (name == "test-credentials") {
            f.test_credentials = true;
        } else if (name == "version") {
            f.version = true;
        } else if (name == "v") {
            f.verbose = true;
        } else if (name == "h" || name == "help") {
            f.help = true;
        } else {
            err = "unknown flag " + std::string(argv[i]) + " (see --help)";
            return false;
        }
    }
    return true;
}

std::string default_plugin_dir() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        std::string exe(buf, static_cast<size_t>(n));
        std::string dir = exe.substr(0, exe.rfind('/')) + "/plugins";
        struct stat st{};
        if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return dir;
    }
    return HR_DEFAULT_PLUGIN_DIR;
}

void print_diags(const std::vector<hr::cfg::Diag> &diags) {
    // format() marks warnings itself ("file:line: warning: ...").
    for (const auto &d : diags)
        std::fprintf(stderr, "%s%s\n", d.severity == hr::cfg::Severity::Error ? "error: " : "", d.format().c_str());
}

struct Modules {
    std::vector<std::unique_ptr<hr::LoadedPlugin>> plugins;
    ~Modules() {
        for (auto &p : plugins)
            if (p->module) p->api->module_fini(p->module);
    }
};

struct InitDiag {
    std::vector<std::string> *errors;
    const hr::LoadedPlugin *plugin;
    static void fn(void *ctx, hr_log_level sev, hr_str, uint32_t, hr_str msg) {
        auto *self = static_cast<InitDiag *>(ctx);
        try {
            if (sev >= HR_LOG_ERROR)
                self->errors->push_back("plugin " + self->plugin->path + ": " + std::string(msg.ptr, msg.len));
        } catch (...) {
        }
    }
};

bool init_modules(Modules &m, const hr::Host *host_for_api, const hr_host_api *api, std::vector<std::string> &errors) {
    (void)host_for_api;
    for (auto &p : m.plugins) {
        InitDiag d{&errors, p.get()};
        hr_module *mod = nullptr;
        if (p->api->module_init(api, &mod, &InitDiag::fn, &d) != HR_OK || !mod) {
            errors.push_back("plugin " + p->path + " (" + p->kind + ") failed to initialise");
            continue;
        }
        p->module = mod;
    }
    return errors.empty();
}

// The whole configuration: runner, stanzas, and the Gravwell sink's keys.
bool load_config(const std::string &file, const std::string &overlays,
                 const std::vector<std::unique_ptr<hr::LoadedPlugin>> &plugins, hr::RunnerConfig &rc,
                 hr::gw::GravwellConfig &gw, std::vector<hr::cfg::Diag> &diags) {
    bool ok = hr::build_runner_config(file, overlays, plugins, rc, diags);
    gw = hr::gw::GravwellConfig{};
    gw.ingester_uuid = rc.ingester_uuid;
    gw.ingester_version = HR_VERSION;
    rc.network_sink = hr::gw::config_from_global(rc.global, gw, diags);
    return ok && !hr::cfg::has_errors(diags);
}

std::string overlay_dir_for(const Flags &f) {
    if (!f.overlays.empty()) return f.overlays;
    auto pos = f.config_file.rfind('/');
    std::string dir = pos == std::string::npos ? "." : f.config_file.substr(0, pos);
    return dir + "/hosted_runner.conf.d";
}

} // namespace

int main(int argc, char **argv) {
    // Every thread inherits this mask, so signals reach only sigwait below.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    Flags flags;
    std::string err;
    if (!parse_flags(argc, argv, flags, err)) {
        std::fprintf(stderr, "hosted_runner: %s\n", err.c_str());
        return 2;
    }
    if (flags.help) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (flags.version) {
        std::printf("hosted_runner %s (plugin ABI %d.%d)\n", HR_VERSION, HR_ABI_MAJOR, HR_ABI_MINOR);
        return 0;
    }
    if (flags.plugin_dir.empty()) flags.plugin_dir = default_plugin_dir();
    std::string overlays = overlay_dir_for(flags);

    hr::Logger log;
    log.set_echo_stdout(flags.verbose);
    hr::StateStore store;
    hr::Pipeline pipeline(store, log);
    hr::Host host(log, pipeline, store, hr::Host::Options{});

    std::vector<std::string> load_errors;
    Modules modules;
    modules.plugins = hr::load_plugin_dir(flags.plugin_dir, load_errors);
    init_modules(modules, &host, host.api(), load_errors);

    hr::RunnerConfig rc;
    std::vector<hr::cfg::Diag> diags;
    hr::gw::GravwellConfig gwcfg;
    bool ok = load_config(flags.config_file, overlays, modules.plugins, rc, gwcfg, diags);
    for (const auto &s : rc.secrets) log.add_secret(s);
    for (const auto &e : load_errors) std::fprintf(stderr, "error: %s\n", e.c_str());
    print_diags(diags);
    ok = ok && load_errors.empty();
    if (ok) {
        std::vector<std::string> path_errors;
        if (!rc.state_path.empty() && !hr::StateStore::check_path(rc.state_path, err)) path_errors.push_back(err);
        for (const auto &t : rc.file_targets)
            if (!hr::FileSink::check_path(t, err)) path_errors.push_back(err);
        for (const auto &e : path_errors) std::fprintf(stderr, "error: %s: %s\n", flags.config_file.c_str(), e.c_str());
        ok = path_errors.empty();
    }
    if (flags.validate) {
        if (!ok) {
            std::fprintf(stderr, "%s is not valid\n", flags.config_file.c_str());
            return kExitInvalid;
        }
        std::printf("%s is valid (%zu stanza%s)\n", flags.config_file.c_str(), rc.stanzas.size(),
                    rc.stanzas.size() == 1 ? "" : "s");
        return 0;
    }
    if (!ok) {
        std::fprintf(stderr, "hosted_runner: not starting: %s is not valid\n", flags.config_file.c_str());
        return kExitInvalid;
    }
    if (flags.test_credentials) {
        int failures = 0;
        for (auto &sc : rc.stanzas) {
            if (!sc.plugin->api->check) {
                std::printf("%s: no credential check for this kind\n", sc.who.c_str());
                continue;
            }
            std::vector<hr::cfg::Diag> cd;
            hr::DiagCollector dc{&sc, &cd};
            hr_status st = sc.plugin->api->check(sc.plugin->module, &sc.owned->stanza, &hr::DiagCollector::fn, &dc);
            for (const auto &d : cd) std::printf("%s: %s\n", sc.who.c_str(), d.message.c_str());
            std::printf("%s: %s\n", sc.who.c_str(), st == HR_OK ? "OK" : "FAILED");
            if (st != HR_OK) ++failures;
        }
        return failures ? 1 : 0;
    }

    log.set_level(rc.log_level);
    if (!log.open(rc.log_file, err)) {
        std::fprintf(stderr, "hosted_runner: %s\n", err.c_str());
        return kExitInvalid;
    }
    if (!store.open(rc.state_path, rc.state_sync, err)) {
        hr::log_host(log, hr::LogLevel::Critical, err);
        std::fprintf(stderr, "hosted_runner: %s\n", err.c_str());
        return kExitInvalid;
    }
    for (const auto &t : rc.file_targets) {
        auto sink = std::make_unique<hr::FileSink>(t);
        std::string note;
        bool ok_sink = pipeline.add_sink(std::move(sink), note);
        if (!note.empty()) hr::log_host(log, ok_sink ? hr::LogLevel::Info : hr::LogLevel::Critical, note);
        if (!ok_sink) {
            std::fprintf(stderr, "hosted_runner: %s\n", note.c_str());
            return kExitInvalid;
        }
    }
    if (rc.network_sink) {
        gwcfg.log = &log;
        gwcfg.state_interval = rc.progress_interval;
        // Runs on the sink's thread; host.status() never waits on the host's lock.
        gwcfg.children = [&host] {
            std::vector<hr::gw::ChildState> out;
            for (auto &st : host.status())
                out.push_back({st.who, st.uuid, st.entries, st.bytes, st.tags, st.state, st.error});
            return out;
        };
        auto sink = std::make_unique<hr::gw::GravwellSink>(gwcfg);
        hr::log_host(log, hr::LogLevel::Info, "delivering to " + sink->name() +
                                                   (gwcfg.cache_path.empty() ? "" : " (cache " + gwcfg.cache_path + ")"));
        std::string note;
        bool ok_sink = pipeline.add_sink(std::move(sink), note);
        if (!note.empty()) hr::log_host(log, ok_sink ? hr::LogLevel::Info : hr::LogLevel::Critical, note);
        if (!ok_sink) {
            std::fprintf(stderr, "hosted_runner: %s\n", note.c_str());
            return 1;
        }
    }
    pipeline.set_max_pending_bytes(rc.max_pending_bytes);
    pipeline.start();
    std::string sinks_fp = rc.sinks_fingerprint;
    hr::log_host(log, hr::LogLevel::Info,
                 std::string("hosted_runner ") + HR_VERSION + " starting " + std::to_string(rc.stanzas.size()) +
                     " stanza(s) from " + flags.config_file);
    host.set_progress_interval(rc.progress_interval);
    host.start(std::move(rc.stanzas));

    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig == SIGHUP) {
            hr::log_host(log, hr::LogLevel::Info, "SIGHUP: reloading " + flags.config_file);
            hr::RunnerConfig next;
            std::vector<hr::cfg::Diag> nd;
            hr::gw::GravwellConfig unused_gw; // sink changes apply at the next start
            if (!load_config(flags.config_file, overlays, modules.plugins, next, unused_gw, nd)) {
                for (const auto &d : nd)
                    if (d.severity == hr::cfg::Severity::Error) hr::log_host(log, hr::LogLevel::Error, d.format());
                hr::log_host(log, hr::LogLevel::Error, "reload rejected: the new configuration is not valid; "
                                                        "the running configuration stays in force");
                continue;
            }
            for (const auto &s : next.secrets) log.add_secret(s);
            log.set_level(next.log_level);
            host.set_progress_interval(next.progress_interval);
            if (next.sinks_fingerprint != sinks_fp)
                hr::log_host(log, hr::LogLevel::Warn, "changes to sinks, [State] or Log-File take effect only after "
                                                       "a restart");
            host.reload(std::move(next.stanzas));
            hr::log_host(log, hr::LogLevel::Info, "reload done");
            continue;
        }
        hr::log_host(log, hr::LogLevel::Info, std::string("received ") + strsignal(sig) + ", shutting down");
        break;
    }

    // A plugin that does not wind down must not keep the service from stopping;
    // only durable entries were ever committed, so a forced exit loses nothing.
    std::thread([&log] {
        std::this_thread::sleep_for(std::chrono::seconds(9));
        hr::log_host(log, hr::LogLevel::Critical, "shutdown took longer than 9 s; exiting without waiting");
        std::_Exit(1);
    }).detach();
    host.stop_all();
    pipeline.close();
    store.close();
    hr::log_host(log, hr::LogLevel::Info, "stopped cleanly");
    return 0;
}
