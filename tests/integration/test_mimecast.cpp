// The real hosted_runner with the real Mimecast plugin against mimecast-sim.
#include "mimecast_checks.hpp"
#include "runner_fixture.hpp"
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

using namespace hr::test;
using namespace std::chrono_literals;

TEST_CASE("a multi-day backlog of audit and all ten MTA types arrives exactly once, with event times and tags") {
    RunnerFixture f;
    Sim sim(f.dir, {"--backlog-hours", "60", "--rate", "all=30", "--bucket-seconds", "900", "--publish-lag-seconds", "30"});
    std::vector<std::string> first(all_apis().begin(), all_apis().begin() + 6);
    std::vector<std::string> second(all_apis().begin() + 6, all_apis().end());
    f.write_conf(f.head() +
                 stanza("a", sim, first, "\tLookback=50\n\tRequests-Per-Minute=600\n\tRequest-Interval=600\n") +
                 stanza("b", sim, second,
                        "\tLookback=50\n\tTag-Prefix=mc\n\tRequests-Per-Minute=600\n\tRequest-Interval=600\n"));
    int64_t started_ms = wall_ms();
    auto p = f.start();
    REQUIRE(all_caught_up(f, "a", first, 120s));
    REQUIRE(all_caught_up(f, "b", second, 120s));
    p->signal(SIGTERM);
    REQUIRE(p->wait(10s) == std::optional<int>(0));
    auto got = read_delivered(f.out);
    int64_t from = started_ms - 50 * kHourMs + 1000;
    int64_t mta_to = (started_ms - 31000) / 900000 * 900000; // buckets published before the run began
    int64_t audit_from = audit_start_ms(f, "a");
    for (const auto &api : first)
        check_exactly_once(sim, got, api, api, api == "audit" ? audit_from : from, api == "audit" ? audit_to(started_ms) : mta_to);
    for (const auto &api : second) check_exactly_once(sim, got, api, "mc-" + api, from, mta_to);
}

TEST_CASE("every fault the simulator injects is survived with nothing lost or repeated") {
    RunnerFixture f;
    Sim sim(f.dir, {"--backlog-hours", "30", "--rate", "all=40", "--bucket-seconds", "1800", "--publish-lag-seconds",
                    "30", "--files-per-bucket", "2", "--token-ttl", "40", "--fault", "429:p=0.05", "--fault",
                    "500:p=0.04", "--fault", "503:p=0.02", "--fault", "reset:p=0.03", "--fault", "slow:p=0.05,ms=300",
                    "--fault", "truncated_gzip:every=5", "--fault", "expired_url:every=4", "--fault",
                    "repeat_url:every=3", "--fault", "token_expired:every=9", "--fault", "fail200:every=11",
                    "--fault", "bad_line:every=4", "--fault", "long_line:every=6"});
    std::vector<std::string> apis = {"audit", "mta-delivery", "mta-receipt", "mta-url"};
    std::string dead = f.dir.file("dead.ndjson");
    f.write_conf(f.head() + stanza("faulty", sim, apis,
                                   "\tLookback=12\n\tRequests-Per-Minute=1200\n\tRequest-Interval=600\n"
                                   "\tDead-Letter-File=" + dead + "\n"));
    int64_t started_ms = wall_ms();
    auto p = f.start();
    // Faults hit file downloads too, and backoff doubles on a streak: allow time.
    REQUIRE(all_caught_up(f, "faulty", apis, 400s));
    p->signal(SIGTERM);
    REQUIRE(p->wait(10s) == std::optional<int>(0));
    auto got = read_delivered(f.out);
    int64_t from = started_ms - 12 * kHourMs + 1000;
    int64_t mta_to = (started_ms - 31000) / 1800000 * 1800000;
    int64_t audit_from = audit_start_ms(f, "faulty");
    for (const auto &api : apis)
        check_exactly_once(sim, got, api, api, api == "audit" ? audit_from : from, api == "audit" ? audit_to(started_ms) : mta_to);
    // Bad lines went to the dead-letter file, once each, with their bytes.
    auto dl = read_lines(dead);
    CHECK(!dl.empty());
    std::set<std::string> uniq(dl.begin(), dl.end());
    CHECK(uniq.size() == dl.size());
    // Long lines (> 1 MiB) were delivered whole.
    bool long_seen = false;
    for (const auto &line : read_lines(f.out)) long_seen |= line.size() > (1u << 20);
    CHECK(long_seen);
    auto faults = http_get(sim.base + "/__sim/faults");
    INFO(faults);
    auto log = f.log_text();
    CHECK(log.find("backing off") != std::string::npos);
    CHECK(log.find("listing again") != std::string::npos);
}

