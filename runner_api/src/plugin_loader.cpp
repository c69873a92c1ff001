#include "plugin_loader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>

namespace hr {
namespace {

bool valid_kind(const char *k) {
    if (!k || !*k) return false;
    for (const char *p = k; *p; ++p)
        if (!std::isalnum(static_cast<unsigned char>(*p)) && *p != '-' && *p != '_') return false;
    return true;
}

bool convert_schema(const hr_plugin_api *api, std::vector<cfg::KeySpec> &out, std::string &why) {
    if (api->key_count > 0 && !api->keys) {
        why = "declares keys but no key table";
        return false;
    }
    for (uint32_t i = 0; i < api->key_count; ++i) {
        const hr_key_schema &k = api->keys[i];
        if (!k.name || !*k.name) {
            why = "key " + std::to_string(i) + " has no name";
            return false;
        }
        cfg::KeySpec s;
        s.name = k.name;
        switch (k.type) {
        case HR_KEY_STRING: s.type = cfg::KeyType::String; break;
        case HR_KEY_INT: s.type = cfg::KeyType::Int; break;
        case HR_KEY_BOOL: s.type = cfg::KeyType::Bool; break;
        case HR_KEY_DURATION: s.type = cfg::KeyType::Duration; break;
        case HR_KEY_UUID: s.type = cfg::KeyType::Uuid; break;
        case HR_KEY_URL: s.type = cfg::KeyType::Url; break;
        default: why = std::string("key ") + k.name + " has an unknown type"; return false;
        }
        s.required = k.flags & HR_KEY_REQUIRED;
        s.repeatable = k.flags & HR_KEY_REPEATABLE;
        s.secret = k.flags & HR_KEY_SECRET;
        if (k.default_value) s.default_value = std::string(k.default_value);
        if (k.help) s.help = k.help;
        if (k.flags & HR_KEY_FILE_OF) {
            if (!k.file_of) {
                why = std::string("key ") + k.name + " is a file key without file_of";
                return false;
            }
            s.file_of = k.file_of;
        }
        out.push_back(std::move(s));
    }
    return true;
}

} // namespace

std::unique_ptr<LoadedPlugin> load_plugin(const std::string &path, std::string &err) {
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        err = "plugin " + path + " cannot be loaded: " + (e ? e : "unknown error") +
              " (rebuild it against this runner, or remove it from the plugin directory)";
        return nullptr;
    }
    dlerror();
    void *sym = dlsym(h, HR_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        err = "plugin " + path + " does not export " HR_PLUGIN_ENTRY_SYMBOL
              " (not a hosted_runner plugin; remove it from the plugin directory)";
        dlclose(h);
        return nullptr;
    }
    auto entry = reinterpret_cast<hr_plugin_entry_fn>(sym);
    const hr_plugin_api *api = entry(HR_ABI_MAJOR, HR_ABI_MINOR);
    std::string host_ver = std::to_string(HR_ABI_MAJOR) + "." + std::to_string(HR_ABI_MINOR);
    if (!api) {
        err = "plugin " + path + " declined this runner (runner ABI " + host_ver + "); install a matching plugin";
        dlclose(h);
        return nullptr;
    }
    std::string plug_ver = std::to_string(api->abi_major) + "." + std::to_string(api->abi_minor);
    if (api->abi_major != HR_ABI_MAJOR) {
        err = "plugin " + path + " was built for ABI " + plug_ver + " but this runner speaks ABI " + host_ver +
              "; install the plugin built for this runner";
        dlclose(h);
        return nullptr;
    }
    if (api->struct_size < kPluginApiSize_1_0) {
        err = "plugin " + path + " has a plugin table of " + std::to_string(api->struct_size) +
              " bytes, smaller than ABI " + plug_ver + " requires (" + std::to_string(kPluginApiSize_1_0) +
              "); it is corrupt or built with a wrong header";
        dlclose(h);
        return nullptr;
    }
    if (!valid_kind(api->kind)) {
        err = "plugin " + path + " declares no valid section kind";
        dlclose(h);
        return nullptr;
    }
    if (!api->module_init || !api->module_fini || !api->validate || !api->create || !api->start || !api->stop ||
        !api->destroy) {
        err = "plugin " + path + " (" + api->kind + ") leaves a required hook empty";
        dlclose(h);
        return nullptr;
    }
    auto p = std::make_unique<LoadedPlugin>();
    std::string why;
    if (!convert_schema(api, p->schema, why)) {
        err = "plugin " + path + " (" + api->kind + ") has a bad key schema: " + why;
        dlclose(h);
        return nullptr;
    }
    p->path = path;
    p->handle = h;
    p->api = api;
    p->kind = api->kind;
    return p;
}

std::vector<std::unique_ptr<LoadedPlugin>> load_plugin_dir(const std::string &dir, std::vector<std::string> &errors) {
    std::vector<std::unique_ptr<LoadedPlugin>> out;
    DIR *d = opendir(dir.c_str());
    if (!d) {
        errors.push_back("plugin directory " + dir + " cannot be read: " + std::strerror(errno) +
                         " (set -plugin-dir)");
        return out;
    }
    std::vector<std::string> names;
    while (auto *e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto &n : names) {
        std::string path = dir + "/" + n;
        struct stat st{};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        std::string err;
        auto p = load_plugin(path, err);
        if (!p) {
            errors.push_back(err);
            continue;
        }
        auto clash = std::find_if(out.begin(), out.end(), [&](const auto &o) {
            return cfg::canonical(o->kind) == cfg::canonical(p->kind);
        });
        if (clash != out.end()) {
            errors.push_back("plugins " + (*clash)->path + " and " + path + " both provide kind " + p->kind +
                             "; remove one");
            continue;
        }
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace hr
