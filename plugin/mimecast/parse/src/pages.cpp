#include "hr_mimecast/parse/pages.hpp"

#include "hr_mimecast/parse/json_scan.hpp"
#include "hr_mimecast/parse/time.hpp"
#include "json_util.hpp"

#include <algorithm>

namespace hr::mimecast {

namespace {

using detail::bad_shape;
using detail::get_string;

// Parses and classifies; true when the caller may read `doc`.
bool parse_ok(long status, std::string_view body, rapidjson::Document& doc, Envelope& env) {
    if (!detail::parse_json(doc, body)) {
        env = detail::classify_unparsed(status, body);
        return false;
    }
    env = detail::classify_document(status, doc);
    if (!env.ok()) return false;
    if (!doc.IsObject()) {
        env = bad_shape(status, "response is not a JSON object");
        return false;
    }
    return true;
}

// Spans of doc[key][] from the raw body, checked against the DOM's count so
// the two views can never disagree silently.
bool spans_of(std::string_view body, const rapidjson::Value& arr, const char* key,
              std::vector<std::string_view>& out) {
    auto spans = json::top_level_array(body, key);
    if (!spans || spans->size() != arr.Size()) return false;
    out = std::move(*spans);
    return true;
}

}  // namespace

AuditPageResult parse_audit_page(long http_status, std::string_view body) {
    AuditPageResult r;
    rapidjson::Document doc;
    if (!parse_ok(http_status, body, doc, r.envelope)) return r;

    auto data = doc.FindMember("data");
    if (data == doc.MemberEnd() || !data->value.IsArray()) {
        r.envelope = bad_shape(http_status, "audit response without a data array");
        return r;
    }
    std::vector<std::string_view> spans;
    if (!spans_of(body, data->value, "data", spans)) {
        r.envelope = bad_shape(http_status, "audit data array could not be split into records");
        return r;
    }
    auto& page = r.page;
    page.records.reserve(spans.size());
    for (rapidjson::SizeType i = 0; i < data->value.Size(); ++i) {
        const auto& rec = data->value[i];
        if (!rec.IsObject()) {
            r.envelope = bad_shape(http_status, "audit record " + std::to_string(i) + " is not an object");
            r.page = {};
            return r;
        }
        AuditRecord a;
        a.raw = spans[i];
        if (auto id = get_string(rec, "id")) a.id = std::string(*id);
        if (auto et = get_string(rec, "eventTime")) a.event_time_ns = parse_time_ns(*et);
        if (a.event_time_ns) {
            page.newest_event_ns = std::max(page.newest_event_ns.value_or(*a.event_time_ns), *a.event_time_ns);
            page.oldest_event_ns = std::min(page.oldest_event_ns.value_or(*a.event_time_ns), *a.event_time_ns);
        }
        page.records.push_back(std::move(a));
    }
    if (auto meta = doc.FindMember("meta"); meta != doc.MemberEnd() && meta->value.IsObject()) {
        if (auto pg = meta->value.FindMember("pagination"); pg != meta->value.MemberEnd()) {
            if (auto next = get_string(pg->value, "next")) page.next_token = std::string(*next);
        }
    }
    return r;
}

BatchListingResult parse_batch_listing(long http_status, std::string_view body) {
    BatchListingResult r;
    rapidjson::Document doc;
    if (!parse_ok(http_status, body, doc, r.envelope)) return r;

    auto value = doc.FindMember("value");
    if (value == doc.MemberEnd() || !value->value.IsArray()) {
        r.envelope = bad_shape(http_status, "batch listing without a value array");
        return r;
    }
    for (rapidjson::SizeType i = 0; i < value->value.Size(); ++i) {
        const auto& f = value->value[i];
        auto url = get_string(f, "url");
        if (!url || url->empty()) {
            // Skipping it would silently lose a file; refuse the page instead.
            r.envelope = bad_shape(http_status, "batch file " + std::to_string(i) + " has no url");
            r.listing = {};
            return r;
        }
        BatchFile bf;
        bf.url = std::string(*url);
        if (auto exp = get_string(f, "expiry")) bf.expiry_ns = parse_rfc3339_ns(*exp);
        if (auto it = f.FindMember("size"); it != f.MemberEnd()) {
            if (it->value.IsInt64()) {
                bf.size = it->value.GetInt64();
            } else if (it->value.IsDouble() && it->value.GetDouble() >= 0 && it->value.GetDouble() < 9e18) {
                bf.size = static_cast<std::int64_t>(it->value.GetDouble());
            }
        }
        r.listing.files.push_back(std::move(bf));
    }
    if (auto next = get_string(doc, "@nextPage")) r.listing.next_page = std::string(*next);
    if (auto it = doc.FindMember("isCaughtUp"); it != doc.MemberEnd() && it->value.IsBool())
        r.listing.caught_up = it->value.GetBool();
    return r;
}

StreamPageResult parse_stream_page(long http_status, std::string_view body) {
    StreamPageResult r;
    rapidjson::Document doc;
    if (!parse_ok(http_status, body, doc, r.envelope)) return r;

    auto value = doc.FindMember("value");
    if (value == doc.MemberEnd() || !value->value.IsArray()) {
        r.envelope = bad_shape(http_status, "stream page without a value array");
        return r;
    }
    if (!spans_of(body, value->value, "value", r.page.events)) {
        r.envelope = bad_shape(http_status, "stream value array could not be split into events");
        return r;
    }
    if (auto next = get_string(doc, "@nextPage")) r.page.next_page = std::string(*next);
    if (auto it = doc.FindMember("isCaughtUp"); it != doc.MemberEnd() && it->value.IsBool())
        r.page.caught_up = it->value.GetBool();
    return r;
}

TokenResult parse_token_response(long http_status, std::string_view body) {
    TokenResult r;
    rapidjson::Document doc;
    if (!parse_ok(http_status, body, doc, r.envelope)) return r;
    auto token = get_string(doc, "access_token");
    if (!token || token->empty()) {
        r.envelope = bad_shape(http_status, "token response without access_token");
        return r;
    }
    r.grant.access_token = std::string(*token);
    if (auto type = get_string(doc, "token_type")) r.grant.token_type = std::string(*type);
    if (auto it = doc.FindMember("expires_in"); it != doc.MemberEnd()) {
        if (it->value.IsInt64()) {
            r.grant.expires_in_s = it->value.GetInt64();
        } else if (it->value.IsString()) {
            // Some OAuth servers send it quoted; accept digits only.
            std::string_view s(it->value.GetString(), it->value.GetStringLength());
            std::int64_t v = 0;
            bool ok = !s.empty() && s.size() < 12;
            for (char c : s) {
                if (c < '0' || c > '9') ok = false;
                else v = v * 10 + (c - '0');
            }
            if (ok) r.grant.expires_in_s = v;
        }
    }
    return r;
}

}  // namespace hr::mimecast
