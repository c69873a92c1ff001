// Bounded exponential backoff with full jitter:
//   delay(attempt) = uniform[0, min(cap, base * 2^attempt)]
// Full jitter spreads retries of many stanzas hitting the same outage.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace hr::sdk {

class Backoff {
public:
    // Returns a uniformly distributed integer in [0, bound] (inclusive).
    using Rng = std::function<std::uint64_t(std::uint64_t bound)>;

    // base > 0, cap >= base (clamped). An empty rng uses a private mt19937_64.
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, Rng rng = {});

    // Upper bound of the delay for a given attempt (0-based), never above cap.
    std::chrono::milliseconds ceiling(unsigned attempt) const noexcept;
    // Delay before the next retry; counts the attempt.
    std::chrono::milliseconds next();
    // Call on success: the next failure starts from base again.
    void reset() noexcept { attempt_ = 0; }
    unsigned attempt() const noexcept { return attempt_; }

    std::chrono::milliseconds base() const noexcept { return base_; }
    std::chrono::milliseconds cap() const noexcept { return cap_; }

private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds cap_;
    Rng rng_;
    unsigned attempt_ = 0;
};

}  // namespace hr::sdk
