#pragma once
// Test helper: start a real child process, read its output files, signal it.
#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace hr::test {

class Process {
public:
    // Runs argv[0] with its output in out_path/err_path (empty: inherit).
    Process(std::vector<std::string> argv, const std::string &out_path, const std::string &err_path,
            const std::vector<std::string> &extra_env = {});
    ~Process(); // kills it if still running
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    int pid() const { return pid_; }
    void signal(int sig);
    // Exit status (code, or 128+signal) once it ended within timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();

private:
    int pid_ = -1;
    std::optional<int> status_;
};

// A fresh directory under TMPDIR, removed at destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &text);
std::vector<std::string> read_lines(const std::string &path);
// Polls pred every 20 ms until true or timeout.
template <class Pred> bool eventually(Pred pred, std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        struct timespec ts{0, 20 * 1000 * 1000};
        nanosleep(&ts, nullptr);
    }
    return pred();
}

} // namespace hr::test
