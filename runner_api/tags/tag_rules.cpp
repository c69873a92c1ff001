#include "tag_rules.hpp"

namespace hr::tags {
namespace {

// Decodes one UTF-8 code point; false on malformed input.
bool next_cp(std::string_view s, size_t &i, uint32_t &cp) {
    auto c = static_cast<unsigned char>(s[i]);
    int extra;
    if (c < 0x80) { cp = c; extra = 0; }
    else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
    else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
    else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; extra = 3; }
    else return false;
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
        auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
    return true;
}

bool is_space_cp(uint32_t cp) {
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

// Non-printing: controls, format characters, private use, noncharacters.
bool is_nonprinting_cp(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE000 && cp <= 0xF8FF) || (cp & 0xFFFE) == 0xFFFE ||
           (cp >= 0xFDD0 && cp <= 0xFDEF) || cp >= 0xF0000 || (cp >= 0xE0000 && cp <= 0xE007F);
}

bool is_forbidden_cp(uint32_t cp) {
    static constexpr std::string_view ascii = "\"'`*$\\[]|{}();=<!>~%^&.:,/";
    if (cp < 0x80) return ascii.find(static_cast<char>(cp)) != std::string_view::npos;
    return cp == 0xB4 || cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D;
}

} // namespace

std::optional<std::string> normalize_tag(std::string_view name) {
    // Trim surrounding (Unicode) whitespace.
    size_t b = 0, e = name.size();
    while (b < e) {
        size_t i = b;
        uint32_t cp;
        if (!next_cp(name, i, cp) || !is_space_cp(cp)) break;
        b = i;
    }
    while (e > b) {
        // Walk back to the start of the last code point.
        size_t s = e - 1;
        while (s > b && (static_cast<unsigned char>(name[s]) & 0xC0) == 0x80) --s;
        size_t i = s;
        uint32_t cp;
        if (!next_cp(name, i, cp) || i != e || !is_space_cp(cp)) break;
        e = s;
    }
    std::string_view t = name.substr(b, e - b);
    if (t.empty() || t.size() > kMaxTagBytes) return std::nullopt;
    for (size_t i = 0; i < t.size();) {
        uint32_t cp;
        if (!next_cp(t, i, cp)) return std::nullopt;
        if (is_space_cp(cp) || is_nonprinting_cp(cp) || is_forbidden_cp(cp)) return std::nullopt;
    }
    return std::string(t);
}

bool valid_tag(std::string_view name) {
    auto n = normalize_tag(name);
    return n && *n == name;
}

} // namespace hr::tags
