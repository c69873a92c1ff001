// The data endpoints: audit events, SIEM batch listing, pre-signed file downloads, SIEM
// stream, and the /__sim/expected oracle. All read the deterministic Data; none store events.
#include <rapidjson/document.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "replies.hpp"
#include "sim.hpp"

namespace mcsim {

namespace {

constexpr std::string_view kFileSuffix = ".ndjson.gz";

Reply audit_error(const rapidjson::Value* key, std::string_view code, std::string_view message) {
  // API 2.0 envelope with fail[].errors[] (doc section 4.1). Codes are our own choice in
  // Mimecast's err_validation_* style; the real strings are unverified.
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("meta");
  w.StartObject();
  w.Key("status");
  w.Uint(400);
  w.EndObject();
  w.Key("data");
  w.StartArray();
  w.EndArray();
  w.Key("fail");
  w.StartArray();
  w.StartObject();
  w.Key("key");
  if (key && key->IsObject()) {
    key->Accept(w);
  } else {
    w.StartObject();
    w.EndObject();
  }
  w.Key("errors");
  w.StartArray();
  w.StartObject();
  w.Key("code");
  jstr(w, code);
  w.Key("message");
  jstr(w, message);
  w.Key("retryable");
  w.Bool(false);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return json_reply(400, sb.GetString());
}

Reply siem_bad(std::string_view message) {
  return json_reply(400, error_body("Request Validation Failed", message));
}

// Exact Mimecast type string; unlike the command line, the API does not guess.
int mta_type(std::string_view s) {
  for (int k = 1; k < kNumKinds; ++k)
    if (kKinds[size_t(k)].name == s) return k;
  return -1;
}

// Streams the oracle lines {"key":..,"ts_ms":..} for one kind over a range of buckets/slots.
class ExpectedSource : public BodySource {
 public:
  ExpectedSource(const Data& d, int kind, int64_t unit_lo, int64_t unit_hi, int64_t ts_lo, int64_t ts_hi)
      : d_(d), kind_(kind), unit_(unit_lo), unit_hi_(unit_hi), ts_lo_(ts_lo), ts_hi_(ts_hi) {}

  bool next(std::string& out) override {
    while (out.size() < 64 * 1024) {
      if (unit_ >= unit_hi_) return false;
      if (!have_n_) {
        n_ = kind_ == kAudit ? d_.slot_events(unit_) : d_.bucket_events(kind_, unit_);
        i_ = 0;
        have_n_ = true;
      }
      if (i_ >= n_) {
        ++unit_;
        have_n_ = false;
        continue;
      }
      int64_t ts = kind_ == kAudit ? d_.audit_ts(unit_, i_, n_) : d_.event_ts(kind_, unit_, i_, n_);
      if (ts >= ts_lo_ && ts < ts_hi_) {
        std::string key = kind_ == kAudit ? d_.audit_id(unit_, i_) : d_.processing_id(kind_, unit_, i_, ts);
        out += R"({"key":")" + key + R"(","ts_ms":)" + std::to_string(ts) + "}\n";
      }
      ++i_;
    }
    return true;
  }

