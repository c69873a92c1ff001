#include "fixtures.hpp"

#include <hr_mimecast/parse/envelope.hpp>
#include <hr_mimecast/parse/json_scan.hpp>
#include <hr_mimecast/parse/pages.hpp>
#include <hr_mimecast/parse/time.hpp>

#include <catch2/catch.hpp>

using namespace hr::mimecast;
using hr::test::fixture;

TEST_CASE("envelope: success and each error shape", "[envelope]") {
    CHECK(classify_response(200, R"({"meta":{"status":200},"data":[],"fail":[]})").ok());

    Envelope f = classify_response(200, fixture("audit_fail_200.json"));
    CHECK(f.kind == ResponseKind::fail_list);  // HTTP 200 with fail[] is still an error
    CHECK_FALSE(f.ok());
    REQUIRE(f.errors.size() == 2);
    CHECK(f.errors[0].code == "err_validation_invalid_date");
    CHECK(f.errors[0].message == "endDateTime is not a valid date");
    CHECK(f.errors[1].code == "err_validation_range");
    CHECK_FALSE(f.retryable);
    CHECK_FALSE(f.refresh_token);
    CHECK(f.summary().find("err_validation_range: range is inverted") != std::string::npos);

    Envelope a = classify_response(401, fixture("auth_fail_401.json"));
    CHECK(a.kind == ResponseKind::fail_list);
    REQUIRE(a.errors.size() == 1);
    CHECK(a.errors[0].code == "Auth Failure");
    CHECK(a.errors[0].message == "Invalid Token");
    CHECK(a.refresh_token);
    CHECK_FALSE(a.retryable);

    Envelope e = classify_response(400, fixture("siem_error_400.json"));
    CHECK(e.kind == ResponseKind::error_object);
    REQUIRE(e.errors.size() == 1);
    CHECK(e.errors[0].code == "Request Validation Failed");
    CHECK_FALSE(e.retryable);

    Envelope d = classify_response(429, fixture("throttled_429.json"));
    CHECK(d.kind == ResponseKind::detail);
    CHECK(d.errors.at(0).message == "Over throttling limit (10000/hour)");
    CHECK(d.rate_limited);
    CHECK(d.retryable);

    Envelope b = classify_response(429, R"({"fail":[{"errors":[{"code":"rate","message":"slow down"}]}]})");
    CHECK(b.kind == ResponseKind::fail_list);
    CHECK(b.rate_limited);
}

TEST_CASE("envelope: empty, non-JSON and odd bodies", "[envelope]") {
    Envelope e = classify_response(400, "");
    CHECK(e.kind == ResponseKind::empty_body);
    CHECK_FALSE(e.retryable);
    CHECK(classify_response(200, "  \r\n").kind == ResponseKind::empty_body);

    Envelope h = classify_response(502, "<html><body>Bad Gateway</body></html>");
    CHECK(h.kind == ResponseKind::not_json);
    CHECK(h.retryable);
    CHECK(h.errors.at(0).message.find("Bad Gateway") != std::string::npos);

    Envelope s3 = classify_response(403, "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
    CHECK(s3.kind == ResponseKind::not_json);
    CHECK_FALSE(s3.retryable);

    CHECK(classify_response(200, "not json").kind == ResponseKind::not_json);
    CHECK(classify_response(500, "{}").kind == ResponseKind::http_error);
    CHECK(classify_response(500, "{}").retryable);
    CHECK(classify_response(503, "[1]").kind == ResponseKind::http_error);
    CHECK(classify_response(408, "").retryable);

    // Flags taken from the body.
    CHECK(classify_response(200, R"({"fail":[{"errors":[{"code":"x","message":"y","retryable":true}]}]})").retryable);
    CHECK(classify_response(200, R"({"fail":[{"code":"token_expired","message":"expired"}]})").refresh_token);
    Envelope str = classify_response(400, R"({"error":"plain text","fail":[]})");
    CHECK(str.kind == ResponseKind::error_object);
    CHECK(str.errors.at(0).message == "plain text");
    Envelope odd = classify_response(400, R"({"fail":[{"key":{"a":1}}]})");
    CHECK(odd.errors.at(0).message == R"({"key":{"a":1}})");

    // Remote text never breaks a log line.
    Envelope ctl = classify_response(500, "line1\nline2\x01");
    CHECK(ctl.summary().find('\n') == std::string::npos);
    CHECK(classify_response(500, std::string(5000, 'x')).summary().size() < 1100);
}

TEST_CASE("json scan: exact spans of values", "[json]") {
    const std::string doc = R"( { "a" : "x\"}" , "data" : [ {"k":"]"} ,  [1,2] , 3.5e2, "s", true, null ] } )";
    auto spans = json::top_level_array(doc, "data");
    REQUIRE(spans);
    REQUIRE(spans->size() == 6);
    CHECK((*spans)[0] == R"({"k":"]"})");
    CHECK((*spans)[1] == "[1,2]");
    CHECK((*spans)[2] == "3.5e2");
    CHECK((*spans)[3] == "\"s\"");
    CHECK((*spans)[4] == "true");
    CHECK((*spans)[5] == "null");
    CHECK(json::top_level_array(doc, "a") == std::nullopt);  // not an array
    CHECK(json::top_level_array(doc, "missing") == std::nullopt);
    CHECK(json::top_level_array("[1]", "data") == std::nullopt);
    CHECK(json::top_level_array(R"({"d\u0061ta":[7]})", "data")->at(0) == "7");  // escaped key
    CHECK(json::top_level_array(R"({"data":[]})", "data")->empty());
    CHECK(json::top_level_array(R"({"data":[1,2})", "data") == std::nullopt);  // truncated
}

