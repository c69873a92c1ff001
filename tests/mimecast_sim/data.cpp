#include "data.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <vector>

namespace mcsim {

const std::array<KindInfo, kNumKinds> kKinds{{
    {"audit", "audit", "audit"},
    {"receipt", "receipt", "mta-receipt"},
    {"process", "process", "mta-process"},
    {"delivery", "delivery", "mta-delivery"},
    {"av", "av", "mta-av"},
    {"spam", "spam", "mta-spam"},
    {"journal", "journal", "mta-journal"},
    {"internal email protect", "internal_email_protect", "mta-internal"},
    {"impersonation protect", "impersonation_protect", "mta-impersonation"},
    {"url protect", "url_protect", "mta-url"},
    {"attachment protect", "attachment_protect", "mta-attachment"},
}};

int kind_from_name(std::string_view s) {
  std::string norm;
  for (char c : s) norm += (c == '-' || c == '_' || c == '+') ? ' ' : char(std::tolower(uint8_t(c)));
  for (int i = 0; i < kNumKinds; ++i)
    if (kKinds[size_t(i)].name == norm) return i;
  return -1;
}

int kind_from_slug(std::string_view s) {
  for (int i = 0; i < kNumKinds; ++i)
    if (kKinds[size_t(i)].slug == s) return i;
  return -1;
}

int kind_from_api(std::string_view s) {
  for (int i = 0; i < kNumKinds; ++i)
    if (kKinds[size_t(i)].api == s) return i;
  return -1;
}

namespace {

// Deterministic picker over one event's private hash chain.
struct Pick {
  uint64_t h;
  uint64_t next() { return h = mix64(h); }
  uint64_t below(uint64_t n) { return next() % n; }
  bool chance(double p) { return unit(next()) < p; }
  template <typename A>
  std::string_view of(const A& a) {
    return a[below(std::size(a))];
  }
  std::string hex(size_t chars) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    while (s.size() < chars) {
      uint64_t v = next();
      for (int i = 0; i < 16 && s.size() < chars; ++i, v >>= 4) s += kHex[v & 15];
    }
    return s;
  }
  std::string b64(size_t bytes) {
    std::string raw;
    while (raw.size() < bytes) {
      uint64_t v = next();
      for (int i = 0; i < 8 && raw.size() < bytes; ++i, v >>= 8) raw += char(v & 0xff);
    }
    return base64(raw, true);
  }
};

constexpr std::string_view kInternal[] = {"john", "maria", "richard", "alewis", "jane.doe", "ceo",
                                          "rhonda", "ap", "coo", "it-helpdesk", "sales", "hr",
                                          "finance", "all-staff", "support"};
constexpr std::string_view kExtUsers[] = {"manintan", "oasissupport", "clickz", "billing",
                                          "newsletter", "noreply", "invoices", "alerts", "partner"};
constexpr std::string_view kExtDomains[] = {"sender.example", "partner.example", "news.example",
                                            "vendor.example", "mail.example.net"};
constexpr std::string_view kSubjects[] = {
    "new information", "Entergy's new OASIS node is now available",
    "Energy Briefing paper for Monday, May 21st", "Tests Only an Internet Marketer Could Love",
    "Management Changes", "Invoice Attached for payment", "Your invoice", "Opportunity to become VP",
    "Quarterly results \xe2\x80\x94 draft", "Re: lunch on \"Friday\"?", "Password expiry notice",
    "Weekly status\treport", "Shipment 4471 delayed", "Contract renewal \\ legal review"};
constexpr std::string_view kFiles[][2] = {{"zero-day.pdf", "pdf"}, {"Invoice.xlsm", "xlsm"},
                                          {"report.docx", "docx"}, {"payload.zip", "zip"},
                                          {"scan.html", "html"},   {"photo.jpg", "jpg"}};
constexpr std::string_view kUrlCats[] = {"Phishing & Fraud", "Malware", "Compromised",
                                         "Blocked URL Category"};
constexpr std::string_view kCiphers[] = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                                         "ECDHE-RSA-AES256-GCM-SHA384"};
constexpr std::string_view kWords[] = {"lorem", "ipsum", "quarterly", "invoice", "urgent", "review",
                                       "meeting", "update", "gateway", "policy", "archive", "report"};

std::string ip(Pick& r) {
  static constexpr std::string_view kNets[] = {"192.0.2.", "198.51.100.", "203.0.113."};
  if (r.chance(0.2)) return "81.2.69.144";
  return std::string(r.of(kNets)) + std::to_string(1 + r.below(254));
}
std::string internal_addr(Pick& r) { return std::string(r.of(kInternal)) + "@example.com"; }
std::string external_addr(Pick& r) {
  return std::string(r.of(kExtUsers)) + "@" + std::string(r.of(kExtDomains));
}
std::string message_id(Pick& r) {
  return "<" + r.hex(16) + "-" + std::to_string(r.below(400000)) + "@hapi.b41.one>";
}

