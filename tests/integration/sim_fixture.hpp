#pragma once
// Starts the real mimecast-sim on a port the OS picks, and reads what the
// runner delivered into its file sink.
#include "http_get.hpp"
#include "process.hpp"

#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace hr::test {

struct Sim {
    std::unique_ptr<Process> proc;
    std::string base; // http://127.0.0.1:port
    std::string request_log;

    Sim(const TempDir &dir, std::vector<std::string> args, const std::string &name = "sim") {
        request_log = dir.file(name + "-requests.ndjson");
        std::string out = dir.file(name + ".out");
        std::vector<std::string> argv{MIMECAST_SIM_PATH, "--port", "0", "--request-log", request_log};
        argv.insert(argv.end(), args.begin(), args.end());
        proc = std::make_unique<Process>(argv, out, dir.file(name + ".err"));
        if (!eventually([&] { return read_file(out).find("listening on 127.0.0.1:") != std::string::npos; },
                        std::chrono::seconds(20)))
            throw std::runtime_error("simulator did not start: " + read_file(dir.file(name + ".err")));
        std::string text = read_file(out);
        auto pos = text.find("127.0.0.1:");
        base = "http://" + text.substr(pos, text.find_first_of("\r\n", pos) - pos);
    }

    // Keys of the events that exist for an api in [from_ms, to_ms), with their times.
    std::map<std::string, int64_t> expected(const std::string &api, int64_t from_ms, int64_t to_ms) const {
        std::map<std::string, int64_t> out;
        long status = 0;
        std::string body = http_get(base + "/__sim/expected?api=" + api + "&from_ms=" + std::to_string(from_ms) +
                                        "&to_ms=" + std::to_string(to_ms),
                                    &status);
        if (status != 200) throw std::runtime_error("expected: HTTP " + std::to_string(status) + " " + body);
        size_t start = 0;
        while (start < body.size()) {
            size_t end = body.find('\n', start);
            if (end == std::string::npos) end = body.size();
            rapidjson::Document d;
            if (end > start && !d.Parse(body.data() + start, end - start).HasParseError())
                out[d["key"].GetString()] = d["ts_ms"].GetInt64();
            start = end + 1;
        }
        return out;
    }
};

// One delivered entry, read back from the file sink.
struct Delivered {
    std::string tag, ts, key;
    int64_t ts_ns = 0;
};

inline int64_t parse_sink_ts(const std::string &ts) {
    // "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"
    struct tm tm{};
    strptime(ts.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    return static_cast<int64_t>(timegm(&tm)) * 1000000000 + std::stoll(ts.substr(20, 9));
}

inline std::vector<Delivered> read_delivered(const std::string &path) {
    std::vector<Delivered> out;
    for (const auto &line : read_lines(path)) {
        rapidjson::Document d;
        if (d.Parse(line.c_str()).HasParseError() || !d.IsObject()) throw std::runtime_error("bad sink line: " + line);
        Delivered e;
        e.tag = d["tag"].GetString();
        e.ts = d["ts"].GetString();
        e.ts_ns = parse_sink_ts(e.ts);
        const auto &data = d["data"];
        if (data.IsObject() && data.HasMember("id")) e.key = data["id"].GetString();
        else if (data.IsObject() && data.HasMember("processingId")) e.key = data["processingId"].GetString();
        out.push_back(std::move(e));
    }
    return out;
}

inline const std::vector<std::string> &all_apis() {
    static const std::vector<std::string> apis = {"audit",       "mta-delivery", "mta-receipt",       "mta-process",
                                                  "mta-av",      "mta-spam",     "mta-journal",       "mta-internal",
                                                  "mta-impersonation", "mta-url", "mta-attachment"};
    return apis;
}

inline int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace hr::test
