// GravwellSink against the real fake indexer process (tests/gravwell/fake_indexer).
#include "file_sink.hpp"
#include "gravwell_sink.hpp"
#include "process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <thread>

using namespace hr::gw;
using hr::test::eventually;
using hr::test::Process;
using hr::test::TempDir;
using namespace std::chrono_literals;

namespace {

struct Indexer {
    Indexer(const TempDir &dir, const std::string &name, std::vector<std::string> extra = {})
        : out(dir.file(name + ".json")), log(dir.file(name + ".log")), stdout_path(dir.file(name + ".stdout")) {
        std::vector<std::string> argv{GW_FAKE_INDEXER, "--out", out, "--secret", "s3cret"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc = std::make_unique<Process>(argv, stdout_path, log);
        REQUIRE(eventually(
            [&] {
                auto lines = hr::test::read_lines(stdout_path);
                bool tls = std::find(extra.begin(), extra.end(), "--tls-cert") != extra.end();
                if (lines.size() < (tls ? 2u : 1u)) return false;
                port = static_cast<uint16_t>(std::stoi(lines[0].substr(lines[0].rfind(':') + 1)));
                if (tls) tls_port = static_cast<uint16_t>(std::stoi(lines[1].substr(lines[1].rfind(':') + 1)));
                return true;
            },
            5s));
    }
    Target target() const {
        Target t;
        t.kind = Target::Kind::tcp;
        t.host = "127.0.0.1";
        t.port = port;
        return t;
    }
    std::vector<std::string> lines() const { return hr::test::read_lines(out); }
    size_t count_log(const std::string &what) const {
        size_t n = 0;
        for (auto &l : hr::test::read_lines(log)) n += l.find(what) != std::string::npos;
        return n;
    }
    std::string out, log, stdout_path;
    uint16_t port = 0, tls_port = 0;
    std::unique_ptr<Process> proc;
};

GravwellConfig config(std::vector<Target> targets, std::string secret = "s3cret") {
    GravwellConfig c;
    c.targets = std::move(targets);
    c.secret = std::move(secret);
    c.backoff_initial = 100ms;
    c.backoff_max = 1s;
    c.ingest_ok_retry = 200ms;
    return c;
}

hr::EntryPtr make_entry(uint64_t seq, const std::string &tag = "") {
    auto e = std::make_shared<hr::Entry>();
    e->seq = seq;
    e->ts_sec = 1700000000 + static_cast<int64_t>(seq);
    e->ts_nsec = static_cast<uint32_t>(seq * 7 % 1000000000);
    e->tag = tag.empty() ? (seq % 2 ? "mimecast" : "audit@x") : tag;
    e->src = seq % 3 ? "192.0.2." + std::to_string(seq % 250) : "2001:db8::" + std::to_string(seq % 9 + 1);
    e->data = seq % 2 ? R"({"n":)" + std::to_string(seq) + R"(,"s":"é\"x"})" : "plain line " + std::to_string(seq);
    return e;
}

std::string expected_line(const hr::EntryPtr &e) {
    auto l = hr::format_file_line(*e);
    l.pop_back(); // read_lines strips the newline
    return l;
}

// Self-signed for CN=localhost, SAN localhost and 127.0.0.1, valid until 2126
// (made once with `openssl req -x509 -newkey ec ...`; test-only key).
const char *kCertPem = R"(-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUFDbhPQFqqSnxdzp3GMIYFWBJgJkwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjA0MTEzNVoYDzIxMjYxMTAy
MDQxMTM1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASJrpllfXnW547k3jz3ydCURtQ2Rrjq882IBPEa6ksIvSjClJjvv1fl
T8c2qhGJmSygpwR9+Spb7XC0VHGhMiRXo28wbTAdBgNVHQ4EFgQUHMM7AutMO7eJ
FBjVO4BEaho9kFswHwYDVR0jBBgwFoAUHMM7AutMO7eJFBjVO4BEaho9kFswDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgGgGw1rDhVgkKW+DApvEcdSJ5HePS+xdI0Kw9H5DUb5sCIQDh
QxO6TSWR6WhkJqj+DUF7S4V0q6Yf72evPSezMa4pPw==
-----END CERTIFICATE-----
)";
const char *kKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9wDl1DytsUTYxTwy
p2bosoy5MoqSNTnALwU44u2313ehRANCAASJrpllfXnW547k3jz3ydCURtQ2Rrjq
882IBPEa6ksIvSjClJjvv1flT8c2qhGJmSygpwR9+Spb7XC0VHGhMiRX
-----END PRIVATE KEY-----
)";

} // namespace

