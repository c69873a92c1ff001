// Protocol encoders/decoders against vectors computed independently
// (python3 hashlib/struct, pasted here as hex).
#include "protocol.hpp"

#include <catch2/catch.hpp>

using namespace hr::gw;

namespace {
std::string hex(const void *p, size_t n) {
    static const char *d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        auto b = static_cast<const unsigned char *>(p)[i];
        s += d[b >> 4];
        s += d[b & 15];
    }
    return s;
}
std::string hex(const std::string &s) { return hex(s.data(), s.size()); }
} // namespace

TEST_CASE("gw auth hash and challenge response", "[gravwell]") {
    auto a = auth_hash("testsecret");
    CHECK(hex(a.data(), a.size()) == "463904d6c5549bf9a65cef9f2c6d8b2b");
    auto e = auth_hash("");
    CHECK(hex(e.data(), e.size()) == "9fed45642b36a5c0cd5a1aae8e063503");

    Challenge c;
    c.iterate = 10000;
    for (int i = 0; i < 32; ++i) c.rand[i] = static_cast<unsigned char>(i);
    c.version = 9;
    std::string wire = encode_challenge(c);
    REQUIRE(wire.size() == kChallengeSize);
    CHECK(hex(wire.substr(0, 2)) == "1027");
    CHECK(hex(wire.substr(34)) == "0900");
    auto back = parse_challenge(wire);
    REQUIRE(back);
    CHECK(back->iterate == 10000);
    CHECK(back->version == 9);
    CHECK(back->rand == c.rand);
    CHECK_FALSE(parse_challenge(wire.substr(1)));

    auto r = challenge_response(a, *back);
    CHECK(hex(r.data(), r.size()) == "6e3db0246aa50803f1ac6f51d535c4364e7438e4d0883e1993deacdaec53ad37");
}

TEST_CASE("gw state response, tag request and response", "[gravwell]") {
    std::string s = encode_state_response(kStateHot, "");
    std::string json = R"({"ID":13303380,"Info":""})";
    CHECK(s.size() == 2 + json.size());
    CHECK(get_u16(reinterpret_cast<const unsigned char *>(s.data())) == json.size());
    CHECK(s.substr(2) == json);
    uint32_t id = 0;
    std::string info;
    REQUIRE(parse_state_json(R"({"ID":12513090,"Info":"ok"})", id, info));
    CHECK(id == kStateAuthenticated);
    CHECK(info == "ok");
    CHECK_FALSE(parse_state_json("{", id, info));
    CHECK_FALSE(parse_state_json(R"({"Info":"x"})", id, info));

    std::string tr = encode_tag_request({"a", "b"});
    CHECK(tr.substr(4) == R"({"Count":2,"Tags":["a","b"]})");
    CHECK(get_u32(reinterpret_cast<const unsigned char *>(tr.data())) == tr.size() - 4);
    std::vector<std::string> tags;
    REQUIRE(parse_tag_request_json(tr.substr(4), tags));
    CHECK(tags == std::vector<std::string>{"a", "b"});
    REQUIRE(parse_tag_request_json(R"({"Count":0,"Tags":null})", tags));
    CHECK(tags.empty());

    std::string resp = encode_tag_response({{"a", 1}, {"b", 2}});
    CHECK(resp.substr(4) == R"({"Count":2,"Tags":{"a":1,"b":2}})");
    uint32_t count = 9;
    std::map<std::string, uint16_t> m;
    REQUIRE(parse_tag_response_json(resp.substr(4), count, m));
    CHECK(count == 2);
    CHECK(m.at("b") == 2);
    REQUIRE(parse_tag_response_json(R"({"Count":0,"Tags":null})", count, m));
    CHECK(count == 0);
    CHECK_FALSE(parse_tag_response_json(R"({"Count":1,"Tags":{"a":70000}})", count, m));
}

