#include "runner_fixture.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <regex>
#include <set>
#include <sys/stat.h>

using namespace hr::test;
using namespace std::chrono_literals;

namespace {

std::vector<uint64_t> tester_seqs(const std::string &path, const std::string &name) {
    std::vector<uint64_t> seqs;
    std::regex re("\"data\":\\{\"tester\":\"" + name + "\",\"seq\":([0-9]+)\\}");
    for (const auto &line : read_lines(path)) {
        std::smatch m;
        if (std::regex_search(line, m, re)) seqs.push_back(std::stoull(m[1]));
    }
    return seqs;
}

const char *kMimecast = "[Mimecast \"mc\"]\n"
                        "\tClient-Id=abc\n"
                        "\tClient-Secret=\"TopSecretValue#42\"  # quoted: it holds a #\n"
                        "\tApi=audit\n"
                        "\tApi=mta-delivery\n"
                        "\tHost=http://127.0.0.1:9\n";

} // namespace

TEST_CASE("-validate accepts a config with Tester and Mimecast side by side") {
    RunnerFixture f;
    f.write_conf(f.head() + "[Tester \"t\"]\n\tInterval=250ms\n" + kMimecast);
    std::string out, err;
    CHECK(f.run_sync({"-validate"}, &out, &err) == 0);
    CHECK(out.find("is valid (2 stanzas)") != std::string::npos);
    CHECK(err.find("TopSecretValue") == std::string::npos);
}

TEST_CASE("-validate lists every error with file and line and exits 255") {
    RunnerFixture f;
    f.write_conf(f.head() +                       // lines 1-7
                 "[Tester \"t\"]\n"               // 8
                 "\tInterval=soon\n"              // 9
                 "[Okta \"o\"]\n"                 // 10
                 "\tDomain=x\n"                   // 11
                 "[Mimecast \"mc\"]\n"            // 12
                 "\tClient-Id=abc\n"              // 13
                 "\tClient-Secret=TopSecretValue\n" // 14
                 "\tApi=audit\n"                  // 15
                 "\tApi=mta-delivery\n"           // 16
                 "\tTag-Name=one\n"               // 17
                 "\tColour=blue\n");              // 18
    std::string out, err;
    CHECK(f.run_sync({"-validate"}, &out, &err) == 255);
    INFO(err);
    CHECK(err.find(f.conf + ":9:") != std::string::npos);
    CHECK(err.find("Interval") != std::string::npos);
    CHECK(err.find(f.conf + ":10:") != std::string::npos);
    CHECK(err.find("no installed plugin provides [Okta]") != std::string::npos);
    CHECK(err.find("Mimecast") != std::string::npos); // lists installed kinds
    CHECK(err.find("Tester") != std::string::npos);
    CHECK(err.find(f.conf + ":17:") != std::string::npos);
    CHECK(err.find(f.conf + ":18:") != std::string::npos);
    CHECK(err.find("Colour") != std::string::npos);
    CHECK(err.find("TopSecretValue") == std::string::npos);
    // Starting for real refuses the same way.
    CHECK(f.run_sync({}, &out, &err) == 255);
}

TEST_CASE("no backend target, no secret for indexers and no state path are errors") {
    RunnerFixture f;
    f.write_conf("[Global]\n\tLog-Level=INFO\n[Tester \"t\"]\n");
    std::string err;
    CHECK(f.run_sync({"-validate"}, nullptr, &err) == 255);
    CHECK(err.find("no backend target is configured") != std::string::npos);
    CHECK(err.find("File-Backend-Target") != std::string::npos);
    CHECK(err.find("Cleartext-Backend-Target") != std::string::npos);
    CHECK(err.find("[State]") != std::string::npos);
    f.write_conf("[Global]\n\tCleartext-Backend-Target=127.0.0.1:4023\n\tPipe-Backend-Target=\n"
                 "[State]\n\tPath=" + f.state + "\n[Tester \"t\"]\n");
    CHECK(f.run_sync({"-validate"}, nullptr, &err) == 255);
    CHECK(err.find(f.conf + ":1: [Global] Ingest-Secret: is required") != std::string::npos);
}

TEST_CASE("two stanzas on one state namespace are an error") {
    RunnerFixture f;
    f.write_conf(f.head() + "[Tester \"t\"]\n[Tester \"t\"]\n\tInterval=2s\n" +
                 "[Tester \"u\"]\n\tIngester-UUID=11111111-2222-3333-4444-555555555555\n"
                 "[Tester \"u\"]\n");
    // A repeated header continues the same stanza: valid.
    CHECK(f.run_sync({"-validate"}) == 0);
    std::string conf = read_file(f.conf);
    write_file(f.conf, conf + "[tester \"u\"]\n\tInterval=3s\n");
    CHECK(f.run_sync({"-validate"}) == 0); // names are case-insensitive: still the same stanza
}

