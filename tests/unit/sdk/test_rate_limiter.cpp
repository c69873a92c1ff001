#include <hr_sdk/executor.hpp>
#include <hr_sdk/rate_limiter.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <mutex>
#include <random>
#include <thread>

using hr::sdk::RateRegistry;
using hr::sdk::SharedBudget;
using hr::sdk::SlidingWindow;
using clock_type = SlidingWindow::clock;
using namespace std::chrono_literals;

namespace {

// The guarantee: no half-open interval of length `window` holds more than n
// sends. With the sends sorted it is enough that any n+1 consecutive ones
// span at least `window`.
bool within_budget(std::vector<clock_type::time_point> sends, std::size_t n, clock_type::duration window) {
    std::sort(sends.begin(), sends.end());
    for (std::size_t i = 0; i + n < sends.size(); ++i)
        if (sends[i + n] - sends[i] < window) return false;
    return true;
}

}  // namespace

TEST_CASE("sliding window: property holds for random request patterns", "[rate]") {
    std::mt19937_64 gen(GENERATE(1, 2, 3, 4, 5, 6, 7, 8));
    const std::size_t n = GENERATE(1u, 3u, 10u, 50u);
    const auto window = 60s;
    SlidingWindow sw(n, window);
    auto now = clock_type::time_point{} + 1000h;
    std::vector<clock_type::time_point> sends;
    std::uniform_int_distribution<int> kind(0, 99);
    std::uniform_int_distribution<int> gap_ms(0, 20000);
    for (int i = 0; i < 2000; ++i) {
        const int k = kind(gen);
        if (k < 40) {
            // bursts: many arrivals at the same instant
        } else if (k < 95) {
            now += std::chrono::milliseconds(gap_ms(gen));
        } else if (k < 97) {
            sw.defer_until(now + std::chrono::milliseconds(gap_ms(gen)));
        } else {
            sw.observe_remaining(k - 97, std::chrono::milliseconds(gap_ms(gen)), now);
        }
        const auto t = sw.acquire_time(now);
        REQUIRE(t >= now);
        sw.record(t);
        sends.push_back(t);
    }
    CHECK(within_budget(sends, n, window));
    // Sends are booked in order: first come, first served.
    CHECK(std::is_sorted(sends.begin(), sends.end()));
}

TEST_CASE("sliding window: an empty window lets N go back to back; a backlog drains at the full budget", "[rate]") {
    const std::size_t n = 20;
    SlidingWindow sw(n, 60s);
    const auto t0 = clock_type::time_point{} + 10h;
    std::vector<clock_type::time_point> sends;
    for (std::size_t i = 0; i < 3 * n; ++i) {
        auto t = sw.acquire_time(t0);
        sw.record(t);
        sends.push_back(t);
    }
    for (std::size_t i = 0; i < n; ++i) CHECK(sends[i] == t0);
    for (std::size_t i = n; i < 2 * n; ++i) CHECK(sends[i] == t0 + 60s);
    for (std::size_t i = 2 * n; i < 3 * n; ++i) CHECK(sends[i] == t0 + 120s);
    CHECK(sw.in_window(t0 + 120s) == n);
    CHECK(sw.in_window(t0 + 180s) == 0);
}

TEST_CASE("sliding window: the slot frees exactly when the oldest leaves the window", "[rate]") {
    SlidingWindow sw(2, 60s);
    const auto t0 = clock_type::time_point{} + 10h;
    CHECK(sw.try_acquire(t0));
    CHECK(sw.try_acquire(t0 + 10s));
    CHECK_FALSE(sw.try_acquire(t0 + 59s));
    CHECK(sw.acquire_time(t0 + 20s) == t0 + 60s);
    CHECK(sw.try_acquire(t0 + 60s));
    CHECK(sw.acquire_time(t0 + 60s) == t0 + 70s);
}

TEST_CASE("sliding window: server deferrals and pacing", "[rate]") {
    const auto t0 = clock_type::time_point{} + 10h;
    SlidingWindow sw(100, 60s);
    sw.defer_until(t0 + 5s);
    sw.defer_until(t0 + 1s);  // never shortens
    CHECK(sw.acquire_time(t0) == t0 + 5s);
    CHECK(sw.acquire_time(t0 + 7s) == t0 + 7s);

    SlidingWindow zero(100, 60s);
    zero.observe_remaining(0, 1500ms, t0);  // X-RateLimit-Reset is milliseconds
    CHECK(zero.acquire_time(t0) == t0 + 1500ms);

    SlidingWindow few(100, 60s);
    few.observe_remaining(4, 8000ms, t0);  // 4 left: one every 2 s
    CHECK(few.acquire_time(t0) == t0 + 2s);
    SlidingWindow plenty(100, 60s);
    plenty.observe_remaining(50, 8000ms, t0);
    CHECK(plenty.acquire_time(t0) == t0);
}