TEST_CASE("gw sink delivers every entry exactly as the file sink writes it", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix");
    GravwellSink sink(config({ix.target()}));
    int progress = 0;
    sink.set_progress_callback([&] { ++progress; });
    std::string err;
    bool opened = sink.open(err);
    INFO(err << " / " << sink.last_error());
    REQUIRE(opened);
    std::vector<std::string> want;
    for (uint64_t i = 1; i <= 300; ++i) {
        auto e = make_entry(i);
        want.push_back(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() == 300; }, 10s));
    // A tag first seen mid-stream is negotiated with TAG.
    for (uint64_t i = 301; i <= 310; ++i) {
        auto e = make_entry(i, "late+tag");
        want.push_back(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() == 310; }, 10s));
    sink.close();
    CHECK(progress > 0);
    CHECK(ix.lines() == want); // one connection: in order, no duplicates
    CHECK(sink.last_error().empty());
}

TEST_CASE("gw sink over a unix socket, with INGEST_OK delay and throttling", "[gravwell]") {
    TempDir dir;
    std::string path = dir.file("ix.sock");
    Indexer ix(dir, "ix", {"--unix", path, "--ingest-ok-delay", "2", "--throttle-ms", "100"});
    Target t;
    t.kind = Target::Kind::unix_socket;
    t.host = path;
    auto cfg = config({t});
    cfg.connection_timeout = 5s;
    GravwellSink sink(cfg);
    std::string err;
    bool opened = sink.open(err);
    INFO(err << " / " << sink.last_error());
    REQUIRE(opened);
    std::vector<std::string> want;
    for (uint64_t i = 1; i <= 200; ++i) {
        auto e = make_entry(i);
        want.push_back(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() == 200; }, 15s));
    sink.close();
    CHECK(ix.lines() == want);
}

TEST_CASE("gw sink close() waits for the confirmations of what was pushed", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix");
    auto cfg = config({ix.target()});
    cfg.connection_timeout = 5s;
    GravwellSink sink(cfg);
    std::string err;
    bool opened = sink.open(err);
    INFO(err);
    REQUIRE(opened);
    for (uint64_t i = 1; i <= 100; ++i) sink.push(make_entry(i));
    sink.close();
    CHECK(sink.durable_seq() == 100);
    CHECK(ix.lines().size() == 100);
}

TEST_CASE("gw sink with a wrong secret: no durability, clear error, retries", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix", {"--wrong-secret"});
    {
        auto cfg = config({ix.target()});
        cfg.connection_timeout = 500ms;
        GravwellSink sink(cfg);
        std::string err;
        CHECK_FALSE(sink.open(err));
        CHECK(err.find("bad secret") != std::string::npos);
    }
    GravwellSink sink(config({ix.target()}, "wrong"));
    std::string err;
    REQUIRE(sink.open(err)); // no Connection-Timeout: keeps trying in the background
    for (uint64_t i = 1; i <= 5; ++i) sink.push(make_entry(i));
    REQUIRE(eventually([&] { return sink.connect_attempts() >= 3; }, 10s));
    CHECK(sink.durable_seq() == 0);
    CHECK(sink.last_error().find("rejected the ingest secret") != std::string::npos);
    CHECK(ix.count_log("auth rejected") >= 3);
    sink.close();
    CHECK(sink.durable_seq() == 0);
    CHECK(ix.lines().empty());
}

TEST_CASE("gw sink with tags refused reports it", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix", {"--reject-tags"});
    auto cfg = config({ix.target()});
    cfg.connection_timeout = 500ms;
    GravwellSink sink(cfg);
    std::string err;
    CHECK_FALSE(sink.open(err));
    CHECK(err.find("refused tag negotiation") != std::string::npos);
}

