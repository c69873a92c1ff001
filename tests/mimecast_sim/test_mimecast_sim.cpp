// Integration tests: each case starts the real mimecast-sim on an OS-chosen port and checks
// one endpoint or fault over loopback HTTP.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "harness.hpp"

using namespace simtest;
using Json = rapidjson::Document;

namespace {

constexpr int64_t kMin = 60 * 1000, kHour = 60 * kMin, kDay = 24 * kHour;

Json parse(const std::string& s) {
  Json d;
  d.Parse(s.c_str());
  INFO("body: " << s.substr(0, 400));
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

void sleep_ms(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string get_token(Http& h, const SimProcess& s, const std::string& id = "sim-client",
                      const std::string& secret = "sim-secret") {
  auto r = h.post(s.base() + "/oauth/token",
                  "client_id=" + escape(id) + "&client_secret=" + escape(secret) + "&grant_type=client_credentials",
                  "application/x-www-form-urlencoded");
  INFO(r.body);
  REQUIRE(r.status == 200);
  Json d = parse(r.body);
  return d["access_token"].GetString();
}

std::string bearer(const std::string& tok) { return "Authorization: Bearer " + tok; }

// key -> ts_ms from /__sim/expected
std::map<std::string, int64_t> expected(Http& h, const SimProcess& s, const std::string& api, int64_t from,
                                        int64_t to) {
  auto r = h.get(s.base() + "/__sim/expected?api=" + api + "&from_ms=" + std::to_string(from) +
                 "&to_ms=" + std::to_string(to));
  REQUIRE(r.status == 200);
  std::map<std::string, int64_t> out;
  for (const auto& line : split_lines(r.body)) {
    Json d = parse(line);
    auto [it, fresh] = out.emplace(d["key"].GetString(), d["ts_ms"].GetInt64());
    REQUIRE(fresh);
  }
  return out;
}

Response audit_page(Http& h, const SimProcess& s, const std::string& tok, const std::string& start,
                    const std::string& end, int page_size, const std::string& page_token = "") {
  std::string body = R"({"meta":{"pagination":{"pageSize":)" + std::to_string(page_size);
  if (!page_token.empty()) body += R"(,"pageToken":")" + page_token + "\"";
  body += R"(}},"data":[{"startDateTime":")" + start + R"(","endDateTime":")" + end + R"("}]})";
  return h.post(s.base() + "/api/audit/get-audit-events", body, "application/json", {bearer(tok)});
}

struct FileRef {
  std::string url, path;
  int64_t size = 0, bucket_start_ms = 0;
  std::string expiry;
};

FileRef file_ref(const rapidjson::Value& v) {
  FileRef f;
  f.url = v["url"].GetString();
  f.size = v["size"].GetInt64();
  f.expiry = v["expiry"].GetString();
  size_t p = f.url.find("/files/");
  f.path = f.url.substr(p, f.url.find('?') - p);
  // /files/<slug>/<bucket start seconds>-<k>.ndjson.gz
  std::string name = f.path.substr(f.path.rfind('/') + 1);
  f.bucket_start_ms = std::stoll(name.substr(0, name.find('-'))) * 1000;
  return f;
}

std::string batch_url(const SimProcess& s, const std::string& type, const std::string& start, int page_size,
                      const std::string& next = "") {
  std::string u = s.base() + "/siem/v1/batch/events/cg?type=" + escape(type) + "&pageSize=" + std::to_string(page_size);
  if (!start.empty()) u += "&dateRangeStartsAt=" + start;
  if (!next.empty()) u += "&nextPage=" + escape(next);
  return u;
}

struct Listing {
  std::vector<FileRef> files;
  std::string next;
  int pages = 0;
};

// Follows @nextPage until isCaughtUp.
Listing list_all(Http& h, const SimProcess& s, const std::string& tok, const std::string& type,
                 const std::string& start, int page_size, std::string next = "") {
  Listing out;
  for (;;) {
    auto r = h.get(batch_url(s, type, next.empty() ? start : "", page_size, next), {bearer(tok)});
    INFO(r.body.substr(0, 300));
    REQUIRE(r.status == 200);
    Json d = parse(r.body);
    REQUIRE(d.HasMember("@nextPage"));
    REQUIRE(d["value"].Size() <= unsigned(page_size));
    for (const auto& v : d["value"].GetArray()) out.files.push_back(file_ref(v));
    next = d["@nextPage"].GetString();
    REQUIRE_FALSE(next.empty());
    ++out.pages;
    if (d["isCaughtUp"].GetBool()) break;
    REQUIRE(d["value"].Size() == unsigned(page_size));  // not caught up means a full page
    REQUIRE(out.pages < 1000);
  }
  out.next = next;
  return out;
}

struct Downloaded {
  std::string raw;
  std::vector<std::string> lines;
  bool complete = false;
};

Downloaded download(Http& h, const std::string& url) {
  auto r = h.get(url);
  INFO(url);
  REQUIRE(r.code == CURLE_OK);
  REQUIRE(r.status == 200);
  REQUIRE(r.header("content-type") == "application/octet-stream");
  REQUIRE(r.header("content-encoding").empty());
  Downloaded d;
  d.raw = r.body;
  std::string text = gunzip(r.body, d.complete);
  if (d.complete) d.lines = split_lines(text);
  return d;
}

std::vector<std::string> log_lines(const std::string& path) { return split_lines(read_file(path)); }

}  // namespace

// --------------------------------------------------------------------------- process

TEST_CASE("mimecast-sim: --help, bad flags, startup line, SIGTERM writes the summary", "[mimecast_sim]") {
  std::string out;
  CHECK(run_sim({"--help"}, out) == 0);
  CHECK(out.find("--fault SPEC") != std::string::npos);
  CHECK(run_sim({"--rate", "nosuchtype=5"}, out) == 2);
  CHECK(run_sim({"--fault", "explode"}, out) == 2);
  CHECK(run_sim({"--bogus", "1"}, out) == 2);

  std::string summary = temp_file("summary.json");
  SimProcess s({"--summary", summary});
  CHECK(s.port() > 0);
  Http h;
  get_token(h, s);
  auto live = parse(h.get(s.base() + "/__sim/summary").body);
  CHECK(live["requests"]["by_endpoint"]["/oauth/token"].GetInt() == 1);
  CHECK(s.stop(SIGTERM) == 0);
  Json d = parse(read_file(summary));
  CHECK(d["requests"]["total"].GetInt() == 1);
  CHECK(d["requests"]["by_status"]["200"].GetInt() == 1);
  CHECK(d.HasMember("events_served"));
  CHECK(d["events_served"].HasMember("mta-internal"));
  CHECK(d.HasMember("faults_fired"));
  std::remove(summary.c_str());
  SimProcess i({});
  CHECK(i.stop(SIGINT) == 0);
}

TEST_CASE("mimecast-sim: keep-alive reuses the connection", "[mimecast_sim]") {
  SimProcess s({});
  Http h;
  auto a = h.get(s.base() + "/__sim/summary");
  auto b = h.get(s.base() + "/__sim/summary");
  CHECK(a.new_connections == 1);
  CHECK(b.new_connections == 0);
  // A client that waits for "100 Continue" before sending its body is answered too.
  auto c = h.post(s.base() + "/oauth/token", "client_id=sim-client&client_secret=sim-secret&grant_type=client_credentials",
                  "application/x-www-form-urlencoded", {"Expect: 100-continue"});
  CHECK(c.status == 200);
  CHECK(c.seconds < 5);  // the harness makes curl wait 10 s for "100 Continue" before sending anyway
}

// --------------------------------------------------------------------------- oauth

TEST_CASE("mimecast-sim: OAuth token issue, bad credentials, expiry", "[mimecast_sim]") {
  SimProcess s({"--token-ttl", "2", "--client", "a:alpha", "--client", "b:beta"});
  Http h;
  auto ok = h.post(s.base() + "/oauth/token", "client_id=a&client_secret=alpha&grant_type=client_credentials",
                   "application/x-www-form-urlencoded");
  REQUIRE(ok.status == 200);
  Json d = parse(ok.body);
  CHECK(std::string(d["token_type"].GetString()) == "Bearer");
  CHECK(d["expires_in"].GetInt() == 2);
  std::string tok = d["access_token"].GetString();
  CHECK(tok.size() >= 16);

  auto bad = h.post(s.base() + "/oauth/token", "client_id=a&client_secret=beta&grant_type=client_credentials",
                    "application/x-www-form-urlencoded");
  CHECK(bad.status == 400);
  Json bd = parse(bad.body);
  CHECK(std::string(bd["fail"][0]["code"].GetString()) == "invalid_client");
  CHECK(std::string(bd["fail"][0]["message"].GetString()) == "Invalid client credentials");
  auto grant = h.post(s.base() + "/oauth/token", "client_id=a&client_secret=alpha&grant_type=password",
                      "application/x-www-form-urlencoded");
  CHECK(grant.status == 400);

  std::string url = batch_url(s, "delivery", day(now_ms()), 1);
  CHECK(h.get(url, {bearer(tok)}).status == 200);
  for (const std::vector<std::string>& hdr :
       {std::vector<std::string>{}, {bearer("not-a-token")}, {"Authorization: Basic abc"}}) {
    auto r = h.get(url, hdr);
    CHECK(r.status == 401);
    Json e = parse(r.body);
    CHECK(std::string(e["fail"][0]["code"].GetString()) == "Auth Failure");
    CHECK(std::string(e["fail"][0]["message"].GetString()) == "Invalid Token");
  }
  sleep_ms(2100);
  auto expired = h.get(url, {bearer(tok)});
  CHECK(expired.status == 401);
  CHECK(h.get(url, {bearer(get_token(h, s, "b", "beta"))}).status == 200);
}

// --------------------------------------------------------------------------- audit

TEST_CASE("mimecast-sim: audit pages are newest first and together equal /__sim/expected", "[mimecast_sim]") {
  SimProcess s({"--rate", "audit=1200", "--backlog-hours", "3", "--seed", "7"});
  Http h;
  std::string tok = get_token(h, s);
  int64_t now = now_ms();
  int64_t start = (now - 2 * kHour) / 1000 * 1000, end = (now - kMin) / 1000 * 1000;

  std::vector<std::pair<std::string, int64_t>> got;
  std::string next;
  int pages = 0;
  for (;;) {
    auto r = audit_page(h, s, tok, audit_time(start), audit_time(end), 100, next);
    REQUIRE(r.status == 200);
    Json d = parse(r.body);
    CHECK(d["meta"]["status"].GetInt() == 200);
    CHECK(d["meta"]["pagination"]["pageSize"].GetInt() == 100);
    REQUIRE(d["fail"].IsArray());
    CHECK(d["fail"].Empty());
    for (const auto& e : d["data"].GetArray()) {
      for (const char* f : {"id", "auditType", "user", "eventTime", "eventInfo", "category"}) REQUIRE(e.HasMember(f));
      std::string id = e["id"].GetString();
      REQUIRE(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
              std::string::npos);
      auto ts = parse_audit_time(e["eventTime"].GetString());
      REQUIRE(ts);
      got.emplace_back(id, *ts);
    }
    ++pages;
    bool has_next = d["meta"]["pagination"].HasMember("next");
    if (!has_next) break;
    CHECK(d["data"].Size() == 100);
    next = d["meta"]["pagination"]["next"].GetString();
    REQUIRE(pages < 200);
  }
  CHECK(pages > 5);
  bool shared_second = false;
  for (size_t i = 1; i < got.size(); ++i) {
    REQUIRE(got[i].second <= got[i - 1].second);  // newest first, across pages too
    shared_second = shared_second || got[i].second == got[i - 1].second;
  }
  CHECK(shared_second);
  std::map<std::string, int64_t> mine(got.begin(), got.end());
  CHECK(mine.size() == got.size());  // no duplicates
  auto want = expected(h, s, "audit", start, end);
  CHECK(want.size() > 1000);
  CHECK(mine == want);
}

TEST_CASE("mimecast-sim: audit date forms, validation and page size cap", "[mimecast_sim]") {
  SimProcess s({"--rate", "audit=600", "--backlog-hours", "2"});
  Http h;
  std::string tok = get_token(h, s);
  int64_t now = now_ms() / 1000 * 1000;
  std::string a = audit_time(now - kHour), b = audit_time(now - kMin);
  auto base = audit_page(h, s, tok, a, b, 50);
  REQUIRE(base.status == 200);
  std::string z = iso_ms(now - kHour), colon = a.substr(0, 19) + "+00:00";
  auto first = parse(base.body);
  for (const auto& start : {z, colon}) {
    auto r = audit_page(h, s, tok, start, b, 50);
    REQUIRE(r.status == 200);
    CHECK(parse(r.body)["data"] == first["data"]);
  }
  auto capped = audit_page(h, s, tok, a, b, 1000);
  CHECK(parse(capped.body)["meta"]["pagination"]["pageSize"].GetInt() == 500);

  for (const auto& [start, end] : {std::pair<std::string, std::string>{"yesterday", b}, {a, "2024-13-01T00:00:00+0000"}}) {
    auto r = audit_page(h, s, tok, start, end, 10);
    CHECK(r.status == 400);
    Json d = parse(r.body);
    CHECK(d["meta"]["status"].GetInt() == 400);
    CHECK(std::string(d["fail"][0]["errors"][0]["code"].GetString()).rfind("err_validation", 0) == 0);
  }
  auto missing = h.post(s.base() + "/api/audit/get-audit-events", R"({"data":[{"startDateTime":")" + a + "\"}]}",
                        "application/json", {bearer(tok)});
  CHECK(missing.status == 400);
  CHECK(parse(missing.body)["fail"][0]["errors"][0]["code"].IsString());
  auto junk = audit_page(h, s, tok, a, b, 10, "bm90IGEgdG9rZW4=");
  CHECK(junk.status == 400);
}

