// Names and typed values, with Gravwell's (Go's) spellings.
#include "config/config.hpp"

#include <array>
#include <limits>

namespace hr::cfg {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

int digit_value(char c, int base) {
  int d = -1;
  if (c >= '0' && c <= '9') d = c - '0';
  else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
  return d < base ? d : -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return digit_value(c, 16) >= 0; }

} // namespace

std::string canonical(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = c == '_' ? '-' : lower(c);
  return out;
}

std::optional<bool> parse_bool(std::string_view s) {
  for (std::string_view t : {"true", "yes", "on", "1"})
    if (iequals(s, t)) return true;
  for (std::string_view f : {"false", "no", "off", "0"})
    if (iequals(s, f)) return false;
  return std::nullopt;
}

std::optional<int64_t> parse_int(std::string_view s) {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int base = 10;
  // Like gcfg: "0x" means hex, and a leading 0 does NOT mean octal.
  if (s.size() - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  if (i >= s.size()) return std::nullopt;
  const uint64_t limit = neg ? uint64_t{1} << 63 : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t acc = 0;
  for (; i < s.size(); ++i) {
    int d = digit_value(s[i], base);
    if (d < 0) return std::nullopt;
    if (acc > (limit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return std::nullopt;
    acc = acc * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (!neg) return static_cast<int64_t>(acc);
  return acc == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(acc);
}

std::optional<int64_t> parse_duration_ns(std::string_view s) {
  struct Unit {
    std::string_view name;
    int64_t ns;
  };
  static constexpr std::array<Unit, 8> kUnits{{{"ns", 1},
                                               {"us", 1000},
                                               {"\xC2\xB5s", 1000}, // U+00B5 micro sign
                                               {"\xCE\xBCs", 1000}, // U+03BC Greek mu
                                               {"ms", 1000000},
                                               {"s", 1000000000},
                                               {"m", 60 * int64_t{1000000000}},
                                               {"h", 3600 * int64_t{1000000000}}}};
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  if (s == "0") return 0;
  bool bare = true; // ours: "30" or "2.5" means seconds (Go's ParseDuration wants a unit)
  for (char c : s) bare = bare && (is_digit(c) || c == '.');

  using Wide = __int128; // whole*unit and frac*unit fit easily; checked against int64 below
  const Wide max = std::numeric_limits<int64_t>::max();
  Wide total = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    Wide whole = 0, frac = 0, scale = 1;
    std::size_t start = i;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      whole = whole * 10 + (s[i] - '0');
      if (whole > max) return std::nullopt;
    }
    bool had_whole = i > start;
    bool had_frac = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      for (; i < s.size() && is_digit(s[i]); ++i) {
        had_frac = true;
        if (scale < Wide{1000000000000000000}) { // digits past 1e-18 cannot matter
          frac = frac * 10 + (s[i] - '0');
          scale *= 10;
        }
      }
    }
    if (!had_whole && !had_frac) return std::nullopt;
    int64_t unit = 1000000000;
    if (bare) {
      if (i != s.size()) return std::nullopt; // "1.5.2"
    } else {
      std::size_t u = i;
      while (u < s.size() && !is_digit(s[u]) && s[u] != '.') ++u;
      std::string_view name = s.substr(i, u - i);
      const Unit* found = nullptr;
      for (const auto& k : kUnits)
        if (k.name == name) found = &k;
      if (found == nullptr) return std::nullopt;
      unit = found->ns;
      i = u;
    }
    total += whole * unit + frac * unit / scale;
    if (total > max) return std::nullopt;
  }
  return static_cast<int64_t>(total);
}

std::optional<std::string> parse_uuid(std::string_view s) {
  // Go's uuid.Parse forms, which Gravwell's config accepts.
  if (s.size() == 45 && iequals(s.substr(0, 9), "urn:uuid:")) s.remove_prefix(9);
  else if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  std::string hex;
  if (s.size() == 36) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_pos != (s[i] == '-')) return std::nullopt;
      if (!dash_pos) hex += s[i];
    }
  } else if (s.size() == 32) {
    hex = s;
  } else {
    return std::nullopt;
  }
  std::string out;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (!is_hex(hex[i])) return std::nullopt;
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += lower(hex[i]);
  }
  return out;
}

std::optional<std::string> parse_url(std::string_view s) {
  std::size_t sep = s.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme = canonical(s.substr(0, sep));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = s.substr(sep + 3);
  for (char c : rest) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '?' || c == '#' || c == '@') return std::nullopt;
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);

  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') { // IPv6 literal
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close < 3) return std::nullopt;
    for (char c : authority.substr(1, close - 1))
      if (!is_hex(c) && c != ':' && c != '.') return std::nullopt;
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.empty() || host.front() == '.' || host.front() == '-') return std::nullopt;
    for (char c : host)
      if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-' || c == '.' || c == '_'))
        return std::nullopt;
  }
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    int p = 0;
    for (char c : port) {
      if (!is_digit(c)) return std::nullopt;
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return std::nullopt;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return scheme + "://" + std::string(authority) + std::string(path);
}

} // namespace hr::cfg
