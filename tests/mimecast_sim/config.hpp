// Command-line configuration of mimecast-sim.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data.hpp"

namespace mcsim {

struct ClientCred {
  std::string id, secret;
};

struct Config {
  uint16_t port = 0;
  uint64_t seed = 1;
  std::vector<ClientCred> clients;  // filled with the default client if none given
  int64_t token_ttl_s = 1800;
  int64_t rate_limit = 0;  // requests per client per window; 0 = unlimited
  int64_t rate_window_ms = 60000;
  bool detail_429 = false;  // 429 body form A ({"detail":...}) instead of the fail[] envelope
  double backlog_hours = 72;
  std::array<double, kNumKinds> rates_per_hour{};
  int64_t bucket_s = 900;
  int files_per_bucket = 1;
  int64_t publish_lag_s = 120;
  int64_t url_ttl_s = 900;
  std::string request_log;
  std::string summary;
  std::vector<std::string> faults;
  int64_t now_offset_s = 0;

  Config() { rates_per_hour.fill(60.0); }
};

enum class ParseOutcome { Ok, Help, Error };
ParseOutcome parse_args(int argc, char** argv, Config& cfg, std::string& err);
const char* usage();

}  // namespace mcsim