// --------------------------------------------------------------------------- batch

TEST_CASE("mimecast-sim: batch listing + download equals /__sim/expected; files are stable", "[mimecast_sim]") {
  std::vector<std::string> args{"--bucket-seconds", "300", "--publish-lag-seconds", "60", "--backlog-hours", "3",
                                "--rate", "all=0", "--rate", "delivery=240", "--files-per-bucket", "2",
                                "--seed", "42"};
  SimProcess s(args);
  Http h;
  std::string tok = get_token(h, s);
  std::string start = day(now_ms() - 3 * kHour);
  Listing l = list_all(h, s, tok, "delivery", start, 7);
  REQUIRE(l.files.size() > 40);
  CHECK(l.pages > 5);

  std::set<std::string> paths;
  std::map<std::string, int64_t> got;
  int64_t last_end = 0;
  for (const auto& f : l.files) {
    REQUIRE(paths.insert(f.path).second);  // never listed twice
    Downloaded d = download(h, f.url);
    REQUIRE(d.complete);
    CHECK(int64_t(d.raw.size()) == f.size);
    REQUIRE_FALSE(d.lines.empty());
    for (const auto& line : d.lines) {
      Json e = parse(line);
      CHECK(std::string(e["type"].GetString()) == "delivery");
      int64_t ts = e["timestamp"].GetInt64();
      CHECK(ts >= f.bucket_start_ms);
      CHECK(ts < f.bucket_start_ms + 300000);
      REQUIRE(got.emplace(e["processingId"].GetString(), ts).second);
    }
    last_end = std::max(last_end, f.bucket_start_ms + 300000);
  }
  CHECK(expected(h, s, "mta-delivery", 0, last_end) == got);

  // Byte-identical on a second download and after a restart with the same seed.
  Downloaded again = download(h, l.files[3].url);
  CHECK(again.raw == download(h, l.files[3].url).raw);
  SimProcess s2(args);
  std::string tok2 = get_token(h, s2);
  auto r = h.get(batch_url(s2, "delivery", start, 10), {bearer(tok2)});
  Json d2 = parse(r.body);
  bool found = false;  // looked up by path: the second instance may start a bucket later
  for (const auto& v : d2["value"].GetArray()) {
    FileRef f2 = file_ref(v);
    if (f2.path != l.files[3].path) continue;
    found = true;
    CHECK(download(h, f2.url).raw == again.raw);
  }
  CHECK(found);
}

