#include "gravwell_sink.hpp"

// GCC 12 misreports Asio's coroutine-frame operator delete (recycling
// allocator) as mismatched; the pairing is Asio's own and correct.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <utility> // before Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <unistd.h>
#include <set>
#include <unordered_map>

namespace hr::gw {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

std::string Target::display() const {
    switch (kind) {
    case Kind::tcp: return "tcp://" + host + ":" + std::to_string(port);
    case Kind::tls: return "tls://" + host + ":" + std::to_string(port);
    case Kind::unix_socket: return "unix://" + host;
    }
    return host;
}

bool parse_target(Target::Kind kind, const std::string &text, Target &out, std::string &err) {
    out = Target{};
    out.kind = kind;
    if (kind == Target::Kind::unix_socket) {
        if (text.empty()) {
            err = "empty unix socket path";
            return false;
        }
        out.host = text;
        return true;
    }
    out.port = kind == Target::Kind::tls ? 4024 : 4023;
    std::string host = text, port;
    if (!text.empty() && text[0] == '[') { // [v6]:port
        auto close = text.find(']');
        if (close == std::string::npos) {
            err = "bad target '" + text + "': missing ']'";
            return false;
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                err = "bad target '" + text + "'";
                return false;
            }
            port = text.substr(close + 2);
        }
    } else if (auto c = text.find(':'); c != std::string::npos && text.find(':', c + 1) == std::string::npos) {
        host = text.substr(0, c);
        port = text.substr(c + 1);
    }
    if (host.empty()) {
        err = "bad target '" + text + "': empty host";
        return false;
    }
    if (!port.empty()) {
        char *end = nullptr;
        long p = std::strtol(port.c_str(), &end, 10);
        if (*end || p < 1 || p > 65535) {
            err = "bad target '" + text + "': bad port";
            return false;
        }
        out.port = static_cast<uint16_t>(p);
    }
    out.host = host;
    return true;
}

namespace {

// Invalid names are made valid rather than dropped: the entry still arrives.
std::string sanitize_tag(const std::string &tag) {
    if (auto n = normalize_tag(tag)) return *n;
    static constexpr const char *blanks = " \t\r\n\v\f";
    size_t b = tag.find_first_not_of(blanks);
    if (b == std::string::npos) return "default";
    std::string_view t(tag.data() + b, tag.find_last_not_of(blanks) + 1 - b);
    std::string out;
    for (unsigned char c : t) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@' ||
                  c == '#' || c == '+' || c == '-' || c == '_';
        out.push_back(ok ? static_cast<char>(c) : '_');
    }
    if (out.size() > kMaxTagName) out.resize(kMaxTagName);
    return out.empty() ? std::string("default") : out;
}

std::string mb(uint64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
    return b;
}

struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace

// One connection's life: state dropped with it, so late completions of a dead
// session cannot touch its successor.
// An entry on its way: from memory (made durable by its confirmation) or from
// the disk cache (already durable; the confirmation frees its cache record).
struct Item {
    EntryPtr e;
    bool cached = false;
    uint64_t handle = 0; // cache record, when cached
};

struct Session {
    std::map<uint64_t, Item> inflight; // entry id -> item, unconfirmed
    std::map<std::string, uint16_t> tags;
    uint64_t next_id = 1;
    bool dead = false;
    Clock::time_point throttle_until{};
    std::optional<std::pair<bool, uint64_t>> tag_answer; // (ok, id) for a mid-stream TAG
    Src default_src;
    uint16_t version = 0; // the indexer's, from its challenge
    std::string target;   // for log lines
    std::unique_ptr<asio::steady_timer> wake; // cancelled to wake the writer
    std::function<void()> close_stream;
    std::string error;
    void notify() {
        if (wake) wake->cancel();
    }
};

struct GravwellSink::Impl {
    explicit Impl(GravwellSink &s)
        : sink(s), work(asio::make_work_guard(io)), ssl_ctx(asio::ssl::context::tls_client) {}

    GravwellSink &sink;
    // Declared before io so it outlives it: coroutine frames destroyed with
    // io still erase themselves from it.
    std::set<std::shared_ptr<Session>> sessions; // handshaking or live, for stop
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    asio::ssl::context ssl_ctx;

