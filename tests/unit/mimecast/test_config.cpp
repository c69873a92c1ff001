// The [Mimecast] stanza's own rules, after the host checked each key's type.
#include "config.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <vector>

namespace {

struct Diag {
    hr_log_level sev;
    std::string key, msg;
    uint32_t line;
};

// An hr_stanza as the host would hand it over.
struct Stanza {
    std::deque<std::string> text;
    std::vector<hr_kv> items;
    hr_stanza st{};
    std::vector<Diag> diags;

    hr_str s(const std::string &v) {
        text.push_back(v);
        return hr_str{text.back().data(), text.back().size()};
    }
    Stanza &add(const std::string &k, const std::string &v, int64_t n = 0) {
        hr_kv kv{};
        kv.key = s(k);
        kv.value = s(v);
        kv.number = n;
        kv.line = static_cast<uint32_t>(items.size() + 2);
        items.push_back(kv);
        return *this;
    }
    static Stanza base() {
        Stanza x;
        x.add("Client-Id", "id").add("Client-Secret", "TopSecret").add("Api", "audit");
        x.add("Host", "https://api.services.mimecast.com").add("Lookback", "24", 24);
        x.add("Requests-Per-Minute", "5", 5).add("Request-Interval", "300", 300);
        return x;
    }
    std::optional<hr::mimecast::Config> parse() {
        st.instance = s("prod");
        st.items = items.data();
        st.item_count = static_cast<uint32_t>(items.size());
        return hr::mimecast::parse_config(
            st,
            [](void *ctx, hr_log_level sev, hr_str key, uint32_t line, hr_str msg) {
                static_cast<Stanza *>(ctx)->diags.push_back(
                    {sev, std::string(key.ptr, key.len), std::string(msg.ptr, msg.len), line});
            },
            this);
    }
    bool error_on(const std::string &key) const {
        for (const auto &d : diags)
            if (d.sev >= HR_LOG_ERROR && d.key == key) return true;
        return false;
    }
    std::string all() const {
        std::string out;
        for (const auto &d : diags) out += d.key + ": " + d.msg + "\n";
        return out;
    }
};

} // namespace

TEST_CASE("mimecast config: defaults give one tag per Api") {
    auto x = Stanza::base();
    x.add("Api", "MTA-Delivery");
    auto c = x.parse();
    REQUIRE(c);
    REQUIRE(c->apis.size() == 2);
    CHECK(c->apis[0].tag == "audit");
    CHECK(c->apis[1].tag == "mta-delivery"); // Api values are matched in any case
    CHECK(std::string(c->apis[1].info->siem_type) == "delivery");
    CHECK(c->client_secret == "TopSecret");
    CHECK(c->dead_letter_file == "mimecast-prod-deadletter.ndjson");
}

TEST_CASE("mimecast config: Tag-Prefix and Tag-Name") {
    auto x = Stanza::base();
    x.add("Api", "mta-internal").add("Tag-Prefix", "mc");
    auto c = x.parse();
    REQUIRE(c);
    CHECK(c->apis[1].tag == "mc-mta-internal");
    auto y = Stanza::base();
    y.add("Tag-Name", "mimecast_audit");
    REQUIRE(y.parse());
    CHECK(y.parse()->apis[0].tag == "mimecast_audit");
}

TEST_CASE("mimecast config: each bad combination is an error naming its key and line") {
    SECTION("Tag-Name with several Api") {
        auto x = Stanza::base();
        x.add("Api", "mta-av").add("Tag-Name", "one");
        CHECK_FALSE(x.parse());
        CHECK(x.error_on("Tag-Name"));
        CHECK(x.diags.back().line == 10);
    }
    SECTION("Tag-Name with Tag-Prefix") {
        auto x = Stanza::base();
        x.add("Tag-Name", "a").add("Tag-Prefix", "b");
        CHECK_FALSE(x.parse());
        CHECK(x.all().find("together with Tag-Prefix") != std::string::npos);
    }
    SECTION("unknown Api lists the valid ones") {
        auto x = Stanza::base();
        x.add("Api", "mta-everything");
        CHECK_FALSE(x.parse());
        CHECK(x.error_on("Api"));
        CHECK(x.all().find("mta-attachment") != std::string::npos);
    }
    SECTION("no Api") {
        Stanza x;
        x.add("Client-Id", "id").add("Client-Secret", "s3cr3t!");
        CHECK_FALSE(x.parse());
        CHECK(x.error_on("Api"));
    }
    SECTION("missing id and secret") {
        Stanza x;
        x.add("Api", "audit");
        CHECK_FALSE(x.parse());
        CHECK(x.error_on("Client-Id"));
        CHECK(x.error_on("Client-Secret"));
        CHECK(x.all().find("Client-Secret-File") != std::string::npos);
    }
    SECTION("non-positive Requests-Per-Minute and Request-Interval") {
        auto x = Stanza::base();
        x.add("Requests-Per-Minute", "0", 0).add("Request-Interval", "-5", -5);
        CHECK_FALSE(x.parse());
        CHECK(x.error_on("Requests-Per-Minute"));
        CHECK(x.error_on("Request-Interval"));
    }
    SECTION("a tag the sinks would refuse") {
        for (const char *bad : {"bad tag", "a.b", "x:y", "semi;colon", "quote\"d", "slash/ed"}) {
            INFO(bad);
            auto x = Stanza::base();
            x.add("Tag-Name", bad);
            CHECK_FALSE(x.parse());
            CHECK(x.error_on("Tag-Name"));
        }
        auto p = Stanza::base();
        p.add("Tag-Prefix", "mc.");
        CHECK_FALSE(p.parse());
        CHECK(p.error_on("Tag-Prefix"));
    }
    SECTION("tags Gravwell allows are accepted") {
        for (const char *good : {"mimecast@eu", "mc#1", "a+b", "日本"}) {
            INFO(good);
            auto x = Stanza::base();
            x.add("Tag-Name", good);
            CHECK(x.parse());
        }
    }
}

TEST_CASE("mimecast config: Lookback beyond 7 days is capped with a warning") {
    auto x = Stanza::base();
    x.add("Lookback", "500", 500);
    auto c = x.parse();
    REQUIRE(c);
    CHECK(c->lookback_h == 168);
    REQUIRE_FALSE(x.diags.empty());
    CHECK(x.diags.back().sev == HR_LOG_WARN);
    CHECK(x.diags.back().key == "Lookback");
}

TEST_CASE("mimecast config: the secret never appears in a diagnostic") {
    auto x = Stanza::base();
    x.add("Api", "nope").add("Tag-Name", "a").add("Tag-Prefix", "b");
    x.parse();
    CHECK(x.all().find("TopSecret") == std::string::npos);
}