TEST_CASE("mimecast-sim: @nextPage is kept when caught up and yields files published later", "[mimecast_sim]") {
  SimProcess s({"--bucket-seconds", "1", "--publish-lag-seconds", "0", "--backlog-hours", "0.01", "--rate",
                "delivery=36000"});
  Http h;
  std::string tok = get_token(h, s);
  Listing first = list_all(h, s, tok, "delivery", day(now_ms() - 60000), 100);
  REQUIRE_FALSE(first.files.empty());
  int64_t newest = 0;
  for (const auto& f : first.files) newest = std::max(newest, f.bucket_start_ms);
  sleep_ms(2200);
  auto r = h.get(batch_url(s, "delivery", "", 100, first.next), {bearer(tok)});
  REQUIRE(r.status == 200);
  Json d = parse(r.body);
  REQUIRE(d["value"].Size() >= 1);
  for (const auto& v : d["value"].GetArray()) CHECK(file_ref(v).bucket_start_ms > newest);
  CHECK(d["@nextPage"].IsString());
}

TEST_CASE("mimecast-sim: batch validation and the 7-day retention", "[mimecast_sim]") {
  SimProcess s({"--backlog-hours", "200", "--rate", "all=60"});
  Http h;
  std::string tok = get_token(h, s);
  int64_t now = now_ms();
  auto expect_400 = [&](const std::string& url, const std::string& msg_part) {
    auto r = h.get(url, {bearer(tok)});
    INFO(url << " -> " << r.body);
    CHECK(r.status == 400);
    Json d = parse(r.body);
    CHECK(std::string(d["error"]["code"].GetString()) == "Request Validation Failed");
    CHECK(std::string(d["error"]["message"].GetString()).find(msg_part) != std::string::npos);
  };
  expect_400(batch_url(s, "delivery", day(now - 8 * kDay), 10), "7-day retention");
  expect_400(batch_url(s, "delivery", "2024-13-45", 10), "Invalid date");
  expect_400(batch_url(s, "delivery", "2024/01/01", 10), "Invalid date");
  expect_400(batch_url(s, "deliveries", day(now), 10), "Invalid type");
  expect_400(batch_url(s, "delivery", day(now), 101), "pageSize");
  expect_400(batch_url(s, "delivery", "", 10, "Z2FyYmFnZQ=="), "nextPage");

  // The oldest day is accepted, but files before now-7d are no longer listed.
  auto r = h.get(batch_url(s, "delivery", day(now - 7 * kDay), 5), {bearer(tok)});
  REQUIRE(r.status == 200);
  Json d = parse(r.body);
  REQUIRE(d["value"].Size() == 5);
  FileRef oldest = file_ref(d["value"][0]);
  CHECK(oldest.bucket_start_ms >= now - 7 * kDay);
  CHECK(oldest.bucket_start_ms < now - 7 * kDay + 900000 + 60000);

  // "internal email protect" with %20 and with +.
  for (std::string enc : {"internal%20email%20protect", "internal+email+protect"}) {
    auto t = h.get(s.base() + "/siem/v1/batch/events/cg?type=" + enc + "&dateRangeStartsAt=" + day(now) + "&pageSize=1",
                   {bearer(tok)});
    CHECK(t.status == 200);
  }
}

