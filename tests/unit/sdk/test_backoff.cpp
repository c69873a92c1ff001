#include <hr_sdk/backoff.hpp>

#include <catch2/catch.hpp>

#include <random>

using hr::sdk::Backoff;
using ms = std::chrono::milliseconds;

TEST_CASE("backoff: ceiling doubles and stops at the cap", "[backoff]") {
    Backoff b(ms(100), ms(5000));
    CHECK(b.ceiling(0) == ms(100));
    CHECK(b.ceiling(1) == ms(200));
    CHECK(b.ceiling(5) == ms(3200));
    CHECK(b.ceiling(6) == ms(5000));
    CHECK(b.ceiling(63) == ms(5000));
    CHECK(b.ceiling(1000) == ms(5000));
}

TEST_CASE("backoff: full jitter uses [0, ceiling] and reset starts over", "[backoff]") {
    std::vector<std::uint64_t> bounds;
    Backoff top(ms(100), ms(1000), [&](std::uint64_t bound) {
        bounds.push_back(bound);
        return bound;
    });
    CHECK(top.next() == ms(100));
    CHECK(top.next() == ms(200));
    CHECK(top.next() == ms(400));
    CHECK(top.next() == ms(800));
    CHECK(top.next() == ms(1000));
    CHECK(top.next() == ms(1000));
    CHECK(top.attempt() == 6);
    top.reset();
    CHECK(top.attempt() == 0);
    CHECK(top.next() == ms(100));
    CHECK(bounds.front() == 100);

    Backoff zero(ms(100), ms(1000), [](std::uint64_t) { return 0; });
    CHECK(zero.next() == ms(0));

    // A misbehaving rng cannot push the delay past the bound.
    Backoff liar(ms(100), ms(1000), [](std::uint64_t) { return ~std::uint64_t{0}; });
    CHECK(liar.next() == ms(100));
}

TEST_CASE("backoff: random delays stay within bounds, forever", "[backoff]") {
    std::mt19937_64 gen(12345);
    Backoff b(ms(250), ms(60000), [&](std::uint64_t bound) { return std::uniform_int_distribution<std::uint64_t>(0, bound)(gen); });
    for (unsigned i = 0; i < 500; ++i) {
        const auto ceil = b.ceiling(b.attempt());
        const auto d = b.next();
        CHECK(d >= ms(0));
        CHECK(d <= ceil);
        CHECK(d <= ms(60000));
    }
    Backoff dflt(ms(10), ms(20));  // default rng
    for (int i = 0; i < 100; ++i) CHECK(dflt.next() <= ms(20));
}

TEST_CASE("backoff: silly arguments are clamped", "[backoff]") {
    Backoff b(ms(0), ms(0), [](std::uint64_t bound) { return bound; });
    CHECK(b.base() == ms(1));
    CHECK(b.cap() == ms(1));
    CHECK(b.next() == ms(1));
}
