#pragma once
// [Mimecast "name"] keys -> a typed, checked configuration.
#include <hosted_runner/plugin_abi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hr::mimecast {

// Every log family an `Api=` value can name.
enum class ApiKind { Audit, MtaBatch };

struct ApiInfo {
    const char *name;      // the Api= value, also the default tag
    ApiKind kind;
    const char *siem_type; // type= for the SIEM batch endpoint, else nullptr
};

// All supported Api= values, in documentation order.
const std::vector<ApiInfo> &all_apis();
const ApiInfo *find_api(std::string_view name); // case-insensitive

struct ApiConfig {
    const ApiInfo *info = nullptr;
    std::string tag;
};

struct Config {
    std::string instance;
    std::string client_id;
    std::string client_secret; // never logged
    std::string host;          // no trailing slash
    int64_t lookback_h = 24;
    int64_t requests_per_minute = 5;
    int64_t request_interval_s = 300;
    std::vector<ApiConfig> apis;
    std::string dead_letter_file; // lines that are not JSON go here
};

// The key schema published through the ABI.
const hr_key_schema *key_schema(uint32_t &count);

// Builds the config, reporting every problem through diag (file/line come
// from the host). Returns nullopt when any error was reported.
std::optional<Config> parse_config(const hr_stanza &st, hr_diag_fn diag, void *diag_ctx);

} // namespace hr::mimecast