TEST_CASE("mimecast-sim: a cursor that fell out of retention resumes at the oldest retained file", "[mimecast_sim]") {
  // Same seed, so the second instance (one hour later) accepts the first one's cursor.
  SimProcess early({"--backlog-hours", "200", "--seed", "3"});
  SimProcess late({"--backlog-hours", "200", "--seed", "3", "--now-offset-seconds", "7200"});
  Http h;
  int64_t now = now_ms();
  auto r = h.get(batch_url(early, "spam", day(now - 7 * kDay), 1), {bearer(get_token(h, early))});
  Json d = parse(r.body);
  int64_t first_early = file_ref(d["value"][0]).bucket_start_ms;
  std::string cursor = d["@nextPage"].GetString();
  auto r2 = h.get(batch_url(late, "spam", "", 1, cursor), {bearer(get_token(h, late))});
  REQUIRE(r2.status == 200);
  Json d2 = parse(r2.body);
  int64_t first_late = file_ref(d2["value"][0]).bucket_start_ms;
  CHECK(first_late >= now + 7200 * 1000 - 7 * kDay);
  CHECK(first_late > first_early + kHour);
}

TEST_CASE("mimecast-sim: pre-signed URLs expire with 403 and a fresh listing renews them", "[mimecast_sim]") {
  SimProcess s({"--url-ttl-seconds", "3", "--backlog-hours", "2"});
  Http h;
  std::string tok = get_token(h, s);
  std::string list = batch_url(s, "receipt", day(now_ms() - 2 * kHour), 3);
  Json d = parse(h.get(list, {bearer(tok)}).body);
  FileRef f = file_ref(d["value"][0]);
  CHECK(f.expiry.size() == 24);
  CHECK(f.expiry.back() == 'Z');
  CHECK(f.url.find("X-Amz-Expires=3&") != std::string::npos);
  CHECK(download(h, f.url).complete);  // no Authorization needed

  auto tampered = h.get(f.url.substr(0, f.url.size() - 4) + "0000");
  CHECK(tampered.status == 403);
  CHECK(tampered.body.find("SignatureDoesNotMatch") != std::string::npos);

  sleep_ms(3100);
  auto gone = h.get(f.url);
  CHECK(gone.status == 403);
  CHECK(gone.body ==
        R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>)");
  Json again = parse(h.get(list, {bearer(tok)}).body);
  FileRef fresh = file_ref(again["value"][0]);
  CHECK(fresh.path == f.path);
  CHECK(download(h, fresh.url).complete);
}