    // io-thread state
    std::map<uint64_t, EntryPtr> pending; // in memory, not on any connection, by seq
    uint64_t pending_bytes = 0;
    std::deque<Item> cached_q;             // read back from the cache, not on any connection
    Clock::time_point last_live = Clock::now();
    bool cache_full = false, caching = false;
    uint64_t spilled = 0, drained = 0;
    std::set<uint64_t> acked_ahead;        // confirmed seqs above durable
    uint64_t durable = 0;
    std::set<std::string> known_tags{"default"};
    std::unordered_map<std::string, std::string> tag_cache; // raw -> valid name
    std::set<std::shared_ptr<Session>> live;
    std::vector<std::unique_ptr<asio::steady_timer>> backoff_timers;
    bool stopping = false;
    bool closing = false;
    Clock::time_point started = Clock::now();
    DiskCache *cache = nullptr; // owned by the sink; null without Ingest-Cache-Path
    bool cache_error_logged = false;
    std::unique_ptr<asio::steady_timer> hk_timer;

    // cross-thread
    std::mutex mu;
    std::condition_variable cv;
    uint64_t pushed = 0; // highest seq pushed
    bool io_done = false;

    const std::string &tag_of(const Entry &e) {
        auto it = tag_cache.find(e.tag);
        if (it == tag_cache.end()) it = tag_cache.emplace(e.tag, sanitize_tag(e.tag)).first;
        return it->second;
    }

    void wake_all() {
        for (auto &s : live) s->notify();
    }

    // Spreads a trickle of entries round-robin; a backlog wakes everyone.
    size_t rr = 0;
    void wake_for_push() {
        if (live.empty()) return;
        if (pending.size() + cached_q.size() > 64) return wake_all();
        auto it = live.begin();
        std::advance(it, rr++ % live.size());
        (*it)->notify();
    }

    void add_pending(const EntryPtr &e) {
        if (pending.emplace(e->seq, e).second) pending_bytes += e->data.size();
    }
    bool has_work() const { return !pending.empty() || !cached_q.empty(); }
    // Memory first: those entries hold the pollers' cursors back.
    Item front() const { return pending.empty() ? cached_q.front() : Item{pending.begin()->second}; }
    void pop_front() {
        if (!pending.empty()) {
            pending_bytes -= pending.begin()->second->data.size();
            pending.erase(pending.begin());
        } else {
            cached_q.pop_front();
        }
    }
    void spill();
    void refill_from_cache();
    awaitable<void> housekeeping();

    // notify=false while marking a batch; the last call notifies.
    // Marks seq durable; publish_durable() then tells the pipeline, once per
    // batch of confirmations rather than once per entry.
    void acked(uint64_t seq) {
        if (seq == durable + 1 && acked_ahead.empty()) {
            ++durable; // the common case: confirmations in order
        } else if (seq > durable) {
            acked_ahead.insert(seq);
            while (!acked_ahead.empty() && *acked_ahead.begin() == durable + 1) {
                acked_ahead.erase(acked_ahead.begin());
                ++durable;
            }
        }
    }
    void publish_durable() {
        if (durable == sink.durable_.load()) return;
        sink.durable_.store(durable);
        {
            std::lock_guard<std::mutex> g(mu);
        }
        cv.notify_all();
        if (sink.progress_) {
            try {
                sink.progress_();
            } catch (...) { // never let a callback kill the io thread
            }
        }
    }

    // A lost connection's unconfirmed entries go back to the shared queue.
    void requeue(Session &s) {
        s.dead = true;
        if (!s.inflight.empty()) sink.resent_.fetch_add(s.inflight.size());
        for (auto &[id, it] : s.inflight) {
            if (it.cached) cached_q.push_front(std::move(it));
            else add_pending(it.e);
        }
        s.inflight.clear();
        wake_all();
    }

    std::string state_json();
    awaitable<void> run_target(size_t idx);
    template <class Stream>
    awaitable<void> session(std::shared_ptr<Stream> st, std::shared_ptr<Session> s, bool &went_live);
    template <class Stream> awaitable<void> reader(std::shared_ptr<Stream> st, std::shared_ptr<Session> s);
};

