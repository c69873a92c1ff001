#pragma once
// Process-wide log output shared by the host and (through the ABI) plugins.
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hr {

enum class LogLevel { Debug = 1, Info = 2, Warn = 3, Error = 4, Critical = 5, Off = 6 };

// Parses Gravwell's Log-Level names (any case); FATAL counts as CRITICAL.
bool parse_log_level(std::string_view text, LogLevel &out);
const char *log_level_name(LogLevel level);

class Logger {
public:
    Logger();
    ~Logger();
    Logger(const Logger &) = delete;
    Logger &operator=(const Logger &) = delete;

    // path empty: stderr. Returns false and sets err when the file cannot be opened.
    bool open(const std::string &path, std::string &err);
    void set_level(LogLevel level) { level_ = level; }
    LogLevel level() const { return level_; }
    void set_echo_stdout(bool on) { echo_stdout_ = on; }
    // Values never to be written, whatever a caller passes (secrets from the config).
    void add_secret(const std::string &secret);
    void clear_secrets();

    bool enabled(LogLevel level) const { return level >= level_ && level_ != LogLevel::Off; }
    // who: "mimecast[prod-eu]" or "hosted_runner"; empty allowed.
    void write(LogLevel level, std::string_view who, std::string_view msg);

private:
    std::string redact(std::string_view msg) const;

    mutable std::mutex mu_;
    FILE *file_ = nullptr;
    bool own_file_ = false;
    bool journald_ = false;
    bool echo_stdout_ = false;
    LogLevel level_ = LogLevel::Info;
    std::vector<std::string> secrets_;
};

// Convenience for host code: "hosted_runner: ..." lines.
void log_host(Logger &log, LogLevel level, std::string_view msg);

} // namespace hr
