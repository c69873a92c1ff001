#pragma once
// Starts the real hosted_runner against a config written by the test.
#include "process.hpp"

#include <csignal>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace hr::test {

struct RunnerFixture {
    TempDir dir;
    std::string conf = dir.file("hosted_runner.conf");
    std::string out = dir.file("entries.json");
    std::string state = dir.file("state.db");
    std::string log = dir.file("runner.log");
    std::string plugin_dir = HR_PLUGIN_DIR;

    // A [Global] + [State] head that every config here starts with.
    std::string head(const std::string &extra_global = "") const {
        return "[Global]\n\tFile-Backend-Target=" + out + "\n\tLog-File=" + log + "\n\tLog-Level=INFO\n" + extra_global +
               "\n[State]\n\tPath=" + state + "\n";
    }
    void write_conf(const std::string &body) const { write_file(conf, body); }

    // Runs hosted_runner to completion (for -validate and friends).
    int run_sync(std::vector<std::string> args, std::string *out_text = nullptr, std::string *err_text = nullptr) {
        std::string o = dir.file("sync.out"), e = dir.file("sync.err");
        ::unlink(o.c_str());
        ::unlink(e.c_str());
        std::vector<std::string> argv{HR_RUNNER_PATH, "-config-file", conf, "-plugin-dir", plugin_dir};
        argv.insert(argv.end(), args.begin(), args.end());
        Process p(argv, o, e);
        auto code = p.wait(std::chrono::seconds(30));
        if (out_text) *out_text = read_file(o);
        if (err_text) *err_text = read_file(e);
        return code ? *code : -1;
    }

    std::unique_ptr<Process> start(std::vector<std::string> extra_env = {}) {
        std::vector<std::string> argv{HR_RUNNER_PATH, "-config-file", conf, "-plugin-dir", plugin_dir};
        return std::make_unique<Process>(argv, dir.file("runner.out"), dir.file("runner.err"), extra_env);
    }
    std::string stderr_text() const { return read_file(dir.file("runner.err")); }
    std::string log_text() const { return read_file(log); }
};

} // namespace hr::test
