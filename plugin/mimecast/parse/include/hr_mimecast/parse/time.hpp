// Mimecast time formats <-> nanoseconds since the Unix epoch (UTC).
// Pure calendar arithmetic: no mktime/timegm/localtime, no TZ, no locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hr::mimecast {

// Days since 1970-01-01 of a proleptic Gregorian date (any sign), and back.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept;
struct CivilDate {
    std::int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};
CivilDate civil_from_days(std::int64_t days) noexcept;

// Parses YYYY-MM-DDTHH:MM:SS[.fraction] followed by Z, +hhmm, +hh:mm or +hh
// (either sign). Covers the audit form "2006-01-02T15:04:05-0700" and RFC
// 3339 ("2024-11-13T10:15:00.000Z", "...+00:00"). 'T' may be 't' or a space;
// up to 9 fraction digits count (more are accepted and truncated). Leap
// second 60 is accepted. nullopt on anything else or outside int64 ns.
std::optional<std::int64_t> parse_time_ns(std::string_view text) noexcept;
// Same parser; named for the batch listing's `expiry`.
inline std::optional<std::int64_t> parse_rfc3339_ns(std::string_view text) noexcept { return parse_time_ns(text); }

// "2024-01-01T00:00:00+0000" (audit startDateTime/endDateTime; seconds, floored).
std::string format_audit_time(std::int64_t ns);
// "2024-11-13" (SIEM batch dateRangeStartsAt/EndsAt; the UTC day containing ns).
std::string format_batch_day(std::int64_t ns);
// "2024-11-13T10:00:00.000Z" (SIEM stream dateRangeStartsAt/EndsAt; ms, floored).
std::string format_stream_time(std::int64_t ns);

// Epoch milliseconds (SIEM `timestamp`) to ns; nullopt on overflow.
std::optional<std::int64_t> ms_to_ns(std::int64_t ms) noexcept;

}  // namespace hr::mimecast
