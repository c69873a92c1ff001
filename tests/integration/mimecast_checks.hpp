#pragma once
// Checks shared by the integration tests that run the real Mimecast plugin
// against mimecast-sim: stanza text, catch-up detection, and the oracle
// comparison of what was delivered with what the simulator served.
#include "runner_fixture.hpp"
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace hr::test {

constexpr int64_t kHourMs = 3600 * 1000;

inline std::string stanza(const std::string &name, const Sim &sim, const std::vector<std::string> &apis,
                          const std::string &extra = "") {
    std::string s = "[Mimecast \"" + name + "\"]\n\tClient-Id=sim-client\n\tClient-Secret=sim-secret\n\tHost=" + sim.base + "\n";
    for (const auto &a : apis) s += "\tApi=" + a + "\n";
    return s + extra;
}

// Waits until the log says every api of the stanza caught up, looking only
// past log_from (the log's size when this run started).
inline bool all_caught_up(RunnerFixture &f, const std::string &stanza_name, const std::vector<std::string> &apis,
                          std::chrono::seconds timeout, size_t log_from = 0) {
    return eventually(
        [&] {
            std::string all = f.log_text();
            std::string log = all.size() > log_from ? all.substr(log_from) : std::string();
            for (const auto &a : apis)
                if (log.find("mimecast[" + stanza_name + "]: " + a + ": caught up") == std::string::npos) return false;
            return true;
        },
        timeout);
}

// Every expected event delivered, with its own time and the tag: exactly once,
// or at least once when allow_dups (at-least-once delivery after faults).
// Returns how many extra copies arrived.
inline size_t check_delivered(const Sim &sim, const std::vector<Delivered> &got, const std::string &api,
                              const std::string &tag, int64_t from_ms, int64_t to_ms, bool allow_dups) {
    std::map<std::string, int> seen;
    std::map<std::string, int64_t> ts_of;
    for (const auto &d : got)
        if (d.tag == tag) {
            seen[d.key]++;
            ts_of[d.key] = d.ts_ns;
        }
    auto want = sim.expected(api, from_ms, to_ms);
    INFO(api << " (tag " << tag << "): expected " << want.size() << ", delivered " << seen.size());
    REQUIRE(want.size() > 10);
    size_t missing = 0, wrong_time = 0;
    std::string missing_keys;
    std::set<std::string> bad_copy; // with duplicates allowed, every copy must carry the event's time
    if (allow_dups)
        for (const auto &d : got)
            if (d.tag == tag)
                if (auto it = want.find(d.key); it != want.end() && d.ts_ns != it->second * 1000000) bad_copy.insert(d.key);
    for (const auto &[key, ts_ms] : want) {
        auto it = ts_of.find(key);
        if (it == ts_of.end()) {
            if (++missing <= 5) missing_keys += " " + key + "@" + std::to_string(ts_ms);
        }
        else if (it->second != ts_ms * 1000000 || bad_copy.count(key)) ++wrong_time;
    }
    size_t dups = 0, extra = 0;
    for (const auto &[k, n] : seen) {
        dups += n > 1;
        extra += static_cast<size_t>(n - 1);
    }
    INFO("missing:" << missing_keys);
    INFO("keys delivered more than once: " << dups << " (" << extra << " extra copies)");
    CHECK(missing == 0);
    CHECK(wrong_time == 0);
    if (!allow_dups) CHECK(dups == 0);
    // Nothing delivered that the simulator never served.
    auto all = sim.expected(api, from_ms - 200 * kHourMs, wall_ms() + kHourMs);
    size_t phantom = 0;
    for (const auto &[k, n] : seen) phantom += all.count(k) == 0;
    CHECK(phantom == 0);
    return extra;
}

// Every expected event delivered exactly once, with its own time and the tag.
inline void check_exactly_once(const Sim &sim, const std::vector<Delivered> &got, const std::string &api,
                               const std::string &tag, int64_t from_ms, int64_t to_ms) {
    check_delivered(sim, got, api, tag, from_ms, to_ms, false);
}

// The first audit window ends at a whole second no earlier than the test's
// start; events of that second come with the next poll.
inline int64_t audit_to(int64_t started_ms) { return started_ms / 1000 * 1000; }

// Where the runner's first audit window began, as it logged it: the test's
// own clock may be seconds earlier on a loaded machine.
inline int64_t audit_start_ms(RunnerFixture &f, const std::string &stanza_name) {
    // The last such line counts: a run killed before its first commit leaves
    // nothing behind, and the next run starts its Lookback afresh.
    std::string log = f.log_text();
    std::regex re("mimecast\\[" + stanza_name + "\\]: audit: first run, starting [0-9]+ h back at ([0-9T:-]+)\\+0000");
    std::string last;
    for (std::sregex_iterator it(log.begin(), log.end(), re), end; it != end; ++it) last = (*it)[1].str();
    REQUIRE(!last.empty());
    return parse_sink_ts(last + ".000000000Z") / 1000000;
}

} // namespace hr::test