// Fields are collected then written sorted by key, as in Mimecast's batch lines.
class Fields {
 public:
  void str(std::string_view k, std::string v) { f_.push_back({k, 's', std::move(v), 0}); }
  void num(std::string_view k, int64_t v) { f_.push_back({k, 'n', {}, v}); }
  void null(std::string_view k) { f_.push_back({k, '0', {}, 0}); }
  void str_or_null(std::string_view k, bool present, std::string v) {
    if (present) str(k, std::move(v));
    else null(k);
  }
  void set_str(std::string_view k, std::string v) {
    for (auto& f : f_)
      if (f.key == k) {
        f.kind = 's';
        f.s = std::move(v);
        return;
      }
    str(k, std::move(v));
  }
  void write(std::string& out) {
    std::sort(f_.begin(), f_.end(), [](const F& a, const F& b) { return a.key < b.key; });
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    for (const auto& f : f_) {
      w.Key(f.key.data(), rapidjson::SizeType(f.key.size()));
      if (f.kind == 's') w.String(f.s.data(), rapidjson::SizeType(f.s.size()));
      else if (f.kind == 'n') w.Int64(f.n);
      else w.Null();
    }
    w.EndObject();
    out.append(sb.GetString(), sb.GetSize());
  }

 private:
  struct F {
    std::string_view key;
    char kind;
    std::string s;
    int64_t n;
  };
  std::vector<F> f_;
};

std::string long_subject(Pick& r) {
  std::string s = "Very long subject:";
  while (s.size() < (1u << 20) + 64 * 1024) {
    s += ' ';
    s += r.of(kWords);
  }
  return s;
}

void file_fields(Fields& f, Pick& r) {
  const auto& file = kFiles[r.below(std::size(kFiles))];
  f.str("fileName", std::string(file[0]));
  f.str("fileExtension", std::string(file[1]));
  f.str("md5", r.hex(32));
  f.str("sha1", r.hex(40));
  f.str("sha256", r.hex(64));
}

}  // namespace

Data::Data(uint64_t seed, const std::array<double, kNumKinds>& rates_per_hour, int64_t bucket_ms,
           int files_per_bucket, int64_t origin_ms)
    : seed_(seed), rates_(rates_per_hour), bucket_ms_(bucket_ms), files_(files_per_bucket),
      origin_ms_(origin_ms) {}

uint32_t Data::count_for(int kind, int64_t key, int64_t span_ms) const {
  double mean = rates_[size_t(kind)] * double(span_ms) / double(kHourMs);
  if (mean <= 0) return 0;
  uint64_t h = hash_of(seed_, 0xC0, kind, key);
  // Mean-preserving variation: x in [0.5, 1.5) * mean, fractional part rounded up at random.
  double x = mean * (0.5 + unit(h));
  double whole = std::floor(x);
  double n = whole + (unit(mix64(h)) < x - whole ? 1 : 0);
  return uint32_t(std::min(n, 5e7));
}

uint32_t Data::bucket_events(int t, int64_t b) const {
  if (b * bucket_ms_ < origin_ms_) return 0;
  return count_for(t, b, bucket_ms_);
}

Data::Slice Data::file_slice(uint32_t n, int k) const {
  uint64_t K = uint64_t(files_);
  return Slice{uint32_t(uint64_t(n) * uint64_t(k) / K), uint32_t(uint64_t(n) * uint64_t(k + 1) / K)};
}

int64_t Data::event_ts(int t, int64_t b, uint32_t i, uint32_t n) const {
  // Stratified: event i lies in the i-th n-th of the bucket, so timestamps never decrease
  // with the index and a position can be found without sorting.
  double u = unit(hash_of(seed_, 0x75, t, b, i));
  auto off = int64_t((double(i) + u) * double(bucket_ms_) / double(n));
  return b * bucket_ms_ + std::clamp<int64_t>(off, 0, bucket_ms_ - 1);
}