TEST_CASE("mimecast-sim: every MTA type carries its fields and a unique processingId", "[mimecast_sim]") {
  SimProcess s({"--backlog-hours", "1", "--bucket-seconds", "600", "--publish-lag-seconds", "0"});
  Http h;
  std::string tok = get_token(h, s);
  const std::map<std::string, std::vector<const char*>> fields{
      {"receipt", {"action", "senderIp", "spamScore", "recipients", "tlsVersion"}},
      {"process", {"action", "holdReason", "emailSize"}},
      {"delivery", {"delivered", "deliveryAttempts", "route", "tlsUsed"}},
      {"av", {"fileName", "sha256", "senderIp"}},
      {"spam", {"senderDomain", "senderHeader"}},
      {"journal", {"direction", "senderEnvelope"}},
      {"internal email protect", {"scanResults", "urlCategory"}},
      {"impersonation protect", {"policyDefinition", "taggedMalicious"}},
      {"url protect", {"url", "blockReason"}},
      {"attachment protect", {"md5", "sha1", "fileExtension"}},
  };
  std::set<std::string> ids;
  for (const auto& [type, extra] : fields) {
    Json d = parse(h.get(batch_url(s, type, day(now_ms() - kHour), 2), {bearer(tok)}).body);
    REQUIRE(d["value"].Size() >= 1);
    Downloaded f = download(h, d["value"][0]["url"].GetString());
    REQUIRE(f.complete);
    for (const auto& line : f.lines) {
      Json e = parse(line);
      INFO(type << ": " << line);
      CHECK(std::string(e["type"].GetString()) == type);
      CHECK(e["timestamp"].IsInt64());
      CHECK(e["_offset"].IsInt64());
      CHECK(e["_partition"].IsInt());
      CHECK(e.HasMember("subtype"));
      CHECK(std::string(e["accountId"].GetString()) == "CUSB4A274");
      std::string agg = e["aggregateId"].GetString(), pid = e["processingId"].GetString();
      CHECK(agg.size() == 22 + pid.size() - 43);  // 22/43 base64url chars, then the same _<seconds>
      CHECK(agg.substr(agg.rfind('_')) == pid.substr(pid.rfind('_')));
      for (const char* field : extra) CHECK(e.HasMember(field));
      CHECK(ids.insert(e["processingId"].GetString()).second);
    }
  }
}

// --------------------------------------------------------------------------- stream

TEST_CASE("mimecast-sim: stream endpoint pages, 24 h rule and /__sim/expected", "[mimecast_sim]") {
  SimProcess s({"--bucket-seconds", "60", "--publish-lag-seconds", "0", "--backlog-hours", "30", "--rate", "all=0",
                "--rate", "delivery=36000", "--rate", "receipt=7200"});
  Http h;
  std::string tok = get_token(h, s);
  int64_t now = now_ms();
  auto bad = h.get(s.base() + "/siem/v1/events/cg?types=delivery&dateRangeStartsAt=" + iso_ms(now - 25 * kHour) +
                       "&pageSize=10",
                   {bearer(tok)});
  CHECK(bad.status == 400);
  CHECK(std::string(parse(bad.body)["error"]["message"].GetString()).find("24 hours") != std::string::npos);
  auto malformed = h.get(s.base() + "/siem/v1/events/cg?dateRangeStartsAt=yesterday", {bearer(tok)});
  CHECK(malformed.status == 400);

  int64_t start = now - 5 * kMin;
  std::string url = s.base() + "/siem/v1/events/cg?types=delivery,receipt&dateRangeStartsAt=" + iso_ms(start) +
                    "&pageSize=400";
  std::map<std::string, int64_t> got;
  int64_t last_ts = 0, before_last = 0;
  std::string next;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 100);
    before_last = now_ms();
    auto r = h.get(next.empty() ? url : s.base() + "/siem/v1/events/cg?pageSize=400&nextPage=" + escape(next),
                   {bearer(tok)});
    REQUIRE(r.status == 200);
    Json d = parse(r.body);
    CHECK(d["pageSize"].GetInt() == 400);
    CHECK(std::string(d["@nextLink"].GetString()).find("nextPage=") != std::string::npos);
    for (const auto& e : d["value"].GetArray()) {
      int64_t ts = e["timestamp"].GetInt64();
      CHECK(ts >= start);
      CHECK(ts >= last_ts);  // merged in time order
      last_ts = ts;
      std::string type = e["type"].GetString();
      CHECK((type == "delivery" || type == "receipt"));
      REQUIRE(got.emplace(e["processingId"].GetString(), ts).second);
    }
    next = d["@nextPage"].GetString();
    if (d["isCaughtUp"].GetBool()) break;
  }
  int64_t cut = before_last / 60000 * 60000;  // every bucket before this is complete and published
  auto want = expected(h, s, "mta-delivery", start, cut);
  for (const auto& kv : expected(h, s, "mta-receipt", start, cut)) want.insert(kv);
  std::map<std::string, int64_t> got_before;
  for (const auto& kv : got)
    if (kv.second < cut) got_before.insert(kv);
  CHECK(want.size() > 1000);
  CHECK(got_before == want);

  sleep_ms(1000);  // the kept cursor yields events that happened since
  auto later = h.get(s.base() + "/siem/v1/events/cg?nextPage=" + escape(next), {bearer(tok)});
  Json ld = parse(later.body);
  REQUIRE(ld["value"].Size() >= 1);
  for (const auto& e : ld["value"].GetArray()) CHECK(got.count(e["processingId"].GetString()) == 0);
}

