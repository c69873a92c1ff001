#include <hr_mimecast/parse/time.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace hr::mimecast;

namespace {
constexpr std::int64_t s2ns(std::int64_t s) { return s * 1'000'000'000; }
}  // namespace

TEST_CASE("time: civil date arithmetic", "[time]") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(days_from_civil(1969, 12, 31) == -1);
    CHECK(days_from_civil(2024, 2, 29) == 19782);
    for (std::int64_t d = -800000; d <= 800000; d += 7) {
        const CivilDate c = civil_from_days(d);
        REQUIRE(days_from_civil(c.year, c.month, c.day) == d);
    }
    const CivilDate c = civil_from_days(19782);
    CHECK(c.year == 2024);
    CHECK(c.month == 2);
    CHECK(c.day == 29);
}

TEST_CASE("time: audit and RFC 3339 forms parse to UTC nanoseconds", "[time]") {
    CHECK(parse_time_ns("2025-01-01T10:00:00+0000") == s2ns(1735725600));
    CHECK(parse_time_ns("2006-01-02T15:04:05-0700") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-02T22:04:05Z") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-02T22:04:05+00:00") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-03T03:34:05+05:30") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-03T03:34:05+0530") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-02T23:04:05+01") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-02t22:04:05z") == s2ns(1136239445));
    CHECK(parse_time_ns("2006-01-02 22:04:05Z") == s2ns(1136239445));
    CHECK(parse_time_ns("2024-11-13T10:15:00.000Z") == s2ns(1731492900));
    CHECK(parse_time_ns("2024-11-13T10:15:00.5Z") == s2ns(1731492900) + 500'000'000);
    CHECK(parse_time_ns("2024-11-13T10:15:00.123456789Z") == s2ns(1731492900) + 123'456'789);
    CHECK(parse_time_ns("2024-11-13T10:15:00.1234567891234Z") == s2ns(1731492900) + 123'456'789);
    CHECK(parse_time_ns("1969-12-31T23:59:59.5Z") == -500'000'000);
    CHECK(parse_time_ns("2024-02-29T00:00:00Z").has_value());
    CHECK(parse_time_ns("2016-12-31T23:59:60Z") == s2ns(1483228800));  // leap second = next second
}

TEST_CASE("time: malformed times are refused", "[time]") {
    for (const char* bad : {"", "2024", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                            "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z",
                            "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z", "2024-01-01T00:00:00",
                            "2024-01-01T00:00:00+", "2024-01-01T00:00:00+1", "2024-01-01T00:00:00+24:00",
                            "2024-01-01T00:00:00+00:60", "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00.Z",
                            "2024-1-01T00:00:00Z", "2024-01-01X00:00:00Z", " 2024-01-01T00:00:00Z",
                            "2024-01-01T00:00:00 Z", "9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z",
                            "2024-01-01T00:00:00+00:0", "２024-01-01T00:00:00Z"}) {
        INFO(bad);
        CHECK_FALSE(parse_time_ns(bad).has_value());
    }
}

TEST_CASE("time: request formats", "[time]") {
    const std::int64_t t = s2ns(1731492900) + 987'654'321;  // 2024-11-13T10:15:00.987654321Z
    CHECK(format_audit_time(t) == "2024-11-13T10:15:00+0000");
    CHECK(format_batch_day(t) == "2024-11-13");
    CHECK(format_stream_time(t) == "2024-11-13T10:15:00.987Z");
    CHECK(format_audit_time(0) == "1970-01-01T00:00:00+0000");
    CHECK(format_stream_time(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(format_batch_day(-1) == "1969-12-31");
    CHECK(format_batch_day(s2ns(1709251199)) == "2024-02-29");
    CHECK(ms_to_ns(1731621865697) == std::int64_t{1731621865697} * 1'000'000);
    CHECK_FALSE(ms_to_ns(INT64_MAX / 1000).has_value());
}

TEST_CASE("time: format then parse round-trips", "[time]") {
    std::mt19937_64 gen(42);
    std::uniform_int_distribution<std::int64_t> dist(s2ns(-2'000'000'000), s2ns(7'000'000'000));
    for (int i = 0; i < 20000; ++i) {
        const std::int64_t ns = dist(gen);
        const std::int64_t floor_ms = ns - (((ns % 1'000'000) + 1'000'000) % 1'000'000);
        const std::int64_t floor_s = ns - (((ns % 1'000'000'000) + 1'000'000'000) % 1'000'000'000);
        REQUIRE(parse_time_ns(format_stream_time(ns)) == floor_ms);
        REQUIRE(parse_time_ns(format_audit_time(ns)) == floor_s);
    }
}
