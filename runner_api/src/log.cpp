#include "log.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cerrno>

namespace hr {

bool parse_log_level(std::string_view text, LogLevel &out) {
    std::string up;
    for (char c : text) up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (up == "DEBUG") out = LogLevel::Debug;
    else if (up == "INFO") out = LogLevel::Info;
    else if (up == "WARN" || up == "WARNING") out = LogLevel::Warn;
    else if (up == "ERROR") out = LogLevel::Error;
    else if (up == "CRITICAL" || up == "FATAL") out = LogLevel::Critical;
    else if (up == "OFF") out = LogLevel::Off;
    else return false;
    return true;
}

const char *log_level_name(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Critical: return "CRITICAL";
    case LogLevel::Off: return "OFF";
    }
    return "?";
}

Logger::Logger() {
    // Under systemd stderr goes to the journal, which stamps time itself and
    // understands "<N>" priority prefixes.
    journald_ = std::getenv("JOURNAL_STREAM") != nullptr;
}

Logger::~Logger() {
    if (own_file_ && file_) std::fclose(file_);
}

bool Logger::open(const std::string &path, std::string &err) {
    std::lock_guard lk(mu_);
    if (own_file_ && file_) std::fclose(file_);
    file_ = nullptr;
    own_file_ = false;
    if (path.empty()) return true;
    FILE *f = std::fopen(path.c_str(), "a");
    if (!f) {
        err = "cannot open log file " + path + ": " + std::strerror(errno);
        return false;
    }
    file_ = f;
    own_file_ = true;
    return true;
}

void Logger::add_secret(const std::string &secret) {
    // Very short values would blank out ordinary words; the config layer
    // never echoes secrets anyway, this is the last line of defence.
    if (secret.size() < 3) return;
    std::lock_guard lk(mu_);
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) secrets_.push_back(secret);
}

void Logger::clear_secrets() {
    std::lock_guard lk(mu_);
    secrets_.clear();
}

std::string Logger::redact(std::string_view msg) const {
    std::string out(msg);
    for (const auto &s : secrets_) {
        size_t pos = 0;
        while ((pos = out.find(s, pos)) != std::string::npos) {
            out.replace(pos, s.size(), "***");
            pos += 3;
        }
    }
    // One entry a line: a message may not forge further log lines.
    for (auto &c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

static int syslog_priority(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return 7;
    case LogLevel::Info: return 6;
    case LogLevel::Warn: return 4;
    case LogLevel::Error: return 3;
    default: return 2;
    }
}

void Logger::write(LogLevel level, std::string_view who, std::string_view msg) {
    if (!enabled(level)) return;
    std::lock_guard lk(mu_);
    std::string text = redact(msg);
    std::string prefix;
    if (!who.empty()) {
        prefix.assign(who);
        prefix += ": ";
    }
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    std::string stamped = std::string(stamp) + " " + log_level_name(level) + " " + prefix + text + "\n";
    if (file_) {
        std::fputs(stamped.c_str(), file_);
        std::fflush(file_);
    } else if (journald_) {
        std::fprintf(stderr, "<%d>%s %s%s\n", syslog_priority(level), log_level_name(level), prefix.c_str(),
                     text.c_str());
    } else {
        std::fputs(stamped.c_str(), stderr);
    }
    if (echo_stdout_) {
        std::fputs(stamped.c_str(), stdout);
        std::fflush(stdout);
    }
}

void log_host(Logger &log, LogLevel level, std::string_view msg) { log.write(level, "hosted_runner", msg); }

} // namespace hr
