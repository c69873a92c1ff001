// MTA SIEM batch logs: GET /siem/v1/batch/events/cg, one collector per type.
//
// Position = the page token that produced the current listing (kept for ever,
// also once caught up: re-listing by date re-reads up to 7 days), plus the
// file in progress and how many of its lines are done, committed after every
// line. Files finished are remembered by fingerprint, so a listing that
// repeats one (a re-list after an expired URL, a repeated URL) skips it.
#include "cursor_json.hpp"
#include "dead_letter.hpp"
#include "poller.hpp"

#include <hr_mimecast/parse/envelope.hpp>
#include <hr_mimecast/parse/gzip_lines.hpp>
#include <hr_mimecast/parse/mta.hpp>
#include <hr_mimecast/parse/pages.hpp>
#include <hr_mimecast/parse/requests.hpp>
#include <hr_mimecast/parse/time.hpp>

#include <deque>
#include <set>

namespace hr::mimecast {
namespace {

constexpr int kPageSize = 100;
constexpr int64_t kSecond = 1000000000;
constexpr int64_t kDay = 86400 * kSecond;
constexpr int64_t kRetention = 7 * kDay;
constexpr size_t kDoneFiles = 256; // a page lists at most 100 files

int64_t floor_day(int64_t ns) { return ns / kDay * kDay; }

// The first whole UTC day still inside Mimecast's 7-day retention.
int64_t earliest_day(int64_t now) { return floor_day(now - kRetention) + kDay; }

// scheme://host/path of a pre-signed URL: the file, whatever the signature.
std::string file_identity(const std::string &url) {
    std::string base = url.substr(0, url.find('?'));
    return fingerprint(base).hex().substr(0, 16);
}

std::string fmt_time(int64_t ns) { return ns > 0 ? format_stream_time(ns) : "the start"; }

struct BatchCursor {
    std::string token;  // produced the current listing; "" = list by day
    int64_t day = 0;    // start day when token is ""
    std::string file;   // identity of the file in progress
    int64_t line = 0;   // its lines done
    int64_t newest = 0; // newest event time delivered

    std::string encode() const {
        return JsonOut().num("v", 1).str("token", token).num("day", day).str("file", file).num("line", line).num("newest", newest).done();
    }
    static bool decode(const std::string &s, BatchCursor &c) {
        JsonIn in(s);
        if (!in.ok() || in.num("v") != 1) return false;
        c.token = in.str("token");
        c.day = in.num("day");
        c.file = in.str("file");
        c.line = in.num("line");
        c.newest = in.num("newest");
        return !c.token.empty() || c.day > 0;
    }
};

class BatchCollector : public Collector {
public:
    BatchCollector(Poller &p, const ApiConfig &api)
        : p_(p), api_(api), ctx_(p.strand(), api.info->name), key_(std::string(api.info->name) + "-cursor"),
          files_key_(std::string(api.info->name) + "-files"),
          dead_(p.config().dead_letter_file, api.info->name) {}

    void start() override {
        auto saved = p_.state_get(key_);
        int64_t now = now_ns();
        if (saved && BatchCursor::decode(*saved, cur_)) {
            p_.log(HR_LOG_INFO, ctx_.name + ": resuming from its saved page token" +
                                    (cur_.newest ? ", newest event " + fmt_time(cur_.newest) : std::string()));
            // Down longer than Mimecast keeps data: what lies between our newest
            // event and the retention edge can no longer be fetched.
            if (cur_.newest > 0 && cur_.newest < now - kRetention)
                gap(cur_.newest, now - kRetention, "the runner was stopped longer than Mimecast's 7-day retention");
        } else {
            if (saved) p_.log(HR_LOG_WARN, ctx_.name + ": saved cursor unreadable; starting from Lookback");
            cur_ = BatchCursor{};
            int64_t want = now - p_.config().lookback_h * 3600 * kSecond;
            cur_.day = floor_day(want);
            if (cur_.day < earliest_day(now)) {
                cur_.day = earliest_day(now);
                gap(want, cur_.day, "Lookback reaches past Mimecast's 7-day retention at day granularity");
            }
            p_.log(HR_LOG_INFO, ctx_.name + ": first run, listing from " + format_batch_day(cur_.day));
        }
        if (auto ring = p_.state_get(files_key_)) {
            JsonIn in(*ring);
            for (auto &id : in.list("done")) remember(id);
        }
        ctx_.newest_event_ns = cur_.newest;
        list();
    }

