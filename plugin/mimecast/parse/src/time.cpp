#include "hr_mimecast/parse/time.hpp"

#include <cstdio>

namespace hr::mimecast {

namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at text[pos]; advances pos.
bool digits(std::string_view text, std::size_t& pos, std::size_t n, int& out) noexcept {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    pos += n;
    out = v;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) noexcept {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

struct Split {
    CivilDate date;
    std::int64_t secs_of_day;
    std::int64_t sub_ns;
};

Split split(std::int64_t ns) noexcept {
    const std::int64_t secs = floor_div(ns, kNsPerSec);
    const std::int64_t days = floor_div(secs, 86400);
    return Split{civil_from_days(days), secs - days * 86400, ns - secs * kNsPerSec};
}

}  // namespace

// Howard Hinnant's civil-date algorithms (eras of 400 years, March-based years).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = floor_div(y, 400);
    const auto yoe = static_cast<unsigned>(y - era * 400);                      // [0, 399]
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;        // [0, 365]
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                  // [0, 146096]
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = floor_div(z, 146097);
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return CivilDate{m <= 2 ? y + 1 : y, m, d};
}

std::optional<std::int64_t> parse_time_ns(std::string_view t) noexcept {
    std::size_t p = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(t, p, 4, year) || !expect(t, p, '-') || !digits(t, p, 2, month) || !expect(t, p, '-') ||
        !digits(t, p, 2, day))
        return std::nullopt;
    if (p >= t.size() || (t[p] != 'T' && t[p] != 't' && t[p] != ' ')) return std::nullopt;
    ++p;
    if (!digits(t, p, 2, hour) || !expect(t, p, ':') || !digits(t, p, 2, minute) || !expect(t, p, ':') ||
        !digits(t, p, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) ||
        hour > 23 || minute > 59 || second > 60)
        return std::nullopt;

    std::int64_t frac_ns = 0;
    if (p < t.size() && (t[p] == '.' || t[p] == ',')) {
        ++p;
        std::size_t n = 0;
        std::int64_t scale = kNsPerSec;
        while (p < t.size() && t[p] >= '0' && t[p] <= '9') {
            if (n < 9) {
                scale /= 10;
                frac_ns += (t[p] - '0') * scale;
            }
            ++n;
            ++p;
        }
        if (n == 0) return std::nullopt;
    }

    std::int64_t offset_s = 0;
    if (p >= t.size()) return std::nullopt;  // a time without zone is local time: refuse
    if (t[p] == 'Z' || t[p] == 'z') {
        ++p;
    } else if (t[p] == '+' || t[p] == '-') {
        const bool neg = t[p] == '-';
        ++p;
        int oh = 0, om = 0;
        if (!digits(t, p, 2, oh)) return std::nullopt;
        if (p < t.size()) {
            if (t[p] == ':') ++p;
            if (!digits(t, p, 2, om)) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (neg ? -1 : 1);
    } else {
        return std::nullopt;
    }
    if (p != t.size()) return std::nullopt;

    const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
    std::int64_t ns = 0;
    if (__builtin_mul_overflow(secs, kNsPerSec, &ns) || __builtin_add_overflow(ns, frac_ns, &ns)) return std::nullopt;
    return ns;
}

std::string format_audit_time(std::int64_t ns) {
    const Split s = split(ns);
    char buf[96];  // ample for any int64 year; GCC checks the worst case
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld+0000", static_cast<long long>(s.date.year),
                  s.date.month, s.date.day, static_cast<long long>(s.secs_of_day / 3600),
                  static_cast<long long>(s.secs_of_day / 60 % 60), static_cast<long long>(s.secs_of_day % 60));
    return buf;
}

std::string format_batch_day(std::int64_t ns) {
    const Split s = split(ns);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(s.date.year), s.date.month, s.date.day);
    return buf;
}

std::string format_stream_time(std::int64_t ns) {
    const Split s = split(ns);
    char buf[96];  // ample for any int64 year; GCC checks the worst case
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(s.date.year),
                  s.date.month, s.date.day, static_cast<long long>(s.secs_of_day / 3600),
                  static_cast<long long>(s.secs_of_day / 60 % 60), static_cast<long long>(s.secs_of_day % 60),
                  static_cast<long long>(s.sub_ns / 1'000'000));
    return buf;
}

std::optional<std::int64_t> ms_to_ns(std::int64_t ms) noexcept {
    std::int64_t ns = 0;
    if (__builtin_mul_overflow(ms, std::int64_t{1'000'000}, &ns)) return std::nullopt;
    return ns;
}

}  // namespace hr::mimecast
