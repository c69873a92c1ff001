// Injectable misbehaviour. A fault is NAME[:key=value,...]; see README.md for the list.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace mcsim {

enum class FaultKind {
  k429,
  k500,
  k503,
  Reset,
  Slow,
  TruncatedGzip,
  ExpiredUrl,
  RepeatUrl,
  TokenExpired,
  Fail200,
  BadLine,
  LongLine,
};

struct Fault {
  std::string spec;  // as given, for listing
  std::string name;
  FaultKind kind{};
  double p = -1;        // probability; <0 = not set
  uint64_t every = 0;   // every Nth matching request; 0 = not set
  int64_t count = -1;   // only the next N matching requests; <0 = not set
  std::string path;     // request path prefix; empty = all
  int64_t ms = -1;      // parameter for 429 / slow
  uint64_t seen = 0;    // matching requests so far
  uint64_t fired = 0;
};

std::optional<Fault> parse_fault(std::string_view spec, std::string& err);

class FaultSet {
 public:
  explicit FaultSet(uint64_t seed) : rng_(seed ^ 0x5eedfa017ULL) {}

  void replace(std::vector<Fault> faults) { faults_ = std::move(faults); }
  const std::vector<Fault>& all() const { return faults_; }

  // Runs the schedules of the active faults of these kinds whose path prefix matches, in list
  // order, and returns the first that fires (later ones are not consulted, so their counters
  // only advance on requests they could have affected).
  Fault* fire(std::initializer_list<FaultKind> kinds, std::string_view path);

  // Data faults (bad_line, long_line) are properties of a file, not of a request: a pure
  // function of the file's ordinal/hash, so every download of a file is identical. Only `every`
  // and `p` apply. Returns the fault or nullptr.
  Fault* data_fault(FaultKind kind, uint64_t file_ordinal, uint64_t file_hash);

 private:
  std::vector<Fault> faults_;
  std::mt19937_64 rng_;
};

}  // namespace mcsim