// --------------------------------------------------------------------------- rate limit

TEST_CASE("mimecast-sim: rate limit headers, 429, files not counted, per client", "[mimecast_sim]") {
  SimProcess s({"--rate-limit", "3", "--rate-window-ms", "3000", "--client", "a:alpha", "--client", "b:beta"});
  Http h;
  auto t = h.post(s.base() + "/oauth/token", "client_id=a&client_secret=alpha&grant_type=client_credentials",
                  "application/x-www-form-urlencoded");
  REQUIRE(t.status == 200);
  CHECK(t.header("x-ratelimit-limit") == "3");
  CHECK(t.header("x-ratelimit-remaining") == "2");
  std::string tok = parse(t.body)["access_token"].GetString();
  auto l = h.get(batch_url(s, "delivery", day(now_ms() - kDay), 1), {bearer(tok)});
  REQUIRE(l.status == 200);
  CHECK(l.header("x-ratelimit-remaining") == "1");
  std::string file = parse(l.body)["value"][0]["url"].GetString();
  for (int i = 0; i < 4; ++i) CHECK(h.get(file).status == 200);  // downloads use no quota
  auto a = audit_page(h, s, tok, audit_time(now_ms() - kHour), audit_time(now_ms()), 5);
  CHECK(a.status == 200);
  CHECK(a.header("x-ratelimit-remaining") == "0");
  auto over = audit_page(h, s, tok, audit_time(now_ms() - kHour), audit_time(now_ms()), 5);
  CHECK(over.status == 429);
  Json od = parse(over.body);
  CHECK(std::string(od["fail"][0]["code"].GetString()) == "too_many_requests");
  CHECK(over.header("x-ratelimit-remaining") == "0");
  int64_t reset = std::stoll(over.header("x-ratelimit-reset"));
  CHECK(reset > 0);
  CHECK(reset <= 3000);
  // Another client has its own quota.
  CHECK(h.post(s.base() + "/oauth/token", "client_id=b&client_secret=beta&grant_type=client_credentials",
               "application/x-www-form-urlencoded")
            .status == 200);
  sleep_ms(reset + 20);
  CHECK(audit_page(h, s, tok, audit_time(now_ms() - kHour), audit_time(now_ms()), 5).status == 200);

  // A 500 from "the proxy" still reports the quota but does not use it (long window: no expiry races).
  SimProcess q({"--rate-limit", "5", "--fault", "500:count=1,path=/api"});
  std::string qtok = get_token(h, q);
  auto five = audit_page(h, q, qtok, audit_time(now_ms() - kHour), audit_time(now_ms()), 5);
  CHECK(five.status == 500);
  CHECK(five.header("x-ratelimit-limit") == "5");
  CHECK(five.header("x-ratelimit-remaining") == "4");
  CHECK(audit_page(h, q, qtok, audit_time(now_ms() - kHour), audit_time(now_ms()), 5).header("x-ratelimit-remaining") ==
        "3");

  SimProcess d({"--rate-limit", "1", "--429-body", "detail"});
  get_token(h, d);
  auto r = h.post(d.base() + "/oauth/token", "client_id=sim-client&client_secret=sim-secret&grant_type=client_credentials",
                  "application/x-www-form-urlencoded");
  CHECK(r.status == 429);
  CHECK(r.body == R"j({"detail":"Over throttling limit (1/hour)"})j");
}

// --------------------------------------------------------------------------- faults

