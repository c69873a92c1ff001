// [Global] -> GravwellConfig: every key the sink reads, and the errors users see.
#include "gw_config.hpp"
#include "process.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace hr;
using namespace hr::gw;

namespace {

struct Result {
    bool network = false;
    GravwellConfig gw;
    std::vector<cfg::Diag> diags;
    std::string text() const {
        std::string s;
        for (const auto &d : diags) s += d.format() + "\n";
        return s;
    }
};

Result load(const std::string &body, std::map<std::string, std::string> env = {}) {
    Result r;
    cfg::RawDocument doc;
    cfg::parse_text("[Global]\n" + body, "g.conf", doc, r.diags);
    REQUIRE(doc.sections.size() == 1);
    auto envfn = [env](const std::string &k) -> std::optional<std::string> {
        auto it = env.find(k);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto g = cfg::resolve(doc.sections[0], cfg::global_schema(), r.diags, envfn);
    r.network = config_from_global(g, r.gw, r.diags);
    return r;
}

} // namespace

TEST_CASE("gw config: targets of the three kinds, defaults and identity", "[gravwell]") {
    hr::test::TempDir dir;
    auto r = load("Cleartext-Backend-Target=idx1\nCleartext-Backend-Target=10.0.0.2:5023\n"
                  "Encrypted-Backend-Target=[::1]:7000\nEncrypted-Backend-Target=idx3\n"
                  "Pipe-Backend-Target=/run/gw.sock\nIngest-Secret=s\nConnection-Timeout=30s\n"
                  "Insecure-Skip-TLS-Verify=true\nIngester-Name=edge\nLabel=eu\n"
                  "Ingester-UUID=11111111-2222-3333-4444-555555555555\nIngest-Cache-Path=" +
                  dir.file("cache") + "\nMax-Ingest-Cache=0\nCache-Mode=fail\n");
    INFO(r.text());
    CHECK_FALSE(cfg::has_errors(r.diags));
    REQUIRE(r.network);
    std::vector<std::string> shown;
    for (const auto &t : r.gw.targets) shown.push_back(t.display());
    CHECK(shown == std::vector<std::string>{"tcp://idx1:4023", "tcp://10.0.0.2:5023", "tls://::1:7000",
                                            "tls://idx3:4024", "unix:///run/gw.sock"});
    CHECK(r.gw.secret == "s");
    CHECK(r.gw.connection_timeout == std::chrono::seconds(30));
    CHECK(r.gw.insecure_skip_tls_verify);
    CHECK(r.gw.ingester_name == "edge");
    CHECK(r.gw.label == "eu");
    CHECK(r.gw.ingester_uuid == "11111111-2222-3333-4444-555555555555");
    CHECK(r.gw.cache_path == dir.file("cache"));
    CHECK(r.gw.cache_max_bytes == 1000ull << 20); // 0 means Gravwell's 1000 MB
    CHECK(r.gw.cache_mode == CacheMode::fail);
}

TEST_CASE("gw config: environment lists and no network target", "[gravwell]") {
    auto r = load("Ingest-Secret=s\n", {{"GRAVWELL_CLEARTEXT_TARGETS", "a:1, b:2"}});
    INFO(r.text());
    REQUIRE(r.network);
    REQUIRE(r.gw.targets.size() == 2);
    CHECK(r.gw.targets[1].display() == "tcp://b:2");
    auto none = load("File-Backend-Target=/tmp/x\nIngest-Cache-Path=/tmp/c\n");
    CHECK_FALSE(none.network);
    CHECK(none.text().find("warning: [Global] Ingest-Cache-Path: has no effect") != std::string::npos);
}

TEST_CASE("gw config: each bad value names the file, line and key", "[gravwell]") {
    hr::test::TempDir dir;
    hr::test::write_file(dir.file("plain"), "x");
    auto r = load("Cleartext-Backend-Target=host:99999\nEncrypted-Backend-Target=[::1\n"
                  "Cleartext-Backend-Target=:80\nIngest-Cache-Path=" + dir.file("plain") +
                  "\nMax-Ingest-Cache=-5\n");
    std::string t = r.text();
    INFO(t);
    CHECK(t.find("g.conf:2: [Global] Cleartext-Backend-Target: bad target 'host:99999': bad port") != std::string::npos);
    CHECK(t.find("g.conf:3: [Global] Encrypted-Backend-Target: bad target '[::1': missing ']'") != std::string::npos);
    CHECK(t.find("g.conf:4: [Global] Cleartext-Backend-Target: bad target ':80': empty host") != std::string::npos);
    CHECK(t.find("g.conf:5: [Global] Ingest-Cache-Path: " + dir.file("plain") + " exists and is not a directory") !=
          std::string::npos);
    CHECK(t.find("g.conf:6: [Global] Max-Ingest-Cache: must be 0") != std::string::npos);
    CHECK(t.find("[Global] Ingest-Secret: is required") != std::string::npos);
    auto dup = load("Cleartext-Backend-Target=a\nCleartext-Backend-Target=a:4023\nIngest-Secret=s\n");
    CHECK_FALSE(cfg::has_errors(dup.diags));
    CHECK(dup.gw.targets.size() == 1);
    CHECK(dup.text().find("listed twice") != std::string::npos);
}
