// Request budget as a sliding window: "at most N requests in any window W".
//
// Kept as the send times of the last N requests, so a backlog drains at the
// full budget (N back to back when the window is empty) yet no interval of
// length W ever holds more than N sends. A token bucket with burst N would
// let 2N through in one window; this cannot.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace hr::sdk {

// Not thread-safe; see SharedBudget for the shared form.
class SlidingWindow {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;
    using duration = clock::duration;

    // max_requests == 0 means unlimited (only deferrals apply).
    SlidingWindow(std::size_t max_requests, duration window);

    // Earliest time >= now at which one more request keeps every half-open
    // interval [s, s+window) at <= max_requests recorded sends, and which
    // honours defer_until / observe_remaining. Never earlier than the latest
    // recorded time: bookings are first come, first served, which is also
    // what makes keeping only the last N times sufficient.
    time_point acquire_time(time_point now) const;
    // A request was (or will be) sent at t; t must come from acquire_time().
    // There is deliberately no "unrecord": a booked slot stays spent even if
    // unused, since taking one back could re-admit a send that was already
    // dropped from the last N (conservative, never over budget).
    void record(time_point t);
    // acquire_time(now) <= now ? record(now), true : false.
    bool try_acquire(time_point now);

    // Server said "not before t" (X-RateLimit-Reset, Retry-After, 429).
    // Only ever extends the current deferral.
    void defer_until(time_point t);
    // Server said `remaining` calls are left and one comes back within
    // `reset`. remaining <= 0 defers by reset; a few left spreads them over
    // reset (one per reset/remaining) so we do not run into a 429.
    void observe_remaining(long remaining, std::chrono::milliseconds reset, time_point now);

    // Make the budget at least as strict as (max_requests, window).
    void tighten(std::size_t max_requests, duration window);

    std::size_t max_requests() const noexcept { return max_; }
    duration window() const noexcept { return window_; }
    time_point deferred_until() const noexcept { return deferred_until_; }
    // Recorded sends in (now - window, now].
    std::size_t in_window(time_point now) const;

private:
    std::size_t max_;
    duration window_;
    std::deque<time_point> times_;  // ascending, at most max_ entries
    time_point deferred_until_{};
    time_point paced_next_{};
};

// A SlidingWindow shared by stanzas that spend the same server quota
// (same host + client id). Thread-safe; hand it around as shared_ptr.
class SharedBudget : public std::enable_shared_from_this<SharedBudget> {
public:
    using clock = SlidingWindow::clock;
    using time_point = SlidingWindow::time_point;
    using duration = SlidingWindow::duration;

    SharedBudget(std::size_t max_requests, duration window) : window_(max_requests, window) {}

    // Books the earliest slot and returns its time (the caller sends then).
    // Booking at once keeps concurrent callers from taking the same slot,
    // and makes them first come, first served.
    time_point reserve(time_point now);
    bool try_acquire(time_point now);
    time_point acquire_time(time_point now) const;

    void defer_until(time_point t);
    void observe_remaining(long remaining, std::chrono::milliseconds reset, time_point now);
    void tighten(std::size_t max_requests, duration window);
    time_point deferred_until() const;
    std::size_t max_requests() const;
    std::size_t in_window(time_point now) const;

    // Waits on `timer` (the caller's, bound to its strand; it must outlive
    // the wait) until a slot is free, books it, then calls
    // handler(error_code) on the timer's executor. A deferral that arrives
    // while waiting is honoured (a new slot is booked after it). cancel()
    // on the timer ends the wait with operation_aborted; the slot stays spent.
    template <class Handler>
    void async_acquire(boost::asio::steady_timer& timer, Handler&& handler);

private:
    template <class Handler>
    void wait_slot(boost::asio::steady_timer& timer, time_point slot, Handler handler);

    mutable std::mutex mu_;
    SlidingWindow window_;
};

// Hands out one SharedBudget per key while anyone holds it. Owned by the
// plugin's module object (no globals); thread-safe.
class RateRegistry {
public:
    // The budget for `key`; an existing one is tightened to the stricter
    // of its limits and these.
    std::shared_ptr<SharedBudget> get(const std::string& key, std::size_t max_requests,
                                      SlidingWindow::duration window);
    std::size_t size() const;  // live budgets

private:
    mutable std::mutex mu_;
    std::map<std::string, std::weak_ptr<SharedBudget>> budgets_;
};

// ------------------------------------------------------------------ inline

template <class Handler>
void SharedBudget::async_acquire(boost::asio::steady_timer& timer, Handler&& handler) {
    const time_point now = clock::now();
    const time_point slot = reserve(now);
    if (slot <= now) {
        boost::asio::post(timer.get_executor(),
                          [h = std::forward<Handler>(handler)]() mutable { h(boost::system::error_code{}); });
        return;
    }
    wait_slot(timer, slot, std::forward<Handler>(handler));
}

template <class Handler>
void SharedBudget::wait_slot(boost::asio::steady_timer& timer, time_point slot, Handler handler) {
    timer.expires_at(slot);
    timer.async_wait([self = shared_from_this(), &timer, slot,
                      h = std::move(handler)](const boost::system::error_code& ec) mutable {
        if (ec) {
            h(ec);
            return;
        }
        const time_point now = clock::now();
        if (self->deferred_until() > now) {
            // The server pushed us back after we booked: book again after it.
            const time_point next = self->reserve(now);
            self->wait_slot(timer, next, std::move(h));
            return;
        }
        h(boost::system::error_code{});
    });
}

}  // namespace hr::sdk
