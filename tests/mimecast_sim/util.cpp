#include "util.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <chrono>

namespace mcsim {

uint64_t hash_str(uint64_t seed, std::string_view s) {
  uint64_t h = mix64(seed ^ s.size());
  for (unsigned char c : s) h = mix64(h ^ c);
  return h;
}

std::string base64(std::string_view bytes, bool url_safe) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* a = url_safe ? kUrl : kStd;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += a[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    if (rest == 2) out += a[(v >> 6) & 63];
    if (!url_safe) out.append(3 - rest, '=');
  }
  return out;
}

std::optional<std::string> unbase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  if (bits >= 6) return std::nullopt;  // a dangling sextet is not valid base64
  return out;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += char(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += c;  // a stray '%' is kept literally, like most servers do
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Params parse_query(std::string_view q) {
  Params out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(url_decode(part, true), std::string{});
    } else {
      out.emplace_back(url_decode(part.substr(0, eq), true), url_decode(part.substr(eq + 1), true));
    }
  }
  return out;
}

std::string to_hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view msg) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), md, &len);
  return to_hex(md, len);
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

int64_t real_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

struct Civil {
  int y;
  unsigned mo, d, h, mi, s, ms;
};

Civil to_civil(int64_t ms) {
  using namespace std::chrono;
  int64_t days = floor_div(ms, kDayMs);
  int64_t rem = ms - days * kDayMs;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  return Civil{int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()), unsigned(rem / kHourMs),
               unsigned(rem / 60000 % 60), unsigned(rem / 1000 % 60), unsigned(rem % 1000)};
}

std::optional<int64_t> from_civil(int y, int mo, int d, int h, int mi, int s, int ms) {
  using namespace std::chrono;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  int64_t days = sys_days{ymd}.time_since_epoch().count();
  return days * kDayMs + int64_t(h) * kHourMs + int64_t(mi) * 60000 + int64_t(s) * 1000 + ms;
}

// Reads exactly n digits at pos.
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

std::string two(unsigned v) { return std::string{char('0' + v / 10 % 10), char('0' + v % 10)}; }
std::string year4(int y) {
  std::string s = std::to_string(y);
  return std::string(s.size() < 4 ? 4 - s.size() : 0, '0') + s;
}

}  // namespace

std::string format_iso_ms(int64_t ms) {
  Civil c = to_civil(ms);
  std::string f = std::to_string(1000 + c.ms).substr(1);
  return year4(c.y) + "-" + two(c.mo) + "-" + two(c.d) + "T" + two(c.h) + ":" + two(c.mi) + ":" +
         two(c.s) + "." + f + "Z";
}

std::string format_audit_time(int64_t ms) {
  Civil c = to_civil(ms);
  return year4(c.y) + "-" + two(c.mo) + "-" + two(c.d) + "T" + two(c.h) + ":" + two(c.mi) + ":" +
         two(c.s) + "+0000";
}

std::string format_amz_date(int64_t ms) {
  Civil c = to_civil(ms);
  return year4(c.y) + two(c.mo) + two(c.d) + "T" + two(c.h) + two(c.mi) + two(c.s) + "Z";
}

std::string format_day(int64_t ms) {
  Civil c = to_civil(ms);
  return year4(c.y) + "-" + two(c.mo) + "-" + two(c.d);
}

std::optional<int64_t> parse_day(std::string_view s) {
  int y, mo, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, mo) ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  return from_civil(y, mo, d, 0, 0, 0, 0);
}

std::optional<int64_t> parse_datetime(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      !digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec))
    return std::nullopt;
  size_t pos = 19;
  int ms = 0;
  if (s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    int scale = 100;
    for (size_t i = 0; i < n && i < 3; ++i, scale /= 10) ms += (s[start + i] - '0') * scale;
  }
  std::string_view tz = s.substr(pos);
  int64_t offset_min = 0;
  if (tz == "Z") {
    offset_min = 0;
  } else if (tz.size() >= 3 && (tz[0] == '+' || tz[0] == '-')) {
    int oh = 0, om = 0;
    bool ok = digits(tz, 1, 2, oh) &&
              (tz.size() == 3 || (tz.size() == 5 && digits(tz, 3, 2, om)) ||
               (tz.size() == 6 && tz[3] == ':' && digits(tz, 4, 2, om)));
    if (!ok || oh > 23 || om > 59) return std::nullopt;
    offset_min = (tz[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  auto t = from_civil(y, mo, d, h, mi, sec, ms);
  if (!t) return std::nullopt;
  return *t - offset_min * 60000;  // local time minus its offset = UTC
}

std::optional<int64_t> parse_amz_date(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z' || !digits(s, 0, 4, y) || !digits(s, 4, 2, mo) ||
      !digits(s, 6, 2, d) || !digits(s, 9, 2, h) || !digits(s, 11, 2, mi) || !digits(s, 13, 2, sec))
    return std::nullopt;
  return from_civil(y, mo, d, h, mi, sec, 0);
}

}  // namespace mcsim