TEST_CASE("gw entry frame and small messages", "[gravwell]") {
    auto src = parse_src("192.0.2.1");
    REQUIRE(src);
    CHECK(src->ipv4);
    std::string f = encode_entry(7, 1700000000, 123456789, 3, *src, "hi");
    CHECK(hex(f) == "cb5ac9c70200008000e8e5dc0e00000015cd5b070300c0000201000000000000000000000000"
                    "07000000000000006869");
    CHECK(f.size() == 4 + kEntryHeaderSize + 8 + 2);

    auto v6 = parse_src("2001:db8::1");
    REQUIRE(v6);
    CHECK_FALSE(v6->ipv4);
    CHECK(format_src(*v6) == "2001:db8::1");
    CHECK(format_src(*src) == "192.0.2.1");
    CHECK(format_src(Src{}) == "");
    CHECK_FALSE(parse_src(""));
    CHECK_FALSE(parse_src("host.example"));

    CHECK(hex(encode_api_ver(9)) == "0044332209" "00");
    CHECK(hex(encode_id("n", "v", "u")) == "00347922" "010000006e" "0100000076" "0100000075");
    CHECK(hex(encode_tag("xy")) == "00536718" "02000000" "7879");
    CHECK(hex(encode_word(kForceAck)) == "5073df1a");
    CHECK(hex(encode_word_u64(kConfirmEntry, 5)) == "7e30e0f6" "0500000000000000");
}

TEST_CASE("gw tag name rules", "[gravwell]") {
    CHECK(valid_tag("syslog"));
    CHECK(valid_tag("a@b#c+d-e_f"));
    CHECK(valid_tag("日本"));
    CHECK(normalize_tag("  mimecast\t") == std::optional<std::string>("mimecast"));
    CHECK(normalize_tag("\xe3\x80\x80tag\xc2\xa0") == std::optional<std::string>("tag")); // U+3000, U+00A0
    CHECK_FALSE(normalize_tag(""));
    CHECK_FALSE(normalize_tag("   "));
    CHECK_FALSE(normalize_tag("a b"));
    CHECK_FALSE(normalize_tag("a\x01"));
    CHECK_FALSE(normalize_tag("a\xe2\x80\x8b" "b")); // zero-width space
    CHECK_FALSE(normalize_tag("a\xff"));            // not UTF-8
    for (const char *bad : {"\"", "'", "`", "\xc2\xb4", "\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x9c",
                            "\xe2\x80\x9d", "*", "$", "\\", "[", "]", "|", "{", "}", "(", ")", ";", "=", "<",
                            "!", ">", "~", "%", "^", "&", ".", ":", ",", "/"}) {
        INFO(bad);
        CHECK_FALSE(normalize_tag(std::string("x") + bad + "y"));
    }
    CHECK(valid_tag(std::string(4096, 'a')));
    CHECK_FALSE(valid_tag(std::string(4097, 'a')));
    CHECK_FALSE(valid_tag(" a"));
}

TEST_CASE("gw server decoder handles partial reads", "[gravwell]") {
    std::string stream = encode_word_u64(kConfirmEntry, 42) + encode_word(kPong) +
                         encode_word_u64(kThrottle, 1000000) + encode_word_u64(kConfirmTag, 5) +
                         encode_word(kErrorTag) + encode_word(kConfirmIngesterState) + encode_word(kConfirmApiVer) +
                         encode_word(kConfirmId) + encode_word_u64(kConfirmIngestOk, 1);
    ServerDecoder d;
    std::vector<ServerMsg> got;
    for (char c : stream) { // one byte at a time
        d.feed(&c, 1);
        while (auto m = d.next()) got.push_back(*m);
    }
    REQUIRE_FALSE(d.failed());
    REQUIRE(got.size() == 9);
    CHECK(got[0].cmd == kConfirmEntry);
    CHECK(got[0].value == 42);
    CHECK(got[1].cmd == kPong);
    CHECK(got[2].value == 1000000);
    CHECK(got[3].cmd == kConfirmTag);
    CHECK(got[3].value == 5);
    CHECK(got[4].cmd == kErrorTag);
    CHECK(got[8].cmd == kConfirmIngestOk);
    CHECK(got[8].value == 1);
    CHECK(d.buffered() == 0);

    ServerDecoder bad;
    std::string junk = encode_word(0x12345678);
    bad.feed(junk.data(), junk.size());
    CHECK_FALSE(bad.next());
    CHECK(bad.failed());
    CHECK(bad.error().find("0x12345678") != std::string::npos);
}
