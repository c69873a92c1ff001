#include "faults.hpp"

#include "util.hpp"

namespace mcsim {

namespace {

struct Name {
  std::string_view name;
  FaultKind kind;
};
constexpr Name kNames[] = {
    {"429", FaultKind::k429},
    {"500", FaultKind::k500},
    {"503", FaultKind::k503},
    {"reset", FaultKind::Reset},
    {"slow", FaultKind::Slow},
    {"truncated_gzip", FaultKind::TruncatedGzip},
    {"expired_url", FaultKind::ExpiredUrl},
    {"repeat_url", FaultKind::RepeatUrl},
    {"token_expired", FaultKind::TokenExpired},
    {"fail200", FaultKind::Fail200},
    {"bad_line", FaultKind::BadLine},
    {"long_line", FaultKind::LongLine},
};

}  // namespace

std::optional<Fault> parse_fault(std::string_view spec, std::string& err) {
  Fault f;
  f.spec = std::string(spec);
  size_t colon = spec.find(':');
  std::string_view name = spec.substr(0, colon);
  bool known = false;
  for (const auto& n : kNames)
    if (n.name == name) {
      f.kind = n.kind;
      f.name = std::string(n.name);
      known = true;
    }
  if (!known) {
    err = "unknown fault name '" + std::string(name) + "'";
    return std::nullopt;
  }
  std::string_view rest = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view kv = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) {
      err = "fault option '" + std::string(kv) + "' is not key=value";
      return std::nullopt;
    }
    std::string_view k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "p") {
      auto d = parse_double(v);
      if (!d || *d < 0 || *d > 1) {
        err = "p must be a number in 0..1";
        return std::nullopt;
      }
      f.p = *d;
    } else if (k == "every" || k == "count" || k == "ms") {
      auto n = parse_int(v);
      if (!n || *n < 0 || (k == "every" && *n == 0)) {
        err = std::string(k) + " must be a non-negative integer" + (k == "every" ? " > 0" : "");
        return std::nullopt;
      }
      if (k == "every") f.every = uint64_t(*n);
      else if (k == "count") f.count = *n;
      else f.ms = *n;
    } else if (k == "path") {
      f.path = std::string(v);
    } else {
      err = "unknown fault option '" + std::string(k) + "'";
      return std::nullopt;
    }
  }
  return f;
}

Fault* FaultSet::fire(std::initializer_list<FaultKind> kinds, std::string_view path) {
  for (auto& f : faults_) {
    bool wanted = false;
    for (auto k : kinds) wanted = wanted || f.kind == k;
    if (!wanted || path.substr(0, f.path.size()) != f.path) continue;
    ++f.seen;
    if (f.count >= 0 && int64_t(f.fired) >= f.count) continue;
    if (f.every > 0 && f.seen % f.every != 0) continue;
    // Draw only when p is set so adding a p-less fault does not shift another's sequence.
    if (f.p >= 0 && unit(rng_()) >= f.p) continue;
    ++f.fired;
    return &f;
  }
  return nullptr;
}

Fault* FaultSet::data_fault(FaultKind kind, uint64_t file_ordinal, uint64_t file_hash) {
  for (auto& f : faults_) {
    if (f.kind != kind) continue;
    if (f.every > 0 && file_ordinal % f.every != 0) continue;
    if (f.p >= 0 && unit(mix64(file_hash ^ uint64_t(kind))) >= f.p) continue;
    return &f;
  }
  return nullptr;
}

}  // namespace mcsim
