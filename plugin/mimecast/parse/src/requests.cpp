#include "hr_mimecast/parse/requests.hpp"

#include "hr_mimecast/parse/time.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace hr::mimecast {

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string build_audit_request(std::int64_t start_ns, std::int64_t end_ns, int page_size, std::string_view page_token) {
    // RapidJSON's writer does the escaping of the opaque token.
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    const std::string start = format_audit_time(start_ns);
    const std::string end = format_audit_time(end_ns);
    w.StartObject();
    w.Key("meta");
    w.StartObject();
    w.Key("pagination");
    w.StartObject();
    w.Key("pageSize");
    w.Int(page_size);
    if (!page_token.empty()) {
        w.Key("pageToken");
        w.String(page_token.data(), static_cast<rapidjson::SizeType>(page_token.size()));
    }
    w.EndObject();
    w.EndObject();
    w.Key("data");
    w.StartArray();
    w.StartObject();
    w.Key("startDateTime");
    w.String(start.data(), static_cast<rapidjson::SizeType>(start.size()));
    w.Key("endDateTime");
    w.String(end.data(), static_cast<rapidjson::SizeType>(end.size()));
    w.EndObject();
    w.EndArray();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

namespace {

void add(std::string& q, std::string_view name, std::string_view value) {
    if (!q.empty()) q.push_back('&');
    q.append(name);
    q.push_back('=');
    q.append(percent_encode(value));
}

}  // namespace

std::string build_batch_query(std::string_view type, std::int64_t start_ns, std::optional<std::int64_t> end_ns,
                              int page_size, std::string_view next_page) {
    std::string q;
    add(q, "type", type);
    add(q, "dateRangeStartsAt", format_batch_day(start_ns));
    if (end_ns) add(q, "dateRangeEndsAt", format_batch_day(*end_ns));
    add(q, "pageSize", std::to_string(page_size));
    if (!next_page.empty()) add(q, "nextPage", next_page);
    return q;
}

std::string build_stream_query(std::string_view types, std::optional<std::int64_t> start_ns,
                               std::optional<std::int64_t> end_ns, int page_size, std::string_view next_page) {
    std::string q;
    if (!types.empty()) add(q, "types", types);
    if (start_ns) add(q, "dateRangeStartsAt", format_stream_time(*start_ns));
    if (end_ns) add(q, "dateRangeEndsAt", format_stream_time(*end_ns));
    add(q, "pageSize", std::to_string(page_size));
    if (!next_page.empty()) add(q, "nextPage", next_page);
    return q;
}

std::string build_token_form(std::string_view client_id, std::string_view client_secret) {
    std::string q;
    add(q, "client_id", client_id);
    add(q, "client_secret", client_secret);
    add(q, "grant_type", "client_credentials");
    return q;
}

}  // namespace hr::mimecast