TEST_CASE("kill -9 at random moments during a backlog, then a restart: still exactly once") {
    RunnerFixture f;
    Sim sim(f.dir, {"--backlog-hours", "30", "--rate", "all=1200", "--bucket-seconds", "900", "--publish-lag-seconds", "30"});
    std::vector<std::string> apis = {"audit", "mta-delivery", "mta-receipt", "mta-process", "mta-spam", "mta-url"};
    f.write_conf(f.head() + stanza("crashy", sim, apis,
                                   "\tLookback=24\n\tRequests-Per-Minute=600\n\tRequest-Interval=600\n"));
    int64_t started_ms = wall_ms();
    std::mt19937 rng(7);
    size_t lines_at_last_kill = 0;
    for (int round = 0; round < 4; ++round) {
        size_t before = read_lines(f.out).size();
        auto p = f.start();
        // Killed a random moment after it has delivered something this round.
        REQUIRE(eventually([&] { return read_lines(f.out).size() > before + 200; }, 120s));
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 800)(rng)));
        p->signal(SIGKILL);
        p->wait(5s);
        lines_at_last_kill = read_lines(f.out).size();
    }
    REQUIRE(lines_at_last_kill > 1000); // the kills landed in the middle of real work
    size_t log_from = f.log_text().size();
    auto p = f.start();
    REQUIRE(all_caught_up(f, "crashy", apis, 180s, log_from));
    p->signal(SIGTERM);
    REQUIRE(p->wait(10s) == std::optional<int>(0));
    auto got = read_delivered(f.out);
    INFO("lines at the last kill " << lines_at_last_kill << ", at the end " << got.size());
    CHECK(got.size() > lines_at_last_kill); // ...and not at its end
    int64_t from = started_ms - 24 * kHourMs + 1000;
    int64_t mta_to = (started_ms - 31000) / 900000 * 900000;
    int64_t audit_from = audit_start_ms(f, "crashy");
    for (const auto &api : apis)
        check_exactly_once(sim, got, api, api, api == "audit" ? audit_from : from, api == "audit" ? audit_to(started_ms) : mta_to);
}

TEST_CASE("-test-credentials reports each API, and refuses bad credentials") {
    RunnerFixture f;
    Sim sim(f.dir, {"--backlog-hours", "2"});
    f.write_conf(f.head() + stanza("ok", sim, {"audit", "mta-delivery"}));
    std::string out;
    CHECK(f.run_sync({"-test-credentials"}, &out) == 0);
    CHECK(out.find("token OK") != std::string::npos);
    CHECK(out.find("mimecast[ok]: audit: OK") != std::string::npos);
    CHECK(out.find("mimecast[ok]: mta-delivery: OK") != std::string::npos);
    CHECK(read_lines(f.out).empty()); // nothing ingested
    f.write_conf(f.head() + "[Mimecast \"bad\"]\n\tClient-Id=sim-client\n\tClient-Secret=WrongSecret99\n\tHost=" + sim.base +
                 "\n\tApi=audit\n");
    CHECK(f.run_sync({"-test-credentials"}, &out) == 1);
    CHECK(out.find("refused") != std::string::npos);
    CHECK(out.find("WrongSecret99") == std::string::npos);
}

