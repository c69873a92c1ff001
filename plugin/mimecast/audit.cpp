// Audit events: POST /api/audit/get-audit-events.
//
// A window [start, end) is fixed when it opens and every page of it is read
// with the same bounds (moving `end` under a page token is a peer bug). Pages
// come newest first, so progress inside a window is "page token + records
// done on that page", committed after every record. When the last page is
// done the next window starts at this one's end; ids seen in its last second
// are kept to drop repeats should the API treat `end` as inclusive.
#include "cursor_json.hpp"
#include "poller.hpp"

#include <hr_mimecast/parse/pages.hpp>
#include <hr_mimecast/parse/requests.hpp>
#include <hr_mimecast/parse/time.hpp>

#include <set>

namespace hr::mimecast {
namespace {

constexpr int kPageSize = 500;
constexpr int64_t kSecond = 1000000000;

struct AuditCursor {
    int64_t next_start = 0; // start of the next window
    int64_t win_start = 0, win_end = 0; // win_end 0: no window open
    std::string page;     // token of the page in progress ("" = first page)
    int64_t done = 0;     // records of that page already emitted
    std::string last_id;  // id of the last record emitted on that page
    std::vector<std::string> edge;  // ids from the last second of the previous window
    std::vector<std::string> wedge; // ids so far in the last second of this window

    std::string encode() const {
        return JsonOut()
            .num("v", 1)
            .num("next_start", next_start)
            .num("win_start", win_start)
            .num("win_end", win_end)
            .str("page", page)
            .num("done", done)
            .str("last_id", last_id)
            .list("edge", edge)
            .list("wedge", wedge)
            .done();
    }
    static bool decode(const std::string &s, AuditCursor &c) {
        JsonIn in(s);
        if (!in.ok() || in.num("v") != 1) return false;
        c.next_start = in.num("next_start");
        c.win_start = in.num("win_start");
        c.win_end = in.num("win_end");
        c.page = in.str("page");
        c.done = in.num("done");
        c.last_id = in.str("last_id");
        c.edge = in.list("edge");
        c.wedge = in.list("wedge");
        return c.next_start > 0 || c.win_end > 0;
    }
};

class AuditCollector : public Collector {
public:
    AuditCollector(Poller &p, const ApiConfig &api)
        : p_(p), api_(api), ctx_(p.strand(), api.info->name), key_(std::string(api.info->name) + "-cursor") {}

    void start() override {
        auto saved = p_.state_get(key_);
        if (saved && AuditCursor::decode(*saved, cur_)) {
            p_.log(HR_LOG_INFO, ctx_.name + ": resuming from " + format_audit_time(cur_.win_end ? cur_.win_start : cur_.next_start));
        } else {
            if (saved) p_.log(HR_LOG_WARN, ctx_.name + ": saved cursor unreadable; starting from Lookback");
            cur_ = AuditCursor{};
            cur_.next_start = now_ns() - p_.config().lookback_h * 3600 * kSecond;
            p_.log(HR_LOG_INFO, ctx_.name + ": first run, starting " + std::to_string(p_.config().lookback_h) +
                                    " h back at " + format_audit_time(cur_.next_start));
        }
        edge_.clear();
        edge_.insert(cur_.edge.begin(), cur_.edge.end());
        step();
    }

    void stop() override {
        ctx_.timer.cancel();
        ctx_.in_flight.cancel();
    }

private:
    void step() {
        if (p_.stopping()) return;
        if (cur_.win_end == 0) {
            // Whole seconds: the API's time format has no fraction.
            int64_t end = now_ns() / kSecond * kSecond;
            if (end - cur_.next_start < kSecond) {
                caught_up();
                return;
            }
            cur_.win_start = cur_.next_start;
            cur_.win_end = end;
            cur_.page.clear();
            cur_.done = 0;
            cur_.last_id.clear();
            cur_.wedge.clear();
            p_.commit(key_, cur_.encode());
        }
        fetch_page();
    }

    void fetch_page() {
        int64_t s = cur_.win_start, e = cur_.win_end;
        std::string token = cur_.page;
        std::string url = p_.config().host + "/api/audit/get-audit-events";
        p_.api_call(
            ctx_,
            [url, s, e, token] {
                sdk::Request r;
                r.method = "POST";
                r.url = url;
                r.headers = {{"Content-Type", "application/json"}};
                r.body = build_audit_request(s, e, kPageSize, token);
                return r;
            },
            [this](sdk::Result r) { on_page(std::move(r)); });
    }

