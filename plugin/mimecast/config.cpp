#include "config.hpp"
#include "tag_rules.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

namespace hr::mimecast {
namespace {

constexpr int64_t kMaxLookbackH = 168; // Mimecast keeps 7 days

const hr_key_schema kKeys[] = {
    {"Ingester-UUID", HR_KEY_UUID, 0, nullptr, "names the state namespace (default: [Global] Ingester-UUID)", nullptr},
    {"Client-Id", HR_KEY_STRING, HR_KEY_REQUIRED, nullptr, "API 2.0 application client id", nullptr},
    {"Client-Secret", HR_KEY_STRING, HR_KEY_SECRET, nullptr, "API 2.0 application client secret", nullptr},
    {"Client-Secret-File", HR_KEY_STRING, HR_KEY_FILE_OF, nullptr, "file holding the client secret",
     "Client-Secret"},
    {"Api", HR_KEY_STRING, HR_KEY_REQUIRED | HR_KEY_REPEATABLE, nullptr, "log family to collect; repeat for more",
     nullptr},
    {"Host", HR_KEY_URL, 0, "https://api.services.mimecast.com", "API base URL", nullptr},
    {"Lookback", HR_KEY_INT, 0, "24", "hours to reach back on the first run (at most 168)", nullptr},
    {"Tag-Name", HR_KEY_STRING, 0, nullptr, "tag for the entries when exactly one Api is given", nullptr},
    {"Tag-Prefix", HR_KEY_STRING, 0, nullptr, "tags become <prefix>-<api>", nullptr},
    {"Requests-Per-Minute", HR_KEY_INT, 0, "5", "most requests to Mimecast in any 60 s, token calls included",
     nullptr},
    {"Request-Interval", HR_KEY_INT, 0, "300", "seconds between polls once caught up", nullptr},
    {"Preprocessor", HR_KEY_STRING, HR_KEY_REPEATABLE, nullptr, "accepted for compatibility; not used", nullptr},
    {"Dead-Letter-File", HR_KEY_STRING, 0, nullptr,
     "where lines that are not JSON are kept (default mimecast-<name>-deadletter.ndjson in the working directory)",
     nullptr},
};

std::string str(hr_str s) { return s.ptr ? std::string(s.ptr, s.len) : std::string(); }

struct Reporter {
    hr_diag_fn fn;
    void *ctx;
    bool errors = false;
    void operator()(hr_log_level sev, const char *key, uint32_t line, const std::string &msg) {
        if (sev >= HR_LOG_ERROR) errors = true;
        if (fn) fn(ctx, sev, hr_str{key, std::strlen(key)}, line, hr_str{msg.data(), msg.size()});
    }
};

std::string api_list() {
    std::string s;
    for (const auto &a : all_apis()) s += (s.empty() ? "" : ", ") + std::string(a.name);
    return s;
}

} // namespace

const std::vector<ApiInfo> &all_apis() {
    static const std::vector<ApiInfo> apis = {
        {"audit", ApiKind::Audit, nullptr},
        {"mta-delivery", ApiKind::MtaBatch, "delivery"},
        {"mta-receipt", ApiKind::MtaBatch, "receipt"},
        {"mta-process", ApiKind::MtaBatch, "process"},
        {"mta-av", ApiKind::MtaBatch, "av"},
        {"mta-spam", ApiKind::MtaBatch, "spam"},
        {"mta-journal", ApiKind::MtaBatch, "journal"},
        {"mta-internal", ApiKind::MtaBatch, "internal email protect"},
        {"mta-impersonation", ApiKind::MtaBatch, "impersonation protect"},
        {"mta-url", ApiKind::MtaBatch, "url protect"},
        {"mta-attachment", ApiKind::MtaBatch, "attachment protect"},
    };
    return apis;
}

const ApiInfo *find_api(std::string_view name) {
    for (const auto &a : all_apis()) {
        std::string_view n = a.name;
        if (n.size() == name.size() &&
            std::equal(n.begin(), n.end(), name.begin(), [](char x, char y) {
                return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
            }))
            return &a;
    }
    return nullptr;
}

const hr_key_schema *key_schema(uint32_t &count) {
    count = static_cast<uint32_t>(sizeof kKeys / sizeof kKeys[0]);
    return kKeys;
}

std::optional<Config> parse_config(const hr_stanza &st, hr_diag_fn diag, void *diag_ctx) {
    Reporter report{diag, diag_ctx};
    Config c;
    c.instance = str(st.instance);
    const hr_kv *tag_name = nullptr, *tag_prefix = nullptr, *secret = nullptr;
    std::vector<const hr_kv *> apis;
    for (uint32_t i = 0; i < st.item_count; ++i) {
        const hr_kv &kv = st.items[i];
        std::string key = str(kv.key);
        if (key == "Client-Id") c.client_id = str(kv.value);
        else if (key == "Client-Secret") secret = &kv;
        else if (key == "Api") apis.push_back(&kv);
        else if (key == "Host") c.host = str(kv.value);
        else if (key == "Lookback") {
            c.lookback_h = kv.number;
            if (kv.number <= 0) report(HR_LOG_ERROR, "Lookback", kv.line, "must be a positive number of hours (1 to 168)");
            else if (kv.number > kMaxLookbackH) {
                report(HR_LOG_WARN, "Lookback", kv.line,
                       std::to_string(kv.number) + " hours is beyond Mimecast's 7-day retention; using 168");
                c.lookback_h = kMaxLookbackH;
            }
        } else if (key == "Tag-Name") tag_name = &kv;
        else if (key == "Tag-Prefix") tag_prefix = &kv;
        else if (key == "Requests-Per-Minute") {
            c.requests_per_minute = kv.number;
            if (kv.number <= 0) report(HR_LOG_ERROR, "Requests-Per-Minute", kv.line, "must be a positive whole number, e.g. 5");
        } else if (key == "Request-Interval") {
            c.request_interval_s = kv.number;
            if (kv.number <= 0) report(HR_LOG_ERROR, "Request-Interval", kv.line, "must be a positive number of seconds, e.g. 300");
        } else if (key == "Dead-Letter-File") {
            c.dead_letter_file = str(kv.value);
        } else if (key == "Preprocessor") {
            report(HR_LOG_WARN, "Preprocessor", kv.line, "is accepted but preprocessors are not applied");
        }
    }
    if (c.dead_letter_file.empty()) c.dead_letter_file = "mimecast-" + c.instance + "-deadletter.ndjson";
    if (c.client_id.empty()) report(HR_LOG_ERROR, "Client-Id", 0, "is required: the API 2.0 application's client id");
    if (!secret || secret->value.len == 0)
        report(HR_LOG_ERROR, "Client-Secret", secret ? secret->line : 0,
               "is required: set Client-Secret, or Client-Secret-File to a file holding it");
    else
        c.client_secret = str(secret->value);
    if (apis.empty()) report(HR_LOG_ERROR, "Api", 0, "at least one Api is required; valid values: " + api_list());
    std::set<std::string> seen;
    for (const hr_kv *kv : apis) {
        const ApiInfo *info = find_api(str(kv->value));
        if (!info) {
            report(HR_LOG_ERROR, "Api", kv->line, "unknown value \"" + str(kv->value) + "\"; valid values: " + api_list());
            continue;
        }
        if (!seen.insert(info->name).second) {
            report(HR_LOG_WARN, "Api", kv->line, std::string(info->name) + " is listed twice; collected once");
            continue;
        }
        c.apis.push_back(ApiConfig{info, info->name});
    }
    if (tag_name && tag_prefix)
        report(HR_LOG_ERROR, "Tag-Name", tag_name->line, "cannot be used together with Tag-Prefix; keep one");
    if (tag_name && apis.size() > 1)
        report(HR_LOG_ERROR, "Tag-Name", tag_name->line,
               "only works with exactly one Api (this stanza has " + std::to_string(apis.size()) +
                   "); use Tag-Prefix to tag several");
    for (auto &a : c.apis) {
        if (tag_name) a.tag = str(tag_name->value);
        else if (tag_prefix) a.tag = str(tag_prefix->value) + "-" + a.info->name;
    }
    const hr_kv *tag_src = tag_name ? tag_name : tag_prefix;
    for (const auto &a : c.apis)
        if (!tags::valid_tag(a.tag)) {
            report(HR_LOG_ERROR, tag_src ? (tag_name ? "Tag-Name" : "Tag-Prefix") : "Api", tag_src ? tag_src->line : 0,
                   "gives the tag \"" + a.tag + "\"; " + tags::kTagRuleText);
            break;
        }
    if (report.errors) return std::nullopt;
    return c;
}

} // namespace hr::mimecast
