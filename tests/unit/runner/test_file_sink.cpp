#include "file_sink.hpp"
#include "process.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using hr::Entry;

static Entry make(std::string data, std::string src = "", int64_t sec = 1795547658, uint32_t nsec = 123456789) {
    Entry e;
    e.ts_sec = sec;
    e.ts_nsec = nsec;
    e.tag = "mta-delivery";
    e.src = std::move(src);
    e.data = std::move(data);
    return e;
}

TEST_CASE("file line embeds a JSON event unchanged") {
    auto line = hr::format_file_line(make(R"({"a":1,"b":[true,null]})", "192.0.2.1"));
    CHECK(line == "{\"ts\":\"2026-11-24T19:14:18.123456789Z\",\"tag\":\"mta-delivery\",\"src\":\"192.0.2.1\","
                  "\"data\":{\"a\":1,\"b\":[true,null]}}\n");
}

TEST_CASE("file line: nanoseconds are always nine digits, src empty when unknown") {
    auto line = hr::format_file_line(make("{}", "", 0, 5));
    CHECK(line == "{\"ts\":\"1970-01-01T00:00:00.000000005Z\",\"tag\":\"mta-delivery\",\"src\":\"\",\"data\":{}}\n");
}

TEST_CASE("file line: data that is not one JSON value becomes a JSON string") {
    CHECK(hr::format_file_line(make("not json")).find("\"data\":\"not json\"}") != std::string::npos);
    CHECK(hr::format_file_line(make("{\"a\":1} {\"b\":2}")).find(R"("data":"{\"a\":1} {\"b\":2}")") !=
          std::string::npos);
    CHECK(hr::format_file_line(make("{\"a\":1")).find(R"("data":"{\"a\":1")") != std::string::npos);
    // A raw newline inside would break one-entry-per-line.
    auto nl = hr::format_file_line(make("{\"a\":\n1}"));
    CHECK(nl.find("\"data\":\"{\\\"a\\\":\\n1}\"") != std::string::npos);
    CHECK(std::count(nl.begin(), nl.end(), '\n') == 1);
    // Invalid UTF-8 is not valid JSON either.
    std::string bad = "\"\xff\"";
    CHECK(hr::format_file_line(make(bad)).find("\"data\":\"") != std::string::npos);
    CHECK(hr::format_file_line(make("")).find("\"data\":\"\"}") != std::string::npos);
}

TEST_CASE("file sink writes every entry in order and reports durability") {
    hr::test::TempDir dir;
    hr::FileSink sink(dir.file("out.json"));
    std::atomic<int> wakeups{0};
    sink.set_progress_callback([&] { ++wakeups; });
    std::string err;
    REQUIRE(sink.open(err));
    for (uint64_t i = 1; i <= 1000; ++i) {
        auto e = std::make_shared<Entry>(make("{\"n\":" + std::to_string(i) + "}"));
        e->seq = i;
        sink.push(e);
    }
    REQUIRE(hr::test::eventually([&] { return sink.durable_seq() == 1000; }, std::chrono::seconds(10)));
    sink.close();
    auto lines = hr::test::read_lines(dir.file("out.json"));
    REQUIRE(lines.size() == 1000);
    CHECK(lines[0].find("\"data\":{\"n\":1}") != std::string::npos);
    CHECK(lines[999].find("\"data\":{\"n\":1000}") != std::string::npos);
    CHECK(wakeups.load() >= 1);
}

TEST_CASE("file sink path checks name the path") {
    hr::test::TempDir dir;
    std::string err;
    CHECK_FALSE(hr::FileSink::check_path(dir.path(), err));
    CHECK(err.find(dir.path()) != std::string::npos);
    CHECK_FALSE(hr::FileSink::check_path(dir.file("missing/out.json"), err));
    CHECK(err.find("missing") != std::string::npos);
    CHECK(hr::FileSink::check_path(dir.file("out.json"), err));
    CHECK(hr::FileSink::check_path("-", err));
}
