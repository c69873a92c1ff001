#pragma once
// dlopen()s plugin libraries and checks their ABI handshake.
#include "config/config.hpp"

#include <hosted_runner/plugin_abi.h>

#include <memory>
#include <string>
#include <vector>

namespace hr {

// Size of hr_plugin_api in ABI 1.0: the smallest table the host accepts.
constexpr uint32_t kPluginApiSize_1_0 = static_cast<uint32_t>(sizeof(hr_plugin_api));

struct LoadedPlugin {
    std::string path;
    void *handle = nullptr; // dlopen handle; never closed (plugins may leave threads' TLS behind)
    const hr_plugin_api *api = nullptr;
    std::string kind;                  // as the plugin spells it
    std::vector<cfg::KeySpec> schema;  // converted from api->keys
    hr_module *module = nullptr;       // after module_init
};

// Loads one library. On failure returns nullptr and sets err to a one-line
// message naming the file and what to do.
std::unique_ptr<LoadedPlugin> load_plugin(const std::string &path, std::string &err);

// Loads every "*.so" in dir, in name order. Errors (one per bad file, a
// missing or unreadable dir, two plugins for one kind) go to errors.
std::vector<std::unique_ptr<LoadedPlugin>> load_plugin_dir(const std::string &dir, std::vector<std::string> &errors);

} // namespace hr