TEST_CASE("bad credentials are logged clearly and retried with backoff, not in a tight loop") {
    RunnerFixture f;
    Sim sim(f.dir, {"--backlog-hours", "2"});
    f.write_conf(f.head() + "[Mimecast \"bad\"]\n\tClient-Id=sim-client\n\tClient-Secret=WrongSecret99\n\tHost=" +
                 sim.base + "\n\tApi=audit\n\tApi=mta-delivery\n\tRequests-Per-Minute=600\n");
    auto p = f.start();
    std::this_thread::sleep_for(6s);
    CHECK(p->running());
    p->signal(SIGTERM);
    CHECK(p->wait(10s) == std::optional<int>(0));
    size_t token_calls = 0;
    for (const auto &l : read_lines(sim.request_log)) token_calls += l.find("/oauth/token") != std::string::npos;
    CHECK(token_calls >= 2);  // it does retry...
    CHECK(token_calls <= 6);  // ...with growing delays (1 s base, doubling, jittered)
    auto log = f.log_text();
    CHECK(log.find("authentication refused") != std::string::npos);
    CHECK(log.find("Client-Secret") != std::string::npos); // tells what to check
    CHECK(log.find("WrongSecret99") == std::string::npos);
}

TEST_CASE("the request budget holds in every 60 s window and is used in full while there is work", "[slow]") {
    RunnerFixture f;
    Sim sim(f.dir, {"--backlog-hours", "1", "--rate", "all=10"});
    // Eleven APIs polling every second want far more than 20 requests a minute.
    std::string conf = f.head() + stanza("budget", sim, all_apis(), "\tLookback=1\n\tRequests-Per-Minute=20\n\tRequest-Interval=1\n");
    f.write_conf(std::regex_replace(conf, std::regex("Log-Level=INFO"), "Log-Level=DEBUG"));
    auto p = f.start();
    std::this_thread::sleep_for(75s);
    p->signal(SIGTERM);
    REQUIRE(p->wait(10s) == std::optional<int>(0));
    // Send times as the runner logged them (the simulator answers one request at
    // a time, so its own clock shows when it got round to each, not when sent).
    std::vector<int64_t> times;
    std::regex line_re(R"(^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z DEBUG mimecast\[budget\]: .*: API call )");
    for (const auto &l : read_lines(f.log)) {
        std::smatch m;
        if (!std::regex_search(l, m, line_re)) continue;
        times.push_back(parse_sink_ts(m[1].str() + "." + m[2].str() + "000000Z") / 1000000);
    }
    size_t sim_calls = 0;
    for (const auto &l : read_lines(sim.request_log))
        sim_calls += l.find("\"/files/") == std::string::npos;
    std::sort(times.begin(), times.end());
    REQUIRE(times.size() > 20);
    // Every call the simulator saw was logged as sent (one in flight at the stop may not arrive).
    CHECK(times.size() >= sim_calls);
    CHECK(times.size() <= sim_calls + 2);
    // Slots are booked 60 s apart; the log line trails its booking by scheduling
    // jitter (large under sanitizers), so windows are 59.5 s here. A leaky
    // budget (a token bucket lets 2N through) still shows at once.
    size_t worst = 0;
    for (size_t i = 0, j = 0; i < times.size(); ++i) {
        while (times[i] - times[j] >= 59500) ++j;
        worst = std::max(worst, i - j + 1);
    }
    CHECK(worst <= 20);
    // The first minute was spent in full: a backlog drains at the budget.
    size_t first_minute = std::count_if(times.begin(), times.end(), [&](int64_t t) { return t - times[0] < 60000; });
    CHECK(first_minute >= 19);
}

TEST_CASE("threads do not grow with the number of stanzas") {
    auto threads_with = [](int stanzas) {
        RunnerFixture f;
        Sim sim(f.dir, {"--backlog-hours", "1", "--rate", "all=1"});
        std::string body = f.head();
        for (int i = 0; i < stanzas; ++i)
            body += stanza("s" + std::to_string(i), sim, {"audit", "mta-delivery"}, "\tRequest-Interval=600\n\tRequests-Per-Minute=6000\n");
        f.write_conf(body);
        auto p = f.start();
        REQUIRE(eventually([&] { return f.log_text().find("mimecast[s" + std::to_string(stanzas - 1) + "]: mta-delivery: caught up") != std::string::npos; }, 60s));
        std::string status = read_file("/proc/" + std::to_string(p->pid()) + "/status");
        std::smatch m;
        std::regex re("Threads:\\s+([0-9]+)");
        REQUIRE(std::regex_search(status, m, re));
        p->signal(SIGTERM);
        p->wait(10s);
        return std::stoi(m[1]);
    };
    int one = threads_with(1), many = threads_with(60);
    CHECK(one == many);
}