TEST_CASE("mimecast-sim: 429/500/503 faults with count, every, path and the request log", "[mimecast_sim]") {
  std::string log = temp_file("requests.log");
  SimProcess s({"--request-log", log, "--fault", "503:count=1,path=/oauth", "--fault",
                "429:count=1,ms=250,path=/api/audit", "--fault", "500:every=2,path=/siem/v1/batch"});
  Http h;
  auto first = h.post(s.base() + "/oauth/token",
                      "client_id=sim-client&client_secret=sim-secret&grant_type=client_credentials",
                      "application/x-www-form-urlencoded");
  CHECK(first.status == 503);
  CHECK(parse(first.body)["error"]["code"].IsString());
  std::string tok = get_token(h, s);
  int64_t now = now_ms();
  auto a1 = audit_page(h, s, tok, audit_time(now - kHour), audit_time(now), 5);
  CHECK(a1.status == 429);
  CHECK(a1.header("x-ratelimit-reset") == "250");
  CHECK(parse(a1.body)["fail"][0]["code"].IsString());
  CHECK(audit_page(h, s, tok, audit_time(now - kHour), audit_time(now), 5).status == 200);
  std::vector<long> st;
  for (int i = 0; i < 4; ++i) st.push_back(h.get(batch_url(s, "av", day(now), 1), {bearer(tok)}).status);
  CHECK(st == std::vector<long>{200, 500, 200, 500});

  Json f = parse(h.get(s.base() + "/__sim/faults").body);
  REQUIRE(f.Size() == 3);
  CHECK(f[0]["fired"].GetInt() == 1);
  CHECK(f[1]["fired"].GetInt() == 1);
  CHECK(f[2]["fired"].GetInt() == 2);

  auto lines = log_lines(log);
  REQUIRE(lines.size() == 8);  // /__sim calls are not logged
  Json l0 = parse(lines[0]);
  CHECK(std::string(l0["path"].GetString()) == "/oauth/token");
  CHECK(l0["status"].GetInt() == 503);
  CHECK(std::string(l0["fault"].GetString()) == "503");
  CHECK(std::string(l0["params"]["client_id"].GetString()) == "sim-client");
  CHECK_FALSE(l0["params"].HasMember("client_secret"));
  CHECK(read_file(log).find("sim-secret") == std::string::npos);
  Json l2 = parse(lines[2]);
  CHECK(std::string(l2["client"].GetString()) == "sim-client");
  CHECK(std::string(l2["fault"].GetString()) == "429");
  CHECK(l2["params"].HasMember("startDateTime"));
  Json l5 = parse(lines[5]);
  CHECK(std::string(l5["params"]["type"].GetString()) == "av");
  CHECK(std::string(l5["fault"].GetString()) == "500");
  CHECK(std::string(parse(lines[4])["fault"].GetString()).empty());
  CHECK(l5["ts_ms"].GetInt64() > 0);
  std::remove(log.c_str());
}

TEST_CASE("mimecast-sim: slow, token_expired and fail200 faults", "[mimecast_sim]") {
  SimProcess s({"--fault", "slow:ms=800,count=1,path=/siem/v1/batch", "--fault", "token_expired:count=1,path=/api",
                "--fault", "fail200:count=1,path=/siem/v1/events", "--fault", "fail200:count=1,path=/siem/v1/batch",
                "--fault", "fail200:count=1,path=/api/audit"});
  Http h;
  std::string tok = get_token(h, s);
  int64_t now = now_ms();
  // First batch call: slow + fail200.
  auto slow = h.get(batch_url(s, "spam", day(now), 1), {bearer(tok)});
  CHECK(slow.seconds >= 0.78);
  CHECK(slow.status == 200);
  CHECK(parse(slow.body)["error"]["message"].IsString());
  auto fast = h.get(batch_url(s, "spam", day(now), 1), {bearer(tok)});
  CHECK(fast.seconds < 0.6);
  CHECK(parse(fast.body)["value"].IsArray());

  auto te = audit_page(h, s, tok, audit_time(now - kHour), audit_time(now), 5);
  CHECK(te.status == 401);
  Json ted = parse(te.body);
  CHECK(std::string(ted["fail"][0]["code"].GetString()) == "token_expired");
  CHECK(std::string(ted["fail"][0]["message"].GetString()) == "Token expired");
  auto f200 = audit_page(h, s, tok, audit_time(now - kHour), audit_time(now), 5);  // same token still valid
  CHECK(f200.status == 200);
  CHECK(parse(f200.body)["fail"].Size() == 1);
  CHECK(parse(audit_page(h, s, tok, audit_time(now - kHour), audit_time(now), 5).body)["fail"].Empty());

  auto sf = h.get(s.base() + "/siem/v1/events/cg?dateRangeStartsAt=" + escape(iso_ms(now - kHour)), {bearer(tok)});
  CHECK(sf.status == 200);
  CHECK(parse(sf.body).HasMember("error"));
}

TEST_CASE("mimecast-sim: reset and truncated_gzip faults on downloads and listings", "[mimecast_sim]") {
  SimProcess s({"--fault", "reset:count=1,path=/files", "--fault", "truncated_gzip:count=1", "--fault",
                "reset:count=1,path=/siem"});
  Http h;
  std::string tok = get_token(h, s);
  auto cut_listing = h.get(batch_url(s, "delivery", day(now_ms() - kHour), 5), {bearer(tok)});
  CHECK(cut_listing.code == CURLE_PARTIAL_FILE);
  CHECK(cut_listing.status == 200);
  Json d = parse(h.get(batch_url(s, "delivery", day(now_ms() - kHour), 5), {bearer(tok)}).body);
  std::string url = d["value"][0]["url"].GetString();
  int64_t size = d["value"][0]["size"].GetInt64();

  // truncated_gzip is decided by the file handler, before the generic reset fault.
  auto trunc = h.get(url);
  CHECK(trunc.code == CURLE_OK);  // looks complete at the HTTP level
  CHECK(trunc.status == 200);
  CHECK(std::stoll(trunc.header("content-length")) == int64_t(trunc.body.size()));
  CHECK(int64_t(trunc.body.size()) < size);
  bool complete = true;
  gunzip(trunc.body, complete);
  CHECK_FALSE(complete);

  auto reset = h.get(url);
  CHECK(reset.code == CURLE_PARTIAL_FILE);
  CHECK(reset.status == 200);
  CHECK(int64_t(reset.body.size()) < size);

  Downloaded ok = download(h, url);
  CHECK(ok.complete);
  CHECK(int64_t(ok.raw.size()) == size);
}

