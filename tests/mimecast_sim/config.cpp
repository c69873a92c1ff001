#include "config.hpp"

#include <string_view>

#include "util.hpp"

namespace mcsim {

const char* usage() {
  return R"(mimecast-sim: a stand-in for the Mimecast API 2.0 (audit + SIEM Cloud Gateway) on 127.0.0.1.

Prints "listening on 127.0.0.1:<port>" once ready; exits 0 on SIGINT/SIGTERM.

Options:
  --port N                   listen port (0 = chosen by the OS) [0]
  --seed N                   data seed [1]
  --client ID:SECRET         accepted OAuth client, repeatable [sim-client:sim-secret]
  --token-ttl SECONDS        access token lifetime [1800]
  --rate-limit N             requests per client id per window, 0 = unlimited [0]
  --rate-window-ms MS        rate limit window [60000]
  --429-body fail|detail     429 body: fail[] envelope or {"detail":...} [fail]
  --backlog-hours H          events exist from start-time - H on [72]
  --rate TYPE=PER_HOUR       event rate per type (audit, delivery, receipt, process, av, spam,
                             journal, internal email protect, impersonation protect,
                             url protect, attachment protect, or all), repeatable [60 each]
  --bucket-seconds S         batch file time bucket [900]
  --files-per-bucket K       files per bucket [1]
  --publish-lag-seconds S    a bucket is listed once now >= bucket end + S [120]
  --url-ttl-seconds S        pre-signed URL lifetime [900]
  --request-log PATH         one JSON line per request
  --summary PATH             JSON summary written at exit
  --fault SPEC               NAME[:p=P,every=N,count=N,path=PREFIX,ms=N], repeatable
  --now-offset-seconds S     simulated clock = real clock + S [0]
  --help                     this text
)";
}

ParseOutcome parse_args(int argc, char** argv, Config& cfg, std::string& err) {
  auto need_int = [&err](std::string_view opt, std::string_view v, int64_t lo, int64_t hi,
                         int64_t& out) {
    auto n = parse_int(v);
    if (!n || *n < lo || *n > hi) {
      err = std::string(opt) + ": expected an integer in " + std::to_string(lo) + ".." +
            std::to_string(hi) + ", got '" + std::string(v) + "'";
      return false;
    }
    out = *n;
    return true;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view opt = argv[i];
    if (opt == "--help" || opt == "-h") return ParseOutcome::Help;
    if (i + 1 >= argc) {
      err = std::string(opt) + (opt.substr(0, 2) == "--" ? ": missing value" : ": unknown argument");
      return ParseOutcome::Error;
    }
    std::string_view v = argv[++i];
    int64_t n = 0;
    if (opt == "--port") {
      if (!need_int(opt, v, 0, 65535, n)) return ParseOutcome::Error;
      cfg.port = uint16_t(n);
    } else if (opt == "--seed") {
      if (!need_int(opt, v, 0, INT64_MAX, n)) return ParseOutcome::Error;
      cfg.seed = uint64_t(n);
    } else if (opt == "--client") {
      size_t c = v.find(':');
      if (c == std::string_view::npos || c == 0) {
        err = "--client: expected ID:SECRET";
        return ParseOutcome::Error;
      }
      cfg.clients.push_back({std::string(v.substr(0, c)), std::string(v.substr(c + 1))});
    } else if (opt == "--token-ttl") {
      if (!need_int(opt, v, 1, 86400 * 365, cfg.token_ttl_s)) return ParseOutcome::Error;
    } else if (opt == "--rate-limit") {
      if (!need_int(opt, v, 0, 100000000, cfg.rate_limit)) return ParseOutcome::Error;
    } else if (opt == "--rate-window-ms") {
      if (!need_int(opt, v, 1, 86400000, cfg.rate_window_ms)) return ParseOutcome::Error;
    } else if (opt == "--429-body") {
      if (v != "fail" && v != "detail") {
        err = "--429-body: expected fail or detail";
        return ParseOutcome::Error;
      }
      cfg.detail_429 = v == "detail";
    } else if (opt == "--backlog-hours") {
      auto d = parse_double(v);
      if (!d || *d < 0 || *d > 24 * 366) {
        err = "--backlog-hours: expected a number of hours in 0..8784";
        return ParseOutcome::Error;
      }
      cfg.backlog_hours = *d;
    } else if (opt == "--rate") {
      size_t eq = v.rfind('=');
      auto d = eq == std::string_view::npos ? std::nullopt : parse_double(v.substr(eq + 1));
      if (!d || *d < 0 || *d > 1e8) {
        err = "--rate: expected TYPE=EVENTS_PER_HOUR, got '" + std::string(v) + "'";
        return ParseOutcome::Error;
      }
      std::string_view type = v.substr(0, eq);
      if (type == "all") {
        cfg.rates_per_hour.fill(*d);
      } else {
        int k = kind_from_name(type);
        if (k < 0) {
          err = "--rate: unknown type '" + std::string(type) + "'";
          return ParseOutcome::Error;
        }
        cfg.rates_per_hour[size_t(k)] = *d;
      }
    } else if (opt == "--bucket-seconds") {
      if (!need_int(opt, v, 1, 86400, cfg.bucket_s)) return ParseOutcome::Error;
    } else if (opt == "--files-per-bucket") {
      if (!need_int(opt, v, 1, 1000, n)) return ParseOutcome::Error;
      cfg.files_per_bucket = int(n);
    } else if (opt == "--publish-lag-seconds") {
      if (!need_int(opt, v, 0, 86400 * 7, cfg.publish_lag_s)) return ParseOutcome::Error;
    } else if (opt == "--url-ttl-seconds") {
      if (!need_int(opt, v, 1, 86400 * 7, cfg.url_ttl_s)) return ParseOutcome::Error;
    } else if (opt == "--request-log") {
      cfg.request_log = std::string(v);
    } else if (opt == "--summary") {
      cfg.summary = std::string(v);
    } else if (opt == "--fault") {
      cfg.faults.emplace_back(v);
    } else if (opt == "--now-offset-seconds") {
      if (!need_int(opt, v, -86400LL * 365 * 30, 86400LL * 365 * 30, cfg.now_offset_s))
        return ParseOutcome::Error;
    } else {
      err = "unknown option '" + std::string(opt) + "' (see --help)";
      return ParseOutcome::Error;
    }
  }
  if (cfg.clients.empty()) cfg.clients.push_back({"sim-client", "sim-secret"});
  return ParseOutcome::Ok;
}

}  // namespace mcsim