    void stop() override {
        ctx_.timer.cancel();
        ctx_.in_flight.cancel();
    }

private:
    void gap(int64_t from, int64_t to, const std::string &why) {
        p_.count(ctx_, "gaps");
        p_.log(HR_LOG_WARN, ctx_.name + ": GAP " + fmt_time(from) + " to " + fmt_time(to) +
                                " cannot be collected (" + why + ")");
    }

    void remember(const std::string &id) {
        if (done_set_.insert(id).second) done_.push_back(id);
        while (done_.size() > kDoneFiles) {
            done_set_.erase(done_.front());
            done_.pop_front();
        }
    }

    void list() {
        if (p_.stopping()) return;
        int64_t now = now_ns();
        int64_t start = std::max(cur_.day ? cur_.day : floor_day(now), earliest_day(now));
        std::string url = p_.config().host + "/siem/v1/batch/events/cg?" +
                          build_batch_query(api_.info->siem_type, start, std::nullopt, kPageSize, cur_.token);
        p_.api_call(
            ctx_,
            [url] {
                sdk::Request r;
                r.url = url;
                return r;
            },
            [this](sdk::Result r) { on_listing(std::move(r)); });
    }

    void on_listing(sdk::Result r) {
        auto res = parse_batch_listing(r.status, r.body);
        if (!res.ok()) {
            bool retention = r.status == 400 && res.envelope.summary().find("retention") != std::string::npos;
            if (retention) {
                // The saved position fell out of Mimecast's retention (a long outage).
                int64_t now = now_ns();
                gap(cur_.newest ? cur_.newest : cur_.day, earliest_day(now), "older than Mimecast keeps");
                cur_ = BatchCursor{"", earliest_day(now), "", 0, cur_.newest};
                p_.commit(key_, cur_.encode());
                list();
                return;
            }
            p_.retry_later(ctx_, "listing refused: " + res.envelope.summary(), [this] { list(); });
            return;
        }
        ctx_.backoff.reset();
        files_.clear();
        std::set<std::string> in_page;
        for (auto &f : res.listing.files) {
            std::string id = file_identity(f.url);
            if (!in_page.insert(id).second) {
                p_.count(ctx_, "duplicate_urls");
                continue; // listed twice in one page: fetched once
            }
            files_.push_back({std::move(f), std::move(id)});
        }
        next_ = std::move(res.listing.next_page);
        caught_up_ = res.listing.caught_up;
        idx_ = 0;
        next_file();
    }

    void next_file() {
        if (p_.stopping()) return;
        while (idx_ < files_.size() && done_set_.count(files_[idx_].second)) {
            p_.count(ctx_, "duplicate_files");
            ++idx_;
        }
        if (idx_ == files_.size()) {
            page_done();
            return;
        }
        const auto &[file, id] = files_[idx_];
        if (cur_.file != id) {
            cur_.file = id;
            cur_.line = 0;
        }
        if (file.expiry_ns && *file.expiry_ns < now_ns() + 5 * kSecond) {
            p_.log(HR_LOG_INFO, ctx_.name + ": listed URL already expired; listing again from the saved token");
            list();
            return;
        }
        fetch_file();
    }

    void fetch_file() {
        const auto &file = files_[idx_].first;
        blocked_ = false;
        splitter_ = std::make_unique<GzipLineSplitter>(
            [this](std::string_view line, uint64_t no) { return on_line(line, no); },
            static_cast<uint64_t>(cur_.line));
        p_.download(
            ctx_, file.url,
            [this](std::string_view chunk) {
                p_.count(ctx_, "download_bytes", static_cast<int64_t>(chunk.size()));
                return splitter_->feed(chunk);
            },
            [this](sdk::Result r) { on_file_done(std::move(r)); });
    }

    bool on_line(std::string_view line, uint64_t no) {
        MtaLine m = parse_mta_line(line);
        if (!m.json_ok) {
            std::string where = "file " + files_[idx_].second + " line " + std::to_string(no);
            if (!dead_.write(where, m.error, line)) {
                p_.log(HR_LOG_ERROR, ctx_.name + ": cannot write dead letter (" + dead_.error() + "); retrying");
                blocked_ = true;
                return false;
            }
            p_.count(ctx_, "dead_letters");
            p_.log(HR_LOG_WARN, ctx_.name + ": " + where + " is not JSON (" + m.error + "); written to " + dead_.path());
        } else {
            int64_t ts = m.timestamp_ns.value_or(0);
            if (!m.timestamp_ns) {
                p_.count(ctx_, "bad_time");
                ts = now_ns();
            }
            hr_status st = p_.emit(api_.tag, ts, m.source_ip, line);
            if (st != HR_OK) {
                blocked_ = true; // sinks behind (or stopping): resume this file later
                return false;
            }
            blocked_waits_ = 0;
            p_.count(ctx_, "entries");
            p_.count(ctx_, "bytes", static_cast<int64_t>(line.size()));
            if (ts > cur_.newest) cur_.newest = ts;
            ctx_.newest_event_ns = cur_.newest;
        }
        cur_.line = static_cast<int64_t>(no);
        p_.commit(key_, cur_.encode());
        return true;
    }

