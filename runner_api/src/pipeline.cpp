#include "pipeline.hpp"

#include <algorithm>

namespace hr {

Pipeline::Pipeline(StateStore &store, Logger &log, uint64_t max_pending_bytes)
    : store_(store), log_(log), max_pending_bytes_(max_pending_bytes) {}

Pipeline::~Pipeline() { close(); }

void Pipeline::add_sink(std::unique_ptr<Sink> sink) {
    sink->set_progress_callback([this] { on_progress(); });
    sinks_.push_back(std::move(sink));
}

void Pipeline::start() { committer_ = std::thread([this] { run_committer(); }); }

bool Pipeline::emit(Entry &&entry) {
    uint64_t bytes = entry.data.size() + entry.tag.size() + 64;
    std::lock_guard lk(mu_);
    // One entry larger than the budget still passes when nothing else waits.
    if (pending_bytes_ > 0 && pending_bytes_ + bytes > max_pending_bytes_) return false;
    entry.seq = ++seq_;
    pending_bytes_ += bytes;
    sizes_.emplace_back(entry.seq, bytes);
    auto ptr = std::make_shared<const Entry>(std::move(entry));
    // Pushing under the lock keeps every sink's queue in seq order.
    for (auto &s : sinks_) s->push(ptr);
    return true;
}

uint64_t Pipeline::compute_durable_locked() const {
    uint64_t d = seq_;
    for (const auto &s : sinks_) d = std::min(d, s->durable_seq());
    return d;
}

void Pipeline::on_progress() {
    {
        std::lock_guard lk(mu_);
        durable_ = std::max(durable_, compute_durable_locked());
        while (!sizes_.empty() && sizes_.front().first <= durable_) {
            pending_bytes_ -= sizes_.front().second;
            sizes_.pop_front();
        }
    }
    cv_.notify_all();
}

void Pipeline::commit(uint64_t owner, std::string ns, std::string key, std::string value, CommitFn fn, void *ctx) {
    bool detached;
    {
        std::lock_guard cb(cb_mu_);
        detached = detached_.count(owner) != 0;
        if (detached && fn) fn(ctx, 0);
    }
    {
        std::lock_guard lk(mu_);
        commits_.push_back(Commit{seq_, owner, std::move(ns), std::move(key), std::move(value),
                                  detached ? nullptr : fn, ctx});
    }
    cv_.notify_all();
}

void Pipeline::detach(uint64_t owner) {
    std::vector<std::pair<CommitFn, void *>> cancel;
    {
        std::lock_guard lk(mu_);
        for (auto &c : commits_)
            if (c.owner == owner && c.fn) {
                cancel.emplace_back(c.fn, c.ctx);
                c.fn = nullptr;
            }
    }
    std::lock_guard cb(cb_mu_);
    detached_.insert(owner);
    for (auto &[fn, ctx] : cancel) fn(ctx, 0);
}

void Pipeline::attach(uint64_t owner) {
    std::lock_guard cb(cb_mu_);
    detached_.erase(owner);
}

uint64_t Pipeline::last_seq() const {
    std::lock_guard lk(mu_);
    return seq_;
}

uint64_t Pipeline::durable_seq() const {
    std::lock_guard lk(mu_);
    return durable_;
}

uint64_t Pipeline::pending_bytes() const {
    std::lock_guard lk(mu_);
    return pending_bytes_;
}

bool Pipeline::wait_durable(uint64_t seq, std::chrono::milliseconds timeout) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return durable_ >= seq; });
}

void Pipeline::run_committer() {
    for (;;) {
        std::vector<Commit> ready;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] {
                return closing_ || (!commits_.empty() && commits_.front().threshold <= durable_);
            });
            while (!commits_.empty() && commits_.front().threshold <= durable_) {
                ready.push_back(std::move(commits_.front()));
                commits_.pop_front();
            }
            if (ready.empty() && closing_) break;
        }
        std::vector<StateStore::Write> writes;
        writes.reserve(ready.size());
        for (const auto &c : ready) writes.push_back({c.ns, c.key, c.value});
        std::string err;
        bool ok = store_.put(writes, err);
        if (!ok) {
            std::lock_guard lk(mu_);
            ++commit_failures_;
        }
        if (!ok) log_host(log_, LogLevel::Error, "state commit failed: " + err);
        std::lock_guard cb(cb_mu_);
        for (const auto &c : ready)
            if (c.fn && !detached_.count(c.owner)) c.fn(c.ctx, ok ? 1 : 0);
    }
}

void Pipeline::close() {
    {
        std::lock_guard lk(mu_);
        if (closing_ && !committer_.joinable()) return;
    }
    for (auto &s : sinks_) s->close();
    on_progress();
    {
        std::lock_guard lk(mu_);
        closing_ = true;
    }
    cv_.notify_all();
    if (committer_.joinable()) committer_.join();
    std::lock_guard lk(mu_);
    if (!commits_.empty())
        log_host(log_, LogLevel::Warn,
                 std::to_string(commits_.size()) + " cursor commit(s) not stored: their entries are not durable");
}

} // namespace hr
