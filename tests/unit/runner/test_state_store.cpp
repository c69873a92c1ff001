#include "process.hpp"
#include "state_store.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <random>
#include <thread>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using hr::StateStore;

TEST_CASE("state store keeps values across reopen, per namespace") {
    hr::test::TempDir dir;
    std::string err, path = dir.file("state");
    {
        StateStore s;
        REQUIRE(s.open(path, false, err));
        REQUIRE(s.put({{"mimecast/a/u", "audit-cursor", "tok1"}, {"mimecast/b/u", "audit-cursor", "tokB"}}, err));
        REQUIRE(s.put({{"mimecast/a/u", "audit-cursor", "tok2"}}, err));
        CHECK(*s.get("mimecast/a/u", "audit-cursor") == "tok2");
    }
    StateStore s;
    REQUIRE(s.open(path, true, err));
    CHECK(*s.get("mimecast/a/u", "audit-cursor") == "tok2");
    CHECK(*s.get("mimecast/b/u", "audit-cursor") == "tokB");
    CHECK_FALSE(s.get("mimecast/c/u", "audit-cursor"));
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("state store drops a torn tail and keeps the last complete write") {
    hr::test::TempDir dir;
    std::string err, path = dir.file("state");
    {
        StateStore s;
        REQUIRE(s.open(path, false, err));
        REQUIRE(s.put({{"ns", "k", "good"}}, err));
    }
    auto bytes = hr::test::read_file(path);
    // Half of a further record, as a kill during write() leaves it.
    hr::test::write_file(path, bytes + std::string("\x20\x00\x00\x00\x11\x22", 6));
    {
        StateStore s;
        REQUIRE(s.open(path, false, err));
        CHECK(*s.get("ns", "k") == "good");
        REQUIRE(s.put({{"ns", "k", "after"}}, err));
    }
    StateStore s;
    REQUIRE(s.open(path, false, err));
    CHECK(*s.get("ns", "k") == "after");
}

TEST_CASE("a batch torn by a crash is dropped whole: cursors and sink position never split") {
    hr::test::TempDir dir;
    std::string err, path = dir.file("state");
    {
        StateStore s;
        REQUIRE(s.open(path, false, err));
        REQUIRE(s.put({{"ns", "cursor", "1"}, {"sinks", "position", "100"}}, err));
        REQUIRE(s.put({{"ns", "cursor", "2"}, {"sinks", "position", "200"}}, err));
    }
    auto bytes = hr::test::read_file(path);
    // Cut inside the last batch, after its first write: what a kill during write() leaves.
    hr::test::write_file(path, bytes.substr(0, bytes.size() - 5));
    StateStore s;
    REQUIRE(s.open(path, false, err));
    CHECK(*s.get("ns", "cursor") == "1");
    CHECK(*s.get("sinks", "position") == "100");
}

TEST_CASE("state store detects a corrupted record by its checksum") {
    hr::test::TempDir dir;
    std::string err, path = dir.file("state");
    {
        StateStore s;
        REQUIRE(s.open(path, false, err));
        REQUIRE(s.put({{"ns", "k", "one"}}, err));
        REQUIRE(s.put({{"ns", "k", "two"}}, err));
    }
    auto bytes = hr::test::read_file(path);
    bytes[bytes.size() - 1] ^= 0x55; // flip a byte of the last value
    hr::test::write_file(path, bytes);
    StateStore s;
    REQUIRE(s.open(path, false, err));
    CHECK(*s.get("ns", "k") == "one");
}

TEST_CASE("two runners cannot share one state file") {
    hr::test::TempDir dir;
    std::string err, path = dir.file("state");
    StateStore a, b;
    REQUIRE(a.open(path, false, err));
    CHECK_FALSE(b.open(path, false, err));
    CHECK(err.find("in use") != std::string::npos);
    CHECK(err.find(path) != std::string::npos);
    // Checking it (what -validate does) still works while it is held.
    CHECK(StateStore::check_path(path, err));
}

TEST_CASE("state store refuses files it did not write and paths it cannot write") {
    hr::test::TempDir dir;
    std::string err;
    hr::test::write_file(dir.file("bolt"), std::string("\x00\x00\x00\x00\xed\xda\x0c\xed", 8) + "bbolt");
    StateStore s;
    CHECK_FALSE(s.open(dir.file("bolt"), false, err));
    CHECK(err.find("not a hosted_runner state file") != std::string::npos);
    CHECK(hr::test::read_file(dir.file("bolt")).substr(8) == "bbolt"); // untouched
    CHECK_FALSE(StateStore::check_path(dir.file("no/such/dir/state"), err));
    CHECK(err.find("no/such/dir") != std::string::npos);
    if (::geteuid() != 0) { // root may write anywhere
        ::chmod(dir.path().c_str(), 0500);
        StateStore t;
        CHECK_FALSE(t.open(dir.file("state2"), false, err));
        ::chmod(dir.path().c_str(), 0700);
    }
}

TEST_CASE("state store compacts a long log without losing values") {
    hr::test::TempDir dir;
    std::string err, path = dir.file("state");
    {
        StateStore s;
        REQUIRE(s.open(path, false, err));
        std::string big(4096, 'x');
        for (int i = 0; i < 2000; ++i) REQUIRE(s.put({{"ns", "k" + std::to_string(i % 10), big + std::to_string(i)}}, err));
    }
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(st.st_size < 3 * 1024 * 1024); // 2000 x 4 KiB written, far less kept
    StateStore s;
    REQUIRE(s.open(path, false, err));
    CHECK(*s.get("ns", "k9") == std::string(4096, 'x') + "1999");
}

// A real child process commits an increasing counter and reports each commit
// done; it is killed with SIGKILL at a random instant. The reopened store must
// hold a value the child finished or the one it was writing, never less.
TEST_CASE("state survives kill -9 in the middle of commits", "[crash]") {
    std::mt19937 rng(12345);
    for (int round = 0; round < 15; ++round) {
        hr::test::TempDir dir;
        std::string path = dir.file("state");
        bool sync = round % 2 == 0;
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            StateStore s;
            std::string e;
            if (!s.open(path, sync, e)) std::_Exit(3);
            std::string pad(std::uniform_int_distribution<int>(10, 30000)(rng), 'p');
            for (uint64_t i = 1;; ++i) {
                if (!s.put({{"ns", "counter", std::to_string(i)}, {"ns", "pad", pad}}, e)) std::_Exit(4);
                if (::write(fds[1], &i, sizeof i) != sizeof i) std::_Exit(5);
            }
        }
        ::close(fds[1]);
        ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 150)(rng)));
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        REQUIRE(WIFSIGNALED(st));
        uint64_t last_done = 0, v = 0;
        ::fcntl(fds[0], F_SETFL, 0);
        while (::read(fds[0], &v, sizeof v) == sizeof v) last_done = v;
        ::close(fds[0]);
        REQUIRE(last_done > 0);
        StateStore s;
        std::string err;
        REQUIRE(s.open(path, false, err));
        auto got = s.get("ns", "counter");
        REQUIRE(got);
        uint64_t value = std::stoull(*got);
        INFO("round " << round << " sync " << sync << " last reported " << last_done << " stored " << value);
        CHECK(value >= last_done);
        CHECK(value <= last_done + 1);
    }
}
