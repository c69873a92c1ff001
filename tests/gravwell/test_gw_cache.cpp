// The Gravwell sink's on-disk cache: order, size bound, segment deletion,
// requeue, restart replay, torn tails, the directory lock, kill -9.
#include "disk_cache.hpp"
#include "process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <random>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using hr::gw::DiskCache;
using Put = DiskCache::PutResult;
namespace fs = std::filesystem;

namespace {

hr::EntryPtr make(std::string tag, std::string src, std::string data, int64_t sec = 0, uint32_t nsec = 0) {
    auto e = std::make_shared<hr::Entry>();
    e->seq = 77; // not stored
    e->ts_sec = sec;
    e->ts_nsec = nsec;
    e->tag = std::move(tag);
    e->src = std::move(src);
    e->data = std::move(data);
    return e;
}

// A record of exactly 200 bytes on disk carrying n.
hr::EntryPtr rec200(int n) {
    std::string data = std::to_string(n);
    data.resize(170, '.');
    return make("t", "s", data, n);
}
int num(const DiskCache::Cached &c) { return std::stoi(c.entry->data); }

std::vector<std::string> segments(const std::string &dir) {
    std::vector<std::string> out;
    for (const auto &f : fs::directory_iterator(dir)) {
        std::string name = f.path().filename();
        if (name.rfind("seg-", 0) == 0 && name.size() == 24) out.push_back(f.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}
uint64_t seg_bytes(const std::string &dir) {
    uint64_t n = 0;
    for (const auto &p : segments(dir)) n += fs::file_size(p);
    return n;
}

std::vector<DiskCache::Cached> drain(DiskCache &c) {
    std::vector<DiskCache::Cached> out;
    while (auto x = c.next()) out.push_back(*x);
    CHECK(c.read_error().empty());
    return out;
}

void fill(DiskCache &c, int from, int to) {
    std::string err;
    for (int i = from; i < to; ++i) REQUIRE(c.append({rec200(i)}, err) == Put::ok);
}

} // namespace

TEST_CASE("gw cache round trip keeps bytes and order", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.file("cache"), err;
    std::string binary;
    for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
    std::string big(1 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
    std::vector<hr::EntryPtr> in = {
        make("syslog", "10.0.0.1", "hello", 1700000000, 5),
        make(std::string("t\0\xff", 3), "h\xc3\xa9llo \xe2\x86\x92 \xe4\xb8\x96\xe7\x95\x8c", binary, -5, 999999999),
        make("", "", ""),
        make(std::string(65535, 'x'), std::string(65535, 'y'), big, 42, 1),
        make("last", "s", "after the big one"),
    };
    DiskCache c;
    REQUIRE(c.open(dir, 64 << 20, err));
    struct stat st{};
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(c.append({in[0], in[1]}, err) == Put::ok);
    REQUIRE(c.append({in[2], in[3], in[4]}, err) == Put::ok);
    uint64_t want = 0;
    for (const auto &e : in) want += 28 + e->tag.size() + e->src.size() + e->data.size();
    CHECK(c.bytes() == want);
    CHECK(seg_bytes(dir) == want);
    CHECK(c.stored_entries() == 5);
    CHECK(c.unread_entries() == 5);

    auto out = drain(c);
    REQUIRE(out.size() == in.size());
    std::set<uint64_t> handles;
    for (size_t i = 0; i < in.size(); ++i) {
        INFO("entry " << i);
        const auto &a = *in[i], &b = *out[i].entry;
        CHECK(b.seq == 0);
        CHECK(b.ts_sec == a.ts_sec);
        CHECK(b.ts_nsec == a.ts_nsec);
        CHECK(b.tag == a.tag);
        CHECK(b.src == a.src);
        CHECK(b.data == a.data);
        handles.insert(out[i].handle);
    }
    CHECK(handles.size() == in.size());
    CHECK(c.unread_entries() == 0);
    CHECK(c.stored_entries() == 5);
    CHECK_FALSE(c.empty());
    // Appended after the reader reached the end of the active segment.
    REQUIRE(c.append({make("late", "s", "x")}, err) == Put::ok);
    auto late = c.next();
    REQUIRE(late);
    CHECK(late->entry->tag == "late");
    out.push_back(*late);
    CHECK(segments(dir).size() == 1);
    for (const auto &x : out) c.ack(x.handle);
    CHECK(c.empty());
    CHECK(c.bytes() == 0);
    CHECK(segments(dir).empty());
}

TEST_CASE("gw cache record format on disk", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string err;
    DiskCache c;
    REQUIRE(c.open(tmp.path(), 1 << 20, err));
    REQUIRE(c.append({make("ab", "c", "xyz", 1, 2)}, err) == Put::ok);
    auto segs = segments(tmp.path());
    REQUIRE(segs.size() == 1);
    CHECK(fs::path(segs[0]).filename() == "seg-0000000000000001.hrc");
    // crc32 from python3 zlib.crc32 over the payload.
    const unsigned char want[] = {
        0x1a, 0,    0,    0,    0x9b, 0x0d, 0x85, 0x83, // length 26, crc32
        1,    0,    0,    0,    0,    0,    0,    0,    // ts_sec
        2,    0,    0,    0,                            // ts_nsec
        2,    0,    'a',  'b',  1,    0,    'c',        // tag, src
        3,    0,    0,    0,    'x',  'y',  'z',        // data
    };
    CHECK(hr::test::read_file(segs[0]) == std::string(reinterpret_cast<const char *>(want), sizeof want));
}

TEST_CASE("gw cache size bound is all or nothing", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    DiskCache c(600); // 3 records a segment
    REQUIRE(c.open(dir, 1000, err));
    CHECK(c.append({rec200(0), rec200(1), rec200(2), rec200(3), rec200(4), rec200(5)}, err) == Put::full);
    CHECK(c.bytes() == 0);
    CHECK(segments(dir).empty());
    fill(c, 0, 4);
    CHECK(c.bytes() == 800);
    // 1200 > 1000: neither record is written although one would fit.
    CHECK(c.append({rec200(4), rec200(5)}, err) == Put::full);
    CHECK(c.bytes() == 800);
    CHECK(seg_bytes(dir) == 800);
    CHECK(c.stored_entries() == 4);
    fill(c, 4, 5); // exactly at the bound
    CHECK(c.bytes() == 1000);
    CHECK(c.append({make("", "", "")}, err) == Put::full); // 28 bytes
    CHECK(c.bytes() == 1000);
    CHECK(seg_bytes(dir) == 1000);
    CHECK(segments(dir).size() == 2); // 600 + 400 bytes

    auto out = drain(c);
    REQUIRE(out.size() == 5);
    for (int i = 0; i < 3; ++i) c.ack(out[i].handle); // the first segment
    CHECK(c.bytes() == 400);
    fill(c, 5, 8);
    CHECK(c.bytes() == 1000);
    CHECK(c.append({rec200(8)}, err) == Put::full);
    out = drain(c);
    REQUIRE(out.size() == 3);
    CHECK(num(out[0]) == 5);
}

TEST_CASE("gw cache deletes a segment once all of it is acked, in any order", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    DiskCache c(1024);
    REQUIRE(c.open(dir, 1 << 20, err));
    fill(c, 0, 23); // segments of 5, 5, 5, 5, 3 records
    auto segs = segments(dir);
    REQUIRE(segs.size() == 5);
    auto out = drain(c);
    REQUIRE(out.size() == 23);
    for (int i = 0; i < 23; ++i) CHECK(num(out[i]) == i);

    for (int i = 4; i >= 1; --i) c.ack(out[i].handle);
    CHECK(segments(dir).size() == 5);
    for (int i = 9; i >= 5; --i) c.ack(out[i].handle);
    CHECK(segments(dir) == std::vector<std::string>{segs[0], segs[2], segs[3], segs[4]});
    CHECK(c.bytes() == 18 * 200);
    c.ack(out[5].handle); // twice: ignored
    c.ack(12345);         // unknown: ignored
    CHECK(c.stored_entries() == 14);
    std::vector<int> rest = {21, 13, 17, 11, 15, 19, 12, 20, 14, 16, 18, 10};
    for (int i : rest) c.ack(out[i].handle);
    // The active segment holds 22 still.
    CHECK(segments(dir) == std::vector<std::string>{segs[0], segs[4]});
    c.ack(out[0].handle);
    CHECK(segments(dir) == std::vector<std::string>{segs[4]});
    c.ack(out[22].handle);
    CHECK(segments(dir).empty());
    CHECK(c.bytes() == 0);
    CHECK(c.empty());
    // Appending after the active segment went starts a new one.
    fill(c, 23, 24);
    REQUIRE(segments(dir).size() == 1);
    CHECK(segments(dir)[0] > segs[4]);
}

TEST_CASE("gw cache requeue hands a record out again", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string err;
    DiskCache c;
    REQUIRE(c.open(tmp.path(), 1 << 20, err));
    fill(c, 0, 5);
    auto a = *c.next(), b = *c.next(), d = *c.next();
    c.requeue(b.handle);
    c.requeue(b.handle); // no longer out: ignored
    CHECK(c.unread_entries() == 3);
    auto again = c.next();
    REQUIRE(again);
    CHECK(num(*again) == 1);
    CHECK(again->handle != b.handle);
    c.ack(b.handle); // stale
    CHECK(c.stored_entries() == 5);
    c.ack(a.handle);
    c.ack(d.handle);
    c.ack(again->handle);
    CHECK(c.stored_entries() == 2);
    auto rest = drain(c);
    REQUIRE(rest.size() == 2);
    CHECK(num(rest[0]) == 3);
    CHECK(num(rest[1]) == 4);
}

TEST_CASE("gw cache replays unacked records after a reopen", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    {
        DiskCache c(1024);
        REQUIRE(c.open(dir, 1 << 20, err));
        fill(c, 0, 12); // segments of 5, 5, 2
        auto out = drain(c);
        REQUIRE(out.size() == 12);
        for (int i = 0; i < 7; ++i) c.ack(out[i].handle); // all of the first, part of the second
        c.requeue(out[7].handle);
        c.close();
        c.close();
        CHECK(c.stored_entries() == 0);
        CHECK_FALSE(c.next());
        CHECK(c.append({rec200(99)}, err) == Put::error);
    }
    CHECK(segments(dir).size() == 2);
    DiskCache c(1024);
    REQUIRE(c.open(dir, 1 << 20, err));
    CHECK(c.stored_entries() == 7);
    CHECK(c.unread_entries() == 7);
    CHECK(c.bytes() == 1400);
    fill(c, 12, 13);
    auto out = drain(c);
    REQUIRE(out.size() == 8);
    for (int i = 0; i < 8; ++i) CHECK(num(out[i]) == 5 + i); // 5 and 6 were acked: at-least-once
    CHECK(segments(dir).size() == 3);
}

TEST_CASE("gw cache cuts a torn tail off the last segment", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    uint64_t good = 0;
    {
        DiskCache c;
        REQUIRE(c.open(dir, 1 << 20, err));
        REQUIRE(c.append({make("a", "s", "one"), make("a", "s", std::string(70000, 'z'))}, err) == Put::ok);
        REQUIRE(c.append({make("a", "s", "three"), make("a", "s", "four")}, err) == Put::ok);
        good = c.bytes();
    }
    auto seg = segments(dir).at(0);
    std::string garbage;
    SECTION("a record cut short") {
        fs::resize_file(seg, good - 3);
        good -= 28 + 2 + 4;
    }
    SECTION("garbage with a plausible header") {
        garbage = std::string("\x20\0\0\0\x01\x02\x03\x04", 8) + std::string(32, 'g');
    }
    SECTION("garbage with a huge length") { garbage = "\xff\xff\xff\xff junk"; }
    SECTION("a few stray bytes") { garbage = "\x01\x02\x03"; }
    if (!garbage.empty()) {
        std::string all = hr::test::read_file(seg) + garbage;
        hr::test::write_file(seg, all);
    }
    DiskCache c;
    REQUIRE(c.open(dir, 1 << 20, err));
    CHECK(fs::file_size(seg) == good);
    CHECK(c.bytes() == good);
    CHECK(c.corruptions() == 0);
    REQUIRE(c.append({make("a", "s", "new")}, err) == Put::ok);
    auto out = drain(c);
    std::vector<std::string> got;
    for (const auto &x : out) got.push_back(x.entry->data.size() > 100 ? "big" : x.entry->data);
    if (garbage.empty()) CHECK(got == std::vector<std::string>{"one", "big", "three", "new"});
    else CHECK(got == std::vector<std::string>{"one", "big", "three", "four", "new"});
}

TEST_CASE("gw cache skips a corrupt tail in an older segment", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    {
        DiskCache c(1024);
        REQUIRE(c.open(dir, 1 << 20, err));
        fill(c, 0, 10);
    }
    auto segs = segments(dir);
    REQUIRE(segs.size() == 2);
    std::string s = hr::test::read_file(segs[0]);
    s[4 * 200 + 50] ^= 1; // in the payload of record 4
    hr::test::write_file(segs[0], s);
    DiskCache c(1024);
    REQUIRE(c.open(dir, 1 << 20, err));
    CHECK(c.corruptions() == 1);
    CHECK(fs::file_size(segs[0]) == 1000); // left as it is
    CHECK(c.bytes() == 2000);
    CHECK(c.stored_entries() == 9);
    auto out = drain(c);
    std::vector<int> got;
    for (const auto &x : out) got.push_back(num(x));
    CHECK(got == std::vector<int>{0, 1, 2, 3, 5, 6, 7, 8, 9});
    for (const auto &x : out) c.ack(x.handle);
    CHECK(segments(dir).empty());
}

TEST_CASE("gw cache directory is locked and other files are left alone", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    hr::test::write_file(tmp.file("notes.txt"), "mine");
    hr::test::write_file(tmp.file("seg-xyz.hrc"), "not a segment");
    hr::test::write_file(tmp.file("seg-00000000000000AB.hrc"), "upper case: not ours");
    fs::create_directory(tmp.file("seg-00000000000000ab.hrc.d"));
    DiskCache a, b;
    REQUIRE(a.open(dir, 1 << 20, err));
    CHECK(a.stored_entries() == 0);
    CHECK(a.bytes() == 0);
    CHECK_FALSE(b.open(dir, 1 << 20, err));
    CHECK_THAT(err, Catch::Contains("in use by another process") && Catch::Contains(dir));
    fill(a, 0, 2);
    CHECK(num(*a.next()) == 0);
    a.close();
    REQUIRE(b.open(dir, 1 << 20, err));
    CHECK(b.stored_entries() == 2);
    for (const auto &x : drain(b)) b.ack(x.handle);
    b.close();
    CHECK(hr::test::read_file(tmp.file("notes.txt")) == "mine");
    CHECK(hr::test::read_file(tmp.file("seg-xyz.hrc")) == "not a segment");
    CHECK(hr::test::read_file(tmp.file("seg-00000000000000AB.hrc")) == "upper case: not ours");
    CHECK(fs::is_directory(tmp.file("seg-00000000000000ab.hrc.d")));
}

TEST_CASE("gw cache open and append errors", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string err;
    DiskCache c;
    std::string missing = tmp.file("no/such/dir");
    CHECK_FALSE(c.open(missing, 1 << 20, err));
    CHECK_THAT(err, Catch::Contains(missing) && Catch::Contains("No such file or directory"));
    CHECK_FALSE(fs::exists(tmp.file("no")));

    REQUIRE(c.open(tmp.path(), 1 << 20, err));
    err.clear();
    CHECK(c.append({rec200(0), make(std::string(65536, 't'), "", "")}, err) == Put::error);
    CHECK_THAT(err, Catch::Contains("tag"));
    CHECK(c.append({make("", std::string(65536, 's'), "")}, err) == Put::error);
    CHECK_THAT(err, Catch::Contains("src"));
    CHECK(c.append({nullptr}, err) == Put::error);
    CHECK(c.stored_entries() == 0);
    CHECK(segments(tmp.path()).empty());
    CHECK(c.append({}, err) == Put::ok);
}

TEST_CASE("gw cache truncates a failed write back", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path();
    // RLIMIT_FSIZE makes a write fail part way (EFBIG); only the child has it.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        DiskCache c;
        std::string err;
        if (!c.open(dir, 1 << 20, err) || c.append({rec200(0)}, err) != Put::ok) ::_exit(10);
        struct rlimit rl{};
        ::getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = 1000;
        if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) ::_exit(11);
        std::vector<hr::EntryPtr> batch;
        for (int i = 1; i <= 10; ++i) batch.push_back(rec200(i));
        if (c.append(batch, err) != Put::error || err.find("File too large") == std::string::npos) ::_exit(12);
        if (c.bytes() != 200 || seg_bytes(dir) != 200 || c.stored_entries() != 1) ::_exit(13);
        if (c.append({rec200(11)}, err) != Put::ok) ::_exit(14);
        auto a = c.next(), b = c.next();
        if (!a || !b || num(*a) != 0 || num(*b) != 11 || c.next()) ::_exit(15);
        ::_exit(0);
    }
    int st = 0;
    REQUIRE(::waitpid(pid, &st, 0) == pid);
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    DiskCache c;
    std::string err;
    REQUIRE(c.open(dir, 1 << 20, err));
    auto out = drain(c);
    REQUIRE(out.size() == 2);
    CHECK(num(out[1]) == 11);
    CHECK(c.corruptions() == 0);
}

TEST_CASE("gw cache interleaved append, next, ack over small segments", "[gravwell][cache]") {
    hr::test::TempDir tmp;
    std::string dir = tmp.path(), err;
    DiskCache c(1024);
    REQUIRE(c.open(dir, 8192, err));
    std::mt19937 rng(12345);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    int appended = 0, first_out = 0, acked = 0, fulls = 0;
    size_t max_segments = 0;
    std::vector<DiskCache::Cached> out;
    std::set<int> requeued;
    for (int step = 0; step < 3000; ++step) {
        int op = pick(10);
        if (op < 4) {
            std::vector<hr::EntryPtr> batch;
            int k = 1 + pick(4);
            for (int i = 0; i < k; ++i) batch.push_back(make("t", "s", std::to_string(appended + i) + std::string(pick(300), '.')));
            Put r = c.append(batch, err);
            REQUIRE(r != Put::error);
            if (r == Put::ok) appended += k;
            else ++fulls;
        } else if (op < 7) {
            auto x = c.next();
            if (!x) {
                CHECK(c.unread_entries() == 0);
                continue;
            }
            int n = num(*x);
            if (requeued.erase(n) == 0) CHECK(n == first_out++);
            out.push_back(*x);
        } else if (!out.empty()) {
            size_t i = static_cast<size_t>(pick(static_cast<int>(out.size())));
            if (op == 9) {
                requeued.insert(num(out[i]));
                c.requeue(out[i].handle);
            } else {
                c.ack(out[i].handle);
                ++acked;
            }
            out.erase(out.begin() + static_cast<long>(i));
        }
        REQUIRE(c.stored_entries() == static_cast<uint64_t>(appended - acked));
        REQUIRE(c.unread_entries() == static_cast<uint64_t>(appended - first_out) + requeued.size());
        REQUIRE(c.bytes() <= 8192);
        REQUIRE(c.bytes() == seg_bytes(dir));
        max_segments = std::max(max_segments, segments(dir).size());
    }
    CHECK(fulls > 0);
    CHECK(max_segments >= 5);
    for (const auto &x : out) c.ack(x.handle);
    for (const auto &x : drain(c)) c.ack(x.handle);
    CHECK(c.empty());
    CHECK(c.bytes() == 0);
    CHECK(segments(dir).empty());
}

TEST_CASE("gw cache after kill -9 mid-append holds whole batches and one record prefix", "[gravwell][cache]") {
    std::random_device rd;
    for (int round = 0; round < 6; ++round) {
        unsigned seed = rd();
        INFO("round " << round << " seed " << seed);
        std::mt19937 rng(seed);
        hr::test::TempDir tmp;
        std::string dir = tmp.path();
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        // Batch b has 1 + b % 7 records "b/i/k" with data derived from b and i.
        auto data_for = [](uint32_t b, uint32_t i) {
            size_t n = (b * 131 + i * 17) % 3000 + (b % 97 == 5 && i == 0 ? 200000 : 0);
            return std::string(n, static_cast<char>('a' + (b + i) % 26));
        };
        if (pid == 0) {
            ::close(fds[0]);
            DiskCache c(8192);
            std::string err;
            if (!c.open(dir, uint64_t(1) << 40, err)) ::_exit(2);
            for (uint32_t b = 0; b < 2000; ++b) { // then wait for the kill (tmpfs is fast)
                std::vector<hr::EntryPtr> batch;
                uint32_t k = 1 + b % 7;
                for (uint32_t i = 0; i < k; ++i)
                    batch.push_back(make("crash", std::to_string(b) + "/" + std::to_string(i) + "/" + std::to_string(k),
                                         data_for(b, i), b, i));
                if (c.append(batch, err) != Put::ok) ::_exit(3);
                if (::write(fds[1], &b, sizeof b) != sizeof b) ::_exit(4);
            }
            for (;;) ::pause();
        }
        ::close(fds[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 300));
        ::kill(pid, SIGKILL);
        int st = 0;
        REQUIRE(::waitpid(pid, &st, 0) == pid);
        REQUIRE(WIFSIGNALED(st));
        int64_t committed = -1; // last batch whose append returned ok
        uint32_t b = 0;
        while (::read(fds[0], &b, sizeof b) == sizeof b) committed = b;
        ::close(fds[0]);
        INFO("committed " << committed);

        DiskCache c(8192);
        std::string err;
        REQUIRE(c.open(dir, uint64_t(1) << 40, err));
        uint32_t want_b = 0, want_i = 0;
        uint64_t n = 0;
        while (auto x = c.next()) {
            const auto &e = *x->entry;
            // A partial batch ends the cache: nothing follows it.
            REQUIRE(e.src == std::to_string(want_b) + "/" + std::to_string(want_i) + "/" + std::to_string(1 + want_b % 7));
            REQUIRE(e.tag == "crash");
            REQUIRE(e.ts_sec == want_b);
            REQUIRE(e.ts_nsec == want_i);
            REQUIRE(e.data == data_for(want_b, want_i));
            if (++want_i == 1 + want_b % 7) {
                ++want_b;
                want_i = 0;
            }
            ++n;
        }
        CHECK(c.read_error().empty());
        CHECK(static_cast<int64_t>(want_b) >= committed + 1);
        CHECK(c.corruptions() == 0);
        CHECK(c.stored_entries() == n);
        // Appends go on after the cut tail.
        REQUIRE(c.append({make("after", "", "crash")}, err) == Put::ok);
        auto x = c.next();
        REQUIRE(x);
        CHECK(x->entry->tag == "after");
    }
}
