#include "hr_sdk/backoff.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace hr::sdk {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, Rng rng)
    : base_(std::max(base, std::chrono::milliseconds(1))),
      cap_(std::max(cap, base_)),
      rng_(std::move(rng)) {
    if (!rng_) {
        auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
        rng_ = [gen](std::uint64_t bound) {
            return std::uniform_int_distribution<std::uint64_t>(0, bound)(*gen);
        };
    }
}

std::chrono::milliseconds Backoff::ceiling(unsigned attempt) const noexcept {
    // Doubling past 62 bits would overflow; by then we are long at the cap.
    const auto cap = static_cast<std::uint64_t>(cap_.count());
    const auto base = static_cast<std::uint64_t>(base_.count());
    if (attempt >= 63 || base > (cap >> attempt)) return cap_;
    return std::chrono::milliseconds(static_cast<std::int64_t>(base << attempt));
}

std::chrono::milliseconds Backoff::next() {
    const auto bound = static_cast<std::uint64_t>(ceiling(attempt_).count());
    if (attempt_ < 64) ++attempt_;
    // Clamp in case an injected rng misbehaves: the bound is a promise.
    const std::uint64_t v = std::min(rng_(bound), bound);
    return std::chrono::milliseconds(static_cast<std::int64_t>(v));
}

}  // namespace hr::sdk