namespace {

// Id bytes = 8 hash bytes, then the event's key masked with a keystream derived from those
// hash bytes, then filler. Equal ids need equal hash bytes, hence equal masks, hence equal keys:
// unique by construction, yet random-looking.
std::string keyed_id(uint64_t h, std::initializer_list<std::pair<uint64_t, int>> key, size_t total) {
  std::string raw;
  auto put = [&raw](uint64_t v, int bytes) {
    for (int s = (bytes - 1) * 8; s >= 0; s -= 8) raw += char((v >> s) & 0xff);
  };
  put(h, 8);
  uint64_t mask = mix64(h ^ 0x6d61736b);
  int used = 0;
  for (auto [v, bytes] : key)
    for (int s = (bytes - 1) * 8; s >= 0; s -= 8) {
      if (used++ % 8 == 0) mask = mix64(mask);
      raw += char(((v >> s) ^ (mask >> (used % 8) * 8)) & 0xff);
    }
  while (raw.size() < total) put(mix64(h + raw.size()), 1);
  return base64(raw, true);
}

}  // namespace

std::string Data::processing_id(int t, int64_t b, uint32_t i, int64_t ts) const {
  uint64_t h = hash_of(seed_, 0x91, t, b, i);
  int64_t msg_s = ts / 1000 - int64_t(mix64(h ^ 7) % 60);
  return keyed_id(h, {{uint64_t(t), 1}, {uint64_t(b), 8}, {i, 4}}, 32) + "_" + std::to_string(msg_s);
}