TEST_CASE("sliding window: zero means unlimited; tighten", "[rate]") {
    const auto t0 = clock_type::time_point{} + 10h;
    SlidingWindow sw(0, 60s);
    for (int i = 0; i < 1000; ++i) CHECK(sw.try_acquire(t0));
    SlidingWindow s2(10, 30s);
    s2.tighten(5, 60s);
    CHECK(s2.max_requests() == 5);
    CHECK(s2.window() == 60s);
    s2.tighten(50, 1s);
    CHECK(s2.max_requests() == 5);
    CHECK(s2.window() == 60s);
}

TEST_CASE("shared budget: concurrent bookers never exceed the budget", "[rate]") {
    const std::size_t n = 7;
    auto b = std::make_shared<SharedBudget>(n, 60s);
    std::mutex mu;
    std::vector<clock_type::time_point> sends;
    std::vector<std::thread> ts;
    const auto t0 = clock_type::time_point{} + 10h;
    for (int k = 0; k < 4; ++k) {
        ts.emplace_back([&, k] {
            std::mt19937 gen(static_cast<unsigned>(k));
            auto now = t0;
            for (int i = 0; i < 200; ++i) {
                now += std::chrono::milliseconds(gen() % 3000);
                auto t = b->reserve(now);
                std::lock_guard lk(mu);
                sends.push_back(t);
            }
        });
    }
    for (auto& t : ts) t.join();
    CHECK(sends.size() == 800);
    CHECK(within_budget(sends, n, 60s));
}

TEST_CASE("shared budget: async_acquire waits on a timer for a slot", "[rate]") {
    hr::sdk::Executor ex(2);
    const std::size_t n = 3;
    const auto window = 300ms;
    auto b = std::make_shared<SharedBudget>(n, window);
    auto s1 = ex.make_strand();
    auto s2 = ex.make_strand();
    boost::asio::steady_timer t1(s1), t2(s2);
    std::mutex mu;
    std::vector<clock_type::time_point> got;
    std::promise<void> done;
    const int total = 8;
    const auto start = clock_type::now();

    // Each "stanza" acquires 4 times in a row.
    std::function<void(boost::asio::steady_timer&, int)> chain = [&](boost::asio::steady_timer& t, int left) {
        if (left == 0) return;
        b->async_acquire(t, [&, left](boost::system::error_code ec) {
            CHECK_FALSE(ec);
            {
                std::lock_guard lk(mu);
                got.push_back(clock_type::now());
                if (got.size() == total) done.set_value();
            }
            chain(t, left - 1);
        });
    };
    boost::asio::post(s1, [&] { chain(t1, 4); });
    boost::asio::post(s2, [&] { chain(t2, 4); });
    REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
    std::sort(got.begin(), got.end());
    // 8 requests at 3 per 300 ms: the last can start no earlier than 600 ms.
    CHECK(got.back() - start >= 600ms);
    CHECK(got.back() - start < 3s);
    // Handler times lag their slots by scheduling noise only.
    CHECK(within_budget(got, n, window - 30ms));
    ex.drain();  // the handlers reference this frame: let them all finish
    ex.join();
}

TEST_CASE("shared budget: a cancelled wait ends with operation_aborted", "[rate]") {
    hr::sdk::Executor ex(1);
    auto b = std::make_shared<SharedBudget>(1, 60s);
    CHECK(b->try_acquire(clock_type::now()));
    auto s = ex.make_strand();
    boost::asio::steady_timer t(s);
    std::promise<boost::system::error_code> result;
    boost::asio::post(s, [&] { b->async_acquire(t, [&](boost::system::error_code ec) { result.set_value(ec); }); });
    std::this_thread::sleep_for(50ms);
    boost::asio::post(s, [&] { t.cancel(); });
    auto f = result.get_future();
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    CHECK(f.get() == boost::asio::error::operation_aborted);
}

TEST_CASE("rate registry: one budget per key while held", "[rate]") {
    RateRegistry reg;
    auto a = reg.get("api.example|client-1", 10, 60s);
    auto b = reg.get("api.example|client-1", 5, 60s);
    auto c = reg.get("api.example|client-2", 10, 60s);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a->max_requests() == 5);  // the stricter wins
    CHECK(reg.size() == 2);
    a.reset();
    b.reset();
    CHECK(reg.size() == 1);
    auto d = reg.get("api.example|client-1", 10, 60s);
    CHECK(d->max_requests() == 10);  // a fresh budget
}
