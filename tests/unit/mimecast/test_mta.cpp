#include "fixtures.hpp"

#include <hr_mimecast/parse/mta.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace hr::mimecast;

TEST_CASE("mta: fixture lines", "[mta]") {
    std::istringstream in(hr::test::fixture("mta_lines.ndjson"));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    REQUIRE(lines.size() == 3);

    MtaLine a = parse_mta_line(lines[0]);
    CHECK(a.json_ok);
    CHECK(a.error.empty());
    CHECK(a.timestamp_ns == std::int64_t{1731621865697} * 1'000'000);
    CHECK(a.type == "receipt");
    CHECK(a.source_ip == "198.51.100.7");

    MtaLine b = parse_mta_line(lines[1]);
    CHECK(b.json_ok);
    CHECK(b.type == "process");
    CHECK(b.source_ip.empty());

    MtaLine c = parse_mta_line(lines[2]);
    CHECK(c.type == "url protect");
    CHECK(c.source_ip == "203.0.113.9");  // url protect carries sourceIp
}

TEST_CASE("mta: timestamps", "[mta]") {
    CHECK(parse_mta_line(R"({"timestamp":"1731621865697"})").timestamp_ns == std::int64_t{1731621865697} * 1'000'000);
    CHECK(parse_mta_line(R"({"timestamp":1.731621865697e12})").timestamp_ns == std::int64_t{1731621865697} * 1'000'000);
    CHECK_FALSE(parse_mta_line(R"({"timestamp":1.5})").timestamp_ns.has_value());
    CHECK_FALSE(parse_mta_line(R"({"timestamp":null})").timestamp_ns.has_value());
    CHECK_FALSE(parse_mta_line(R"({"timestamp":"soon"})").timestamp_ns.has_value());
    CHECK_FALSE(parse_mta_line(R"({"timestamp":99999999999999999})").timestamp_ns.has_value());  // ns overflow
    CHECK_FALSE(parse_mta_line(R"({"nested":{"timestamp":5}})").timestamp_ns.has_value());
    CHECK(parse_mta_line(R"({"nested":{"timestamp":5},"list":[{"timestamp":6}],"timestamp":7})").timestamp_ns == 7'000'000);
    MtaLine none = parse_mta_line(R"({"type":"av"})");
    CHECK(none.json_ok);  // valid JSON without a time: the caller picks a fallback
    CHECK_FALSE(none.timestamp_ns.has_value());
}

TEST_CASE("mta: lines that are not a JSON object", "[mta]") {
    for (std::string bad : {std::string(""), std::string("hello"), std::string("[1,2]"), std::string("\"str\""),
                            std::string("42"), std::string("{"), std::string(R"({"a":1} x)"),
                            std::string(R"({"a":1}{"b":2})"), std::string("{\"a\":1}\0{", 9),
                            std::string(R"({"a":tru})"), std::string(R"({'a':1})")}) {
        INFO(bad);
        MtaLine m = parse_mta_line(bad);
        CHECK_FALSE(m.json_ok);
        CHECK_FALSE(m.error.empty());
    }
    CHECK(parse_mta_line("[1]").error == "not a JSON object");
    CHECK(parse_mta_line("  {\"a\":1}  ").json_ok);
}

TEST_CASE("mta: source addresses", "[mta]") {
    CHECK(parse_mta_line(R"({"senderIp":"2001:DB8:0:0::1"})").source_ip == "2001:db8::1");
    CHECK(parse_mta_line(R"({"senderIp":"not-an-ip"})").source_ip.empty());
    CHECK(parse_mta_line(R"({"senderIp":"256.1.1.1"})").source_ip.empty());
    CHECK(parse_mta_line(R"({"senderIp":null,"sourceIp":"192.0.2.1"})").source_ip == "192.0.2.1");
    CHECK(parse_mta_line(R"({"senderIp":"192.0.2.2","sourceIp":"192.0.2.1"})").source_ip == "192.0.2.2");
    CHECK(parse_mta_line(R"({"meta":{"senderIp":"192.0.2.3"}})").source_ip.empty());
    CHECK(canonical_ip("::ffff:192.0.2.1") == "::ffff:192.0.2.1");
    CHECK_FALSE(canonical_ip(std::string(100, '1')).has_value());
    CHECK_FALSE(canonical_ip(std::string("1.2.3.4\0x", 9)).has_value());
}

TEST_CASE("mta: a 2 MiB line with its timestamp at the end", "[mta]") {
    const std::string line = R"({"subject":")" + std::string(2u << 20, 'y') + R"(","timestamp":1731621865697})";
    MtaLine m = parse_mta_line(line);
    CHECK(m.json_ok);
    CHECK(m.timestamp_ns == std::int64_t{1731621865697} * 1'000'000);
}

TEST_CASE("mta: fingerprints", "[mta]") {
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a3...
    Fingerprint f = fingerprint("abc");
    CHECK(f.hex() == "ba7816bf8f01cfea414140de5dae2223");
    CHECK(f.hi() == 0xba7816bf8f01cfeaULL);
    CHECK(f.lo() == 0x414140de5dae2223ULL);
    CHECK(fingerprint("abc") == f);
    CHECK_FALSE(fingerprint("abd") == f);
    CHECK(fingerprint("").hex() == "e3b0c44298fc1c149afbf4c8996fb924");
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(fingerprint(R"({"timestamp":)" + std::to_string(i) + "}").hex());
    CHECK(seen.size() == 1000);
}
