#include "hr_mimecast/parse/json_scan.hpp"

#include <string>

namespace hr::mimecast::json {

namespace {

bool is_ws(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// pos at the opening quote; returns index just past the closing quote.
std::optional<std::size_t> end_of_string(std::string_view t, std::size_t pos) noexcept {
    for (std::size_t i = pos + 1; i < t.size(); ++i) {
        if (t[i] == '\\') {
            ++i;  // whatever is escaped cannot close the string
        } else if (t[i] == '"') {
            return i + 1;
        }
    }
    return std::nullopt;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes a JSON string literal body (without quotes) to UTF-8.
std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out.push_back(s[i]);
            continue;
        }
        const char e = s[++i];
        switch (e) {
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
            unsigned cp = 0;
            for (int k = 0; k < 4 && i + 1 < s.size(); ++k) {
                const int h = hex_value(s[++i]);
                cp = cp * 16 + static_cast<unsigned>(h < 0 ? 0 : h);
            }
            // Surrogate pairs do not occur in the member names we look for;
            // an unpaired one just encodes as itself.
            if (cp < 0x80) {
                out.push_back(static_cast<char>(cp));
            } else if (cp < 0x800) {
                out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else {
                out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
                out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            }
            break;
        }
        default: out.push_back(e); break;  // \" \\ \/
        }
    }
    return out;
}

bool key_equals(std::string_view raw_key, std::string_view key) {
    if (raw_key.find('\\') == std::string_view::npos) return raw_key == key;
    return unescape(raw_key) == key;
}

}  // namespace

std::size_t skip_ws(std::string_view t, std::size_t pos) noexcept {
    while (pos < t.size() && is_ws(t[pos])) ++pos;
    return pos;
}

std::optional<std::string_view> scan_value(std::string_view t, std::size_t pos) noexcept {
    pos = skip_ws(t, pos);
    if (pos >= t.size()) return std::nullopt;
    const char c = t[pos];
    if (c == '"') {
        auto end = end_of_string(t, pos);
        if (!end) return std::nullopt;
        return t.substr(pos, *end - pos);
    }
    if (c == '{' || c == '[') {
        // Valid JSON nests correctly, so a depth count is enough; strings
        // are skipped whole so brackets inside them do not count.
        std::size_t depth = 0;
        for (std::size_t i = pos; i < t.size(); ++i) {
            const char d = t[i];
            if (d == '"') {
                auto end = end_of_string(t, i);
                if (!end) return std::nullopt;
                i = *end - 1;
            } else if (d == '{' || d == '[') {
                ++depth;
            } else if (d == '}' || d == ']') {
                if (--depth == 0) return t.substr(pos, i + 1 - pos);
            }
        }
        return std::nullopt;
    }
    // Number, true, false, null: up to the next delimiter.
    std::size_t i = pos;
    while (i < t.size() && !is_ws(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ':') ++i;
    if (i == pos) return std::nullopt;
    return t.substr(pos, i - pos);
}

std::optional<std::vector<std::string_view>> top_level_array(std::string_view doc, std::string_view key) {
    std::size_t p = skip_ws(doc, 0);
    if (p >= doc.size() || doc[p] != '{') return std::nullopt;
    p = skip_ws(doc, p + 1);
    if (p < doc.size() && doc[p] == '}') return std::nullopt;
    while (p < doc.size()) {
        if (doc[p] != '"') return std::nullopt;
        auto key_end = end_of_string(doc, p);
        if (!key_end) return std::nullopt;
        const std::string_view raw_key = doc.substr(p + 1, *key_end - p - 2);
        p = skip_ws(doc, *key_end);
        if (p >= doc.size() || doc[p] != ':') return std::nullopt;
        p = skip_ws(doc, p + 1);
        if (key_equals(raw_key, key)) {
            if (p >= doc.size() || doc[p] != '[') return std::nullopt;
            std::vector<std::string_view> out;
            p = skip_ws(doc, p + 1);
            if (p < doc.size() && doc[p] == ']') return out;
            while (p < doc.size()) {
                auto v = scan_value(doc, p);
                if (!v) return std::nullopt;
                out.push_back(*v);
                p = skip_ws(doc, static_cast<std::size_t>(v->data() - doc.data()) + v->size());
                if (p >= doc.size()) return std::nullopt;
                if (doc[p] == ']') return out;
                if (doc[p] != ',') return std::nullopt;
                ++p;
            }
            return std::nullopt;
        }
        auto v = scan_value(doc, p);
        if (!v) return std::nullopt;
        p = skip_ws(doc, static_cast<std::size_t>(v->data() - doc.data()) + v->size());
        if (p >= doc.size()) return std::nullopt;
        if (doc[p] == '}') return std::nullopt;  // member not present
        if (doc[p] != ',') return std::nullopt;
        p = skip_ws(doc, p + 1);
    }
    return std::nullopt;
}

}  // namespace hr::mimecast::json