TEST_CASE("gw sink re-sends unconfirmed entries after a dropped connection", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix", {"--drop-after", "120"});
    GravwellSink sink(config({ix.target()}));
    std::string err;
    bool opened = sink.open(err);
    INFO(err << " / " << sink.last_error());
    REQUIRE(opened);
    std::set<std::string> want;
    for (uint64_t i = 1; i <= 400; ++i) {
        auto e = make_entry(i);
        want.insert(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() == 400; }, 15s));
    sink.close();
    auto got = ix.lines();
    std::set<std::string> got_set(got.begin(), got.end());
    CHECK(got_set == want); // everything arrived; duplicates allowed
    CHECK(ix.count_log("dropping after") == 1);
    CHECK(sink.connect_attempts() >= 2);
}

TEST_CASE("gw sink never reports unconfirmed entries durable", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix", {"--withhold-acks"});
    auto cfg = config({ix.target()});
    cfg.close_timeout = 300ms;
    GravwellSink sink(cfg);
    std::string err;
    bool opened = sink.open(err);
    INFO(err << " / " << sink.last_error());
    REQUIRE(opened);
    for (uint64_t i = 1; i <= 20; ++i) sink.push(make_entry(i));
    REQUIRE(eventually([&] { return ix.lines().size() == 20; }, 10s));
    std::this_thread::sleep_for(300ms);
    CHECK(sink.durable_seq() == 0);
    sink.close();
    CHECK(sink.durable_seq() == 0);
}

TEST_CASE("gw sink spreads entries over two indexers", "[gravwell]") {
    TempDir dir;
    Indexer a(dir, "a"), b(dir, "b");
    auto cfg = config({a.target(), b.target()});
    cfg.connection_timeout = 5s;
    GravwellSink sink(cfg);
    std::string err;
    bool opened = sink.open(err);
    INFO(err << " / " << sink.last_error());
    REQUIRE(opened);
    REQUIRE(eventually([&] { return sink.live_connections() == 2; }, 5s));
    std::set<std::string> want;
    for (uint64_t i = 1; i <= 3000; ++i) {
        auto e = make_entry(i);
        want.insert(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() == 3000; }, 20s));
    sink.close();
    auto la = a.lines(), lb = b.lines();
    CHECK(!la.empty());
    CHECK(!lb.empty());
    std::set<std::string> got(la.begin(), la.end());
    got.insert(lb.begin(), lb.end());
    CHECK(got == want);
    CHECK(la.size() + lb.size() == 3000); // no connection dropped: no duplicates
}

TEST_CASE("gw target parsing", "[gravwell]") {
    Target t;
    std::string err;
    REQUIRE(parse_target(Target::Kind::tcp, "10.0.0.1", t, err));
    CHECK(t.port == 4023);
    REQUIRE(parse_target(Target::Kind::tls, "idx.example:9000", t, err));
    CHECK(t.host == "idx.example");
    CHECK(t.port == 9000);
    REQUIRE(parse_target(Target::Kind::tls, "[::1]", t, err));
    CHECK(t.host == "::1");
    CHECK(t.port == 4024);
    REQUIRE(parse_target(Target::Kind::unix_socket, "/run/gw.sock", t, err));
    CHECK(t.display() == "unix:///run/gw.sock");
    CHECK_FALSE(parse_target(Target::Kind::tcp, "h:99999", t, err));
    CHECK_FALSE(parse_target(Target::Kind::tcp, ":1", t, err));
}

TEST_CASE("gw sink over TLS: verified, insecure, and refused", "[gravwell]") {
    TempDir dir;
    hr::test::write_file(dir.file("cert.pem"), kCertPem);
    hr::test::write_file(dir.file("key.pem"), kKeyPem);
    Indexer ix(dir, "ix", {"--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem")});
    auto tls_target = [&](std::string host) {
        Target t;
        t.kind = Target::Kind::tls;
        t.host = std::move(host);
        t.port = ix.tls_port;
        return t;
    };
    std::vector<std::string> want;
    auto run = [&](GravwellConfig cfg) {
        cfg.connection_timeout = 5s;
        GravwellSink sink(cfg);
        std::string err;
        bool opened = sink.open(err);
        INFO(err);
        REQUIRE(opened);
        // Each sink numbers its entries from 1.
        for (uint64_t i = 1; i <= 50; ++i) {
            auto e = make_entry(i);
            want.push_back(expected_line(e));
            sink.push(e);
        }
        REQUIRE(eventually([&] { return sink.durable_seq() == 50; }, 10s));
        sink.close();
    };
    SECTION("verified against the given CA, by name and by address") {
        auto cfg = config({tls_target("localhost")});
        cfg.tls_ca_file = dir.file("cert.pem");
        run(cfg);
        cfg.targets = {tls_target("127.0.0.1")};
        run(cfg);
        CHECK(ix.lines() == want);
    }
    SECTION("Insecure-Skip-TLS-Verify accepts an unknown certificate") {
        auto cfg = config({tls_target("127.0.0.1")});
        cfg.insecure_skip_tls_verify = true;
        run(cfg);
        CHECK(ix.lines() == want);
    }
    SECTION("an unknown certificate is refused") {
        auto cfg = config({tls_target("localhost")});
        cfg.connection_timeout = 1s;
        GravwellSink sink(cfg);
        std::string err;
        CHECK_FALSE(sink.open(err));
        CHECK(err.find("certificate verify failed") != std::string::npos);
    }
}

