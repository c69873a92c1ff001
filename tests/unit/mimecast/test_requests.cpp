#include <hr_mimecast/parse/requests.hpp>
#include <hr_mimecast/parse/time.hpp>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

using namespace hr::mimecast;

TEST_CASE("requests: percent encoding", "[requests]") {
    CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(percent_encode("url protect") == "url%20protect");
    CHECK(percent_encode("a+b/c=d&e?f#g%") == "a%2Bb%2Fc%3Dd%26e%3Ff%23g%25");
    CHECK(percent_encode("\xc3\xa9") == "%C3%A9");
    CHECK(percent_encode(std::string("\0", 1)) == "%00");
}

TEST_CASE("requests: audit body", "[requests]") {
    const auto start = *parse_time_ns("2024-01-01T00:00:00Z");
    const auto end = *parse_time_ns("2024-01-02T00:00:00.750Z");
    CHECK(build_audit_request(start, end, 100) ==
          R"({"meta":{"pagination":{"pageSize":100}},"data":[{"startDateTime":"2024-01-01T00:00:00+0000","endDateTime":"2024-01-02T00:00:00+0000"}]})");
    const std::string with_token = build_audit_request(start, end, 500, "tok\"en\\/x");
    rapidjson::Document d;
    d.Parse(with_token.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["meta"]["pagination"]["pageToken"].GetString()) == "tok\"en\\/x");
    CHECK(d["meta"]["pagination"]["pageSize"].GetInt() == 500);
}

TEST_CASE("requests: batch and stream query strings", "[requests]") {
    const auto start = *parse_time_ns("2024-11-12T23:59:59Z");
    const auto end = *parse_time_ns("2024-11-13T00:00:00Z");
    CHECK(build_batch_query("delivery", start, end, 100) ==
          "type=delivery&dateRangeStartsAt=2024-11-12&dateRangeEndsAt=2024-11-13&pageSize=100");
    CHECK(build_batch_query("url protect", start, std::nullopt, 50, "ab+c/d==") ==
          "type=url%20protect&dateRangeStartsAt=2024-11-12&pageSize=50&nextPage=ab%2Bc%2Fd%3D%3D");
    CHECK(build_stream_query("receipt", *parse_time_ns("2024-11-13T10:00:00Z"), *parse_time_ns("2024-11-13T11:00:00Z"),
                             100) ==
          "types=receipt&dateRangeStartsAt=2024-11-13T10%3A00%3A00.000Z&dateRangeEndsAt=2024-11-13T11%3A00%3A00.000Z&pageSize=100");
    CHECK(build_stream_query("", std::nullopt, std::nullopt, 100, "tok=") == "pageSize=100&nextPage=tok%3D");
}

TEST_CASE("requests: token form", "[requests]") {
    CHECK(build_token_form("my-id", "s3cr3t") == "client_id=my-id&client_secret=s3cr3t&grant_type=client_credentials");
    CHECK(build_token_form("a b&c=d", "p+q/r;#%") ==
          "client_id=a%20b%26c%3Dd&client_secret=p%2Bq%2Fr%3B%23%25&grant_type=client_credentials");
}
