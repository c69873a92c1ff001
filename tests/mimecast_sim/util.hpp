// Small helpers shared by the simulator: hashing, encodings, UTC time formats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcsim {

// SplitMix64 finaliser: cheap, well mixed and identical on every platform, which is all
// the deterministic data generator needs (no <random> distributions, whose output varies
// between standard libraries).
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hash of a tuple of integers; the building block of "data is a pure function of its key".
template <typename... Ts>
constexpr uint64_t hash_of(uint64_t first, Ts... rest) {
  uint64_t h = mix64(first);
  ((h = mix64(h ^ static_cast<uint64_t>(rest))), ...);
  return h;
}

// Uniform double in [0, 1) from a hash.
inline double unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

uint64_t hash_str(uint64_t seed, std::string_view s);

// Floor division/ceil division that behave for negative numerators too.
constexpr int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
constexpr int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

std::string base64(std::string_view bytes, bool url_safe);  // url_safe: -_ alphabet, no padding
std::optional<std::string> unbase64(std::string_view text);  // standard alphabet, padding optional
std::string url_decode(std::string_view s, bool plus_is_space);
std::string url_encode(std::string_view s);
using Params = std::vector<std::pair<std::string, std::string>>;
Params parse_query(std::string_view q);  // a=b&c=d, percent and '+' decoded
std::string to_hex(const unsigned char* p, size_t n);
std::string hmac_sha256_hex(std::string_view key, std::string_view msg);
std::optional<int64_t> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);

// Time, all UTC, all epoch milliseconds.
constexpr int64_t kSecMs = 1000;
constexpr int64_t kHourMs = 3600 * kSecMs;
constexpr int64_t kDayMs = 24 * kHourMs;
int64_t real_now_ms();
std::string format_iso_ms(int64_t ms);      // 2024-11-13T10:15:00.000Z
std::string format_audit_time(int64_t ms);  // 2024-11-13T10:15:00+0000
std::string format_amz_date(int64_t ms);    // 20241113T101500Z
std::string format_day(int64_t ms);         // 2024-11-13
std::optional<int64_t> parse_day(std::string_view s);       // YYYY-MM-DD
std::optional<int64_t> parse_datetime(std::string_view s);  // YYYY-MM-DDTHH:MM:SS[.f](Z|±hhmm|±hh:mm)
std::optional<int64_t> parse_amz_date(std::string_view s);  // YYYYMMDDTHHMMSSZ

}  // namespace mcsim