TEST_CASE("a missing config file is named") {
    RunnerFixture f;
    std::string err;
    CHECK(f.run_sync({"-validate"}, nullptr, &err) == 255);
    CHECK(err.find(f.conf) != std::string::npos);
}

TEST_CASE("Tester runs, stops cleanly on SIGTERM and continues exactly where it stopped") {
    RunnerFixture f;
    f.write_conf(f.head() + "[Tester \"t\"]\n\tInterval=20ms\n");
    {
        auto p = f.start();
        REQUIRE(eventually([&] { return tester_seqs(f.out, "t").size() >= 10; }, 15s));
        auto t0 = std::chrono::steady_clock::now();
        p->signal(SIGTERM);
        auto code = p->wait(10s);
        REQUIRE(code);
        CHECK(*code == 0);
        CHECK(std::chrono::steady_clock::now() - t0 < 10s);
    }
    auto first = tester_seqs(f.out, "t");
    auto lines = read_lines(f.out);
    REQUIRE(!lines.empty());
    CHECK(std::regex_match(lines[0], std::regex(R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z","tag":"test","src":"","data":\{"tester":"t","seq":1\}\})")));
    {
        auto p = f.start();
        REQUIRE(eventually([&] { return tester_seqs(f.out, "t").size() >= first.size() + 5; }, 15s));
        p->signal(SIGINT);
        REQUIRE(p->wait(10s) == std::optional<int>(0));
    }
    auto all = tester_seqs(f.out, "t");
    for (size_t i = 0; i < all.size(); ++i) CHECK(all[i] == i + 1); // no gap, no repeat across the restart
    CHECK(f.log_text().find("stopped cleanly") != std::string::npos);
}

TEST_CASE("after kill -9 a restart loses nothing that was written") {
    RunnerFixture f;
    f.write_conf(f.head() + "[Tester \"t\"]\n\tInterval=5ms\n");
    for (int round = 0; round < 4; ++round) {
        auto p = f.start();
        size_t before = tester_seqs(f.out, "t").size();
        REQUIRE(eventually([&] { return tester_seqs(f.out, "t").size() >= before + 20; }, 15s));
        std::this_thread::sleep_for(std::chrono::milliseconds(7 * round));
        p->signal(SIGKILL);
        p->wait(5s);
    }
    auto all = tester_seqs(f.out, "t");
    std::set<uint64_t> seen(all.begin(), all.end());
    REQUIRE(!seen.empty());
    // Every number up to the highest was delivered: the cursor never ran ahead.
    CHECK(seen.size() == *seen.rbegin());
    CHECK(*seen.begin() == 1);
}

TEST_CASE("SIGHUP restarts only the stanzas that changed; a broken config keeps the old one") {
    RunnerFixture f;
    f.write_conf(f.head() + "[Tester \"a\"]\n\tInterval=50ms\n[Tester \"b\"]\n\tInterval=50ms\n");
    auto p = f.start();
    REQUIRE(eventually([&] { return tester_seqs(f.out, "b").size() >= 2; }, 15s));
    f.write_conf(f.head() + "[Tester \"a\"]\n\tInterval=50ms\n[Tester \"b\"]\n\tInterval=40ms\n[Tester \"c\"]\n");
    p->signal(SIGHUP);
    REQUIRE(eventually([&] { return f.log_text().find("reload done") != std::string::npos; }, 15s));
    auto log = f.log_text();
    CHECK(log.find("tester[b]: configuration changed or removed") != std::string::npos);
    CHECK(log.find("tester[a]: configuration changed") == std::string::npos);
    REQUIRE(eventually([&] { return tester_seqs(f.out, "c").size() >= 2; }, 15s));

    f.write_conf(f.head() + "[Tester \"a\"]\n\tInterval=never\n");
    p->signal(SIGHUP);
    REQUIRE(eventually([&] { return f.log_text().find("reload rejected") != std::string::npos; }, 15s));
    size_t c_before = tester_seqs(f.out, "c").size();
    REQUIRE(eventually([&] { return tester_seqs(f.out, "c").size() > c_before + 2; }, 15s)); // still running
    p->signal(SIGTERM);
    CHECK(p->wait(10s) == std::optional<int>(0));
}