    void on_file_done(sdk::Result r) {
        auto splitter = std::move(splitter_);
        if (blocked_) {
            publish();
            refetch_when_unblocked();
            return;
        }
        if (r.status == 403 || r.status == 404) {
            // Pre-signed URLs expire: list again from the saved token, never skip.
            p_.log(HR_LOG_INFO, ctx_.name + ": file URL answered " + std::to_string(r.status) +
                                    "; listing again for a fresh URL");
            refetches_++;
            if (refetches_ > 3)
                p_.retry_later(ctx_, "file URLs keep failing", [this] { list(); });
            else
                list();
            return;
        }
        if (!r.transport_ok() || r.status < 200 || r.status >= 300) {
            p_.retry_later(ctx_, "download failed: " + (r.transport_ok() ? "HTTP " + std::to_string(r.status) : r.error),
                           [this] { fetch_file(); });
            return;
        }
        if (!splitter->finish()) {
            if (blocked_) {
                refetch_when_unblocked();
                return;
            }
            p_.retry_later(ctx_, "download incomplete (" + splitter->error() + "); fetching it again",
                           [this] { fetch_file(); });
            return;
        }
        refetches_ = 0;
        ctx_.backoff.reset();
        p_.count(ctx_, "files");
        remember(files_[idx_].second);
        p_.commit(files_key_, JsonOut().list("done", std::vector<std::string>(done_.begin(), done_.end())).done());
        cur_.file.clear();
        cur_.line = 0;
        p_.commit(key_, cur_.encode());
        publish();
        ++idx_;
        next_file();
    }

    // The sinks are behind: the file is fetched again from its saved line,
    // waiting longer each time nothing could be emitted (a long indexer
    // outage must not turn into a download every 200 ms).
    void refetch_when_unblocked() {
        auto wait = std::chrono::milliseconds(200) * (1 << std::min(blocked_waits_, 6));
        ++blocked_waits_;
        p_.after(ctx_, std::min<std::chrono::milliseconds>(wait, std::chrono::seconds(10)), [this] { fetch_file(); });
    }

    void page_done() {
        cur_.token = next_.empty() ? cur_.token : next_;
        cur_.file.clear();
        cur_.line = 0;
        p_.commit(key_, cur_.encode());
        publish();
        if (caught_up_) {
            if (!caught_up_logged_) {
                p_.log(HR_LOG_INFO, ctx_.name + ": caught up" +
                                        (cur_.newest ? ", lag " + std::to_string((now_ns() - cur_.newest) / kSecond) + " s"
                                                     : std::string()) +
                                        "; next poll in " + std::to_string(p_.config().request_interval_s) + " s");
                caught_up_logged_ = true;
            }
            p_.after(ctx_, std::chrono::seconds(p_.config().request_interval_s), [this] { list(); });
        } else {
            if (caught_up_logged_) p_.log(HR_LOG_INFO, ctx_.name + ": behind again; draining the backlog");
            caught_up_logged_ = false;
            list(); // more pages: straight on, within the budget
        }
    }

    void publish() { p_.publish_stats(ctx_); }

    Poller &p_;
    const ApiConfig &api_;
    ApiCtx ctx_;
    std::string key_, files_key_;
    DeadLetter dead_;
    BatchCursor cur_;
    std::deque<std::string> done_;
    std::set<std::string> done_set_;
    std::vector<std::pair<BatchFile, std::string>> files_;
    std::string next_;
    bool caught_up_ = false, caught_up_logged_ = false;
    size_t idx_ = 0;
    int refetches_ = 0;
    bool blocked_ = false;
    int blocked_waits_ = 0; // refetches in a row that emitted nothing
    std::unique_ptr<GzipLineSplitter> splitter_;
};

} // namespace

std::unique_ptr<Collector> make_batch_collector(Poller &p, const ApiConfig &api) {
    return std::make_unique<BatchCollector>(p, api);
}

} // namespace hr::mimecast