TEST_CASE("gw sink keeps entries until an indexer comes up", "[gravwell]") {
    TempDir dir;
    std::string path = dir.file("late.sock");
    Target t;
    t.kind = Target::Kind::unix_socket;
    t.host = path;
    GravwellSink sink(config({t})); // backoff 100 ms .. 1 s
    std::string err;
    bool opened = sink.open(err);
    INFO(err);
    REQUIRE(opened);
    std::vector<std::string> want;
    for (uint64_t i = 1; i <= 30; ++i) {
        auto e = make_entry(i);
        want.push_back(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.connect_attempts() >= 2; }, 5s));
    CHECK(sink.durable_seq() == 0);
    CHECK(sink.last_error().find(path) != std::string::npos);
    Indexer ix(dir, "ix", {"--unix", path});
    REQUIRE(eventually([&] { return sink.durable_seq() == 30; }, 10s));
    sink.close();
    CHECK(ix.lines() == want);
}

TEST_CASE("gw sink: invalid tag names are made valid, large entries pass", "[gravwell]") {
    TempDir dir;
    Indexer ix(dir, "ix");
    GravwellSink sink(config({ix.target()}));
    std::string err;
    bool opened = sink.open(err);
    INFO(err);
    REQUIRE(opened);
    auto bad = make_entry(1, "  bad tag!  "); // trimmed, then '_' for each forbidden character
    auto big_e = std::make_shared<hr::Entry>(*make_entry(2, "big"));
    big_e->data = std::string(1 << 20, 'x');
    hr::EntryPtr big = big_e;
    sink.push(bad);
    sink.push(big);
    REQUIRE(eventually([&] { return sink.durable_seq() == 2; }, 10s));
    sink.close();
    auto renamed = *bad;
    renamed.tag = "bad_tag_";
    auto lines = ix.lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == expected_line(std::make_shared<hr::Entry>(renamed)));
    CHECK(lines[1] == expected_line(big));
}

TEST_CASE("gw sink: a dropped indexer's unconfirmed entries reach the other one", "[gravwell]") {
    TempDir dir;
    // Both drop once, at their 50th entry: whichever takes more traffic must drop.
    Indexer a(dir, "a", {"--drop-after", "50"}), b(dir, "b", {"--drop-after", "50"});
    auto cfg = config({a.target(), b.target()});
    cfg.connection_timeout = 5s;
    cfg.backoff_initial = 2s; // a stays away a while: b must take over
    GravwellSink sink(cfg);
    std::string err;
    bool opened = sink.open(err);
    INFO(err);
    REQUIRE(opened);
    REQUIRE(eventually([&] { return sink.live_connections() == 2; }, 5s));
    std::set<std::string> want;
    for (uint64_t i = 1; i <= 2000; ++i) {
        auto e = make_entry(i);
        want.insert(expected_line(e));
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() == 2000; }, 20s));
    sink.close();
    INFO("a got " << a.lines().size() << ", b got " << b.lines().size());
    CHECK(a.count_log("dropping after") + b.count_log("dropping after") >= 1);
    CHECK(sink.resent_entries() > 0);
    auto la = a.lines(), lb = b.lines();
    std::set<std::string> got(la.begin(), la.end());
    got.insert(lb.begin(), lb.end());
    CHECK(got == want);
}