TEST_CASE("audit page: exact record bytes, ids, times, next token", "[audit]") {
    const std::string body = fixture("audit_page_first.json");
    AuditPageResult r = parse_audit_page(200, body);
    REQUIRE(r.ok());
    const AuditPage& p = r.page;
    REQUIRE(p.records.size() == 3);
    for (const auto& rec : p.records) {
        // Views into the body, byte for byte.
        CHECK(rec.raw.data() >= body.data());
        CHECK(rec.raw.data() + rec.raw.size() <= body.data() + body.size());
        CHECK(rec.raw.front() == '{');
        CHECK(rec.raw.back() == '}');
    }
    const std::string_view head = R"({"id":"eNqrVkouLS7Jz00tSs5ILUpVsgJRxiYGBkY6Sgmp-1","auditType")";
    CHECK(p.records[0].raw.substr(0, head.size()) == head);
    // The pretty-printed record keeps its own whitespace and escapes.
    const auto second_at = body.find("{\n      \"id\": \"eNqrVkouLS7Jz00tSs5ILUpVsgJRxiYGBkY6Sgmp-2\"");
    REQUIRE(second_at != std::string::npos);
    const auto second_end = body.find("\"meta\": null}\n    }", second_at);
    REQUIRE(second_end != std::string::npos);
    CHECK(p.records[1].raw == std::string_view(body).substr(second_at, second_end + 19 - second_at));
    CHECK(p.records[1].raw.find(R"(\"] } { [ \\\" data\")") != std::string_view::npos);

    CHECK(p.records[0].id == "eNqrVkouLS7Jz00tSs5ILUpVsgJRxiYGBkY6Sgmp-1");
    CHECK(p.records[2].id == "eNqrVkouLS7Jz00tSs5ILUpVsgJRxiYGBkY6Sgmp-3");
    CHECK(p.records[0].event_time_ns == parse_time_ns("2025-01-01T10:00:00Z"));
    CHECK(p.records[1].event_time_ns == parse_time_ns("2025-01-01T09:59:30Z"));
    CHECK(p.records[2].event_time_ns == parse_time_ns("2025-01-01T09:30:00Z"));
    // Newest first: the high-water mark is the max, not the last record.
    CHECK(p.newest_event_ns == p.records[0].event_time_ns);
    CHECK(p.oldest_event_ns == p.records[2].event_time_ns);
    CHECK(p.next_token == "eNpVjk0LgkAQhv/K4l0oQ-next");
    CHECK_FALSE(p.last_page());
}

TEST_CASE("audit page: last page, missing fields, empty", "[audit]") {
    const std::string body = fixture("audit_page_last.json");
    AuditPageResult r = parse_audit_page(200, body);
    REQUIRE(r.ok());
    REQUIRE(r.page.records.size() == 2);
    CHECK(r.page.last_page());
    CHECK(r.page.records[1].id.empty());
    CHECK_FALSE(r.page.records[1].event_time_ns.has_value());
    CHECK(r.page.newest_event_ns == r.page.records[0].event_time_ns);

    AuditPageResult e = parse_audit_page(200, fixture("audit_empty.json"));
    REQUIRE(e.ok());
    CHECK(e.page.records.empty());
    CHECK(e.page.last_page());
    CHECK_FALSE(e.page.newest_event_ns.has_value());
}

