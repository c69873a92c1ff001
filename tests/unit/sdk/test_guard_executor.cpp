#include <hr_sdk/executor.hpp>
#include <hr_sdk/guard.hpp>

#include <boost/asio/post.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Diag {
    std::vector<std::string> messages;
    static void fn(void* ctx, hr_log_level level, hr_str key, uint32_t line, hr_str msg) {
        auto* self = static_cast<Diag*>(ctx);
        CHECK(level == HR_LOG_ERROR);
        CHECK(key.len == 0);
        CHECK(line == 0);
        self->messages.emplace_back(msg.ptr, msg.len);
    }
};

}  // namespace

TEST_CASE("guard: statuses pass through, void means OK", "[guard]") {
    Diag d;
    CHECK(hr::sdk::guarded([] {}, &Diag::fn, &d) == HR_OK);
    CHECK(hr::sdk::guarded([] { return HR_INVALID; }, &Diag::fn, &d) == HR_INVALID);
    CHECK(d.messages.empty());
}

TEST_CASE("guard: exceptions become HR_FAILED with a message", "[guard]") {
    Diag d;
    CHECK(hr::sdk::guarded([]() -> hr_status { throw std::runtime_error("bad thing"); }, &Diag::fn, &d) == HR_FAILED);
    CHECK(hr::sdk::guarded([] { throw std::bad_alloc(); }, &Diag::fn, &d) == HR_FAILED);
    CHECK(hr::sdk::guarded([] { throw 42; }, &Diag::fn, &d) == HR_FAILED);
    CHECK(hr::sdk::guarded([] { throw std::logic_error("no diag"); }, nullptr, nullptr) == HR_FAILED);
    REQUIRE(d.messages.size() == 3);
    CHECK(d.messages[0] == "bad thing");
    CHECK(d.messages[1] == "out of memory");
    CHECK(d.messages[2] == "unknown exception");
}

TEST_CASE("guard: a throwing logger is swallowed too", "[guard]") {
    auto status = hr::sdk::guarded_log([] { throw std::runtime_error("x"); },
                                       [](std::string_view) { throw std::runtime_error("logger"); });
    CHECK(status == HR_FAILED);
    std::string logged;
    CHECK(hr::sdk::guarded_log([] { throw std::runtime_error("y"); }, [&](std::string_view m) { logged = m; }) ==
          HR_FAILED);
    CHECK(logged == "y");
}

TEST_CASE("guard: guarded_value returns a fallback", "[guard]") {
    static const int value = 7;
    std::string logged;
    auto log = [&](std::string_view m) { logged = m; };
    CHECK(hr::sdk::guarded_value<const int*>(nullptr, [] { return &value; }, log) == &value);
    CHECK(hr::sdk::guarded_value<const int*>(nullptr, []() -> const int* { throw std::runtime_error("e"); }, log) == nullptr);
    CHECK(logged == "e");
}

TEST_CASE("executor: fixed pool, strands serialise", "[executor]") {
    hr::sdk::Executor ex(3);
    CHECK(ex.thread_count() == 3);
    CHECK_FALSE(ex.running_in_pool());

    // Many strands (stanzas) share the same few threads.
    constexpr int strands = 200, per = 50;
    std::vector<hr::sdk::Executor::strand_type> ss;
    std::vector<int> counters(strands, 0);  // plain ints: the strand is the only guard
    std::atomic<int> done{0};
    std::atomic<bool> off_pool{false};
    std::promise<void> all;
    for (int s = 0; s < strands; ++s) ss.push_back(ex.make_strand());
    for (int i = 0; i < per; ++i) {
        for (int s = 0; s < strands; ++s) {
            boost::asio::post(ss[s], [&, s] {
                if (!ex.running_in_pool()) off_pool = true;
                ++counters[s];
                if (++done == strands * per) all.set_value();
            });
        }
    }
    REQUIRE(all.get_future().wait_for(20s) == std::future_status::ready);
    for (int c : counters) CHECK(c == per);
    CHECK_FALSE(off_pool);
    CHECK(ex.thread_count() == 3);
}

TEST_CASE("executor: a throwing handler is reported and the pool goes on", "[executor]") {
    std::promise<std::string> reported;
    hr::sdk::Executor ex(1, [&](std::string_view what) { reported.set_value(std::string(what)); });
    boost::asio::post(ex.context(), [] { throw std::runtime_error("handler failed"); });
    auto f = reported.get_future();
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    CHECK(f.get() == "handler failed");
    std::promise<void> later;
    boost::asio::post(ex.context(), [&] { later.set_value(); });
    CHECK(later.get_future().wait_for(5s) == std::future_status::ready);
}

TEST_CASE("executor: stop and join are idempotent; zero threads means one", "[executor]") {
    hr::sdk::Executor ex(0);
    CHECK(ex.thread_count() == 1);
    ex.stop();
    ex.join();
    ex.stop();
    ex.join();
}

TEST_CASE("executor: drain lets run() return once idle", "[executor]") {
    hr::sdk::Executor ex(2);
    std::atomic<int> n{0};
    for (int i = 0; i < 100; ++i) boost::asio::post(ex.context(), [&] { ++n; });
    ex.drain();
    ex.join();
    CHECK(n == 100);
}
