#include "pipeline.hpp"

#include <algorithm>

namespace hr {

Pipeline::Pipeline(StateStore &store, Logger &log, uint64_t max_pending_bytes)
    : store_(store), log_(log), max_pending_bytes_(max_pending_bytes) {}

Pipeline::~Pipeline() { close(); }

bool Pipeline::add_sink(std::unique_ptr<Sink> sink, std::string &note) {
    std::optional<uint64_t> pos;
    if (auto v = store_.get(kSinkNamespace, sink->name())) {
        try {
            pos = std::stoull(*v);
        } catch (...) {
            pos.reset();
        }
    }
    if (!sink->recover(pos, note)) return false;
    std::string err;
    if (!sink->open(err)) {
        note = err;
        return false;
    }
    sink->set_progress_callback([this] { on_progress(); });
    sinks_.push_back(std::move(sink));
    return true;
}

void Pipeline::set_max_pending_bytes(uint64_t bytes) {
    std::lock_guard lk(mu_);
    max_pending_bytes_ = bytes;
}

void Pipeline::start() { committer_ = std::thread([this] { run_committer(); }); }

bool Pipeline::emit(uint64_t owner, Entry &&entry) {
    // Roughly what the entry costs in memory: its strings plus the shared
    // object, queue and map nodes every sink keeps for it.
    uint64_t bytes = entry.data.size() + entry.tag.size() + entry.src.size() + 256;
    std::lock_guard lk(mu_);
    // One entry larger than the budget still passes when nothing else waits.
    if (pending_bytes_ > 0 && pending_bytes_ + bytes > max_pending_bytes_) return false;
    entry.seq = ++seq_;
    pending_bytes_ += bytes;
    sizes_.emplace_back(entry.seq, bytes);
    uncovered_.push_back({entry.seq, owner, std::chrono::steady_clock::now()});
    owners_[owner].last_emitted = entry.seq;
    auto ptr = std::make_shared<const Entry>(std::move(entry));
    // Pushing under the lock keeps every sink's queue in seq order.
    for (auto &s : sinks_) s->push(ptr);
    return true;
}

void Pipeline::on_progress() {
    {
        std::lock_guard lk(mu_);
        uint64_t d = seq_;
        for (const auto &s : sinks_) d = std::min(d, s->durable_seq());
        durable_ = std::max(durable_, d);
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
        Owner &o = owners_[owner];
        o.committed_upto = std::max(o.committed_upto, o.last_emitted);
        o.pending++;
        commits_.push_back(Commit{o.last_emitted, owner, std::move(ns), std::move(key), std::move(value),
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

bool Pipeline::wait_committed(uint64_t owner, std::chrono::milliseconds timeout) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, timeout, [&] {
        auto it = owners_.find(owner);
        return it == owners_.end() || it->second.pending == 0;
    });
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

uint64_t Pipeline::commit_failures() const {
    std::lock_guard lk(mu_);
    return commit_failures_;
}

uint64_t Pipeline::advance_covered_locked(std::chrono::steady_clock::time_point now) {
    while (!uncovered_.empty()) {
        const Emitted &e = uncovered_.front();
        if (e.seq > durable_) break;
        const Owner &o = owners_[e.owner];
        if (o.committed_upto < e.seq && now - e.at < uncommitted_grace) break;
        covered_ = e.seq;
        uncovered_.pop_front();
    }
    // With nothing uncovered, everything durable is covered.
    if (uncovered_.empty()) covered_ = std::max(covered_, durable_);
    return covered_;
}

void Pipeline::run_committer() {
    uint64_t stored_upto = 0;
    for (;;) {
        std::vector<Commit> ready;
        uint64_t p = 0;
        {
            std::unique_lock lk(mu_);
            auto has_work = [&] {
                p = advance_covered_locked(std::chrono::steady_clock::now());
                return closing_ || p > stored_upto ||
                       std::any_of(commits_.begin(), commits_.end(), [&](const Commit &c) { return c.threshold <= p; });
            };
            // Wake at least every 100 ms: the grace for cursor-less entries is time-based.
            while (!has_work()) cv_.wait_for(lk, std::chrono::milliseconds(100));
            // Commits of one owner have rising thresholds, so taking every one
            // at or below P keeps each owner's order.
            for (auto it = commits_.begin(); it != commits_.end();) {
                if (it->threshold <= p) {
                    ready.push_back(std::move(*it));
                    it = commits_.erase(it);
                } else {
                    ++it;
                }
            }
            if (ready.empty() && p <= stored_upto && closing_) break;
        }
        // Only the last value of a key in a batch needs writing.
        std::map<std::pair<std::string, std::string>, const std::string *> last;
        for (const auto &c : ready) last[{c.ns, c.key}] = &c.value;
        std::vector<StateStore::Write> writes;
        writes.reserve(last.size() + sinks_.size());
        for (const auto &[k, v] : last) writes.push_back({k.first, k.second, *v});
        for (auto &s : sinks_)
            if (auto pos = s->position_after(p)) writes.push_back({kSinkNamespace, s->name(), std::to_string(*pos)});
        std::string err;
        bool ok = writes.empty() || store_.put(writes, err);
        if (ok) {
            stored_upto = p;
            for (auto &s : sinks_) s->release(p);
        } else {
            log_host(log_, LogLevel::Error, "state commit failed: " + err);
        }
        {
            std::lock_guard lk(mu_);
            if (!ok) ++commit_failures_;
            for (const auto &c : ready) owners_[c.owner].pending--;
        }
        cv_.notify_all();
        std::lock_guard cb(cb_mu_);
        for (const auto &c : ready)
            if (c.fn && !detached_.count(c.owner)) c.fn(c.ctx, ok ? 1 : 0);
        if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void Pipeline::close() {
    {
        std::lock_guard lk(mu_);
        if (closed_) return;
        closed_ = true;
    }
    for (auto &s : sinks_) s->close();
    on_progress();
    {
        std::lock_guard lk(mu_);
        closing_ = true;
        // Every instance is gone: an entry still without a commit belongs to a
        // plugin without cursors, and cutting it on the next start would lose it.
        uncommitted_grace = std::chrono::milliseconds(0);
    }
    cv_.notify_all();
    if (committer_.joinable()) committer_.join();
    std::lock_guard lk(mu_);
    if (!commits_.empty())
        log_host(log_, LogLevel::Warn,
                 std::to_string(commits_.size()) + " cursor commit(s) not stored: their entries are not durable");
}

} // namespace hr
