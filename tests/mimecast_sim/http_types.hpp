// What the transport (server.*) hands to the API logic (sim.*) and gets back. Kept free of
// Boost so the API code does not depend on Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util.hpp"

namespace mcsim {

struct Request {
  std::string method;         // "GET", "POST", ...
  std::string path;           // target before '?', undecoded
  Params query;               // decoded query parameters, in order
  std::string authorization;  // Authorization header, may be empty
  std::string body;

  const std::string* param(std::string_view name) const {
    for (const auto& [k, v] : query)
      if (k == name) return &v;
    return nullptr;
  }
};

// A body produced piece by piece, so large files never sit in memory whole.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Appends the next piece to `out`; returns false once the body is complete.
  virtual bool next(std::string& out) = 0;
};

struct Reply {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::unique_ptr<BodySource> source;      // replaces `body` when set
  std::optional<uint64_t> content_length;  // for `source`; chunked encoding when absent
  std::optional<uint64_t> send_limit;      // send at most this many body bytes (faults)
  bool close_after = false;                // drop the connection after sending (reset fault)
  int64_t delay_ms = 0;                    // wait before answering (slow fault)
  std::function<void()> on_complete;       // called once the whole body went out

  void header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace mcsim
