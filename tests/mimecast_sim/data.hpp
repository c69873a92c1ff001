// Deterministic event data. Every event is a pure function of (seed, kind, time bucket or
// audit slot, index), so nothing is stored: a 7-day backlog costs no memory, a file
// downloaded twice is byte-identical and a restart with the same seed serves the same events.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gz.hpp"
#include "http_types.hpp"

namespace mcsim {

// Kind 0 is audit; kinds 1..10 are the MTA SIEM types.
constexpr int kAudit = 0;
constexpr int kNumKinds = 11;

struct KindInfo {
  std::string_view name;  // Mimecast's type string ("internal email protect")
  std::string_view slug;  // used in file URLs and cursors
  std::string_view api;   // the ingester's name, used by /__sim/expected
};
extern const std::array<KindInfo, kNumKinds> kKinds;

int kind_from_name(std::string_view s);  // accepts spaces, '-', '_' and any case; -1 if unknown
int kind_from_slug(std::string_view s);
int kind_from_api(std::string_view s);

class Data {
 public:
  static constexpr int64_t kAuditSlotMs = 300 * 1000;

  Data(uint64_t seed, const std::array<double, kNumKinds>& rates_per_hour, int64_t bucket_ms,
       int files_per_bucket, int64_t origin_ms);

  uint64_t seed() const { return seed_; }
  int64_t bucket_ms() const { return bucket_ms_; }
  int files_per_bucket() const { return files_; }
  int64_t origin_ms() const { return origin_ms_; }  // nothing exists before this (backlog start)

  // --- MTA: bucket b covers [b*bucket_ms, (b+1)*bucket_ms) and holds n events, index 0..n-1,
  // timestamps non-decreasing with the index; file k of the bucket holds a contiguous slice.
  uint32_t bucket_events(int t, int64_t b) const;
  struct Slice {
    uint32_t lo, hi;
  };
  Slice file_slice(uint32_t n, int k) const;
  int64_t event_ts(int t, int64_t b, uint32_t i, uint32_t n) const;
  std::string processing_id(int t, int64_t b, uint32_t i, int64_t ts) const;
  // Appends one event as a JSON object (no newline). long_subject makes the line > 1 MiB.
  void mta_event(std::string& out, int t, int64_t b, uint32_t i, uint32_t n, bool long_subject) const;
  // A line that is not JSON (a cut-off record), for the bad_line fault.
  std::string bad_line(int t, int64_t b, int k) const;

  // --- Audit: slot s covers [s*kAuditSlotMs, ...) with n events; several may share a second.
  uint32_t slot_events(int64_t s) const;
  int64_t audit_ts(int64_t s, uint32_t j, uint32_t n) const;
  std::string audit_id(int64_t s, uint32_t j) const;
  void audit_event(std::string& out, int64_t s, uint32_t j, uint32_t n) const;

 private:
  uint32_t count_for(int kind, int64_t key, int64_t span_ms) const;

  uint64_t seed_;
  std::array<double, kNumKinds> rates_;
  int64_t bucket_ms_;
  int files_;
  int64_t origin_ms_;
};

// One batch file, generated and gzip-compressed as it is sent.
struct FileLayout {
  int t = 0;
  int64_t b = 0;
  int k = 0;
  uint32_t n = 0;                     // events in the whole bucket
  Data::Slice slice{0, 0};            // events of this file
  std::optional<uint32_t> bad_pos;    // insert the bad line before slice.lo + bad_pos
  std::optional<uint32_t> long_event; // index of the event with the > 1 MiB subject
};

class MtaFileSource : public BodySource {
 public:
  MtaFileSource(const Data& d, const FileLayout& f) : d_(d), f_(f), next_(f.slice.lo) {}
  bool next(std::string& out) override;

 private:
  const Data& d_;
  FileLayout f_;
  uint32_t next_;
  bool bad_done_ = false;
  bool done_ = false;
  GzipWriter gz_;
  std::string line_;
};

uint64_t compressed_size(const Data& d, const FileLayout& f);

}  // namespace mcsim
