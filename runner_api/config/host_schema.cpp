// [Global] and [State]: the keys Gravwell's ingest config accepts (ingest/config IngestConfig),
// so existing hosted_runner.conf files load unchanged. Defaults live here and nowhere else.
#include "config/config.hpp"

namespace hr::cfg {
namespace {

KeySpec key(std::string name, KeyType type, std::string help, std::vector<std::string> env = {}) {
  KeySpec k;
  k.name = std::move(name);
  k.type = type;
  k.help = std::move(help);
  k.env = std::move(env);
  return k;
}

KeySpec with_default(KeySpec k, std::string value) {
  k.default_value = std::move(value);
  return k;
}

KeySpec list(KeySpec k) {
  k.repeatable = true;
  return k;
}

// Accepted for compatibility; the runner does not act on it.
KeySpec unused(KeySpec k) {
  k.unused = true;
  return k;
}

std::vector<KeySpec> make_global() {
  using T = KeyType;
  std::vector<KeySpec> s;

  KeySpec secret = key("Ingest-Secret", T::String, "shared secret for the indexers", {"GRAVWELL_INGEST_SECRET"});
  secret.secret = true;
  s.push_back(secret);
  KeySpec secret_file = key("Ingest-Secret-File", T::String, "file holding Ingest-Secret (<= 16 KiB)");
  secret_file.file_of = "Ingest-Secret";
  s.push_back(secret_file);

  s.push_back((list(key("Cleartext-Backend-Target", T::String, "indexer host[:port], cleartext, port 4023 by default",
                              {"GRAVWELL_CLEARTEXT_TARGETS"}))));
  s.push_back((list(key("Encrypted-Backend-Target", T::String, "indexer host[:port], TLS, port 4024 by default",
                              {"GRAVWELL_ENCRYPTED_TARGETS"}))));
  s.push_back((list(key("Pipe-Backend-Target", T::String, "indexer unix socket path", {"GRAVWELL_PIPE_TARGETS"}))));
  // Ours: entries appended to a local file ("-" = stdout).
  s.push_back(list(key("File-Backend-Target", T::String, "file that entries are appended to, or - for stdout",
                       {"GRAVWELL_FILE_TARGETS", "GRAVWELL_FILE_BACKEND_TARGET"})));

  s.push_back((with_default(key("Connection-Timeout", T::Duration,
                                      "how long to wait for a first indexer connection; 0 = forever",
                                      {"GRAVWELL_CONNECTION_TIMEOUT"}),
                                  "0")));
  s.push_back((with_default(key("Insecure-Skip-TLS-Verify", T::Bool, "do not verify indexer certificates",
                                      {"GRAVWELL_INSECURE_SKIP_TLS_VERIFY"}),
                                  "false")));
  s.push_back(unused(key("Verify-Remote-Certificates", T::Bool, "legacy; ignored by Gravwell as well",
                         {"GRAVWELL_VERIFY_REMOTE_CERTIFICATES"})));

  s.push_back((key("Ingest-Cache-Path", T::String, "directory holding entries while no indexer takes them",
                         {"GRAVWELL_CACHE_PATH"})));
  s.push_back((key("Max-Ingest-Cache", T::Int, "cache size in MB (1000 when a path is set and this is 0)",
                         {"GRAVWELL_CACHE_SIZE", "GRAVWELL_MAX_INGEST_CACHE"})));
  KeySpec cache_mode = with_default(key("Cache-Mode", T::String, "when to use the cache", {"GRAVWELL_CACHE_MODE"}), "always");
  cache_mode.choices = {"always", "fail"};
  s.push_back(cache_mode);
  // Ours: the memory bound that makes pollers wait instead of buffering without end.
  s.push_back(with_default(key("Max-Pending-MB", T::Int,
                               "MB of entries held in memory until every sink has them durable; then pollers wait",
                               {"GRAVWELL_MAX_PENDING_MB"}),
                           "64"));
  s.push_back(unused(with_default(key("Cache-Depth", T::Int, "entries held in memory before the cache",
                                      {"GRAVWELL_CACHE_DEPTH"}),
                                  "128")));

  // Gravwell defaults to ERROR; we default to INFO so progress and catch-up are visible.
  KeySpec level = with_default(key("Log-Level", T::String, "least severe level logged", {"GRAVWELL_LOG_LEVEL"}), "INFO");
  level.choices = {"OFF", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "FATAL"};
  s.push_back(level);
  s.push_back(key("Log-File", T::String, "path of the runner's log file", {"GRAVWELL_LOG_FILE"}));
  s.push_back(unused(key("Log-UDP-Target", T::String, "host:port receiving the log over UDP", {"GRAVWELL_LOG_UDP_TARGET"})));

  s.push_back(key("Ingester-UUID", T::Uuid, "identity of this runner", {"GRAVWELL_INGESTER_UUID"}));
  s.push_back(key("Ingester-Name", T::String, "name of this runner", {"GRAVWELL_INGESTER_NAME"}));
  s.push_back(key("Label", T::String, "free-form label of this runner", {"GRAVWELL_LABEL"}));

  s.push_back(unused(with_default(key("Enable-Compression", T::Bool, "compress the indexer connection",
                                      {"GRAVWELL_ENABLE_COMPRESSION"}),
                                  "false")));
  s.push_back(unused(key("Rate-Limit", T::String, "bandwidth ceiling, e.g. 10Mbit", {"GRAVWELL_RATE_LIMIT"})));
  s.push_back(unused(key("Source-Override", T::String, "IP set as the source of every entry", {"GRAVWELL_SOURCE_OVERRIDE"})));
  s.push_back(unused(key("Log-Source-Override", T::String, "IP set as the source of log entries",
                         {"GRAVWELL_LOG_SOURCE_OVERRIDE"})));
  s.push_back(unused(with_default(key("Disable-Self-Ingest", T::Bool, "do not send our own log to the indexers",
                                      {"GRAVWELL_DISABLE_SELF_INGEST"}),
                                  "false")));
  s.push_back(unused(key("Disable-Multithreading", T::Bool, "Go runtime setting", {"GRAVWELL_DISABLE_MULTITHREADING"})));
  s.push_back(with_default(key("Stats-Sample-Interval", T::Duration, "how often each stanza's progress (entries, bytes, lag) is logged",
                         {"GRAVWELL_STATS_SAMPLE_INTERVAL"}), "30s"));
  s.push_back(unused(key("Timestamp-Max-Past-Delta", T::Duration, "entries older than this get the current time",
                         {"GRAVWELL_TIMESTAMP_MAX_PAST_DELTA"})));
  s.push_back(unused(key("Timestamp-Max-Future-Delta", T::Duration, "entries further ahead get the current time",
                         {"GRAVWELL_TIMESTAMP_MAX_FUTURE_DELTA"})));
  s.push_back(unused(key("Max-Entry-Size", T::Int, "largest entry accepted, in bytes", {"GRAVWELL_MAX_ENTRY_SIZE"})));
  return s;
}

std::vector<KeySpec> make_state() {
  KeySpec path = key("Path", KeyType::String, "state file (one namespace per plugin instance)");
  path.required = true;
  return {path, with_default(key("Sync", KeyType::Bool, "fsync on every write (speed only: the store is crash-safe "
                                                         "either way)"),
                             "false")};
}

} // namespace

const std::vector<KeySpec>& global_schema() {
  static const std::vector<KeySpec> schema = make_global(); // immutable after first use
  return schema;
}

const std::vector<KeySpec>& state_schema() {
  static const std::vector<KeySpec> schema = make_state();
  return schema;
}

} // namespace hr::cfg
