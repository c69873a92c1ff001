#include "hr_mimecast/parse/envelope.hpp"

#include "json_util.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>

namespace hr::mimecast {

namespace detail {

bool parse_json(rapidjson::Document& doc, std::string_view body) {
    doc.Parse(body.data(), body.size());
    return !doc.HasParseError();
}

std::optional<std::string_view> get_string(const rapidjson::Value& obj, const char* name) {
    if (!obj.IsObject()) return std::nullopt;
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

std::optional<std::int64_t> get_int(const rapidjson::Value& obj, const char* name) {
    if (!obj.IsObject()) return std::nullopt;
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
    return it->value.GetInt64();
}

namespace {

// Text of any JSON value: strings as is, the rest serialised.
std::string text_of(const rapidjson::Value& v) {
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsNull()) return {};
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

ApiError error_of(const rapidjson::Value& v) {
    ApiError e;
    if (v.IsObject()) {
        if (auto it = v.FindMember("code"); it != v.MemberEnd()) e.code = text_of(it->value);
        if (auto it = v.FindMember("message"); it != v.MemberEnd()) e.message = text_of(it->value);
        if (auto it = v.FindMember("retryable"); it != v.MemberEnd() && it->value.IsBool())
            e.retryable = it->value.GetBool();
        if (e.code.empty() && e.message.empty()) e.message = text_of(v);
    } else {
        e.message = text_of(v);
    }
    return e;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_2xx(long s) { return s >= 200 && s < 300; }

void set_hints(Envelope& env) {
    const long s = env.http_status;
    env.rate_limited = s == 429;
    env.retryable = s == 408 || s == 429 || s >= 500;
    env.refresh_token = s == 401;
    for (const auto& e : env.errors) {
        if (e.retryable) env.retryable = true;
        const std::string code = lower(e.code);
        // Mimecast's exact expired-token code is unverified; match the likely spellings.
        if (code.find("token_expired") != std::string::npos || code.find("invalid_token") != std::string::npos ||
            code.find("token expired") != std::string::npos)
            env.refresh_token = true;
    }
}

}  // namespace

Envelope classify_document(long http_status, const rapidjson::Document& doc) {
    Envelope env;
    env.http_status = http_status;
    if (doc.IsObject()) {
        auto fail = doc.FindMember("fail");
        auto error = doc.FindMember("error");
        auto detail = doc.FindMember("detail");
        if (fail != doc.MemberEnd() && fail->value.IsArray() && !fail->value.Empty()) {
            env.kind = ResponseKind::fail_list;
            for (const auto& f : fail->value.GetArray()) {
                auto errs = f.IsObject() ? f.FindMember("errors") : f.MemberEnd();
                if (f.IsObject() && errs != f.MemberEnd() && errs->value.IsArray() && !errs->value.Empty()) {
                    for (const auto& e : errs->value.GetArray()) env.errors.push_back(error_of(e));
                } else {
                    env.errors.push_back(error_of(f));
                }
            }
        } else if (error != doc.MemberEnd() && !error->value.IsNull()) {
            env.kind = ResponseKind::error_object;
            env.errors.push_back(error_of(error->value));
        } else if (detail != doc.MemberEnd() && !detail->value.IsNull()) {
            env.kind = ResponseKind::detail;
            env.errors.push_back(ApiError{"", text_of(detail->value), false});
        } else if (!is_2xx(http_status)) {
            env.kind = ResponseKind::http_error;
        }
    } else if (!is_2xx(http_status)) {
        env.kind = ResponseKind::http_error;
    }
    set_hints(env);
    return env;
}

Envelope classify_unparsed(long http_status, std::string_view body) {
    Envelope env;
    env.http_status = http_status;
    std::size_t p = 0;
    while (p < body.size() && std::isspace(static_cast<unsigned char>(body[p]))) ++p;
    if (p == body.size()) {
        env.kind = ResponseKind::empty_body;
    } else {
        env.kind = ResponseKind::not_json;
        env.errors.push_back(ApiError{"", std::string(body.substr(p, 200)), false});
    }
    set_hints(env);
    return env;
}

Envelope bad_shape(long http_status, std::string message) {
    Envelope env;
    env.kind = ResponseKind::bad_shape;
    env.http_status = http_status;
    env.errors.push_back(ApiError{"", std::move(message), false});
    set_hints(env);
    return env;
}

}  // namespace detail

const char* to_string(ResponseKind kind) noexcept {
    switch (kind) {
    case ResponseKind::ok: return "ok";
    case ResponseKind::fail_list: return "fail";
    case ResponseKind::error_object: return "error";
    case ResponseKind::detail: return "detail";
    case ResponseKind::http_error: return "http error";
    case ResponseKind::empty_body: return "empty body";
    case ResponseKind::not_json: return "not JSON";
    case ResponseKind::bad_shape: return "unexpected shape";
    }
    return "?";
}

std::string Envelope::summary() const {
    std::string s = "HTTP " + std::to_string(http_status) + " " + to_string(kind);
    const char* sep = ": ";
    for (const auto& e : errors) {
        s += sep;
        sep = "; ";
        if (!e.code.empty()) s += e.code + (e.message.empty() ? "" : ": ");
        s += e.message;
        if (s.size() > 1000) break;
    }
    if (s.size() > 1000) s = s.substr(0, 1000) + "...";
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return s;
}

Envelope classify_response(long http_status, std::string_view body) {
    rapidjson::Document doc;
    if (!detail::parse_json(doc, body)) return detail::classify_unparsed(http_status, body);
    return detail::classify_document(http_status, doc);
}

}  // namespace hr::mimecast
