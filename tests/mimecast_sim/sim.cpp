// Request routing and the cross-cutting parts: auth, rate limit, faults, request log,
// summary, /__sim endpoints. The endpoint bodies live in endpoints.cpp.
#include "sim.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "replies.hpp"

namespace mcsim {

RateLimiter::Verdict RateLimiter::check(const std::string& client, int64_t now_ms, bool consume) {
  auto& q = calls_[client];
  while (!q.empty() && q.front() <= now_ms - window_ms_) q.pop_front();
  bool ok = int64_t(q.size()) < limit_;
  if (ok && consume) q.push_back(now_ms);
  // Reset: milliseconds until the oldest call in the window leaves it (one call comes back).
  int64_t reset = q.empty() ? 0 : std::max<int64_t>(1, q.front() + window_ms_ - now_ms);
  return Verdict{ok, limit_, limit_ - int64_t(q.size()), reset};
}

namespace {

int64_t origin_for(const Config& cfg) {
  // The backlog starts on a bucket boundary so the first bucket is as complete as any other.
  int64_t now = real_now_ms() + cfg.now_offset_s * 1000;
  int64_t start = now - int64_t(cfg.backlog_hours * double(kHourMs));
  int64_t bucket_ms = cfg.bucket_s * 1000;
  return floor_div(start, bucket_ms) * bucket_ms;
}

const char* route_name(int r) {
  static const char* kNames[] = {"/oauth/token", "/api/audit/get-audit-events", "/siem/v1/batch/events/cg",
                                 "/siem/v1/events/cg", "/files", "other"};
  return kNames[r];
}

Params audit_log_params(const std::string& body) {
  Params p;
  rapidjson::Document d;
  if (d.Parse(body.c_str()).HasParseError() || !d.IsObject()) return p;
  if (d.HasMember("meta") && d["meta"].IsObject() && d["meta"].HasMember("pagination") &&
      d["meta"]["pagination"].IsObject()) {
    const auto& pg = d["meta"]["pagination"];
    if (pg.HasMember("pageSize") && pg["pageSize"].IsInt64())
      p.emplace_back("pageSize", std::to_string(pg["pageSize"].GetInt64()));
    if (pg.HasMember("pageToken") && pg["pageToken"].IsString())
      p.emplace_back("pageToken", pg["pageToken"].GetString());
  }
  if (d.HasMember("data") && d["data"].IsArray() && !d["data"].Empty() && d["data"][0].IsObject()) {
    for (const auto& m : d["data"][0].GetObject())
      if (m.value.IsString()) p.emplace_back(m.name.GetString(), m.value.GetString());
  }
  return p;
}

std::string form_value(const Params& form, std::string_view key) {
  for (const auto& [k, v] : form)
    if (k == key) return v;
  return {};
}

}  // namespace

Simulator::Simulator(Config cfg, std::vector<Fault> faults)
    : cfg_(std::move(cfg)),
      data_(cfg_.seed, cfg_.rates_per_hour, cfg_.bucket_s * 1000, cfg_.files_per_bucket, origin_for(cfg_)),
      faults_(cfg_.seed),
      limiter_(cfg_.rate_limit, cfg_.rate_window_ms),
      token_rng_(std::random_device{}()),
      url_key_("mimecast-sim-url-key-" + std::to_string(cfg_.seed)),
      mac_key_(hash_of(cfg_.seed, 0xC5C5)) {
  faults_.replace(std::move(faults));
  if (!cfg_.request_log.empty()) {
    log_.reset(std::fopen(cfg_.request_log.c_str(), "w"));
    if (!log_) throw std::runtime_error("cannot open request log " + cfg_.request_log);
  }
}

int64_t Simulator::now_ms() const { return real_now_ms() + cfg_.now_offset_s * 1000; }

Reply Simulator::handle(const Request& req) {
  // Test support endpoints: not counted, not logged, not rate limited.
  if (req.path.rfind("/__sim/", 0) == 0) return sim_endpoint(req);
  Ctx c;
  c.arrived_ms = now_ms();
  const std::string& p = req.path;
  if (p == "/oauth/token") c.route = Route::Token;
  else if (p == "/api/audit/get-audit-events") c.route = Route::Audit;
  else if (p == "/siem/v1/batch/events/cg") c.route = Route::Batch;
  else if (p == "/siem/v1/events/cg") c.route = Route::Stream;
  else if (p.rfind("/files/", 0) == 0) c.route = Route::File;
  if (req.method == "GET") c.params = req.query;
  if (c.route == Route::Audit) c.params = audit_log_params(req.body);
  Reply r = dispatch(req, c);
  ++requests_;
  ++by_endpoint_[route_name(int(c.route))];
  ++by_status_[r.status];
  log(req, c, r.status);
  return r;
}

Reply Simulator::dispatch(const Request& req, Ctx& c) {
  if (c.route == Route::Unknown) return json_reply(404, fail_body("not_found", "No such endpoint"));
  const char* method = (c.route == Route::Token || c.route == Route::Audit) ? "POST" : "GET";
  if (req.method != method) {
    Reply r = json_reply(405, fail_body("method_not_allowed", "Method not allowed"));
    r.header("Allow", method);
    return r;
  }

  // Who is calling: the form's client_id for /oauth/token, the bearer token otherwise.
  Params form;
  bool authed = false;
  if (c.route == Route::Token) {
    form = parse_query(req.body);
    c.client = form_value(form, "client_id");
    c.params = {{"client_id", c.client}, {"grant_type", form_value(form, "grant_type")}};
  } else if (c.route != Route::File) {
    std::string_view auth = req.authorization;
    if (auth.substr(0, 7) == "Bearer ") {
      auto it = tokens_.find(std::string(auth.substr(7)));
      if (it != tokens_.end() && now_ms() < it->second.expires_ms) {
        authed = true;
        c.client = it->second.client;
      }
    }
  }

  int64_t delay_ms = 0;
  if (Fault* f = fire(c, {FaultKind::Slow}, req.path)) delay_ms = f->ms >= 0 ? f->ms : 1000;

  auto answer = [&](Reply r) {
    // The reset fault cuts any successful answer (listing, page or file) mid-body.
    if (r.status == 200 && !c.outcome_fault && fire(c, {FaultKind::Reset}, req.path)) {
      uint64_t size = r.source ? r.content_length.value_or(0) : r.body.size();
      r.send_limit = size / 2;
      r.close_after = true;
    }
    r.delay_ms += delay_ms;
    return r;
  };

  // Infrastructure-level faults answer before auth and quota, like a proxy in front would.
  if (Fault* f = fire(c, {FaultKind::k429, FaultKind::k500, FaultKind::k503}, req.path)) {
    Reply r = fault_reply(*f, c.route);
    // Still report the caller's quota (unchanged: the call never reached the API).
    if (f->kind != FaultKind::k429 && c.route != Route::File && limiter_.enabled() && !c.client.empty())
      rate_headers(r, limiter_.peek(c.client, now_ms()));
    return answer(std::move(r));
  }

  if (c.route == Route::File) return answer(file(req, c));  // no auth, no quota

  if (c.route != Route::Token && !authed)
    return answer(json_reply(401, fail_body("Auth Failure", "Invalid Token")));

  std::optional<RateLimiter::Verdict> quota;
  if (limiter_.enabled() && !c.client.empty()) {
    quota = limiter_.take(c.client, now_ms());
    if (!quota->allowed) return answer(too_many(*quota));
  }

  Reply r;
  Fault* f = c.route == Route::Token
                 ? nullptr
                 : fire(c, {FaultKind::TokenExpired, FaultKind::Fail200}, req.path);
  if (f) r = fault_reply(*f, c.route);
  else if (c.route == Route::Token) r = token(form, c);
  else if (c.route == Route::Audit) r = audit(req, c);
  else if (c.route == Route::Batch) r = batch(req, c);
  else r = stream(req, c);
  if (quota) rate_headers(r, *quota);
  return answer(std::move(r));
}

Fault* Simulator::fire(Ctx& c, std::initializer_list<FaultKind> kinds, const std::string& path) {
  Fault* f = faults_.fire(kinds, path);
  if (f) {
    c.faults.push_back(f->name);
    ++faults_fired_[f->name];
    if (f->kind != FaultKind::Slow) c.outcome_fault = true;
  }
  return f;
}

Reply Simulator::fault_reply(const Fault& f, Route route) {
  switch (f.kind) {
    case FaultKind::k429: {
      int64_t reset = f.ms >= 0 ? f.ms : 1000;
      Reply r = too_many({false, cfg_.rate_limit > 0 ? cfg_.rate_limit : 1000, 0, reset});
      return r;
    }
    case FaultKind::k500:
    case FaultKind::k503: {
      unsigned status = f.kind == FaultKind::k500 ? 500 : 503;
      if (route == Route::File)
        return status == 500 ? s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
                             : s3_error(503, "SlowDown", "Please reduce your request rate.");
      return json_reply(status, error_body(status == 500 ? "Internal Server Error" : "Service Unavailable",
                                           "Simulated server fault"));
    }
    case FaultKind::TokenExpired:
      return json_reply(401, fail_body("token_expired", "Token expired"));
    case FaultKind::Fail200:
      if (route == Route::Audit)
        return json_reply(200, R"({"meta":{"status":200},"data":[],"fail":[{"key":{},"errors":[{"code":"err_internal_server_error","message":"Simulated failure reported with HTTP 200","retryable":true}]}]})");
      return json_reply(200, error_body("Internal Server Error", "Simulated failure reported with HTTP 200"));
    default:
      return json_reply(500, error_body("Internal Server Error", "unexpected fault"));
  }
}

void Simulator::rate_headers(Reply& r, const RateLimiter::Verdict& v) const {
  r.header("X-RateLimit-Limit", std::to_string(v.limit));
  r.header("X-RateLimit-Remaining", std::to_string(v.remaining));
  r.header("X-RateLimit-Reset", std::to_string(v.reset_ms));
}

Reply Simulator::too_many(const RateLimiter::Verdict& v) const {
  Reply r = cfg_.detail_429
                ? json_reply(429, "{\"detail\":\"Over throttling limit (" + std::to_string(v.limit) + "/hour)\"}")
                : json_reply(429, fail_body("too_many_requests", "Over throttling limit"));
  rate_headers(r, v);
  return r;
}

void Simulator::log(const Request& req, const Ctx& c, unsigned status) {
  if (!log_) return;
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("ts_ms");
  w.Int64(c.arrived_ms);
  w.Key("client");
  jstr(w, c.client);
  w.Key("method");
  jstr(w, req.method);
  w.Key("path");
  jstr(w, req.path);
  w.Key("params");
  w.StartObject();
  for (const auto& [k, v] : c.params) {
    jkey(w, k);
    jstr(w, v);
  }
  w.EndObject();
  w.Key("status");
  w.Uint(status);
  std::string faults;
  for (const auto& f : c.faults) faults += (faults.empty() ? "" : "+") + f;
  w.Key("fault");
  jstr(w, faults);
  w.EndObject();
  std::fputs(sb.GetString(), log_.get());
  std::fputc('\n', log_.get());
  std::fflush(log_.get());  // tests read the log while the simulator runs
}

std::string Simulator::seal(const std::string& payload) const {
  char mac[17];
  std::snprintf(mac, sizeof mac, "%016llx", static_cast<unsigned long long>(hash_str(mac_key_, payload)));
  return base64(payload + "|" + mac, false);
}

std::optional<std::string> Simulator::unseal(std::string_view token) const {
  auto raw = unbase64(token);
  if (!raw) return std::nullopt;
  size_t bar = raw->rfind('|');
  if (bar == std::string::npos) return std::nullopt;
  std::string payload = raw->substr(0, bar);
  if (seal(payload) != base64(*raw, false)) return std::nullopt;
  return payload;
}

Reply Simulator::token(const Params& form, Ctx& c) {
  // Shapes (doc section 2): success {access_token, token_type "Bearer", expires_in seconds};
  // failures use the API 2.0 fail[] envelope with HTTP 400, codes modelled on OAuth 2.0 (RFC 6749).
  if (form_value(form, "grant_type") != "client_credentials")
    return json_reply(400, fail_body("unsupported_grant_type", "grant_type must be client_credentials"));
  std::string secret = form_value(form, "client_secret");
  if (c.client.empty() || secret.empty())
    return json_reply(400, fail_body("invalid_request", "client_id and client_secret are required"));
  bool ok = std::any_of(cfg_.clients.begin(), cfg_.clients.end(),
                        [&](const ClientCred& cc) { return cc.id == c.client && cc.secret == secret; });
  if (!ok) return json_reply(400, fail_body("invalid_client", "Invalid client credentials"));
  int64_t now = now_ms();
  if (tokens_.size() > 10000)
    std::erase_if(tokens_, [now](const auto& kv) { return kv.second.expires_ms <= now; });
  std::string raw;
  for (int i = 0; i < 3; ++i) {
    uint64_t v = token_rng_();
    for (int b = 0; b < 8; ++b, v >>= 8) raw += char(v & 0xff);
  }
  std::string tok = base64(raw, true);
  tokens_[tok] = TokenInfo{c.client, now + cfg_.token_ttl_s * 1000};
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("access_token");
  jstr(w, tok);
  w.Key("token_type");
  w.String("Bearer");
  w.Key("expires_in");
  w.Int64(cfg_.token_ttl_s);
  w.EndObject();
  return json_reply(200, sb.GetString());
}

Reply Simulator::sim_endpoint(const Request& req) {
  if (req.path == "/__sim/summary" && req.method == "GET") return json_reply(200, summary_json());
  if (req.path == "/__sim/faults" && req.method == "GET") return faults_list();
  if (req.path == "/__sim/faults" && req.method == "POST") return faults_replace(req);
  if (req.path == "/__sim/expected" && req.method == "GET") return expected(req);
  return json_reply(404, error_body("Not Found", "unknown /__sim endpoint"));
}

Reply Simulator::faults_list() const {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartArray();
  for (const auto& f : faults_.all()) {
    w.StartObject();
    w.Key("spec");
    jstr(w, f.spec);
    w.Key("name");
    jstr(w, f.name);
    w.Key("seen");
    w.Uint64(f.seen);
    w.Key("fired");
    w.Uint64(f.fired);
    w.EndObject();
  }
  w.EndArray();
  return json_reply(200, sb.GetString());
}

Reply Simulator::faults_replace(const Request& req) {
  rapidjson::Document d;
  if (d.Parse(req.body.c_str()).HasParseError() || !d.IsArray())
    return json_reply(400, error_body("Bad Request", "expected a JSON array of fault specs"));
  std::vector<Fault> next;
  for (const auto& v : d.GetArray()) {
    std::string err;
    auto f = v.IsString() ? parse_fault(v.GetString(), err) : std::nullopt;
    if (!f) return json_reply(400, error_body("Bad Request", v.IsString() ? err : "specs must be strings"));
    next.push_back(std::move(*f));
  }
  faults_.replace(std::move(next));
  size_cache_.clear();  // data faults change file contents, hence sizes
  return faults_list();
}

std::string Simulator::summary_json() const {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("events_served");
  w.StartObject();
  for (int k = 0; k < kNumKinds; ++k) {
    jkey(w, kKinds[size_t(k)].api);
    w.Uint64(events_served_[size_t(k)]);
  }
  w.EndObject();
  w.Key("files_served");
  w.Uint64(files_served_);
  w.Key("requests");
  w.StartObject();
  w.Key("total");
  w.Uint64(requests_);
  w.Key("by_endpoint");
  w.StartObject();
  for (const auto& [k, v] : by_endpoint_) {
    jkey(w, k);
    w.Uint64(v);
  }
  w.EndObject();
  w.Key("by_status");
  w.StartObject();
  for (const auto& [k, v] : by_status_) {
    jkey(w, std::to_string(k));
    w.Uint64(v);
  }
  w.EndObject();
  w.EndObject();
  w.Key("faults_fired");
  w.StartObject();
  for (const auto& [k, v] : faults_fired_) {
    jkey(w, k);
    w.Uint64(v);
  }
  w.EndObject();
  w.EndObject();
  return sb.GetString();
}

bool Simulator::write_summary(std::string& err) const {
  if (cfg_.summary.empty()) return true;
  std::ofstream out(cfg_.summary, std::ios::trunc);
  out << summary_json() << '\n';
  if (!out) {
    err = "cannot write summary " + cfg_.summary;
    return false;
  }
  return true;
}

}  // namespace mcsim
