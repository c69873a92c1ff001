#include "file_sink.hpp"
#include "pipeline.hpp"
#include "process.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

namespace {

// A sink whose durability the test moves by hand.
class ManualSink : public hr::Sink {
public:
    std::string name() const override { return "manual"; }
    void push(hr::EntryPtr e) override {
        std::lock_guard lk(mu);
        got.push_back(e);
    }
    uint64_t durable_seq() const override { return durable.load(); }
    void set_progress_callback(std::function<void()> fn) override { progress = std::move(fn); }
    void close() override {}
    bool open(std::string &) override { return true; }
    std::optional<uint64_t> position_after(uint64_t seq) override { return seq * 100; }
    void make_durable(uint64_t seq) {
        durable = seq;
        progress();
    }
    std::mutex mu;
    std::vector<hr::EntryPtr> got;
    std::atomic<uint64_t> durable{0};
    std::function<void()> progress;
};

hr::Entry entry(size_t bytes = 10) {
    hr::Entry e;
    e.tag = std::string(1, 't');
    e.data.assign(bytes, 'x');
    return e;
}

struct Done {
    std::atomic<int> calls{0}, ok{-1};
    static void fn(void *ctx, int ok) {
        auto *d = static_cast<Done *>(ctx);
        d->ok = ok;
        ++d->calls;
    }
};

} // namespace