TEST_CASE("a plain C plugin runs beside the C++ kinds") {
    RunnerFixture f;
    f.plugin_dir = f.dir.file("plugins");
    ::mkdir(f.plugin_dir.c_str(), 0755);
    for (std::string so : {"tester.so", "mimecast.so"})
        REQUIRE(::symlink((std::string(HR_PLUGIN_DIR) + "/" + so).c_str(), (f.plugin_dir + "/" + so).c_str()) == 0);
    REQUIRE(::symlink((std::string(HR_ABI_PLUGIN_DIR) + "/good.so").c_str(), (f.plugin_dir + "/good.so").c_str()) == 0);
    f.write_conf(f.head() + "[CTest \"c\"]\n\tGreeting=hi\n[Tester \"t\"]\n\tInterval=20ms\n" + kMimecast);
    auto p = f.start();
    REQUIRE(eventually([&] { return read_file(f.out).find("{\"hello\":\"c\"}") != std::string::npos; }, 15s));
    REQUIRE(eventually([&] { return tester_seqs(f.out, "t").size() >= 3; }, 15s));
    p->signal(SIGTERM);
    CHECK(p->wait(10s) == std::optional<int>(0));
    CHECK(read_file(f.out).find("\"tag\":\"ctest\"") != std::string::npos);
}

TEST_CASE("secrets never reach the log, even at DEBUG") {
    RunnerFixture f;
    f.write_conf("[Global]\n\tFile-Backend-Target=" + f.out + "\n\tLog-File=" + f.log +
                 "\n\tLog-Level=DEBUG\n\tIngest-Secret=IngestSecretValue\n[State]\n\tPath=" + f.state + "\n" + kMimecast);
    auto p = f.start();
    REQUIRE(eventually([&] { return f.log_text().find("started") != std::string::npos; }, 15s));
    std::this_thread::sleep_for(300ms);
    p->signal(SIGTERM);
    p->wait(10s);
    std::string all = f.log_text() + f.stderr_text();
    CHECK(all.find("TopSecretValue") == std::string::npos);
    CHECK(all.find("IngestSecretValue") == std::string::npos);
}

TEST_CASE("a second runner on the same state file refuses to start") {
    RunnerFixture f;
    f.write_conf(f.head() + "[Tester \"t\"]\n");
    auto p = f.start();
    REQUIRE(eventually([&] { return f.log_text().find("started") != std::string::npos; }, 15s));
    std::string err;
    CHECK(f.run_sync({}, nullptr, &err) == 255);
    CHECK(err.find("in use") != std::string::npos);
    CHECK(f.run_sync({"-validate"}) == 0); // validate still works beside it
    p->signal(SIGTERM);
    CHECK(p->wait(10s) == std::optional<int>(0));
}

TEST_CASE("-version and --help answer without a config") {
    RunnerFixture f;
    std::string out;
    CHECK(f.run_sync({"-version"}, &out) == 0);
    CHECK(out.find("plugin ABI 1.0") != std::string::npos);
    CHECK(f.run_sync({"--help"}, &out) == 0);
    for (const char *flag : {"-config-file", "-config-overlays", "-validate", "-version", "-plugin-dir", "-v"})
        CHECK(out.find(flag) != std::string::npos);
    CHECK(f.run_sync({"-bogus"}) == 2);
}

TEST_CASE("a stanza that fails at run time is restarted with backoff; the others keep running") {
    RunnerFixture f;
    f.plugin_dir = f.dir.file("plugins");
    ::mkdir(f.plugin_dir.c_str(), 0755);
    REQUIRE(::symlink((std::string(HR_PLUGIN_DIR) + "/tester.so").c_str(), (f.plugin_dir + "/tester.so").c_str()) == 0);
    REQUIRE(::symlink((std::string(HR_ABI_PLUGIN_DIR) + "/flaky.so").c_str(), (f.plugin_dir + "/flaky.so").c_str()) == 0);
    f.write_conf(f.head() + "[Flaky \"f\"]\n[Tester \"t\"]\n\tInterval=50ms\n");
    auto p = f.start();
    // Backoff of 1 s, then 2 s (plus jitter): two restarts within about 4 s.
    REQUIRE(eventually([&] {
        std::string log = f.log_text();
        size_t n = 0;
        for (size_t pos = 0; (pos = log.find("flaky[f]: restarted", pos)) != std::string::npos; ++pos) ++n;
        return n >= 2;
    }, 15s));
    auto log = f.log_text();
    CHECK(log.find("flaky[f]: failed: lost its upstream") != std::string::npos);
    CHECK(log.find("flaky[f]: restarting in 1") != std::string::npos); // first delay 1000-1250 ms
    CHECK(log.find("flaky[f]: restarting in 2") != std::string::npos); // then 2000-2250 ms
    size_t tester_before = tester_seqs(f.out, "t").size();
    REQUIRE(eventually([&] { return tester_seqs(f.out, "t").size() > tester_before + 5; }, 10s));
    p->signal(SIGTERM);
    CHECK(p->wait(10s) == std::optional<int>(0));
}
