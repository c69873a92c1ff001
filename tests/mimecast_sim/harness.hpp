// Test harness: runs the real mimecast-sim process and talks to it with libcurl.
#pragma once

#include <curl/curl.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace simtest {

// Starts mimecast-sim with the given flags on port 0 and reads the port from its first line.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> args);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // Sends the signal and waits; returns the exit code, or -1 if it did not exit normally.
  int stop(int sig);
  uint16_t port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  uint16_t port_ = 0;
};

// Runs mimecast-sim to completion (for --help / bad flags); returns exit code and stdout.
int run_sim(const std::vector<std::string>& args, std::string& out);

struct Response {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  double seconds = 0;
  long new_connections = 0;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

// One libcurl easy handle, so connections are reused (keep-alive) across calls.
class Http {
 public:
  Http();
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;
  Response get(const std::string& url, const std::vector<std::string>& headers = {});
  Response post(const std::string& url, const std::string& body, const std::string& content_type,
                const std::vector<std::string>& headers = {});

 private:
  Response perform(const std::vector<std::string>& headers);
  CURL* h_;
};

std::string escape(const std::string& s);
// Returns the inflated data; `complete` tells whether the gzip stream ended properly.
std::string gunzip(const std::string& in, bool& complete);
std::vector<std::string> split_lines(const std::string& s);  // requires '\n' termination
std::string temp_file(const std::string& stem);
std::string read_file(const std::string& path);
int64_t now_ms();
std::string iso_ms(int64_t ms);     // 2024-01-01T00:00:00.000Z
std::string audit_time(int64_t ms); // 2024-01-01T00:00:00+0000
std::string day(int64_t ms);        // 2024-01-01
std::optional<int64_t> parse_audit_time(const std::string& s);

}  // namespace simtest