TEST_CASE("a commit is stored only once every entry before it is durable in every sink") {
    hr::test::TempDir dir;
    hr::Logger log;
    hr::StateStore store;
    std::string err;
    REQUIRE(store.open(dir.file("state"), false, err));
    hr::Pipeline p(store, log);
    std::string note;
    auto a = std::make_unique<ManualSink>(), b = std::make_unique<ManualSink>();
    ManualSink *sa = a.get(), *sb = b.get();
    REQUIRE(p.add_sink(std::move(a), note));
    REQUIRE(p.add_sink(std::move(b), note));
    p.start();
    REQUIRE(p.emit(1, entry()));
    REQUIRE(p.emit(1, entry()));
    Done d;
    p.commit(1, "ns", "cursor", "after-2", &Done::fn, &d);
    REQUIRE(p.emit(1, entry())); // emitted after the commit: not waited for
    sa->make_durable(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(store.get("ns", "cursor")); // sink b still holds nothing durable
    CHECK(d.calls == 0);
    sb->make_durable(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(store.get("ns", "cursor"));
    sb->make_durable(2);
    REQUIRE(hr::test::eventually([&] { return d.calls == 1; }, std::chrono::seconds(5)));
    CHECK(d.ok == 1);
    CHECK(*store.get("ns", "cursor") == "after-2");
    CHECK(sa->got.size() == 3);
    CHECK(sb->got.size() == 3);
    sa->make_durable(3);
    sb->make_durable(3);
    p.close();
}

TEST_CASE("emit pushes back when too much is not yet durable") {
    hr::test::TempDir dir;
    hr::Logger log;
    hr::StateStore store;
    std::string err;
    REQUIRE(store.open(dir.file("state"), false, err));
    hr::Pipeline p(store, log, 10000);
    std::string note;
    auto a = std::make_unique<ManualSink>();
    ManualSink *sa = a.get();
    REQUIRE(p.add_sink(std::move(a), note));
    p.start();
    int accepted = 0;
    while (p.emit(1, entry(1000))) ++accepted;
    CHECK(accepted >= 7); // 1000 bytes plus bookkeeping each
    CHECK(accepted <= 10);
    sa->make_durable(static_cast<uint64_t>(accepted));
    CHECK(p.emit(1, entry(1000)));
    // One entry larger than the whole budget still passes when nothing waits.
    sa->make_durable(p.last_seq());
    CHECK(p.emit(1, entry(50000)));
    sa->make_durable(p.last_seq());
    p.close();
}

TEST_CASE("detach answers pending callbacks with ok=0 and fences later ones, but the write still lands") {
    hr::test::TempDir dir;
    hr::Logger log;
    hr::StateStore store;
    std::string err;
    REQUIRE(store.open(dir.file("state"), false, err));
    hr::Pipeline p(store, log);
    std::string note;
    auto a = std::make_unique<ManualSink>();
    ManualSink *sa = a.get();
    REQUIRE(p.add_sink(std::move(a), note));
    p.start();
    REQUIRE(p.emit(1, entry()));
    Done d1, d2;
    p.commit(7, "ns", "k", "v1", &Done::fn, &d1);
    p.detach(7);
    CHECK(d1.calls == 1);
    CHECK(d1.ok == 0);
    p.commit(7, "ns", "k", "v2", &Done::fn, &d2);
    CHECK(d2.calls == 1); // answered at once
    CHECK(d2.ok == 0);
    sa->make_durable(1);
    REQUIRE(hr::test::eventually([&] { return store.get("ns", "k") == std::optional<std::string>("v2"); },
                                 std::chrono::seconds(5)));
    CHECK(d1.calls == 1);
    CHECK(d2.calls == 1);
    p.close();
}

TEST_CASE("a commit waits only for its own instance's entries, and every entry before it must be covered") {
    hr::test::TempDir dir;
    hr::Logger log;
    hr::StateStore store;
    std::string err, note;
    REQUIRE(store.open(dir.file("state"), false, err));
    hr::Pipeline p(store, log);
    p.uncommitted_grace = std::chrono::milliseconds(400);
    auto a = std::make_unique<ManualSink>();
    ManualSink *sa = a.get();
    REQUIRE(p.add_sink(std::move(a), note));
    p.start();
    REQUIRE(p.emit(1, entry())); // seq 1, instance 1
    REQUIRE(p.emit(2, entry())); // seq 2, instance 2: never commits (a plugin without cursors)
    REQUIRE(p.emit(3, entry())); // seq 3, instance 3
    p.commit(3, "ns3", "c", "v3", nullptr, nullptr);
    p.commit(1, "ns1", "c", "v1", nullptr, nullptr);
    sa->make_durable(3);
    // Instance 1's entry (seq 1) is covered at once; seq 2 is not covered,
    // so instance 3's commit (which would put the sink past seq 2) waits.
    REQUIRE(hr::test::eventually([&] { return store.get("ns1", "c").has_value(); }, std::chrono::seconds(5)));
    CHECK(*store.get(hr::Pipeline::kSinkNamespace, "manual") == "100");
    CHECK_FALSE(store.get("ns3", "c"));
    // After the grace, an entry nobody commits for counts as covered.
    REQUIRE(hr::test::eventually([&] { return store.get("ns3", "c").has_value(); }, std::chrono::seconds(5)));
    CHECK(*store.get(hr::Pipeline::kSinkNamespace, "manual") == "300");
    p.close();
}

TEST_CASE("a file sink cuts what was written after the last commit, and the position is kept with the cursors") {
    hr::test::TempDir dir;
    std::string out = dir.file("out.json");
    {
        hr::Logger log;
        hr::StateStore store;
        std::string err, note;
        REQUIRE(store.open(dir.file("state"), false, err));
        hr::Pipeline p(store, log);
        REQUIRE(p.add_sink(std::make_unique<hr::FileSink>(out), note));
        p.start();
        for (int i = 0; i < 5; ++i) {
            REQUIRE(p.emit(1, entry()));
            p.commit(1, "ns", "cursor", std::to_string(i + 1), nullptr, nullptr);
        }
        p.close();
        CHECK(*store.get("ns", "cursor") == "5");
        CHECK(std::stoull(*store.get(hr::Pipeline::kSinkNamespace, "file:" + out)) ==
              hr::test::read_file(out).size());
    }
    size_t good = hr::test::read_file(out).size();
    // What a crash leaves: lines written whose cursor was never stored.
    std::ofstream(out, std::ios::app) << "{\"partial\":1}\n{\"torn";
    hr::Logger log;
    hr::StateStore store;
    std::string err, note;
    REQUIRE(store.open(dir.file("state"), false, err));
    hr::Pipeline p(store, log);
    REQUIRE(p.add_sink(std::make_unique<hr::FileSink>(out), note));
    CHECK(note.find("removed") != std::string::npos);
    CHECK(hr::test::read_file(out).size() == good);
    p.start();
    p.close();
}

TEST_CASE("at a clean close, entries of a plugin without cursors are kept, not cut on the next start") {
    hr::test::TempDir dir;
    std::string out = dir.file("out.json");
    {
        hr::Logger log;
        hr::StateStore store;
        std::string err, note;
        REQUIRE(store.open(dir.file("state"), false, err));
        hr::Pipeline p(store, log);
        p.uncommitted_grace = std::chrono::hours(1);
        REQUIRE(p.add_sink(std::make_unique<hr::FileSink>(out), note));
        p.start();
        REQUIRE(p.emit(2, entry()));
        p.commit(2, "ns", "c", "1", nullptr, nullptr);
        REQUIRE(hr::test::eventually([&] { return store.get("ns", "c").has_value(); }, std::chrono::seconds(5)));
        REQUIRE(p.emit(1, entry())); // never committed for
        p.close();
    }
    size_t size = hr::test::read_file(out).size();
    REQUIRE(size > 0);
    hr::Logger log;
    hr::StateStore store;
    std::string err, note;
    REQUIRE(store.open(dir.file("state"), false, err));
    hr::Pipeline p(store, log);
    REQUIRE(p.add_sink(std::make_unique<hr::FileSink>(out), note));
    CHECK(hr::test::read_file(out).size() == size);
    p.close();
}