namespace {

// Closes the stream when a step takes too long; re-armed per step.
class Deadline {
public:
    Deadline(asio::any_io_executor ex, std::function<void()> on_expire)
        : timer_(std::make_shared<asio::steady_timer>(ex)), fired_(std::make_shared<bool>(false)),
          on_expire_(std::make_shared<std::function<void()>>(std::move(on_expire))) {}
    ~Deadline() { disarm(); }
    void arm(std::chrono::milliseconds d) {
        timer_->expires_after(d);
        auto fired = fired_;
        auto fn = on_expire_;
        auto gen = ++*gen_;
        auto genp = gen_;
        timer_->async_wait([fired, fn, gen, genp](boost::system::error_code ec) {
            if (ec || gen != *genp) return; // re-armed or disarmed meanwhile
            *fired = true;
            (*fn)();
        });
    }
    void disarm() {
        ++*gen_;
        timer_->cancel();
    }
    bool fired() const { return *fired_; }

private:
    std::shared_ptr<asio::steady_timer> timer_;
    std::shared_ptr<bool> fired_;
    std::shared_ptr<std::function<void()>> on_expire_;
    std::shared_ptr<uint64_t> gen_ = std::make_shared<uint64_t>(0);
};

template <class Stream> awaitable<std::string> read_n(Stream &st, size_t n) {
    std::string b(n, '\0');
    co_await asio::async_read(st, asio::buffer(b), use_awaitable);
    co_return b;
}

template <class Stream> awaitable<void> write_all(Stream &st, const std::string &b) {
    co_await asio::async_write(st, asio::buffer(b), use_awaitable);
}

// Reads server words during setup until `want`, skipping keep-alives.
template <class Stream> awaitable<uint64_t> expect(Stream &st, uint32_t want, const char *what) {
    for (;;) {
        auto w = co_await read_n(st, 4);
        uint32_t cmd = get_u32(reinterpret_cast<const unsigned char *>(w.data()));
        if (cmd == kPong || cmd == kConfirmEntry) { // harmless strays
            if (cmd == kConfirmEntry) co_await read_n(st, 8);
            continue;
        }
        if (cmd != want) {
            char b[128];
            std::snprintf(b, sizeof b, "unexpected answer 0x%08X to %s", cmd, what);
            throw ProtocolError(b);
        }
        auto has = server_word_has_value(cmd);
        if (has && *has) {
            auto v = co_await read_n(st, 8);
            co_return get_u64(reinterpret_cast<const unsigned char *>(v.data()));
        }
        co_return 0;
    }
}

// Entries without a usable source carry the connection's local address, as
// Gravwell's own client does.
Src src_of(const asio::ip::address &a) {
    Src s;
    if (a.is_v4()) {
        auto b = a.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), s.bytes.begin());
        s.ipv4 = true;
    } else {
        auto b = a.to_v6().to_bytes();
        std::copy(b.begin(), b.end(), s.bytes.begin());
    }
    return s;
}

template <class Stream> void close_lowest(Stream &st) {
    boost::system::error_code ec;
    st.lowest_layer().shutdown(asio::socket_base::shutdown_both, ec);
    st.lowest_layer().close(ec);
}

} // namespace