    void on_page(sdk::Result r) {
        body_ = std::move(r.body);
        auto res = parse_audit_page(r.status, body_);
        if (!res.ok()) {
            p_.retry_later(ctx_, "audit page refused: " + res.envelope.summary(), [this] { fetch_page(); });
            return;
        }
        ctx_.backoff.reset();
        page_ = std::move(res.page);
        idx_ = 0;
        // Resuming inside this page: skip what was emitted before the restart.
        if (cur_.done > 0) {
            size_t skip = static_cast<size_t>(cur_.done);
            if (!cur_.last_id.empty()) {
                for (size_t i = 0; i < page_.records.size(); ++i)
                    if (page_.records[i].id == cur_.last_id) skip = i + 1;
            }
            idx_ = std::min(skip, page_.records.size());
        }
        emit_records();
    }

    void emit_records() {
        if (p_.stopping()) return;
        const std::string &tag = api_.tag;
        for (; idx_ < page_.records.size(); ++idx_) {
            const auto &rec = page_.records[idx_];
            if (!rec.id.empty() && edge_.count(rec.id)) {
                p_.count(ctx_, "duplicates");
                advance(rec);
                continue;
            }
            int64_t ts = rec.event_time_ns.value_or(now_ns());
            if (!rec.event_time_ns) p_.count(ctx_, "bad_time");
            hr_status st = p_.emit(tag, ts, {}, rec.raw);
            if (st == HR_AGAIN) {
                // The sinks are behind: try again shortly, from this record.
                p_.after(ctx_, std::chrono::milliseconds(100), [this] { emit_records(); });
                publish();
                return;
            }
            if (st != HR_OK) return; // stopping
            p_.count(ctx_, "entries");
            p_.count(ctx_, "bytes", static_cast<int64_t>(rec.raw.size()));
            ctx_.newest_event_ns = std::max(ctx_.newest_event_ns, ts);
            advance(rec);
        }
        publish();
        if (!page_.last_page()) {
            cur_.page = page_.next_token;
            cur_.done = 0;
            cur_.last_id.clear();
            p_.commit(key_, cur_.encode());
            fetch_page(); // a backlog drains at the full budget, not one page per interval
            return;
        }
        close_window();
    }

    void advance(const AuditRecord &rec) {
        cur_.done++;
        cur_.last_id = rec.id;
        if (rec.event_time_ns && *rec.event_time_ns >= cur_.win_end - kSecond && !rec.id.empty())
            cur_.wedge.push_back(rec.id);
        p_.commit(key_, cur_.encode());
    }

    void close_window() {
        cur_.next_start = cur_.win_end;
        cur_.edge = std::move(cur_.wedge);
        cur_.wedge.clear();
        edge_.clear();
        edge_.insert(cur_.edge.begin(), cur_.edge.end());
        cur_.win_start = cur_.win_end = 0;
        cur_.page.clear();
        cur_.done = 0;
        cur_.last_id.clear();
        p_.commit(key_, cur_.encode());
        int64_t behind = now_ns() - cur_.next_start;
        if (behind > p_.config().request_interval_s * kSecond) {
            if (!behind_) p_.log(HR_LOG_INFO, ctx_.name + ": behind by " + std::to_string(behind / kSecond) + " s; continuing");
            behind_ = true;
            step();
        } else {
            caught_up();
        }
    }

    void caught_up() {
        if (behind_ || !announced_) {
            p_.log(HR_LOG_INFO, ctx_.name + ": caught up; next poll in " + std::to_string(p_.config().request_interval_s) + " s");
            announced_ = true;
        }
        behind_ = false;
        publish();
        p_.after(ctx_, std::chrono::seconds(p_.config().request_interval_s), [this] { step(); });
    }

    void publish() {
        ctx_.counters["position_s"] = (cur_.win_end ? cur_.win_start : cur_.next_start) / kSecond;
        p_.publish_stats(ctx_);
    }

    Poller &p_;
    const ApiConfig &api_;
    ApiCtx ctx_;
    std::string key_;
    AuditCursor cur_;
    std::set<std::string> edge_;
    std::string body_; // the page the record views point into
    AuditPage page_;
    size_t idx_ = 0;
    bool behind_ = true, announced_ = false;
};

} // namespace

std::unique_ptr<Collector> make_audit_collector(Poller &p, const ApiConfig &api) {
    return std::make_unique<AuditCollector>(p, api);
}

} // namespace hr::mimecast