 private:
  const Data& d_;
  int kind_;
  int64_t unit_, unit_hi_, ts_lo_, ts_hi_;
  bool have_n_ = false;
  uint32_t n_ = 0, i_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- audit

Reply Simulator::audit(const Request& req, Ctx&) {
  rapidjson::Document d;
  if (d.Parse(req.body.c_str()).HasParseError() || !d.IsObject())
    return audit_error(nullptr, "err_request_malformed", "Request body must be a JSON object");
  int64_t page_size = 25;
  std::string page_token;
  if (d.HasMember("meta") && d["meta"].IsObject() && d["meta"].HasMember("pagination") &&
      d["meta"]["pagination"].IsObject()) {
    const auto& pg = d["meta"]["pagination"];
    if (pg.HasMember("pageSize")) {
      if (!pg["pageSize"].IsInt64() || pg["pageSize"].GetInt64() < 1)
        return audit_error(nullptr, "err_validation_invalid_page_size", "pageSize must be a positive integer");
      page_size = std::min<int64_t>(pg["pageSize"].GetInt64(), 500);
    }
    if (pg.HasMember("pageToken") && pg["pageToken"].IsString()) page_token = pg["pageToken"].GetString();
  }
  if (!d.HasMember("data") || !d["data"].IsArray() || d["data"].Empty() || !d["data"][0].IsObject())
    return audit_error(nullptr, "err_validation_missing_data", "data[0] with startDateTime and endDateTime is required");
  const rapidjson::Value& filter = d["data"][0];
  int64_t bounds[2];
  const char* names[2] = {"startDateTime", "endDateTime"};
  for (int i = 0; i < 2; ++i) {
    if (!filter.HasMember(names[i]) || !filter[names[i]].IsString())
      return audit_error(&filter, "err_validation_missing_field", std::string(names[i]) + " is required");
    auto t = parse_datetime(filter[names[i]].GetString());
    if (!t)
      return audit_error(&filter, "err_validation_invalid_date_format",
                         std::string(names[i]) + " must look like 2024-01-01T00:00:00+0000");
    bounds[i] = *t;
  }
  if (bounds[0] > bounds[1])
    return audit_error(&filter, "err_validation_invalid_date_range", "startDateTime is after endDateTime");

  const int64_t slot_ms = Data::kAuditSlotMs;
  const int64_t now = now_ms();
  const int64_t lower = std::max(bounds[0], data_.origin_ms());
  const int64_t upper = std::min(bounds[1], now + 1);  // only events that exist by now
  // Newest first: walk slots downwards, indexes downwards within a slot.
  int64_t s = floor_div(upper - 1, slot_ms);
  int64_t j_start = INT64_MAX;
  if (!page_token.empty()) {
    auto pl = unseal(page_token);
    long long tok_slot = 0, tok_j = 0;
    if (!pl || std::sscanf(pl->c_str(), "audit:%lld:%lld", &tok_slot, &tok_j) != 2)
      return audit_error(&filter, "err_validation_invalid_page_token", "pageToken is not valid");
    // The token holds the last record served; honour that position inside this window.
    if (tok_slot <= s) {
      s = tok_slot;
      j_start = tok_j - 1;
    }
  }
  struct Item {
    int64_t s;
    uint32_t j, n;
  };
  std::vector<Item> page;
  bool more = false;
  const int64_t s_min = floor_div(lower, slot_ms);
  for (; upper > lower && s >= s_min && !more; --s, j_start = INT64_MAX) {
    uint32_t n = data_.slot_events(s);
    for (int64_t j = std::min<int64_t>(j_start, int64_t(n) - 1); j >= 0; --j) {
      int64_t ts = data_.audit_ts(s, uint32_t(j), n);
      if (ts >= upper) continue;
      if (ts < lower) break;  // lower indexes are older still
      if (int64_t(page.size()) == page_size) {
        more = true;
        break;
      }
      page.push_back({s, uint32_t(j), n});
    }
  }
  events_served_[kAudit] += page.size();

  std::string body = R"({"meta":{"status":200,"pagination":{"pageSize":)" + std::to_string(page_size);
  if (more) {
    const Item& last = page.back();
    body += R"(,"next":")" + seal("audit:" + std::to_string(last.s) + ":" + std::to_string(last.j)) + "\"";
  }
  body += R"(}},"data":[)";
  for (size_t i = 0; i < page.size(); ++i) {
    if (i) body += ',';
    data_.audit_event(body, page[i].s, page[i].j, page[i].n);
  }
  body += R"(],"fail":[]})";
  return json_reply(200, std::move(body));
}

// ---------------------------------------------------------------- batch files

int64_t Simulator::published_end_bucket(int64_t now) const {
  return floor_div(now - cfg_.publish_lag_s * 1000, data_.bucket_ms());
}

FileLayout Simulator::layout(int t, int64_t b, int k, uint32_t n, Fault** bad, Fault** lng) {
  FileLayout f;
  f.t = t;
  f.b = b;
  f.k = k;
  f.n = n;
  f.slice = data_.file_slice(n, k);
  uint32_t count = f.slice.hi - f.slice.lo;
  // File ordinal = bucket index * files per bucket + k: "every Nth file" counts in time order.
  uint64_t ordinal = uint64_t(b) * uint64_t(data_.files_per_bucket()) + uint64_t(k);
  uint64_t h = hash_of(data_.seed(), 0xF1, t, b, k);
  if (Fault* x = faults_.data_fault(FaultKind::BadLine, ordinal, h)) {
    f.bad_pos = uint32_t(mix64(h) % (uint64_t(count) + 1));
    if (bad) *bad = x;
  }
  if (count > 0)
    if (Fault* x = faults_.data_fault(FaultKind::LongLine, ordinal, h ^ 0x1000)) {
      f.long_event = f.slice.lo + uint32_t(mix64(h ^ 0x10) % count);
      if (lng) *lng = x;
    }
  return f;
}

uint64_t Simulator::file_size(const FileLayout& f) {
  auto key = std::make_tuple(f.t, f.b, f.k, f.bad_pos ? int64_t(*f.bad_pos) : -1,
                             f.long_event ? int64_t(*f.long_event) : -1);
  if (auto it = size_cache_.find(key); it != size_cache_.end()) return it->second;
  if (size_cache_.size() > 200000) size_cache_.clear();  // bounded; sizes are cheap to redo
  uint64_t size = compressed_size(data_, f);
  size_cache_.emplace(key, size);
  return size;
}

std::string Simulator::file_path(const FileLayout& f) const {
  return "/files/" + std::string(kKinds[size_t(f.t)].slug) + "/" +
         std::to_string(f.b * data_.bucket_ms() / 1000) + "-" + std::to_string(f.k) + std::string(kFileSuffix);
}

std::string Simulator::url_signature(const std::string& path, const std::string& date, int64_t expires) const {
  return hmac_sha256_hex(url_key_, path + "\n" + date + "\n" + std::to_string(expires));
}

std::string Simulator::file_url(const FileLayout& f, int64_t issued_ms, int64_t& expiry_ms) const {
  // S3-style pre-signed URL; the signature covers path, issue time and lifetime.
  std::string path = file_path(f);
  std::string date = format_amz_date(issued_ms);
  int64_t issued_s = floor_div(issued_ms, 1000);
  expiry_ms = (issued_s + cfg_.url_ttl_s) * 1000;
  std::string cred = "SIMACCESSKEY/" + date.substr(0, 8) + "/us-east-1/s3/aws4_request";
  return "http://127.0.0.1:" + std::to_string(port_) + path +
         "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + url_encode(cred) + "&X-Amz-Date=" + date +
         "&X-Amz-Expires=" + std::to_string(cfg_.url_ttl_s) +
         "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + url_signature(path, date, cfg_.url_ttl_s);
}

Reply Simulator::batch(const Request& req, Ctx& c) {
  const std::string* type = req.param("type");
  int t = type ? mta_type(*type) : -1;
  if (t < 1)
    return siem_bad("Invalid type: expected one of receipt, process, delivery, av, spam, journal, "
                    "internal email protect, impersonation protect, url protect, attachment protect");
  int64_t page_size = 100;
  if (const std::string* ps = req.param("pageSize")) {
    auto n = parse_int(*ps);
    if (!n || *n < 1 || *n > 100) return siem_bad("Invalid pageSize: must be between 1 and 100");
    page_size = *n;
  }
  const int64_t now = now_ms();
  const int64_t S = data_.bucket_ms();
  const int K = data_.files_per_bucket();
  int64_t b_stop = published_end_bucket(now);
  int64_t b = 0;
  int k = 0;
  const std::string* np = req.param("nextPage");
  if (np && !np->empty()) {
    // The cursor carries the position; dates are accepted and ignored (GW sends both).
    auto pl = unseal(*np);
    char slug[64] = {0};
    long long tb = 0;
    int tk = 0;
    if (!pl || std::sscanf(pl->c_str(), "batch:%63[^:]:%lld:%d", slug, &tb, &tk) != 3 ||
        kKinds[size_t(t)].slug != slug)
      return siem_bad("Invalid nextPage token");
    b = tb;
    k = tk;
  } else {
    const std::string* from = req.param("dateRangeStartsAt");
    if (!from) return siem_bad("Missing required parameter: dateRangeStartsAt");
    auto start = parse_day(*from);
    if (!start) return siem_bad("Invalid date: `dateRangeStartsAt` does not match format: 2006-01-02");
    // Retention is counted in days here: the day that holds now-7d is still accepted.
    if (*start < floor_div(retention_start_ms(now), kDayMs) * kDayMs)
      return siem_bad("Invalid date range: 'from' must be within the 7-day retention period");
    if (const std::string* to = req.param("dateRangeEndsAt"); to && !to->empty()) {
      auto end = parse_day(*to);
      if (!end) return siem_bad("Invalid date: `dateRangeEndsAt` does not match format: 2006-01-02");
      if (*end < *start) return siem_bad("Invalid date range: 'to' must not be before 'from'");
      b_stop = std::min(b_stop, ceil_div(*end + kDayMs, S));  // end day inclusive
    }
    b = ceil_div(*start, S);
  }
  // Files past retention are gone: a cursor pointing before it resumes at the oldest kept file.
  int64_t b_first = std::max(ceil_div(retention_start_ms(now), S), floor_div(data_.origin_ms(), S));
  if (b < b_first) {
    b = b_first;
    k = 0;
  }

  struct Item {
    int64_t b;
    int k;
    uint32_t n;
  };
  std::vector<Item> page;
  bool more = false;
  for (int64_t cb = b, ck = k; cb < b_stop && !more; ++cb, ck = 0) {
    uint32_t n = data_.bucket_events(t, cb);
    if (n == 0) continue;  // no events, no file
    for (; ck < K; ++ck) {
      auto sl = data_.file_slice(n, int(ck));
      if (sl.hi == sl.lo) continue;
      if (int64_t(page.size()) == page_size) {
        more = true;
        break;
      }
      page.push_back({cb, int(ck), n});
    }
  }
  int64_t next_b = b;
  int next_k = k;
  if (more) {
    next_b = page.back().b;
    next_k = page.back().k + 1;
  } else if (b_stop > b) {
    next_b = b_stop;  // everything before b_stop has been examined
    next_k = 0;
  }

  Fault* expired = page.empty() ? nullptr : fire(c, {FaultKind::ExpiredUrl}, req.path);
  Fault* repeat = page.empty() ? nullptr : fire(c, {FaultKind::RepeatUrl}, req.path);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("value");
  w.StartArray();
  for (size_t i = 0; i < page.size(); ++i) {
    FileLayout f = layout(t, page[i].b, page[i].k, page[i].n, nullptr, nullptr);
    // expired_url: the first URL was "issued" longer ago than its lifetime.
    int64_t issued = (expired && i == 0) ? now - (cfg_.url_ttl_s + 60) * 1000 : now;
    int64_t expiry = 0;
    std::string url = file_url(f, issued, expiry);
    uint64_t size = file_size(f);
    int copies = (repeat && i == page.size() / 2) ? 2 : 1;
    for (int r = 0; r < copies; ++r) {
      w.StartObject();
      w.Key("url");
      jstr(w, url);
      w.Key("expiry");
      jstr(w, format_iso_ms(expiry));
      w.Key("size");
      w.Uint64(size);
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("@nextPage");
  jstr(w, seal("batch:" + std::string(kKinds[size_t(t)].slug) + ":" + std::to_string(next_b) + ":" +
               std::to_string(next_k)));
  w.Key("isCaughtUp");
  w.Bool(!more);
  w.EndObject();
  return json_reply(200, sb.GetString());
}

Reply Simulator::file(const Request& req, Ctx& c) {
  const std::string* date = req.param("X-Amz-Date");
  const std::string* expires = req.param("X-Amz-Expires");
  const std::string* sig = req.param("X-Amz-Signature");
  if (!date || !expires || !sig)
    return s3_error(403, "AccessDenied",
                    "Query-string authentication requires the Signature, Expires and Credential query parameters");
  auto exp_s = parse_int(*expires);
  auto issued = parse_amz_date(*date);
  if (!exp_s || !issued || url_signature(req.path, *date, *exp_s) != *sig)
    return s3_error(403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided.");
  const int64_t now = now_ms();
  if (now >= *issued + *exp_s * 1000) return s3_error(403, "AccessDenied", "Request has expired");

  // /files/<slug>/<bucket start seconds>-<k>.ndjson.gz
  auto no_key = [] { return s3_error(404, "NoSuchKey", "The specified key does not exist."); };
  std::string_view rest = std::string_view(req.path).substr(7);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return no_key();
  int t = kind_from_slug(rest.substr(0, slash));
  std::string_view name = rest.substr(slash + 1);
  if (t < 1 || name.size() <= kFileSuffix.size() || name.substr(name.size() - kFileSuffix.size()) != kFileSuffix)
    return no_key();
  name.remove_suffix(kFileSuffix.size());
  size_t dash = name.find('-');
  auto start_s = parse_int(name.substr(0, dash));
  auto k = dash == std::string_view::npos ? std::nullopt : parse_int(name.substr(dash + 1));
  const int64_t S = data_.bucket_ms();
  if (!start_s || !k || *k < 0 || *k >= data_.files_per_bucket() || (*start_s * 1000) % S != 0) return no_key();
  int64_t b = *start_s * 1000 / S;
  if (b >= published_end_bucket(now) || b * S < retention_start_ms(now)) return no_key();
  uint32_t n = data_.bucket_events(t, b);
  Fault* bad = nullptr;
  Fault* lng = nullptr;
  FileLayout f = layout(t, b, int(*k), n, &bad, &lng);
  if (f.slice.hi == f.slice.lo) return no_key();
  for (Fault* x : {bad, lng})
    if (x) {
      ++x->fired;
      ++faults_fired_[x->name];
      c.faults.push_back(x->name);
    }

  uint64_t size = file_size(f);
  Reply r;
  r.header("Content-Type", "application/octet-stream");
  r.source = std::make_unique<MtaFileSource>(data_, f);
  r.content_length = size;
  if (fire(c, {FaultKind::TruncatedGzip}, req.path)) {
    // A clean HTTP response whose gzip stream simply stops: only a gunzip check notices.
    r.content_length = size / 2;
    r.send_limit = size / 2;
  } else {
    uint32_t events = f.slice.hi - f.slice.lo;
    r.on_complete = [this, t, events] {
      events_served_[size_t(t)] += events;
      ++files_served_;
    };
  }
  return r;
}

// ---------------------------------------------------------------- stream

Reply Simulator::stream(const Request& req, Ctx&) {
  const int64_t now = now_ms();
  const int64_t S = data_.bucket_ms();
  int64_t page_size = 100;
  if (const std::string* ps = req.param("pageSize")) {
    auto n = parse_int(*ps);
    if (!n || *n < 1 || *n > 1000) return siem_bad("Invalid pageSize: must be between 1 and 1000");
    page_size = *n;
  }
  int64_t limit = now + 1;  // events exist once their time has come; the stream has no publish lag
  if (const std::string* to = req.param("dateRangeEndsAt"); to && !to->empty()) {
    auto end = parse_datetime(*to);
    if (!end) return siem_bad("Invalid date: `dateRangeEndsAt` does not match format: 2006-01-02T15:04:05.000Z");
    limit = std::min(limit, *end);
  }

  struct Pos {
    int t;
    int64_t b;
    uint32_t i;
  };
  std::vector<Pos> pos;
  const std::string* np = req.param("nextPage");
  if (np && !np->empty()) {
    // Cursor: a per-type offset list like Mimecast's "[av=0-0, ...]:N", sealed.
    auto pl = unseal(*np);
    if (!pl || pl->rfind("stream:[", 0) != 0) return siem_bad("Invalid nextPage token");
    std::string_view list(*pl);
    list = list.substr(8, list.find(']') - 8);
    while (!list.empty()) {
      size_t comma = list.find(", ");
      std::string_view item = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 2);
      size_t eq = item.find('='), dash = item.rfind('-');
      if (eq == std::string_view::npos || dash == std::string_view::npos || dash < eq)
        return siem_bad("Invalid nextPage token");
      int t = kind_from_slug(item.substr(0, eq));
      auto b = parse_int(item.substr(eq + 1, dash - eq - 1));
      auto i = parse_int(item.substr(dash + 1));
      if (t < 1 || !b || !i || *i < 0) return siem_bad("Invalid nextPage token");
      pos.push_back({t, *b, uint32_t(*i)});
    }
    if (pos.empty()) return siem_bad("Invalid nextPage token");
  } else {
    std::vector<int> types;
    const std::string* tp = req.param("types");
    if (!tp) tp = req.param("type");
    if (tp && !tp->empty()) {
      std::string_view list(*tp);
      while (!list.empty()) {
        size_t comma = list.find(',');
        int t = mta_type(list.substr(0, comma));
        if (t < 1) return siem_bad("Invalid types: unknown type '" + std::string(list.substr(0, comma)) + "'");
        if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
      std::sort(types.begin(), types.end());
    } else {
      for (int t = 1; t < kNumKinds; ++t) types.push_back(t);
    }
    const std::string* from = req.param("dateRangeStartsAt");
    if (!from) return siem_bad("Missing required parameter: dateRangeStartsAt");
    auto start = parse_datetime(*from);
    if (!start) return siem_bad("Invalid date: `dateRangeStartsAt` does not match format: 2006-01-02T15:04:05.000Z");
    if (*start < now - kDayMs) return siem_bad("Invalid date range: 'from' must be within the last 24 hours");
    int64_t s0 = std::max(*start, data_.origin_ms());
    for (int t : types) {
      int64_t b = floor_div(s0, S);
      uint32_t n = data_.bucket_events(t, b);
      uint32_t lo = 0, hi = n;  // first index with ts >= s0 (timestamps are sorted by index)
      while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (data_.event_ts(t, b, mid, n) < s0) lo = mid + 1;
        else hi = mid;
      }
      pos.push_back({t, b, lo});
    }
  }

  // Moves p to the next event before `limit`; returns its time, or nothing if there is none yet.
  auto settle = [&](Pos& p) -> std::optional<int64_t> {
    for (;;) {
      if (p.b * S >= limit) return std::nullopt;
      uint32_t n = data_.bucket_events(p.t, p.b);
      if (p.i < n) {
        int64_t ts = data_.event_ts(p.t, p.b, p.i, n);
        if (ts >= limit) return std::nullopt;
        return ts;
      }
      ++p.b;
      p.i = 0;
    }
  };
  std::vector<std::optional<int64_t>> head(pos.size());
  for (size_t x = 0; x < pos.size(); ++x) head[x] = settle(pos[x]);
  std::string values;
  int64_t served = 0;
  while (served < page_size) {
    // Merge the types by time (ties by type order) so a page reads like one log.
    size_t best = pos.size();
    for (size_t x = 0; x < pos.size(); ++x)
      if (head[x] && (best == pos.size() || *head[x] < *head[best])) best = x;
    if (best == pos.size()) break;
    Pos& p = pos[best];
    if (served) values += ',';
    data_.mta_event(values, p.t, p.b, p.i, data_.bucket_events(p.t, p.b), false);
    ++events_served_[size_t(p.t)];
    ++served;
    ++p.i;
    head[best] = settle(p);
  }
  bool caught_up = std::none_of(head.begin(), head.end(), [](const auto& h) { return h.has_value(); });

  std::string cursor = "stream:[";
  for (size_t x = 0; x < pos.size(); ++x)
    cursor += (x ? ", " : "") + std::string(kKinds[size_t(pos[x].t)].slug) + "=" + std::to_string(pos[x].b) + "-" +
              std::to_string(pos[x].i);
  cursor += "]:" + std::to_string(page_size);
  std::string token = seal(cursor);
  std::string link = "http://127.0.0.1:" + std::to_string(port_) + "/siem/v1/events/cg?pageSize=" +
                     std::to_string(page_size) + "&nextPage=" + url_encode(token);
  std::string body = R"({"value":[)" + values + R"(],"@nextPage":")" + token + R"(","@nextLink":")" + link +
                     R"(","pageSize":)" + std::to_string(page_size) + R"(,"isCaughtUp":)" +
                     (caught_up ? "true" : "false") + "}";
  return json_reply(200, std::move(body));
}

// ---------------------------------------------------------------- /__sim/expected

Reply Simulator::expected(const Request& req) {
  const std::string* api = req.param("api");
  const std::string* from = req.param("from_ms");
  const std::string* to = req.param("to_ms");
  int kind = api ? kind_from_api(*api) : -1;
  int64_t a = 0, b = 0;
  if (auto v = from ? parse_int(*from) : std::nullopt) a = *v;
  else kind = -1;
  if (auto v = to ? parse_int(*to) : std::nullopt) b = *v;
  else kind = -1;
  if (kind < 0) return json_reply(400, error_body("Bad Request", "need api=<audit|mta-...>, from_ms and to_ms"));
  const int64_t now = now_ms();
  Reply r;
  r.header("Content-Type", "application/x-ndjson");
  if (kind == kAudit) {
    int64_t lo = std::max(a, data_.origin_ms()), hi = std::min(b, now + 1);
    if (hi > lo)
      r.source = std::make_unique<ExpectedSource>(data_, kind, floor_div(lo, Data::kAuditSlotMs),
                                                  ceil_div(hi, Data::kAuditSlotMs), lo, hi);
  } else {
    // Only what the batch API can hand out: published and still retained.
    const int64_t S = data_.bucket_ms();
    int64_t b_lo = std::max({floor_div(a, S), ceil_div(retention_start_ms(now), S), floor_div(data_.origin_ms(), S)});
    int64_t b_hi = std::min(ceil_div(b, S), published_end_bucket(now));
    if (b_hi > b_lo) r.source = std::make_unique<ExpectedSource>(data_, kind, b_lo, b_hi, a, b);
  }
  return r;
}

}  // namespace mcsim