template <class Stream>
awaitable<void> GravwellSink::Impl::reader(std::shared_ptr<Stream> st, std::shared_ptr<Session> s) {
    ServerDecoder dec;
    std::array<char, 8192> buf;
    bool freed = false; // confirmations made room on this connection
    try {
        for (;;) {
            size_t n = co_await st->async_read_some(asio::buffer(buf), use_awaitable);
            if (s->dead) break;
            dec.feed(buf.data(), n);
            while (auto m = dec.next()) {
                switch (m->cmd) {
                case kConfirmEntry: {
                    auto it = s->inflight.find(m->value);
                    if (it != s->inflight.end()) {
                        Item item = std::move(it->second);
                        s->inflight.erase(it);
                        sink.confirmed_entries_.fetch_add(1);
                        sink.confirmed_bytes_.fetch_add(item.e->data.size());
                        if (item.cached) {
                            cache->ack(item.handle);
                            ++drained;
                        } else {
                            acked(item.e->seq);
                        }
                        freed = true;
                    }
                    break;
                }
                case kThrottle: {
                    auto ns = std::min<uint64_t>(m->value, 5'000'000'000ull); // at most 5 s
                    s->throttle_until = Clock::now() + std::chrono::nanoseconds(ns);
                    break;
                }
                case kConfirmTag:
                    s->tag_answer = {true, m->value};
                    s->notify();
                    break;
                case kErrorTag:
                    s->tag_answer = {false, 0};
                    s->notify();
                    break;
                default: // PONG and late confirmations of setup steps
                    break;
                }
            }
            publish_durable();
            if (freed) s->notify(); // room for more unconfirmed entries
            freed = false;
            if (dec.failed()) throw ProtocolError(dec.error());
        }
    } catch (const std::exception &e) {
        if (s->error.empty() && !s->dead) s->error = e.what();
    }
    s->dead = true;
    s->notify();
}

template <class Stream>
awaitable<void> GravwellSink::Impl::session(std::shared_ptr<Stream> st, std::shared_ptr<Session> s,
                                            bool &went_live) {
    auto &cfg = sink.cfg_;
    s->wake = std::make_unique<asio::steady_timer>(io);
    s->close_stream = [st] { close_lowest(*st); };
    sessions.insert(s);
    struct Forget { // leaves the stop list however session() ends
        Impl &im;
        std::shared_ptr<Session> s;
        ~Forget() { im.sessions.erase(s); }
    } forget{*this, s};
    if (stopping) co_return;
    Deadline dl(io.get_executor(), [st] { close_lowest(*st); });
    dl.arm(cfg.handshake_timeout); // challenge, auth, tags and hot together
    try {
        auto chb = co_await read_n(*st, kChallengeSize);
        auto ch = parse_challenge(chb);
        s->version = ch->version;
        if (ch->version < 5)
            throw ProtocolError("indexer speaks protocol version " + std::to_string(ch->version) +
                                ", at least 5 is needed");
        auto resp = challenge_response(auth_hash(cfg.secret), *ch);
        co_await write_all(*st, std::string(reinterpret_cast<const char *>(resp.data()), resp.size()));

        auto lb = co_await read_n(*st, 2);
        uint16_t len = get_u16(reinterpret_cast<const unsigned char *>(lb.data()));
        if (len > kMaxStateResponse) throw ProtocolError("state response too large");
        uint32_t id = 0;
        std::string info;
        if (!parse_state_json(co_await read_n(*st, len), id, info)) throw ProtocolError("malformed state response");
        if (id == kStateBadSecret) throw ProtocolError("indexer rejected the ingest secret (bad secret)");
        if (id != kStateAuthenticated)
            throw ProtocolError("indexer refused authentication: " + (info.empty() ? std::to_string(id) : info));

        std::vector<std::string> tags(known_tags.begin(), known_tags.end());
        co_await write_all(*st, encode_tag_request(tags));
        auto tl = co_await read_n(*st, 4);
        uint32_t tlen = get_u32(reinterpret_cast<const unsigned char *>(tl.data()));
        if (tlen > kMaxTagRequest) throw ProtocolError("tag response too large");
        uint32_t count = 0;
        if (!parse_tag_response_json(co_await read_n(*st, tlen), count, s->tags))
            throw ProtocolError("malformed tag response");
        if (count == 0) throw ProtocolError("indexer refused tag negotiation");
        co_await write_all(*st, encode_state_response(kStateHot, ""));

        dl.arm(std::chrono::milliseconds(2000));
        co_await write_all(*st, encode_api_ver(kVersion));
        co_await expect(*st, kConfirmApiVer, "API_VER");
        dl.arm(std::chrono::milliseconds(2000));
        co_await write_all(*st, encode_id(cfg.ingester_name, cfg.ingester_version, cfg.ingester_uuid));
        co_await expect(*st, kConfirmId, "ID");
        for (;;) {
            dl.arm(std::chrono::milliseconds(2000));
            co_await write_all(*st, encode_word(kIngestOk));
            if (co_await expect(*st, kConfirmIngestOk, "INGEST_OK") == 1) break;
            dl.disarm(); // "not yet": ask again later
            s->wake->expires_after(cfg.ingest_ok_retry);
            boost::system::error_code ec;
            co_await s->wake->async_wait(asio::redirect_error(use_awaitable, ec));
            if (stopping || s->dead) co_return;
        }
        // Nothing may come between INGEST_OK and the stream configuration.
        dl.arm(std::chrono::milliseconds(1000));
        std::string sc;
        put_u32(sc, 1);
        sc.push_back(0); // no compression
        co_await write_all(*st, sc);
        auto ans = co_await read_n(*st, 5);
        if (ans[4] != 0) throw ProtocolError("indexer insists on compression");
        dl.disarm();
    } catch (const boost::system::system_error &e) {
        if (dl.fired()) throw ProtocolError("handshake timed out");
        throw;
    }

    // Hot: start streaming.
    went_live = true;
    sink.note(LogLevel::Info, "connected to " + s->target);
    live.insert(s);
    sink.live_.fetch_add(1);
    {
        std::lock_guard<std::mutex> g(mu);
    }
    cv.notify_all();
    asio::co_spawn(io, reader(st, s), asio::detached);

    std::string err;
    bool need_force_ack = false;
    auto next_force = Clock::now();
    // Ingester state needs protocol 6; sent first thing, then periodically.
    auto next_state = s->version >= 6 ? Clock::now() : Clock::time_point::max();
    try {
        for (;;) {
            if (s->dead || stopping) break;
            auto now = Clock::now();
            s->wake->expires_at(Clock::time_point::max());
            if (now >= next_state && s->throttle_until <= now) {
                auto json = state_json();
                std::string msg = encode_word(kForceAck) + encode_word(kIngesterState);
                put_u32(msg, static_cast<uint32_t>(json.size()));
                msg += json;
                co_await write_all(*st, msg);
                next_state = Clock::now() + cfg.state_interval;
                continue;
            }
            if (s->throttle_until > now) {
                s->wake->expires_at(s->throttle_until);
            } else if (s->inflight.size() < cfg.max_unconfirmed && has_work()) {
                // Take a modest batch so other connections get a share.
                std::string buf;
                size_t room = std::min<size_t>(64, cfg.max_unconfirmed - s->inflight.size());
                while (room-- > 0 && has_work()) {
                    Item item = front();
                    const std::string &tag = tag_of(*item.e);
                    auto tit = s->tags.find(tag);
                    if (tit == s->tags.end()) {
                        // New tag mid-stream: send what we have, then negotiate it.
                        known_tags.insert(tag);
                        if (!buf.empty()) {
                            co_await write_all(*st, buf);
                            need_force_ack = true;
                        }
                        buf.clear();
                        s->tag_answer.reset();
                        co_await write_all(*st, encode_tag(tag));
                        auto until = Clock::now() + cfg.handshake_timeout;
                        while (!s->tag_answer && !s->dead && Clock::now() < until) {
                            s->wake->expires_at(until);
                            boost::system::error_code ec;
                            co_await s->wake->async_wait(asio::redirect_error(use_awaitable, ec));
                        }
                        if (s->dead) break;
                        if (!s->tag_answer) throw ProtocolError("no answer to TAG " + tag);
                        if (!s->tag_answer->first) {
                            known_tags.erase(tag); // or every later handshake would carry it
                            throw ProtocolError("indexer refused tag '" + tag + "'");
                        }
                        tit = s->tags.emplace(tag, static_cast<uint16_t>(s->tag_answer->second)).first;
                        // Another connection took it meanwhile, or older entries came back.
                        if (!has_work() || front().e != item.e) break;
                    }
                    pop_front();
                    auto src = parse_src(item.e->src);
                    uint64_t id = s->next_id++;
                    buf += encode_entry(id, item.e->ts_sec, item.e->ts_nsec, tit->second, src ? *src : s->default_src,
                                        std::string_view(item.e->data).substr(0, kMaxDataSize));
                    s->inflight.emplace(id, std::move(item));
                }
                if (!buf.empty()) {
                    co_await write_all(*st, buf);
                    need_force_ack = true;
                }
                continue;
            } else if (need_force_ack || (closing && !s->inflight.empty() && now >= next_force)) {
                // Idle with unconfirmed entries: ask the indexer to confirm now.
                co_await write_all(*st, encode_word(kForceAck));
                need_force_ack = false;
                next_force = Clock::now() + std::chrono::milliseconds(500);
                continue;
            } else if (closing && !s->inflight.empty()) {
                s->wake->expires_at(next_force);
            }
            if (s->wake->expiry() > next_state) s->wake->expires_at(next_state);
            boost::system::error_code ec;
            co_await s->wake->async_wait(asio::redirect_error(use_awaitable, ec));
        }
    } catch (const std::exception &e) {
        err = e.what();
    }
    if (err.empty()) err = s->error;
    live.erase(s);
    sink.live_.fetch_sub(1);
    close_lowest(*st);
    requeue(*s);
    if (!err.empty() && !stopping) throw ProtocolError("connection lost: " + err);
}

awaitable<void> GravwellSink::Impl::run_target(size_t idx) {
    const Target t = sink.cfg_.targets[idx];
    auto backoff = sink.cfg_.backoff_initial;
    auto &timer = *backoff_timers[idx];
    std::string last_logged;
    Clock::time_point last_logged_at{};
    while (!stopping) {
        sink.attempts_.fetch_add(1);
        bool went_live = false;
        auto s = std::make_shared<Session>();
        s->target = t.display();
        try {
            if (t.kind == Target::Kind::unix_socket) {
                auto st = std::make_shared<asio::local::stream_protocol::socket>(io);
                Deadline cd(io.get_executor(), [st] { close_lowest(*st); });
                cd.arm(sink.cfg_.handshake_timeout);
                co_await st->async_connect(asio::local::stream_protocol::endpoint(t.host), use_awaitable);
                cd.disarm();
                s->default_src.bytes[15] = 1; // ::1, as Gravwell's client does over a pipe
                co_await session(st, s, went_live);
            } else {
                asio::ip::tcp::resolver res(io);
                auto eps = co_await res.async_resolve(t.host, std::to_string(t.port), use_awaitable);
                if (t.kind == Target::Kind::tcp) {
                    auto st = std::make_shared<asio::ip::tcp::socket>(io);
                    Deadline cd(io.get_executor(), [st] { close_lowest(*st); });
                    cd.arm(sink.cfg_.handshake_timeout);
                    co_await asio::async_connect(*st, eps, use_awaitable);
                    cd.disarm();
                    s->default_src = src_of(st->local_endpoint().address());
                    co_await session(st, s, went_live);
                } else {
                    using SslStream = asio::ssl::stream<asio::ip::tcp::socket>;
                    auto st = std::make_shared<SslStream>(io, ssl_ctx);
                    Deadline cd(io.get_executor(), [st] { close_lowest(*st); });
                    cd.arm(sink.cfg_.handshake_timeout);
                    co_await asio::async_connect(st->lowest_layer(), eps, use_awaitable);
                    if (!sink.cfg_.insecure_skip_tls_verify) {
                        st->set_verify_mode(asio::ssl::verify_peer);
                        st->set_verify_callback(asio::ssl::host_name_verification(t.host));
                    } else {
                        st->set_verify_mode(asio::ssl::verify_none);
                    }
                    boost::system::error_code aec;
                    asio::ip::make_address(t.host, aec);
                    if (aec) // SNI carries names only, never address literals
                        SSL_set_tlsext_host_name(st->native_handle(), t.host.c_str());
                    co_await st->async_handshake(asio::ssl::stream_base::client, use_awaitable);
                    cd.disarm();
                    s->default_src = src_of(st->lowest_layer().local_endpoint().address());
                    co_await session(st, s, went_live);
                }
            }
        } catch (const std::exception &e) {
            if (!stopping) {
                std::string msg = t.display() + ": " + e.what();
                sink.set_error(msg);
                // One line per distinct problem, repeated at most every 5 minutes.
                auto now = Clock::now();
                if (msg != last_logged || now - last_logged_at > std::chrono::minutes(5)) {
                    bool secret = msg.find("ingest secret") != std::string::npos;
                    sink.note(secret ? LogLevel::Error : LogLevel::Warn,
                              msg + (went_live ? "; reconnecting" : "; retrying with backoff"));
                    last_logged = msg;
                    last_logged_at = now;
                }
            }
        }
        requeue(*s);
        if (stopping) break;
        if (went_live) backoff = sink.cfg_.backoff_initial;
        timer.expires_after(backoff);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
        backoff = std::min(backoff * 2, sink.cfg_.backoff_max);
    }
}

// Writes in-memory entries to the disk cache, oldest first; written entries
// are durable. A full cache leaves the rest in memory, where the pipeline's
// bound makes the pollers wait.
void GravwellSink::Impl::spill() {
    size_t max_batch = 8192;
    while (!pending.empty()) {
        std::vector<EntryPtr> batch;
        size_t bytes = 0;
        for (auto it = pending.begin(); it != pending.end() && batch.size() < max_batch && bytes < (4u << 20); ++it) {
            batch.push_back(it->second);
            bytes += it->second->data.size();
        }
        std::string err;
        auto r = cache->append(batch, err);
        if (r == DiskCache::PutResult::ok) {
            if (!caching)
                sink.note(LogLevel::Warn, "no indexer is taking entries; keeping them in the cache at " +
                                              sink.cfg_.cache_path);
            caching = true;
            cache_full = false;
            for (size_t i = 0; i < batch.size(); ++i) {
                pending_bytes -= batch[i]->data.size();
                pending.erase(batch[i]->seq);
                acked(batch[i]->seq);
            }
            spilled += batch.size();
            publish_durable();
            continue;
        }
        if (r == DiskCache::PutResult::full && batch.size() > 1) { // a smaller batch may still fit
            max_batch = batch.size() / 2;
            continue;
        }
        if (r == DiskCache::PutResult::full) {
            if (!cache_full)
                sink.note(LogLevel::Warn, "cache full (" + mb(cache->bytes()) + " of " + mb(sink.cfg_.cache_max_bytes) +
                                              " at " + sink.cfg_.cache_path +
                                              "): pollers wait until an indexer takes entries");
            cache_full = true;
        } else {
            sink.set_error("cache: " + err);
            if (!cache_error_logged) sink.note(LogLevel::Error, "cache write failed: " + err + "; entries stay in memory");
            cache_error_logged = true;
        }
        return;
    }
    cache_error_logged = false;
}

// Keeps a bounded window of cached entries ready for the live connections.
void GravwellSink::Impl::refill_from_cache() {
    bool added = false;
    while (cached_q.size() < 2048) {
        auto c = cache->next();
        if (!c) break;
        cached_q.push_back(Item{c->entry, true, c->handle});
        added = true;
    }
    if (added) wake_all();
    if (caching && cache->empty() && cached_q.empty()) {
        sink.note(LogLevel::Info, "cache drained: " + std::to_string(drained) + " cached entries delivered");
        caching = false;
        cache_full = false;
    }
}

awaitable<void> GravwellSink::Impl::housekeeping() {
    const auto &cfg = sink.cfg_;
    auto next_report = Clock::now() + cfg.state_interval;
    std::string last_report;
    while (!stopping) {
        auto now = Clock::now();
        if (now >= next_report) { // progress, when something changed
            next_report = now + cfg.state_interval;
            std::string r = "progress: indexers=" + std::to_string(live.size()) + "/" +
                            std::to_string(cfg.targets.size()) +
                            " confirmed=" + std::to_string(sink.confirmed_entries_.load()) +
                            " resent=" + std::to_string(sink.resent_.load()) +
                            " waiting=" + std::to_string(pending.size());
            if (cache) r += " cached=" + std::to_string(cache->stored_entries()) + " cache=" + mb(cache->bytes());
            if (r != last_report) sink.note(LogLevel::Info, r);
            last_report = r;
        }
        if (!live.empty()) last_live = now;
        if (cache) {
            bool down = live.empty() && (cfg.cache_mode == CacheMode::always || now - last_live >= cfg.fail_grace);
            bool big = cfg.cache_mode == CacheMode::always && pending_bytes > cfg.spill_bytes;
            if ((down || big) && !pending.empty()) spill();
            if (!live.empty()) refill_from_cache();
        }
        hk_timer->expires_after(std::chrono::milliseconds(100));
        boost::system::error_code ec;
        co_await hk_timer->async_wait(asio::redirect_error(use_awaitable, ec));
    }
}

// Gravwell's IngesterState as JSON: the runner, with one child per plugin instance.
std::string GravwellSink::Impl::state_json() {
    namespace rj = rapidjson;
    rj::StringBuffer sb;
    rj::Writer<rj::StringBuffer> w(sb);
    const auto &cfg = sink.cfg_;
    auto str = [&](const char *k, const std::string &v) {
        w.Key(k);
        w.String(v.c_str(), static_cast<rj::SizeType>(v.size()));
    };
    auto tags = [&](const std::vector<std::string> &t) {
        w.Key("Tags");
        w.StartArray();
        for (const auto &x : t) w.String(x.c_str(), static_cast<rj::SizeType>(x.size()));
        w.EndArray();
    };
    // The fields the runner and each child share.
    auto identity = [&](const std::string &uuid, const std::string &name, uint64_t entries, uint64_t size) {
        str("UUID", uuid);
        str("Name", name);
        str("Version", cfg.ingester_version);
        str("Label", cfg.label);
        w.Key("Entries");
        w.Uint64(entries);
        w.Key("Size");
        w.Uint64(size);
    };
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    w.StartObject();
    identity(cfg.ingester_uuid, cfg.ingester_name, sink.confirmed_entries_.load(), sink.confirmed_bytes_.load());
    w.Key("IP");
    w.Null();
    str("Hostname", host);
    w.Key("Uptime");
    w.Int64(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count());
    tags(std::vector<std::string>(known_tags.begin(), known_tags.end()));
    str("CacheState", cache ? (cache->empty() ? "empty" : "active") : "disabled");
    w.Key("CacheSize");
    w.Uint64(cache ? cache->bytes() : 0);
    w.Key("Children");
    w.StartObject();
    std::vector<ChildState> kids;
    if (cfg.children) {
        try {
            kids = cfg.children();
        } catch (...) {
        }
    }
    for (const auto &k : kids) {
        w.Key(k.name.c_str(), static_cast<rj::SizeType>(k.name.size()));
        w.StartObject();
        identity(k.uuid, k.name, k.entries, k.bytes);
        tags(k.tags);
        w.Key("Metadata");
        w.StartObject();
        str("state", k.state);
        str("error", k.error);
        w.EndObject();
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

GravwellSink::GravwellSink(GravwellConfig cfg) : cfg_(std::move(cfg)) {}

void GravwellSink::note(LogLevel level, const std::string &msg) {
    if (cfg_.log) cfg_.log->write(level, "gravwell", msg);
}

GravwellSink::~GravwellSink() { close(); }

std::string GravwellSink::name() const {
    std::string n = "gravwell:";
    for (size_t i = 0; i < cfg_.targets.size(); ++i) {
        if (i) n += ','; // two appends: GCC 12 at -O3 flags `"," + string` (PR105329)
        n += cfg_.targets[i].display();
    }
    return n;
}

std::string GravwellSink::last_error() const {
    std::lock_guard<std::mutex> g(err_mu_);
    return last_error_;
}

void GravwellSink::set_error(std::string e) {
    std::lock_guard<std::mutex> g(err_mu_);
    last_error_ = std::move(e);
}

bool GravwellSink::open(std::string &err) {
    if (opened_) return true;
    if (cfg_.targets.empty()) {
        err = "gravwell: no backend target configured";
        return false;
    }
    if (!cfg_.cache_path.empty()) {
        cache_ = std::make_unique<DiskCache>();
        std::string cerr;
        if (!cache_->open(cfg_.cache_path, cfg_.cache_max_bytes, cerr)) {
            err = name() + ": Ingest-Cache-Path: " + cerr;
            cache_.reset();
            return false;
        }
        if (auto n = cache_->unread_entries())
            note(LogLevel::Info, std::to_string(n) + " entries wait in the cache at " + cfg_.cache_path +
                                     " from an earlier run; they go out once an indexer is connected");
    }
    impl_ = std::make_unique<Impl>(*this);
    impl_->cache = cache_.get();
    impl_->caching = cache_ && !cache_->empty();
    if (!cfg_.insecure_skip_tls_verify) {
        boost::system::error_code ec;
        impl_->ssl_ctx.set_default_verify_paths(ec);
        if (!cfg_.tls_ca_file.empty()) {
            impl_->ssl_ctx.load_verify_file(cfg_.tls_ca_file, ec);
            if (ec) {
                err = name() + ": cannot load TLS CA file " + cfg_.tls_ca_file + ": " + ec.message();
                impl_.reset();
                return false;
            }
        }
    }
    for (size_t i = 0; i < cfg_.targets.size(); ++i) {
        impl_->backoff_timers.push_back(std::make_unique<asio::steady_timer>(impl_->io));
        asio::co_spawn(impl_->io, impl_->run_target(i), [this](std::exception_ptr ep) {
            if (!ep) return;
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception &e) {
                set_error(std::string("gravwell: internal error: ") + e.what());
            }
        });
    }
    impl_->hk_timer = std::make_unique<asio::steady_timer>(impl_->io);
    asio::co_spawn(impl_->io, impl_->housekeeping(), asio::detached);
    opened_ = true;
    thread_ = std::thread([this] {
        for (;;) {
            try {
                impl_->io.run();
                break;
            } catch (const std::exception &e) { // keep serving the other connections
                set_error(std::string("gravwell: internal error: ") + e.what());
            }
        }
        std::lock_guard<std::mutex> g(impl_->mu);
        impl_->io_done = true;
        impl_->cv.notify_all();
    });
    if (cfg_.connection_timeout.count() > 0) {
        std::unique_lock<std::mutex> lk(impl_->mu);
        bool up = impl_->cv.wait_for(lk, cfg_.connection_timeout, [&] { return live_.load() > 0; });
        lk.unlock();
        if (!up && cache_) {
            note(LogLevel::Warn, "no indexer connection within Connection-Timeout; running on the cache meanwhile");
        } else if (!up) {
            std::string why = last_error();
            err = name() + ": no indexer connection within " + std::to_string(cfg_.connection_timeout.count()) +
                  " ms" + (why.empty() ? "" : " (" + why + ")");
            close();
            return false;
        }
    }
    return true;
}

void GravwellSink::push(EntryPtr entry) {
    if (!impl_ || closed_) return;
    {
        std::lock_guard<std::mutex> g(impl_->mu);
        impl_->pushed = std::max(impl_->pushed, entry->seq);
    }
    Impl *im = impl_.get();
    asio::post(im->io, [im, e = std::move(entry)] {
        im->add_pending(e);
        im->wake_for_push();
    });
}

void GravwellSink::close() {
    if (!opened_ || closed_) return;
    closed_ = true;
    Impl *im = impl_.get();
    asio::post(im->io, [im] {
        im->closing = true;
        im->wake_all();
    });
    {
        // Wait for confirmations of everything pushed, up to close_timeout;
        // with no indexer connected there is nobody to wait for (what is not
        // confirmed was never committed, or goes to the cache below).
        std::unique_lock<std::mutex> lk(im->mu);
        im->cv.wait_for(lk, cfg_.close_timeout,
                        [&] { return durable_.load() >= im->pushed || im->io_done || live_.load() == 0; });
    }
    asio::post(im->io, [im] {
        im->stopping = true;
        for (auto &s : im->sessions) {
            s->dead = true;
            if (s->close_stream) s->close_stream();
            s->notify();
        }
        for (auto &t : im->backoff_timers) t->cancel();
        if (im->hk_timer) im->hk_timer->cancel();
    });
    im->work.reset();
    {
        std::unique_lock<std::mutex> lk(im->mu);
        if (!im->cv.wait_for(lk, std::chrono::seconds(3), [&] { return im->io_done; })) {
            lk.unlock();
            im->io.stop(); // something still pending (a resolve, a handshake): cut it
        }
    }
    if (thread_.joinable()) thread_.join();
    if (cache_) {
        // The io thread is gone: what no indexer confirmed goes to the cache,
        // so a restart sends it instead of losing it.
        for (auto &s : im->sessions) im->requeue(*s);
        im->spill();
        if (!im->pending.empty())
            note(LogLevel::Warn, std::to_string(im->pending.size()) +
                                     " entries neither confirmed nor cached at shutdown; their cursors were not "
                                     "committed, so they are fetched again");
        cache_->close();
    }
    impl_.reset();
}

} // namespace hr::gw
