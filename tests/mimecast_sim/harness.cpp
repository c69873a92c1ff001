#include "harness.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <exception>
#include <stdexcept>
#include <thread>

#ifndef MIMECAST_SIM_PATH
#error "MIMECAST_SIM_PATH must name the built mimecast-sim binary"
#endif

extern char** environ;

namespace simtest {

namespace {

pid_t spawn(const std::vector<std::string>& args, int& out_fd) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  std::vector<std::string> all{MIMECAST_SIM_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, MIMECAST_SIM_PATH, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error(std::string("cannot start " MIMECAST_SIM_PATH ": ") + std::strerror(rc));
  }
  out_fd = fds[0];
  return pid;
}

// Reads until EOF or (if stop_at_newline) the first newline, with an overall deadline.
std::string read_out(int fd, bool stop_at_newline, int timeout_ms) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (stop_at_newline && out.find('\n') != std::string::npos) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, int(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

size_t on_body(char* p, size_t size, size_t n, void* ud) {
  static_cast<Response*>(ud)->body.append(p, size * n);
  return size * n;
}

size_t on_header(char* p, size_t size, size_t n, void* ud) {
  std::string line(p, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    static_cast<Response*>(ud)->headers[name] = value;
  }
  return size * n;
}

}  // namespace

SimProcess::SimProcess(std::vector<std::string> args) {
  args.insert(args.begin(), {"--port", "0"});
  pid_ = spawn(args, out_fd_);
  std::string line = read_out(out_fd_, true, 20000);
  const std::string prefix = "listening on 127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) {
    stop(SIGKILL);
    throw std::runtime_error("mimecast-sim did not start, first output: '" + line + "'");
  }
  port_ = uint16_t(std::stoi(line.substr(prefix.size())));
}

SimProcess::~SimProcess() {
  if (pid_ <= 0) return;
  // A clean SIGTERM exit also proves the sanitizers (leak check included) found nothing.
  int rc = stop(SIGTERM);
  if (std::uncaught_exceptions() == 0) CHECK(rc == 0);
}

int SimProcess::stop(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);  // hung: make sure it goes, and report failure
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  if (out_fd_ >= 0) close(out_fd_);
  out_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run_sim(const std::vector<std::string>& args, std::string& out) {
  int fd = -1;
  pid_t pid = spawn(args, fd);
  out = read_out(fd, false, 20000);
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Http::Http() : h_(curl_easy_init()) {
  if (!h_) throw std::runtime_error("curl_easy_init failed");
}

Http::~Http() { curl_easy_cleanup(h_); }

Response Http::get(const std::string& url, const std::vector<std::string>& headers) {
  curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h_, CURLOPT_HTTPGET, 1L);
  return perform(headers);
}

Response Http::post(const std::string& url, const std::string& body, const std::string& content_type,
                    const std::vector<std::string>& headers) {
  curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h_, CURLOPT_POST, 1L);
  curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE, long(body.size()));
  auto all = headers;
  all.push_back("Content-Type: " + content_type);
  return perform(all);
}

Response Http::perform(const std::vector<std::string>& headers) {
  Response r;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(h_, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(h_, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h_, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(h_, CURLOPT_NOPROXY, "*");  // loopback only, whatever the environment says
  curl_easy_setopt(h_, CURLOPT_EXPECT_100_TIMEOUT_MS, 10000L);
  r.code = curl_easy_perform(h_);
  curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_getinfo(h_, CURLINFO_TOTAL_TIME, &r.seconds);
  curl_easy_getinfo(h_, CURLINFO_NUM_CONNECTS, &r.new_connections);
  curl_easy_setopt(h_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  return r;
}

std::string escape(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.c_str(), int(s.size()));
  std::string out(e);
  curl_free(e);
  return out;
}

std::string gunzip(const std::string& in, bool& complete) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) break;  // input ran out mid-stream
  }
  complete = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) throw std::runtime_error("last line is not newline-terminated");
    lines.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

std::string temp_file(const std::string& stem) {
  static std::atomic<int> n{0};
  return "mcsim-test-" + std::to_string(getpid()) + "-" + std::to_string(n++) + "-" + stem;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
std::string fmt(int64_t ms, const char* f) {
  time_t t = time_t(ms / 1000);
  tm g{};
  gmtime_r(&t, &g);
  char buf[64];
  strftime(buf, sizeof buf, f, &g);
  return buf;
}
}  // namespace

std::string iso_ms(int64_t ms) {
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", int(ms % 1000));
  return fmt(ms, "%Y-%m-%dT%H:%M:%S") + frac;
}
std::string audit_time(int64_t ms) { return fmt(ms, "%Y-%m-%dT%H:%M:%S+0000"); }
std::string day(int64_t ms) { return fmt(ms, "%Y-%m-%d"); }

std::optional<int64_t> parse_audit_time(const std::string& s) {
  tm g{};
  if (s.size() != 24 || s.substr(19) != "+0000" || !strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &g)) return std::nullopt;
  return int64_t(timegm(&g)) * 1000;
}

}  // namespace simtest