TEST_CASE("mimecast-sim: expired_url and repeat_url faults in listings", "[mimecast_sim]") {
  SimProcess s({"--fault", "expired_url:count=1", "--fault", "repeat_url:count=1", "--backlog-hours", "4"});
  Http h;
  std::string tok = get_token(h, s);
  std::string list = batch_url(s, "journal", day(now_ms() - 4 * kHour), 6);
  Json d = parse(h.get(list, {bearer(tok)}).body);
  REQUIRE(d["value"].Size() == 7);  // six files, one listed twice
  std::map<std::string, int> seen;
  int expired = 0;
  for (const auto& v : d["value"].GetArray()) {
    std::string url = v["url"].GetString();
    ++seen[url];
    auto r = h.get(url);
    if (r.status == 403) {
      ++expired;
      CHECK(r.body.find("Request has expired") != std::string::npos);
    } else {
      CHECK(r.status == 200);
    }
  }
  CHECK(expired == 1);
  CHECK(seen.size() == 6);
  CHECK(std::count_if(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 2; }) == 1);
  Json clean = parse(h.get(list, {bearer(tok)}).body);
  CHECK(clean["value"].Size() == 6);
}

TEST_CASE("mimecast-sim: bad_line and long_line are stable file properties", "[mimecast_sim]") {
  SimProcess s({"--fault", "bad_line:every=2", "--fault", "long_line:every=3", "--bucket-seconds", "600",
                "--backlog-hours", "1", "--publish-lag-seconds", "0", "--rate", "all=0", "--rate", "av=600"});
  Http h;
  std::string tok = get_token(h, s);
  Listing l = list_all(h, s, tok, "av", day(now_ms() - kHour), 100);
  REQUIRE(l.files.size() >= 5);
  std::map<std::string, int64_t> got;
  int64_t last_end = 0;
  int bad_files = 0, long_files = 0;
  for (const auto& f : l.files) {
    Downloaded d = download(h, f.url);
    REQUIRE(d.complete);
    CHECK(download(h, f.url).raw == d.raw);
    int64_t ordinal = f.bucket_start_ms / 600000;
    int bad = 0, longs = 0;
    for (const auto& line : d.lines) {
      Json e;
      e.Parse(line.c_str());
      if (e.HasParseError()) {
        ++bad;
        continue;
      }
      if (line.size() > (1u << 20)) ++longs;
      got.emplace(e["processingId"].GetString(), e["timestamp"].GetInt64());
    }
    CHECK(bad == (ordinal % 2 == 0 ? 1 : 0));
    CHECK(longs == (ordinal % 3 == 0 ? 1 : 0));
    bad_files += bad;
    long_files += longs;
    last_end = std::max(last_end, f.bucket_start_ms + 600000);
  }
  CHECK(bad_files >= 1);
  CHECK(long_files >= 1);
  CHECK(expected(h, s, "mta-av", 0, last_end) == got);  // long lines are events, bad lines are not
}

TEST_CASE("mimecast-sim: faults set at run time, and p= is seeded", "[mimecast_sim]") {
  auto pattern = [](SimProcess& s) {
    Http h;
    std::string tok = get_token(h, s);
    auto set = h.post(s.base() + "/__sim/faults", R"(["500:p=0.5,path=/siem"])", "application/json");
    REQUIRE(set.status == 200);
    std::string out;
    for (int i = 0; i < 40; ++i)
      out += h.get(batch_url(s, "av", day(now_ms()), 1), {bearer(tok)}).status == 500 ? 'x' : '.';
    return out;
  };
  SimProcess a({"--seed", "9"});
  SimProcess b({"--seed", "9"});
  std::string pa = pattern(a);
  CHECK(pa == pattern(b));
  auto fired = std::count(pa.begin(), pa.end(), 'x');
  CHECK(fired >= 5);
  CHECK(fired <= 35);

  Http h;
  Json listed = parse(h.get(a.base() + "/__sim/faults").body);
  CHECK(listed[0]["fired"].GetInt() == fired);
  CHECK(listed[0]["seen"].GetInt() == 40);
  CHECK(h.post(a.base() + "/__sim/faults", R"(["nonsense"])", "application/json").status == 400);
  CHECK(h.post(a.base() + "/__sim/faults", R"([])", "application/json").status == 200);
  std::string tok = get_token(h, a);
  for (int i = 0; i < 5; ++i) CHECK(h.get(batch_url(a, "av", day(now_ms()), 1), {bearer(tok)}).status == 200);
  Json summary = parse(h.get(a.base() + "/__sim/summary").body);
  CHECK(summary["faults_fired"]["500"].GetInt() == fired);
  CHECK(h.get(a.base() + "/__sim/expected?api=nope&from_ms=0&to_ms=1").status == 400);
}