TEST_CASE("audit page: errors", "[audit]") {
    AuditPageResult f = parse_audit_page(200, fixture("audit_fail_200.json"));
    CHECK_FALSE(f.ok());
    CHECK(f.envelope.kind == ResponseKind::fail_list);
    CHECK(f.page.records.empty());

    CHECK(parse_audit_page(401, fixture("auth_fail_401.json")).envelope.refresh_token);
    CHECK(parse_audit_page(200, R"({"meta":{}})").envelope.kind == ResponseKind::bad_shape);
    CHECK(parse_audit_page(200, R"({"data":{}})").envelope.kind == ResponseKind::bad_shape);
    CHECK(parse_audit_page(200, R"({"data":[1]})").envelope.kind == ResponseKind::bad_shape);
    CHECK(parse_audit_page(200, R"([{"id":"x"}])").envelope.kind == ResponseKind::bad_shape);
    CHECK(parse_audit_page(200, R"({"data":[{"id":"x"}]  )").envelope.kind == ResponseKind::not_json);
    CHECK(parse_audit_page(502, "").envelope.kind == ResponseKind::empty_body);
}

TEST_CASE("batch listing", "[batch]") {
    BatchListingResult r = parse_batch_listing(200, fixture("batch_listing.json"));
    REQUIRE(r.ok());
    const auto& l = r.listing;
    REQUIRE(l.files.size() == 2);
    CHECK(l.files[0].url.find("part-0001.gz?X-Amz-Algorithm") != std::string::npos);
    CHECK(l.files[0].expiry_ns == parse_time_ns("2024-11-13T10:15:00Z"));
    CHECK(l.files[0].size == 2314);
    CHECK(l.files[1].expiry_ns == *parse_time_ns("2024-11-13T10:15:00Z") + 500'000'000);
    CHECK(l.files[1].size == 1048576);
    CHECK(l.next_page == "eyJvZmZzZXQiOjQyfQ==");
    CHECK_FALSE(l.caught_up);

    BatchListingResult c = parse_batch_listing(200, fixture("batch_caught_up.json"));
    REQUIRE(c.ok());
    CHECK(c.listing.files.empty());
    CHECK(c.listing.caught_up);
    CHECK(c.listing.next_page == "eyJvZmZzZXQiOjQzfQ==");  // keep the cursor when caught up

    BatchListingResult e = parse_batch_listing(400, fixture("siem_error_400.json"));
    CHECK(e.envelope.kind == ResponseKind::error_object);
    CHECK(e.listing.files.empty());
    CHECK(parse_batch_listing(429, fixture("throttled_429.json")).envelope.rate_limited);
    CHECK(parse_batch_listing(200, R"({"value":[{"expiry":"2024-11-13T10:15:00Z"}]})").envelope.kind ==
          ResponseKind::bad_shape);
    CHECK(parse_batch_listing(200, R"({"isCaughtUp":true})").envelope.kind == ResponseKind::bad_shape);
    BatchListingResult odd = parse_batch_listing(200, R"({"value":[{"url":"u","expiry":"soon","size":"big"}]})");
    REQUIRE(odd.ok());
    CHECK_FALSE(odd.listing.files[0].expiry_ns.has_value());
    CHECK_FALSE(odd.listing.files[0].size.has_value());
}

TEST_CASE("stream page", "[stream]") {
    const std::string body = fixture("stream_page.json");
    StreamPageResult r = parse_stream_page(200, body);
    REQUIRE(r.ok());
    REQUIRE(r.page.events.size() == 2);
    CHECK(r.page.events[0].find("\"subject\":\"hi [there] {x}\"") != std::string_view::npos);
    CHECK(r.page.events[1] ==
          R"({"_offset":72921,"_partition":60,"accountId":"CTEST0001","timestamp":1731621866000,"type":"process","subtype":null})");
    CHECK(r.page.next_page == "c3RyZWFtLWN1cnNvcg==");
    CHECK_FALSE(r.page.caught_up);
}

TEST_CASE("token response", "[token]") {
    TokenResult r = parse_token_response(200, fixture("token_ok.json"));
    REQUIRE(r.ok());
    CHECK(r.grant.access_token == "opaque-token-value");
    CHECK(r.grant.token_type == "Bearer");
    CHECK(r.grant.expires_in_s == 1800);
    CHECK(parse_token_response(200, R"({"access_token":"t","expires_in":"60"})").grant.expires_in_s == 60);
    CHECK_FALSE(parse_token_response(200, R"({"access_token":"t"})").grant.expires_in_s.has_value());

    CHECK(parse_token_response(400, "").envelope.kind == ResponseKind::empty_body);  // bad secret, bare 400
    CHECK(parse_token_response(401, fixture("auth_fail_401.json")).envelope.kind == ResponseKind::fail_list);
    CHECK(parse_token_response(200, R"({"token_type":"Bearer"})").envelope.kind == ResponseKind::bad_shape);
}