void Data::mta_event(std::string& out, int t, int64_t b, uint32_t i, uint32_t n, bool long_subj) const {
  int64_t ts = event_ts(t, b, i, n);
  std::string pid = processing_id(t, b, i, ts);
  std::string suffix = pid.substr(pid.rfind('_'));  // base64url itself may contain '_'

  Pick r{hash_of(seed_, 0xE7, t, b, i)};
  Fields f;
  f.num("_offset", int64_t((uint64_t(b) * 977 + i) % 900000 + 10000));
  f.num("_partition", int64_t(r.below(64)));
  f.str("accountId", "CUSB4A274");
  // Several events of one message share an aggregateId; vary it in small groups.
  Pick ag{hash_of(seed_, 0xA9, b, i / 3)};
  f.str("aggregateId", ag.b64(16) + suffix);
  f.str("processingId", pid);
  f.num("timestamp", ts);
  f.str("type", std::string(kKinds[size_t(t)].name));
  bool inbound = r.chance(0.7);
  std::string sender = inbound ? external_addr(r) : internal_addr(r);
  std::string rcpt = inbound ? internal_addr(r) : external_addr(r);
  std::string subject(r.of(kSubjects));
  switch (t) {
    case 1: {  // receipt
      bool rej = r.chance(0.1);
      std::string action = rej ? "Rej" : "Acc";
      f.str("action", action);
      f.str("subtype", action);
      f.str("direction", inbound ? "Inbound" : "Outbound");
      f.str("messageId", message_id(r));
      f.str("numberAttachments", std::to_string(r.below(3)));
      f.null("receiptErrors");
      f.str("recipients", rcpt);
      f.str_or_null("rejectionCode", rej, "550");
      f.str_or_null("rejectionInfo", rej, "Envelope blocked - User Entry");
      f.str_or_null("rejectionType", rej, "Manual Envelope Rejection");
      f.str("senderEnvelope", sender);
      f.str("senderHeader", sender);
      f.str("senderIp", ip(r));
      f.str("spamDetectionLevel", std::to_string(r.below(10)));
      f.str("spamInfo", "[]");
      f.str("spamProcessingDetail",
            R"({"spf":{"allow":true,"info":"ALLOW"},"dkim":{"allow":true,"info":"UNKNOWN"},"dmarc":{"allow":true,"info":"ALLOW"}})");
      f.str("spamScore", std::to_string(r.below(40)));
      f.str("subject", subject);
      f.str("tlsCipher", std::string(r.of(kCiphers)));
      f.str("tlsVersion", "TLSv1.3");
      f.null("virusFound");
      break;
    }
    case 2: {  // process
      static constexpr std::string_view kActions[] = {"Acc", "Acc", "Acc", "Hld", "Sdbx", "Rej"};
      std::string action(r.of(kActions));
      f.str("action", action);
      f.str("subtype", action);
      uint64_t natt = r.below(3);
      f.str_or_null("attachments", natt > 0, "document.pdf");
      f.str("emailSize", std::to_string(2000 + r.below(60000)));
      f.str_or_null("holdReason", action == "Hld", "Spm");
      f.str("messageId", message_id(r));
      f.str("numberAttachments", std::to_string(natt));
      f.str("senderEnvelope", sender);
      f.str("subject", subject);
      f.str("totalSizeAttachments", std::to_string(natt * r.below(20000)));
      break;
    }
    case 3: {  // delivery
      bool ok = r.chance(0.95);
      bool tls = r.chance(0.6);
      f.str("Hostname", "mx.example.net");
      f.str("delivered", ok ? "true" : "false");
      f.str("subtype", ok ? "true" : "false");
      f.str("deliveryAttempts", std::to_string(1 + r.below(3)));
      f.str_or_null("deliveryErrors", !ok, "Connection timed out");
      f.str("deliveryTime", std::to_string(r.below(20000000)));
      f.str("destinationIp", ip(r));
      f.str("direction", inbound ? "Inbound" : "Outbound");
      f.str("emailSize", std::to_string(2000 + r.below(60000)));
      f.str("messageId", message_id(r));
      f.str("numberAttachments", "0");
      f.str("recipients", rcpt);
      f.str_or_null("rejectionCode", !ok, "421");
      f.str_or_null("rejectionInfo", !ok, "Service not available");
      f.str_or_null("rejectionType", !ok, "Temporary Failure");
      f.str("route", "Accept and drop messages");
      f.str("senderEnvelope", sender);
      f.str("subject", subject);
      f.str_or_null("tlsCipher", tls, std::string(r.of(kCiphers)));
      f.str("tlsUsed", tls ? "Yes" : "No");
      f.str_or_null("tlsVersion", tls, "TLSv1.2");
      f.str("totalSizeAttachments", "0");
      break;
    }
    case 4:  // av
      file_fields(f, r);
      f.str("messageId", message_id(r));
      f.str("recipients", rcpt);
      f.str("route", inbound ? "Inbound" : "Outbound");
      f.str("senderDomainInternal", inbound ? "false" : "true");
      f.str("senderEnvelope", sender);
      f.str("senderIp", ip(r));
      f.str("subject", subject);
      f.null("subtype");
      break;
    case 5:  // spam
      f.str("messageId", message_id(r));
      f.str("recipients", rcpt);
      f.str("route", inbound ? "Inbound" : "Outbound");
      f.str("senderDomain", sender.substr(sender.find('@') + 1));
      f.str("senderEnvelope", sender);
      f.str("senderHeader", sender);
      f.str("senderIp", ip(r));
      f.str("subject", subject);
      f.null("subtype");
      break;
    case 6:  // journal
      f.str("direction", inbound ? "Inbound" : "Internal");
      f.str("recipients", rcpt);
      f.str("senderEnvelope", sender);
      f.null("subtype");
      break;
    case 7:  // internal email protect
      f.str("messageId", message_id(r));
      f.null("monitoredDomainSource");
      f.str("recipients", internal_addr(r));
      f.str("route", "Internal");
      f.str("scanResults", "Blocked URL Category");
      f.str("senderEnvelope", internal_addr(r));
      f.null("similarDomain");
      f.str("subject", subject);
      f.null("subtype");
      f.str("urlCategory", std::string(r.of(kUrlCats)));
      break;
    case 8:  // impersonation protect
      f.str("action", r.chance(0.5) ? "Hold" : "Tag");
      f.str("messageId", message_id(r));
      f.str("newDomain", r.chance(0.3) ? "true" : "false");
      f.str("policyDefinition", "Default Impersonation Definition");
      f.str("recipients", internal_addr(r));
      f.str("route", "Inbound");
      f.str("senderEnvelope", std::string(r.of(kInternal)) + "@examp1e.com");
      f.str("senderIp", ip(r));
      f.str("subject", subject);
      f.null("subtype");
      f.str("taggedExternal", r.chance(0.5) ? "true" : "false");
      f.str("taggedMalicious", r.chance(0.5) ? "true" : "false");
      break;
    case 9: {  // url protect
      std::string dom(r.of(kExtDomains));
      f.str("action", r.chance(0.8) ? "Block" : "Allow");
      f.str("blockReason", "Malicious");
      f.str("messageId", message_id(r));
      f.str("recipients", rcpt);
      f.str("route", inbound ? "Inbound" : "Outbound");
      f.str("sender", sender);
      f.str("senderDomain", sender.substr(sender.find('@') + 1));
      f.str("sourceIp", ip(r));
      f.str("subject", subject);
      f.null("subtype");
      f.str("url", "http://bad." + dom + "/login?id=" + std::to_string(r.below(100000)));
      f.str("urlCategory", std::string(r.of(kUrlCats)));
      break;
    }
    default:  // 10: attachment protect
      file_fields(f, r);
      f.null("subtype");
      break;
  }
  if (long_subj) f.set_str("subject", long_subject(r));
  f.write(out);
}

