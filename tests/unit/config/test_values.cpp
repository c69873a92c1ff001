#include "helpers.hpp"

#include <limits>

using namespace hr::cfg;

TEST_CASE("canonical names: lower case, '_' is '-'", "[values]") {
  CHECK(canonical("Ingest-Secret") == "ingest-secret");
  CHECK(canonical("INGEST_SECRET") == "ingest-secret");
  CHECK(canonical("Mime_Cast") == "mime-cast");
  CHECK(canonical("") == "");
}

TEST_CASE("parse_bool", "[values]") {
  for (const char* t : {"true", "TRUE", "True", "yes", "YES", "on", "On", "1"}) {
    INFO(t);
    CHECK(parse_bool(t) == std::optional<bool>(true));
  }
  for (const char* f : {"false", "FALSE", "no", "No", "off", "OFF", "0"}) {
    INFO(f);
    CHECK(parse_bool(f) == std::optional<bool>(false));
  }
  for (const char* bad : {"", "2", "t", "y", "enabled", " true", "true ", "01"}) {
    INFO(bad);
    CHECK_FALSE(parse_bool(bad).has_value());
  }
}

TEST_CASE("parse_int: decimal and 0x hex", "[values]") {
  CHECK(parse_int("0") == 0);
  CHECK(parse_int("42") == 42);
  CHECK(parse_int("+42") == 42);
  CHECK(parse_int("-42") == -42);
  CHECK(parse_int("010") == 10); // never octal
  CHECK(parse_int("0x10") == 16);
  CHECK(parse_int("0XfF") == 255);
  CHECK(parse_int("-0x10") == -16);
  CHECK(parse_int("9223372036854775807") == std::numeric_limits<int64_t>::max());
  CHECK(parse_int("-9223372036854775808") == std::numeric_limits<int64_t>::min());
  CHECK(parse_int("0x7fffffffffffffff") == std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", "-", "+", "0x", "x10", "1.5", "12a", " 1", "1 ", "0b101", "1_000", "0x1g",
                          "9223372036854775808", "-9223372036854775809", "0x8000000000000000",
                          "99999999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_int(bad).has_value());
  }
}

TEST_CASE("parse_duration_ns: Go syntax, bare number = seconds", "[values]") {
  const int64_t s = 1000000000;
  CHECK(parse_duration_ns("1s") == s);
  CHECK(parse_duration_ns("250ms") == 250000000);
  CHECK(parse_duration_ns("1h30m") == 5400 * s);
  CHECK(parse_duration_ns("2.5s") == 2500000000);
  CHECK(parse_duration_ns(".5s") == 500000000);
  CHECK(parse_duration_ns("1.s") == s);
  CHECK(parse_duration_ns("10us") == 10000);
  CHECK(parse_duration_ns("10\xC2\xB5s") == 10000); // micro sign
  CHECK(parse_duration_ns("10\xCE\xBCs") == 10000); // Greek mu
  CHECK(parse_duration_ns("300ns") == 300);
  CHECK(parse_duration_ns("5m") == 300 * s);
  CHECK(parse_duration_ns("1h2m3s4ms5us6ns") == 3723 * s + 4005006);
  CHECK(parse_duration_ns("+3s") == 3 * s);
  CHECK(parse_duration_ns("0") == 0);
  CHECK(parse_duration_ns("0s") == 0);
  CHECK(parse_duration_ns("30") == 30 * s);
  CHECK(parse_duration_ns("1.5") == 1500000000);
  CHECK(parse_duration_ns("0.000000001s") == 1);
  CHECK(parse_duration_ns("2562047h") == int64_t{2562047} * 3600 * s);
  for (const char* bad : {"", "s", "-1s", "-0", "1x", "1 s", "1S", "1sec", "1h30", ".", ".s", "1.5.2",
                          "1..5s", "2562048h", "99999999999999999999s", "1e3s", "abc"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration_ns(bad).has_value());
  }
}

TEST_CASE("parse_uuid", "[values]") {
  const std::string want = "e985bc57-8da7-4bd9-aaeb-cc8c7d489b42";
  CHECK(parse_uuid("e985bc57-8da7-4bd9-aaeb-cc8c7d489b42") == want);
  CHECK(parse_uuid("E985BC57-8DA7-4BD9-AAEB-CC8C7D489B42") == want);
  CHECK(parse_uuid("{e985bc57-8da7-4bd9-aaeb-cc8c7d489b42}") == want);
  CHECK(parse_uuid("urn:uuid:e985bc57-8da7-4bd9-aaeb-cc8c7d489b42") == want);
  CHECK(parse_uuid("e985bc578da74bd9aaebcc8c7d489b42") == want);
  for (const char* bad : {"", "e985bc57-8da7-4bd9-aaeb-cc8c7d489b4", "e985bc57-8da7-4bd9-aaeb-cc8c7d489b422",
                          "e985bc578-da7-4bd9-aaeb-cc8c7d489b42", "g985bc57-8da7-4bd9-aaeb-cc8c7d489b42",
                          "e985bc57_8da7_4bd9_aaeb_cc8c7d489b42", "{e985bc57-8da7-4bd9-aaeb-cc8c7d489b42",
                          " e985bc57-8da7-4bd9-aaeb-cc8c7d489b42"}) {
    INFO(bad);
    CHECK_FALSE(parse_uuid(bad).has_value());
  }
}

TEST_CASE("parse_url", "[values]") {
  CHECK(parse_url("https://api.services.mimecast.com") == "https://api.services.mimecast.com");
  CHECK(parse_url("https://api.services.mimecast.com/") == "https://api.services.mimecast.com");
  CHECK(parse_url("HTTPS://Example.com:8443/api/v1//") == "https://Example.com:8443/api/v1");
  CHECK(parse_url("http://127.0.0.1:1") == "http://127.0.0.1:1");
  CHECK(parse_url("http://[::1]:8080/x") == "http://[::1]:8080/x");
  CHECK(parse_url("http://localhost/") == "http://localhost");
  for (const char* bad : {"", "example.com", "ftp://example.com", "https://", "https:///path", "https://:443",
                          "https://host:", "https://host:0", "https://host:65536", "https://host:12ab",
                          "https://user@host", "https://host/a?b=c", "https://host/#frag", "https://ho st",
                          "https://[::1", "https://[zz]", "https://-host"}) {
    INFO(bad);
    CHECK_FALSE(parse_url(bad).has_value());
  }
}

TEST_CASE("Diag::format and section_label", "[values]") {
  Diag d{Severity::Error, {"a.conf", 7}, section_label("Mimecast", std::string("prod")), "Client-Id", "boom"};
  CHECK(d.format() == "a.conf:7: [Mimecast \"prod\"] Client-Id: boom");
  d.severity = Severity::Warning;
  CHECK(d.format() == "a.conf:7: warning: [Mimecast \"prod\"] Client-Id: boom");
  Diag g{Severity::Error, {"a.conf", 0}, "", "", "cannot open"};
  CHECK(g.format() == "a.conf: cannot open");
  CHECK(section_label("Global", std::nullopt) == "Global");
  CHECK(section_label("M", std::string("a\"b\\c")) == "M \"a\\\"b\\\\c\"");
  CHECK(has_errors({d, g}));
  CHECK_FALSE(has_errors({d}));
}
