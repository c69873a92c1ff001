// hr::cfg — the config loader: Gravwell's gcfg INI dialect (on top of inih), overlay
// files, typed values, key schemas with environment fallbacks.
//
// Typical use by the runner:
//   RawDocument doc; std::vector<Diag> diags;
//   load_files(path, "", doc, diags);
//   for (auto& s : doc.sections) {
//     const auto& schema = canonical(s.name) == "global" ? global_schema() : ...;
//     ResolvedSection r = resolve(s, schema, diags);
//   }
//   if (has_errors(diags)) { print every d.format(); exit 255; }
//
// Nothing here throws for bad input: every problem becomes a Diag, and parsing goes on so
// that one run reports all of them. Nothing here keeps global state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hr::cfg {

// ---------------------------------------------------------------------------------------
// Diagnostics

struct Location {
  std::string file{};  // config path; "$NAME" for an environment variable; "" for a default
  uint32_t line = 0; // 1-based; 0 = not from a line
};

enum class Severity { Warning, Error };

struct Diag {
  Severity severity = Severity::Error;
  Location loc{};
  std::string section{}; // label as written: `Mimecast "prod"` or `Global`; "" if none
  std::string key{};     // key name (documented spelling when known); "" if none
  std::string message{}; // never holds the value of a secret key
  // "file:line: [Mimecast \"prod\"] Client-Id: message"; warnings get "warning: " after
  // the location; empty parts are left out.
  std::string format() const;
};

bool has_errors(const std::vector<Diag>& diags);

// `Name` or `Name "instance"` (quotes and backslashes in the instance escaped).
std::string section_label(std::string_view name, const std::optional<std::string>& instance);

// ---------------------------------------------------------------------------------------
// 1. Raw dialect

struct RawEntry {
  std::string key{};   // as written
  std::string value{}; // decoded: quotes removed, escapes applied, comments stripped
  Location loc{};      // line of the key
  bool bare = false; // written as `Key` alone, without '=' (gcfg's blank value)
};

struct RawSection {
  std::string name{}; // as written in the first header
  std::optional<std::string> instance{};
  Location loc{}; // first header
  std::vector<RawEntry> entries{}; // every header of this section, every file, in order
};

struct RawDocument {
  std::vector<RawSection> sections{}; // in order of first appearance
  // Name compared canonically, instance exactly; nullptr if absent.
  const RawSection* find(std::string_view name, const std::optional<std::string>& instance) const;
};

// Parses one file's text into doc; a section already in doc (same canonical name, same
// instance) continues. Returns false if any error was added.
bool parse_text(std::string_view text, const std::string& file, RawDocument& doc,
                std::vector<Diag>& diags);

// Upper bound of one config file, as in Gravwell.
inline constexpr std::size_t kMaxConfigFileBytes = 4u << 20;

// Reads main_path, then every regular file named *.conf in overlay_dir in byte-wise
// alphabetical order, all into doc. overlay_dir "" means "hosted_runner.conf.d" beside the
// main file. A missing overlay dir is fine; one that is not a directory is an error.
// Returns false if any error was added.
bool load_files(const std::string& main_path, const std::string& overlay_dir, RawDocument& doc,
                std::vector<Diag>& diags);

// ---------------------------------------------------------------------------------------
// 2. Names and values

std::string canonical(std::string_view name); // ASCII lower-case, '_' -> '-'

std::optional<bool> parse_bool(std::string_view);    // true/yes/on/1, false/no/off/0, any case
std::optional<int64_t> parse_int(std::string_view);  // [+-]decimal or [+-]0x hex; overflow -> nullopt
// Go syntax ("1h30m", "2.5s", "250ms", "10us"/"µs", "300ns"); a bare number is seconds;
// negative or overflowing -> nullopt.
std::optional<int64_t> parse_duration_ns(std::string_view);
// 8-4-4-4-12 hex (also {…}, urn:uuid:… and 32 bare hex digits, as Go's uuid.Parse);
// returns the 8-4-4-4-12 form in lower case.
std::optional<std::string> parse_uuid(std::string_view);
// http(s)://host[:port][/path], no user info, query or fragment; scheme lower-cased,
// trailing '/' removed.
std::optional<std::string> parse_url(std::string_view);

// ---------------------------------------------------------------------------------------
// 3. Schema

enum class KeyType { String, Int, Bool, Duration, Uuid, Url };

struct KeySpec {
  std::string name{}; // documented spelling, e.g. "Client-Secret"
  KeyType type = KeyType::String;
  bool required = false;
  bool repeatable = false; // a list: each line appends; a bare `Key` line clears it (gcfg)
  bool secret = false;     // its value never appears in a Diag
  std::optional<std::string> default_value{};
  std::string help{};
  // Non-empty: this key holds a path whose content (<= 16 KiB, trailing CR/LF trimmed)
  // fills key `file_of`, e.g. "Client-Secret-File" fills "Client-Secret". If both are
  // given the direct value wins with a warning (Gravwell's rule for Ingest-Secret).
  std::string file_of{};
  // Environment variables that fill the value when the files leave it unset (a comma
  // list for a repeatable key). For each NAME, NAME_FILE names a file whose first line is
  // the value. The first NAME that yields something wins.
  std::vector<std::string> env{};
  bool unused = false; // accepted but not acted on: a warning when given
  // Non-empty: the value must be one of these (any case); it is normalised to the
  // spelling listed here.
  std::vector<std::string> choices{};
};

struct Value {
  std::string text{};   // normalised: Bool "true"/"false", Uuid lower-case, Url trimmed, choice as listed
  int64_t number = 0; // Int; Bool 0/1; Duration in ns
  Location loc{};       // where it came from (see Location::file)
};

struct ResolvedSection {
  std::string name{};
  std::optional<std::string> instance{};
  Location loc{};
  // File order (a scalar at its last occurrence), then environment values, then defaults
  // (loc.line = 0). Repeatables once per value, scalars once. KeySpec pointers point into
  // the schema passed to resolve(): keep it alive.
  std::vector<std::pair<const KeySpec*, Value>> items{};

  const Value* get(std::string_view key_name) const;             // canonical match; last value
  std::vector<const Value*> all(std::string_view key_name) const; // every value, in order
};

// Looks up an environment variable; nullopt when unset.
using EnvFn = std::function<std::optional<std::string>(const std::string&)>;

// Checks one section against its schema: unknown keys (with a "did you mean" or the list of
// valid keys), bare keys, types and choices, file_of, environment fallbacks (env {} means
// getenv), defaults, required keys. Bad values are reported and left out of the result.
ResolvedSection resolve(const RawSection& raw, const std::vector<KeySpec>& schema,
                        std::vector<Diag>& diags, const EnvFn& env = {});

// ---------------------------------------------------------------------------------------
// 4. The host's own sections

// [Global]: every key Gravwell's ingest config accepts, plus File-Backend-Target (ours).
const std::vector<KeySpec>& global_schema();
// [State]: Path (required), Sync (bool, default false).
const std::vector<KeySpec>& state_schema();

} // namespace hr::cfg