TEST_CASE("gw sink cache: entries are durable once cached, survive a restart and drain later", "[gravwell]") {
    TempDir dir;
    std::string path = dir.file("later.sock");
    Target t;
    t.kind = Target::Kind::unix_socket;
    t.host = path;
    auto cfg = config({t});
    cfg.cache_path = dir.file("cache");
    std::set<std::string> want;
    {
        GravwellSink sink(cfg); // mode always: no indexer, so straight to the cache
        std::string err;
        REQUIRE(sink.open(err));
        for (uint64_t i = 1; i <= 500; ++i) {
            auto e = make_entry(i);
            want.insert(expected_line(e));
            sink.push(e);
        }
        REQUIRE(eventually([&] { return sink.durable_seq() == 500; }, 5s));
        sink.close();
    }
    CHECK_FALSE(hr::test::read_file(dir.file("cache") + "/seg-0000000000000001.hrc").empty());
    Indexer ix(dir, "ix", {"--unix", path});
    {
        GravwellSink sink(cfg);
        std::string err;
        REQUIRE(sink.open(err));
        REQUIRE(eventually([&] { return ix.lines().size() >= 500; }, 10s));
        sink.close();
    }
    auto lines = ix.lines();
    CHECK(std::set<std::string>(lines.begin(), lines.end()) == want);
    CHECK(lines.size() == 500); // nothing twice without an interruption
    CHECK(hr::test::read_file(dir.file("cache") + "/seg-0000000000000001.hrc").empty()); // drained, deleted
}

TEST_CASE("gw sink cache: a full cache stops durability instead of dropping", "[gravwell]") {
    TempDir dir;
    Target t;
    t.kind = Target::Kind::unix_socket;
    t.host = dir.file("never.sock");
    auto cfg = config({t});
    cfg.cache_path = dir.file("cache");
    cfg.cache_max_bytes = 64 * 1024;
    hr::Logger log;
    std::string log_path = dir.file("sink.log"), err;
    REQUIRE(log.open(log_path, err));
    cfg.log = &log;
    GravwellSink sink(cfg);
    REQUIRE(sink.open(err));
    for (uint64_t i = 1; i <= 400; ++i) { // ~1 KB each: more than 64 KiB
        auto e = std::make_shared<hr::Entry>(*make_entry(i));
        e->data = std::string(1000, 'a' + i % 26);
        sink.push(e);
    }
    REQUIRE(eventually([&] { return sink.durable_seq() > 0; }, 5s));
    std::this_thread::sleep_for(500ms);
    uint64_t d = sink.durable_seq();
    CHECK(d < 70);
    CHECK(d > 40);
    CHECK(hr::test::read_file(log_path).find("cache full") != std::string::npos);
    sink.close(); // what did not fit is neither cached nor confirmed: its cursors never moved
    CHECK(sink.durable_seq() == d);
}

TEST_CASE("gw sink sends the ingester state with one child per instance", "[gravwell]") {
    TempDir dir;
    std::string states = dir.file("states.ndjson");
    Indexer ix(dir, "ix", {"--state-out", states});
    auto cfg = config({ix.target()});
    cfg.ingester_name = "edge-runner";
    cfg.label = "eu";
    cfg.state_interval = 200ms;
    cfg.children = [] {
        ChildState c;
        c.name = "mimecast[prod]";
        c.uuid = "11111111-2222-3333-4444-555555555555";
        c.entries = 7;
        c.bytes = 70;
        c.tags = {"audit"};
        c.state = "running";
        return std::vector<ChildState>{c};
    };
    GravwellSink sink(cfg);
    std::string err;
    REQUIRE(sink.open(err));
    sink.push(make_entry(1));
    REQUIRE(eventually([&] { return hr::test::read_lines(states).size() >= 2 && sink.durable_seq() == 1; }, 5s));
    sink.close();
    auto last = hr::test::read_lines(states).back();
    INFO(last);
    CHECK(last.find(R"("Name":"edge-runner")") != std::string::npos);
    CHECK(last.find(R"("Label":"eu")") != std::string::npos);
    CHECK(last.find(R"("Entries":1,)") != std::string::npos);
    CHECK(last.find(R"("CacheState":"disabled")") != std::string::npos);
    CHECK(last.find(R"("Children":{"mimecast[prod]":{"UUID":"11111111-2222-3333-4444-555555555555")") !=
          std::string::npos);
    CHECK(last.find(R"("Entries":7,"Size":70,"Tags":["audit"])") != std::string::npos);
}