std::string Data::bad_line(int t, int64_t b, int k) const {
  // What a record cut mid-write looks like: valid prefix, unterminated string.
  Pick r{hash_of(seed_, 0xBD, t, b, k)};
  return R"({"_offset":)" + std::to_string(r.below(90000)) + R"(,"_partition":60,"accountId":"CUSB4A274","aggregateId":")" +
         r.b64(9);
}

uint32_t Data::slot_events(int64_t s) const {
  if ((s + 1) * kAuditSlotMs <= origin_ms_) return 0;
  return count_for(kAudit, s, kAuditSlotMs);
}

int64_t Data::audit_ts(int64_t s, uint32_t j, uint32_t n) const {
  // About one event in four shares the second of the one before it (real audit logs do that).
  uint32_t k = j;
  while (k > 0 && (hash_of(seed_, 0xA5, s, k) & 3) == 0) --k;
  const int64_t slot_s = kAuditSlotMs / 1000;
  double u = unit(hash_of(seed_, 0xA6, s, k));
  auto off = int64_t((double(k) + u) * double(slot_s) / double(n));
  return s * kAuditSlotMs + std::clamp<int64_t>(off, 0, slot_s - 1) * 1000;
}

std::string Data::audit_id(int64_t s, uint32_t j) const {
  return "eNo" + keyed_id(hash_of(seed_, 0x1D, s, j), {{uint64_t(s), 8}, {j, 4}}, 24);
}

void Data::audit_event(std::string& out, int64_t s, uint32_t j, uint32_t n) const {
  struct T {
    std::string_view type, category;
    int info;
  };
  static constexpr T kTypes[] = {{"User Logged On", "authentication_logs", 0},
                                 {"User Logged On", "authentication_logs", 0},
                                 {"Logon Authentication Failed", "authentication_logs", 1},
                                 {"Search Performed", "case_review_logs", 2},
                                 {"Account Updated", "account_logs", 3},
                                 {"Policy Edited", "policy_logs", 4}};
  int64_t ts = audit_ts(s, j, n);
  Pick r{hash_of(seed_, 0xAE, s, j)};
  const T& ty = kTypes[r.below(std::size(kTypes))];
  std::string user = internal_addr(r);
  std::string when = format_audit_time(ts);
  std::string date = when.substr(0, 10), time = when.substr(11, 8);
  std::string info;
  switch (ty.info) {
    case 0:
      info = "Successful authentication for " + user + ", Date: " + date + ", Time: " + time +
             " GMT, IP: " + ip(r) + ", Application: Web, Method: Cloud";
      break;
    case 1:
      info = "Failed authentication for " + user + ", Date: " + date + ", Time: " + time + " GMT, IP: " +
             ip(r) + ", Application: Mimecast for Outlook, Reason: Invalid password";
      break;
    case 2:
      info = user + " searched the archive for \"" + std::string(r.of(kWords)) + "\", Reason: case " +
             std::to_string(r.below(9000));
      break;
    case 3:
      info = "Account settings updated by " + user + ": session timeout set to " +
             std::to_string(5 + r.below(55)) + " minutes";
      break;
    default:
      info = "Policy \"Anti-Spoofing " + std::to_string(r.below(20)) + "\" edited by " + user;
      break;
  }
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto kv = [&w](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.data(), rapidjson::SizeType(v.size()));
  };
  w.StartObject();
  kv("id", audit_id(s, j));
  kv("auditType", std::string(ty.type));
  kv("user", user);
  kv("eventTime", when);
  kv("eventInfo", info);
  kv("category", std::string(ty.category));
  w.EndObject();
  out.append(sb.GetString(), sb.GetSize());
}

bool MtaFileSource::next(std::string& out) {
  constexpr size_t kChunk = 64 * 1024;
  const uint32_t count = f_.slice.hi - f_.slice.lo;
  while (!done_ && out.size() < kChunk) {
    line_.clear();
    if (f_.bad_pos && !bad_done_ && next_ - f_.slice.lo == std::min(*f_.bad_pos, count)) {
      line_ = d_.bad_line(f_.t, f_.b, f_.k);
      bad_done_ = true;
    } else if (next_ < f_.slice.hi) {
      d_.mta_event(line_, f_.t, f_.b, next_, f_.n, f_.long_event && *f_.long_event == next_);
      ++next_;
    } else {
      gz_.finish(out);
      done_ = true;
      break;
    }
    line_ += '\n';
    gz_.write(line_, out);
  }
  return !done_;
}

uint64_t compressed_size(const Data& d, const FileLayout& f) {
  MtaFileSource src(d, f);
  std::string buf;
  uint64_t total = 0;
  bool more = true;
  while (more) {
    buf.clear();
    more = src.next(buf);
    total += buf.size();
  }
  return total;
}

}  // namespace mcsim
