#include "runner_config.hpp"

#include <algorithm>
#include <map>

namespace hr {

hr_str OwnedStanza::keep(std::string s) {
    strings.push_back(std::move(s));
    return hr_str{strings.back().data(), strings.back().size()};
}

void DiagCollector::fn(void *ctx, hr_log_level sev, hr_str key, uint32_t line, hr_str msg) {
    auto *self = static_cast<DiagCollector *>(ctx);
    try {
        cfg::Diag d;
        d.severity = sev >= HR_LOG_ERROR ? cfg::Severity::Error : cfg::Severity::Warning;
        d.section = cfg::section_label(self->sc->section.name, self->sc->section.instance);
        d.key.assign(key.ptr ? key.ptr : "", key.len);
        d.message.assign(msg.ptr ? msg.ptr : "", msg.len);
        d.loc = self->sc->section.loc;
        if (line) {
            d.loc.line = line;
            // The key's own file may be an overlay.
            for (const auto &[spec, v] : self->sc->section.items)
                if (v.loc.line == line && cfg::canonical(spec->name) == cfg::canonical(d.key)) d.loc.file = v.loc.file;
        }
        self->out->push_back(std::move(d));
    } catch (...) {
        // Diagnostics are best effort; never unwind into plugin code.
    }
}

void build_owned_stanza(StanzaConfig &sc) {
    auto o = std::make_unique<OwnedStanza>();
    const auto &sec = sc.section;
    o->stanza.kind = o->keep(sc.plugin->kind);
    o->stanza.instance = o->keep(sec.instance.value_or(""));
    o->stanza.file = o->keep(sec.loc.file);
    o->stanza.line = sec.loc.line;
    o->stanza.state_namespace = o->keep(sc.ns);
    o->items.reserve(sec.items.size());
    for (const auto &[spec, v] : sec.items) {
        hr_kv kv{};
        kv.key = o->keep(spec->name);
        kv.value = o->keep(v.text);
        kv.number = v.number;
        kv.file = o->keep(v.loc.line ? v.loc.file : std::string());
        kv.line = v.loc.line;
        o->items.push_back(kv);
    }
    o->stanza.items = o->items.data();
    o->stanza.item_count = static_cast<uint32_t>(o->items.size());
    sc.owned = std::move(o);
}

namespace {

cfg::Diag error_at(const cfg::Location &loc, std::string section, std::string key, std::string msg) {
    cfg::Diag d;
    d.severity = cfg::Severity::Error;
    d.loc = loc;
    d.section = std::move(section);
    d.key = std::move(key);
    d.message = std::move(msg);
    return d;
}

std::string lower(std::string s) {
    for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

bool build_runner_config(const std::string &main_path, const std::string &overlay_dir,
                         const std::vector<std::unique_ptr<LoadedPlugin>> &plugins, RunnerConfig &out,
                         std::vector<cfg::Diag> &diags, const cfg::EnvFn &env) {
    cfg::RawDocument doc;
    cfg::load_files(main_path, overlay_dir, doc, diags);

    const cfg::RawSection *global = nullptr, *state = nullptr;
    std::vector<const cfg::RawSection *> plugin_sections;
    for (const auto &s : doc.sections) {
        std::string c = cfg::canonical(s.name);
        if (c == "global" || c == "state") {
            if (s.instance) {
                diags.push_back(error_at(s.loc, cfg::section_label(s.name, s.instance), "",
                                         "[" + s.name + "] takes no instance name; write [" + s.name + "]"));
                continue;
            }
            (c == "global" ? global : state) = &s;
        } else {
            plugin_sections.push_back(&s);
        }
    }

    cfg::RawSection empty_global;
    empty_global.name = "Global";
    empty_global.loc.file = main_path;
    auto g = cfg::resolve(global ? *global : empty_global, cfg::global_schema(), diags, env);
    if (auto *v = g.get("Log-Level")) parse_log_level(v->text, out.log_level);
    if (auto *v = g.get("Log-File")) out.log_file = v->text;
    if (auto *v = g.get("Ingester-UUID")) out.ingester_uuid = v->text;
    if (auto *v = g.get("Stats-Sample-Interval"); v && v->number > 0)
        out.progress_interval = std::chrono::milliseconds(std::max<int64_t>(v->number / 1000000, 100));
    for (auto *v : g.all("File-Backend-Target")) out.file_targets.push_back(v->text);
    if (auto *v = g.get("Ingest-Secret")) out.secrets.push_back(v->text);
    out.global = g;
    bool network = !g.all("Cleartext-Backend-Target").empty() || !g.all("Encrypted-Backend-Target").empty() ||
                   !g.all("Pipe-Backend-Target").empty();
    if (out.file_targets.empty() && !network) {
        diags.push_back(error_at(global ? global->loc : cfg::Location{main_path, 0}, "Global", "",
                                 "no backend target is configured; add Cleartext-Backend-Target=HOST[:PORT] "
                                 "(or Encrypted-/Pipe-Backend-Target) for Gravwell indexers, or "
                                 "File-Backend-Target=PATH (- for stdout)"));
    }
    if (auto *v = g.get("Max-Pending-MB")) {
        if (v->number < 1 || v->number > 1048576)
            diags.push_back(error_at(v->loc, "Global", "Max-Pending-MB", "must be between 1 and 1048576 (MB)"));
        else
            out.max_pending_bytes = static_cast<uint64_t>(v->number) << 20;
    }
    std::sort(out.file_targets.begin(), out.file_targets.end());
    out.file_targets.erase(std::unique(out.file_targets.begin(), out.file_targets.end()), out.file_targets.end());

    if (!state) {
        diags.push_back(error_at(cfg::Location{main_path, 0}, "State", "Path",
                                 "a [State] section with Path is required (where cursors are kept)"));
    } else {
        auto s = cfg::resolve(*state, cfg::state_schema(), diags, env);
        if (auto *v = s.get("Path")) out.state_path = v->text;
        if (auto *v = s.get("Sync")) out.state_sync = v->number != 0;
    }
    out.sinks_fingerprint = out.state_path + "\n" + (out.state_sync ? "1" : "0");
    // Every [Global] key but the two a reload applies configures a sink or the process.
    for (const auto &[spec, v] : g.items)
        if (spec->name != "Log-Level" && spec->name != "Stats-Sample-Interval")
            out.sinks_fingerprint += "\n" + spec->name + "=" + v.text;

    std::map<std::string, size_t> namespaces; // ns -> index into out.stanzas
    for (const auto *raw : plugin_sections) {
        std::string label = cfg::section_label(raw->name, raw->instance);
        auto it = std::find_if(plugins.begin(), plugins.end(),
                               [&](const auto &p) { return cfg::canonical(p->kind) == cfg::canonical(raw->name); });
        if (it == plugins.end()) {
            std::string kinds;
            for (const auto &p : plugins) kinds += (kinds.empty() ? "" : ", ") + p->kind;
            diags.push_back(error_at(raw->loc, label, "",
                                     "no installed plugin provides [" + raw->name + "]; sections allowed: Global, State" +
                                         (kinds.empty() ? std::string(" (no plugins installed)") : ", " + kinds)));
            continue;
        }
        if (!raw->instance || raw->instance->empty()) {
            diags.push_back(error_at(raw->loc, label, "",
                                     "a [" + raw->name + "] section needs an instance name: [" + (*it)->kind +
                                         " \"name\"]"));
            continue;
        }
        StanzaConfig sc;
        sc.plugin = it->get();
        size_t before_errors = std::count_if(diags.begin(), diags.end(),
                                             [](const cfg::Diag &d) { return d.severity == cfg::Severity::Error; });
        sc.section = cfg::resolve(*raw, sc.plugin->schema, diags, env);
        std::string uuid = out.ingester_uuid;
        if (auto *v = sc.section.get("Ingester-UUID")) uuid = v->text;
        sc.ns = lower(sc.plugin->kind) + "/" + *raw->instance + "/" + uuid;
        sc.who = lower(sc.plugin->kind) + "[" + *raw->instance + "]";
        for (const auto &[spec, v] : sc.section.items) {
            sc.fingerprint += spec->name + "=" + v.text + "\n";
            if (spec->secret) out.secrets.push_back(v.text);
        }
        size_t after_errors = std::count_if(diags.begin(), diags.end(),
                                            [](const cfg::Diag &d) { return d.severity == cfg::Severity::Error; });
        // Bad values were left out of the section; the plugin's cross-key
        // checks still run so that one pass reports every problem.
        bool key_errors = after_errors != before_errors;
        if (auto n = namespaces.find(sc.ns); n != namespaces.end()) {
            const StanzaConfig *other = &out.stanzas[n->second];
            diags.push_back(error_at(raw->loc, label, "Ingester-UUID",
                                     "uses the same state namespace " + sc.ns + " as [" +
                                         cfg::section_label(other->section.name, other->section.instance) +
                                         "] at " + other->section.loc.file + ":" +
                                         std::to_string(other->section.loc.line) +
                                         "; give one of them another instance name or Ingester-UUID"));
            continue;
        }
        build_owned_stanza(sc);
        DiagCollector dc{&sc, &diags};
        hr_status st = HR_FAILED;
        try {
            st = sc.plugin->api->validate(sc.plugin->module, &sc.owned->stanza, &DiagCollector::fn, &dc);
        } catch (...) {
            st = HR_FAILED;
        }
        if (st != HR_OK) {
            bool reported = std::count_if(diags.begin(), diags.end(), [](const cfg::Diag &d) {
                                return d.severity == cfg::Severity::Error;
                            }) != static_cast<long>(after_errors);
            if (!reported) diags.push_back(error_at(raw->loc, label, "", "rejected by the plugin " + sc.plugin->path));
            continue;
        }
        if (key_errors) continue;
        out.stanzas.push_back(std::move(sc));
        namespaces[out.stanzas.back().ns] = out.stanzas.size() - 1;
    }
    return std::none_of(diags.begin(), diags.end(), [](const cfg::Diag &d) { return d.severity == cfg::Severity::Error; });
}

} // namespace hr
