#include "fixtures.hpp"

#include <hr_mimecast/parse/gzip_lines.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using hr::mimecast::GzipLineSplitter;
using hr::test::gzip;

namespace {

struct Collected {
    std::vector<std::string> lines;
    std::vector<std::uint64_t> numbers;
    std::size_t max_partial = 0;
    bool ok = false;
    std::string error;
};

enum class Feed { whole, bytes, random };

Collected split(const std::string& compressed, Feed how, std::uint64_t skip = 0, unsigned seed = 1) {
    Collected c;
    GzipLineSplitter s(
        [&](std::string_view line, std::uint64_t no) {
            c.lines.emplace_back(line);
            c.numbers.push_back(no);
            return true;
        },
        skip);
    std::mt19937 gen(seed);
    std::size_t pos = 0;
    bool fed = true;
    while (pos < compressed.size() && fed) {
        std::size_t n = compressed.size() - pos;
        if (how == Feed::bytes) n = 1;
        if (how == Feed::random) n = std::min<std::size_t>(n, 1 + gen() % 5000);
        fed = s.feed(std::string_view(compressed).substr(pos, n));
        pos += n;
        c.max_partial = std::max(c.max_partial, s.partial_bytes());
    }
    c.ok = fed && s.finish();
    c.error = s.error();
    return c;
}

}  // namespace

TEST_CASE("gzip lines: whole, byte by byte and random chunks agree", "[gzip]") {
    std::string plain;
    for (int i = 1; i <= 2000; ++i) plain += R"({"n":)" + std::to_string(i) + R"(,"pad":")" + std::string(i % 97, 'x') + "\"}\n";
    const std::string gz = gzip(plain);
    for (Feed how : {Feed::whole, Feed::bytes, Feed::random}) {
        Collected c = split(gz, how);
        REQUIRE(c.ok);
        REQUIRE(c.lines.size() == 2000);
        CHECK(c.lines[0] == R"({"n":1,"pad":"x"})");
        CHECK(c.lines[1999].substr(0, 10) == R"({"n":2000,)");
        CHECK(c.numbers.front() == 1);
        CHECK(c.numbers.back() == 2000);
    }
}

TEST_CASE("gzip lines: CRLF, empty lines and a last line without newline", "[gzip]") {
    const std::string gz = gzip("a\r\n\r\nb\n\nc\r\nlast");
    Collected c = split(gz, Feed::bytes);
    REQUIRE(c.ok);
    CHECK(c.lines == std::vector<std::string>{"a", "b", "c", "last"});
    CHECK(c.numbers == std::vector<std::uint64_t>{1, 3, 5, 6});  // empty lines count but are not delivered
}

TEST_CASE("gzip lines: a 2 MiB line is fine in any chunking", "[gzip]") {
    std::string big(2u << 20, 'q');
    big.front() = '{';
    big.back() = '}';
    const std::string plain = "first\n" + big + "\nsmall\n";
    const std::string gz = gzip(plain);
    for (unsigned seed : {1u, 2u, 3u}) {
        Collected c = split(gz, Feed::random, 0, seed);
        REQUIRE(c.ok);
        REQUIRE(c.lines.size() == 3);
        CHECK(c.lines[1] == big);
        CHECK(c.lines[2] == "small");
        // Only the current partial line is held: bounded by the longest line.
        CHECK(c.max_partial <= big.size());
    }
    Collected one = split(gz, Feed::whole);
    REQUIRE(one.ok);
    CHECK(one.lines[1].size() == big.size());
}

TEST_CASE("gzip lines: concatenated members are one stream", "[gzip]") {
    // A member boundary may fall inside a line.
    const std::string gz = gzip("a\nb") + gzip("c\nd\n") + gzip("") + gzip("e\n", 9);
    for (Feed how : {Feed::whole, Feed::bytes, Feed::random}) {
        Collected c = split(gz, how);
        REQUIRE(c.ok);
        CHECK(c.lines == std::vector<std::string>{"a", "bc", "d", "e"});
    }
    GzipLineSplitter s([](std::string_view, std::uint64_t) { return true; });
    REQUIRE(s.feed(gz));
    REQUIRE(s.finish());
    CHECK(s.members() == 4);
    CHECK(s.bytes_in() == gz.size());
    CHECK(s.bytes_out() == 9);
}

