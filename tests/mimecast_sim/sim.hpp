// The Mimecast API semantics: OAuth, audit, SIEM batch + stream, pre-signed files, rate
// limiting, fault injection, request log, summary and the /__sim test endpoints.
#pragma once

#include <array>
#include <cstdio>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "data.hpp"
#include "faults.hpp"
#include "http_types.hpp"

namespace mcsim {

// Sliding-window limiter: at most `limit` admitted calls per client in any `window_ms`.
class RateLimiter {
 public:
  struct Verdict {
    bool allowed;
    int64_t limit, remaining, reset_ms;
  };
  RateLimiter(int64_t limit, int64_t window_ms) : limit_(limit), window_ms_(window_ms) {}
  bool enabled() const { return limit_ > 0; }
  Verdict take(const std::string& client, int64_t now_ms) { return check(client, now_ms, true); }
  Verdict peek(const std::string& client, int64_t now_ms) { return check(client, now_ms, false); }

 private:
  Verdict check(const std::string& client, int64_t now_ms, bool consume);

  int64_t limit_, window_ms_;
  std::unordered_map<std::string, std::deque<int64_t>> calls_;
};

class Simulator {
 public:
  // Throws std::runtime_error if the request log cannot be opened.
  Simulator(Config cfg, std::vector<Fault> faults);
  void set_port(uint16_t port) { port_ = port; }
  Reply handle(const Request& req);
  std::string summary_json() const;
  bool write_summary(std::string& err) const;

 private:
  enum class Route { Token, Audit, Batch, Stream, File, Unknown };
  struct Ctx {
    Route route = Route::Unknown;
    std::string client;
    Params params;  // logged; never holds a secret
    std::vector<std::string> faults;
    bool outcome_fault = false;  // a fault already decided this request's answer
    int64_t arrived_ms = 0;      // logged: when the request came in, not when answered
  };
  struct TokenInfo {
    std::string client;
    int64_t expires_ms;
  };

  Reply dispatch(const Request& req, Ctx& c);
  Reply sim_endpoint(const Request& req);
  Reply token(const Params& form, Ctx& c);
  Reply audit(const Request& req, Ctx& c);
  Reply batch(const Request& req, Ctx& c);
  Reply stream(const Request& req, Ctx& c);
  Reply file(const Request& req, Ctx& c);
  Reply expected(const Request& req);
  Reply faults_list() const;
  Reply faults_replace(const Request& req);

  int64_t now_ms() const;
  Fault* fire(Ctx& c, std::initializer_list<FaultKind> kinds, const std::string& path);
  Reply fault_reply(const Fault& f, Route route);
  void rate_headers(Reply& r, const RateLimiter::Verdict& v) const;
  Reply too_many(const RateLimiter::Verdict& v) const;
  void log(const Request& req, const Ctx& c, unsigned status);

  // Cursors are sealed with a keyed hash so a mangled token is a clean 400, never a crash.
  std::string seal(const std::string& payload) const;
  std::optional<std::string> unseal(std::string_view token) const;

  // Batch files.
  int64_t retention_start_ms(int64_t now) const { return now - 7 * kDayMs; }
  int64_t published_end_bucket(int64_t now) const;  // buckets < this are published
  FileLayout layout(int t, int64_t b, int k, uint32_t n, Fault** bad, Fault** lng);
  uint64_t file_size(const FileLayout& f);
  std::string file_path(const FileLayout& f) const;
  std::string file_url(const FileLayout& f, int64_t issued_ms, int64_t& expiry_ms) const;
  std::string url_signature(const std::string& path, const std::string& date, int64_t expires) const;

  Config cfg_;
  Data data_;
  FaultSet faults_;
  RateLimiter limiter_;
  std::mt19937_64 token_rng_;
  std::unordered_map<std::string, TokenInfo> tokens_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> log_{nullptr, &std::fclose};
  uint16_t port_ = 0;
  std::string url_key_;
  uint64_t mac_key_;
  std::map<std::tuple<int, int64_t, int, int64_t, int64_t>, uint64_t> size_cache_;

  std::array<uint64_t, kNumKinds> events_served_{};
  uint64_t files_served_ = 0;
  uint64_t requests_ = 0;
  std::map<std::string, uint64_t> by_endpoint_;
  std::map<unsigned, uint64_t> by_status_;
  std::map<std::string, uint64_t> faults_fired_;
};

}  // namespace mcsim
