#include "hr_sdk/rate_limiter.hpp"

#include <algorithm>

namespace hr::sdk {

SlidingWindow::SlidingWindow(std::size_t max_requests, duration window)
    : max_(max_requests), window_(std::max(window, duration::zero())) {}

SlidingWindow::time_point SlidingWindow::acquire_time(time_point now) const {
    time_point t = std::max({now, deferred_until_, paced_next_});
    if (!times_.empty()) t = std::max(t, times_.back());
    if (max_ != 0 && times_.size() >= max_) {
        // The oldest of the last N leaves every window [s, s+W) that
        // contains t once t >= oldest + W.
        t = std::max(t, times_.front() + window_);
    }
    return t;
}

void SlidingWindow::record(time_point t) {
    // Kept even when unlimited so bookings stay in order; trimmed below.
    // Sorted insert tolerates a caller recording slightly out of order.
    times_.insert(std::upper_bound(times_.begin(), times_.end(), t), t);
    const std::size_t keep = std::max<std::size_t>(max_, 1);
    while (times_.size() > keep) times_.pop_front();
}

bool SlidingWindow::try_acquire(time_point now) {
    if (acquire_time(now) > now) return false;
    record(now);
    return true;
}

void SlidingWindow::defer_until(time_point t) { deferred_until_ = std::max(deferred_until_, t); }

void SlidingWindow::observe_remaining(long remaining, std::chrono::milliseconds reset, time_point now) {
    if (reset < std::chrono::milliseconds::zero()) reset = std::chrono::milliseconds::zero();
    if (remaining <= 0) {
        defer_until(now + reset);
        return;
    }
    // "A few" = fewer than a tenth of our own budget (at least 2): below that
    // we space the rest out instead of spending them in one burst.
    const long low_water = std::max<long>(2, static_cast<long>(max_ / 10));
    if (remaining < low_water) {
        paced_next_ = std::max(paced_next_, now + reset / remaining);
    }
}

void SlidingWindow::tighten(std::size_t max_requests, duration window) {
    if (max_requests != 0 && (max_ == 0 || max_requests < max_)) max_ = max_requests;
    window_ = std::max(window_, window);
    while (max_ != 0 && times_.size() > max_) times_.pop_front();
}

std::size_t SlidingWindow::in_window(time_point now) const {
    return static_cast<std::size_t>(
        std::count_if(times_.begin(), times_.end(), [&](time_point t) { return t > now - window_ && t <= now; }));
}

// ------------------------------------------------------------ SharedBudget

SharedBudget::time_point SharedBudget::reserve(time_point now) {
    std::lock_guard lk(mu_);
    const time_point t = window_.acquire_time(now);
    window_.record(t);
    return t;
}

bool SharedBudget::try_acquire(time_point now) {
    std::lock_guard lk(mu_);
    return window_.try_acquire(now);
}

SharedBudget::time_point SharedBudget::acquire_time(time_point now) const {
    std::lock_guard lk(mu_);
    return window_.acquire_time(now);
}

void SharedBudget::defer_until(time_point t) {
    std::lock_guard lk(mu_);
    window_.defer_until(t);
}

void SharedBudget::observe_remaining(long remaining, std::chrono::milliseconds reset, time_point now) {
    std::lock_guard lk(mu_);
    window_.observe_remaining(remaining, reset, now);
}

void SharedBudget::tighten(std::size_t max_requests, duration window) {
    std::lock_guard lk(mu_);
    window_.tighten(max_requests, window);
}

SharedBudget::time_point SharedBudget::deferred_until() const {
    std::lock_guard lk(mu_);
    return window_.deferred_until();
}

std::size_t SharedBudget::max_requests() const {
    std::lock_guard lk(mu_);
    return window_.max_requests();
}

std::size_t SharedBudget::in_window(time_point now) const {
    std::lock_guard lk(mu_);
    return window_.in_window(now);
}

// ------------------------------------------------------------ RateRegistry

std::shared_ptr<SharedBudget> RateRegistry::get(const std::string& key, std::size_t max_requests,
                                                SlidingWindow::duration window) {
    std::lock_guard lk(mu_);
    // Drop entries whose budgets died so the map does not grow forever.
    for (auto it = budgets_.begin(); it != budgets_.end();) {
        it = it->second.expired() ? budgets_.erase(it) : std::next(it);
    }
    if (auto it = budgets_.find(key); it != budgets_.end()) {
        if (auto b = it->second.lock()) {
            b->tighten(max_requests, window);
            return b;
        }
    }
    auto b = std::make_shared<SharedBudget>(max_requests, window);
    budgets_[key] = b;
    return b;
}

std::size_t RateRegistry::size() const {
    std::lock_guard lk(mu_);
    return static_cast<std::size_t>(std::count_if(budgets_.begin(), budgets_.end(),
                                                  [](const auto& kv) { return !kv.second.expired(); }));
}

}  // namespace hr::sdk