TEST_CASE("gzip lines: truncated, garbage and empty input are errors", "[gzip]") {
    std::string plain;
    for (int i = 0; i < 500; ++i) plain += "line " + std::to_string(i) + "\n";
    const std::string gz = gzip(plain);

    for (std::size_t cut : {std::size_t{1}, std::size_t{4}, std::size_t{8}, gz.size() / 2, gz.size() - 5}) {
        INFO("cut " << cut);
        Collected c = split(gz.substr(0, gz.size() - cut), Feed::random);
        CHECK_FALSE(c.ok);
        CHECK(c.error.find("truncated") != std::string::npos);
    }
    Collected header_only = split(gz.substr(0, 5), Feed::whole);
    CHECK_FALSE(header_only.ok);

    Collected trailing = split(gz + "garbage!", Feed::bytes);
    CHECK_FALSE(trailing.ok);
    CHECK(trailing.lines.size() == 500);  // everything before the garbage was delivered
    CHECK(trailing.error.find("gzip") != std::string::npos);

    Collected not_gzip = split("this is not gzip at all\n", Feed::whole);
    CHECK_FALSE(not_gzip.ok);
    CHECK(not_gzip.lines.empty());

    std::string corrupt = gz;
    corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
    CHECK_FALSE(split(corrupt, Feed::whole).ok);

    std::string bad_crc = gz;
    bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 1);  // inside CRC32
    CHECK_FALSE(split(bad_crc, Feed::whole).ok);

    Collected empty = split("", Feed::whole);
    CHECK_FALSE(empty.ok);
    CHECK(empty.error.find("empty") != std::string::npos);
}

TEST_CASE("gzip lines: skipping the first K lines resumes inside a file", "[gzip]") {
    const std::string gz = gzip("l1\nl2\n\nl4\nl5\nl6");
    Collected c = split(gz, Feed::bytes, 3);
    REQUIRE(c.ok);
    CHECK(c.lines == std::vector<std::string>{"l4", "l5", "l6"});
    CHECK(c.numbers == std::vector<std::uint64_t>{4, 5, 6});

    Collected all_skipped = split(gz, Feed::random, 6);
    REQUIRE(all_skipped.ok);
    CHECK(all_skipped.lines.empty());
    CHECK(split(gz, Feed::whole, 100).lines.empty());

    // A long skipped line is never buffered.
    const std::string big = gzip(std::string(1u << 20, 'z') + "\nkeep\n");
    Collected b = split(big, Feed::random, 1);
    REQUIRE(b.ok);
    CHECK(b.lines == std::vector<std::string>{"keep"});
    CHECK(b.max_partial < 1000);
}

TEST_CASE("gzip lines: the handler can stop, and its exceptions are contained", "[gzip]") {
    const std::string gz = gzip("a\nb\nc\n");
    int seen = 0;
    GzipLineSplitter s([&](std::string_view, std::uint64_t no) {
        ++seen;
        return no < 2;
    });
    CHECK_FALSE(s.feed(gz));
    CHECK(s.stopped());
    CHECK_FALSE(s.failed());
    CHECK(seen == 2);
    CHECK(s.lines_delivered() == 1);
    CHECK_FALSE(s.feed(gz));
    CHECK_FALSE(s.finish());

    GzipLineSplitter t([](std::string_view, std::uint64_t) -> bool { throw std::runtime_error("sink broke"); });
    CHECK_FALSE(t.feed(gz));
    CHECK(t.failed());
    CHECK(t.error().find("sink broke") != std::string::npos);
}

TEST_CASE("gzip lines: highly compressible output larger than the chunk", "[gzip]") {
    // 8 MiB of output from a few KiB of input: zlib must be drained even
    // when no input is left.
    std::string plain;
    for (int i = 0; i < 64; ++i) plain += std::string(128 * 1024 - 1, static_cast<char>('a' + i % 26)) + "\n";
    const std::string gz = gzip(plain, 9);
    CHECK(gz.size() < 64 * 1024);
    for (Feed how : {Feed::whole, Feed::random}) {
        Collected c = split(gz, how);
        REQUIRE(c.ok);
        REQUIRE(c.lines.size() == 64);
        CHECK(c.lines[63].size() == 128 * 1024 - 1);
    }
}
