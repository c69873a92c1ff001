// Fake Gravwell indexer for tests: the server side of ingest protocol 0x9, as
// Gravwell's public ingest library speaks it. Single-threaded Asio.
// Every entry received is written as one line in the file sink's format.
#include "file_sink.hpp"
#include "protocol.hpp"

#include <utility> // before Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace hr::gw;

namespace {

struct Options {
    std::string secret = "secret";
    std::string out;
    std::string unix_path;
    bool wrong_secret = false;
    bool reject_tags = false;
    long drop_after = -1;
    bool withhold_acks = false;
    long throttle_ms = 0;
    long ingest_ok_delay = 0;
    std::string tls_cert, tls_key;
    unsigned port = 0, tls_port = 0;
    std::string state_out;
    long drop_every = 0;
    long ack_delay_ms = 0;
};

Options opt;
FILE *out_file = nullptr;
FILE *state_file = nullptr;
long total_entries = 0;
bool dropped_once = false;
long next_drop = 0; // total_entries at which --drop-every drops next
uint64_t conn_counter = 0;

void log(const char *fmt, auto... args) {
    std::fprintf(stderr, fmt, args...);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

template <class Socket> struct Session : std::enable_shared_from_this<Session<Socket>> {
    explicit Session(Socket s) : sock(std::move(s)), wake(sock.get_executor()), tick(sock.get_executor()) {
        wake.expires_at(asio::steady_timer::time_point::max());
        id = ++conn_counter;
    }
    Socket sock;
    asio::steady_timer wake, tick;
    std::deque<std::string> outq;
    // Received, not yet confirmed: entry id and when it arrived (for --ack-delay-ms).
    std::deque<std::pair<uint64_t, std::chrono::steady_clock::time_point>> acks;
    std::map<uint16_t, std::string> tags;
    bool done = false;
    bool streaming = false;
    uint64_t id = 0;
    std::chrono::steady_clock::time_point last_rx = std::chrono::steady_clock::now();

    void send(std::string s) {
        outq.push_back(std::move(s));
        wake.cancel();
    }
    // Confirms what has been held --ack-delay-ms (everything when 0); the ticker sends the rest later.
    void flush_acks() {
        // Entries reach the output file before their confirmation leaves,
        // and no later than the next tick.
        std::fflush(out_file);
        if (opt.withhold_acks || acks.empty()) return;
        auto due = std::chrono::steady_clock::now() - std::chrono::milliseconds(opt.ack_delay_ms);
        std::string b;
        while (!acks.empty() && (opt.ack_delay_ms <= 0 || acks.front().second <= due)) {
            b += encode_word_u64(kConfirmEntry, acks.front().first);
            acks.pop_front();
        }
        if (!b.empty()) send(std::move(b));
    }
    void stop() {
        if (done) return;
        done = true;
        std::fflush(out_file);
        boost::system::error_code ec;
        sock.lowest_layer().shutdown(asio::socket_base::shutdown_both, ec);
        sock.lowest_layer().close(ec);
        wake.cancel();
        tick.cancel();
    }

    awaitable<std::string> read_n(size_t n) {
        std::string b(n, '\0');
        co_await asio::async_read(sock, asio::buffer(b), use_awaitable);
        last_rx = std::chrono::steady_clock::now();
        co_return b;
    }
    awaitable<uint32_t> read_u32() {
        auto b = co_await read_n(4);
        co_return get_u32(reinterpret_cast<const unsigned char *>(b.data()));
    }
    awaitable<uint64_t> read_u64() {
        auto b = co_await read_n(8);
        co_return get_u64(reinterpret_cast<const unsigned char *>(b.data()));
    }

    // self keeps the session alive: the coroutine starts after the spawner's pointer is gone.
    awaitable<void> writer(std::shared_ptr<Session> self) {
        (void)self;
        try {
            while (!done) {
                while (!outq.empty() && !done) {
                    std::string b = std::move(outq.front());
                    outq.pop_front();
                    co_await asio::async_write(sock, asio::buffer(b), use_awaitable);
                }
                if (done) break;
                boost::system::error_code ec;
                co_await wake.async_wait(asio::redirect_error(use_awaitable, ec));
                wake.expires_at(asio::steady_timer::time_point::max());
            }
        } catch (const std::exception &e) {
            if (!done) log("conn %llu: write failed: %s", (unsigned long long)id, e.what());
        }
        stop();
    }

    // Flushes batched confirmations, sends PONG while idle and THROTTLE if asked.
    // self keeps the session alive: the coroutine starts after the spawner's pointer is gone.
    awaitable<void> ticker(std::shared_ptr<Session> self) {
        (void)self;
        auto last_throttle = std::chrono::steady_clock::now();
        while (!done) {
            tick.expires_after(std::chrono::milliseconds(50));
            boost::system::error_code ec;
            co_await tick.async_wait(asio::redirect_error(use_awaitable, ec));
            if (done || !streaming) continue;
            flush_acks();
            auto now = std::chrono::steady_clock::now();
            if (now - last_rx > std::chrono::milliseconds(500)) send(encode_word(kPong));
            if (opt.throttle_ms > 0 && now - last_throttle >= std::chrono::milliseconds(opt.throttle_ms)) {
                last_throttle = now;
                send(encode_word_u64(kThrottle, uint64_t(opt.throttle_ms) * 500000)); // half the period
            }
        }
    }

    // self keeps the session alive: the coroutine starts after the spawner's pointer is gone.
    awaitable<void> run(std::shared_ptr<Session> self) {
        (void)self;
        try {
            if constexpr (requires { sock.async_handshake(asio::ssl::stream_base::server, use_awaitable); })
                co_await sock.async_handshake(asio::ssl::stream_base::server, use_awaitable);
            co_await handshake_and_stream();
        } catch (const std::exception &e) {
            if (!done) log("conn %llu: closed: %s", (unsigned long long)id, e.what());
        }
        stop();
    }

    awaitable<void> handshake_and_stream() {
        std::mt19937 rng(std::random_device{}());
        Challenge c;
        c.iterate = static_cast<uint16_t>(10000 + rng() % 10000);
        for (auto &b : c.rand) b = static_cast<unsigned char>(rng());
        c.version = kVersion;
        send(encode_challenge(c));
        auto resp = co_await read_n(32);
        auto want = challenge_response(auth_hash(opt.secret), c);
        if (opt.wrong_secret || std::memcmp(resp.data(), want.data(), 32) != 0) {
            log("conn %llu: auth rejected", (unsigned long long)id);
            send(encode_state_response(kStateBadSecret, "bad secret"));
            co_await drain_then_close();
            co_return;
        }
        send(encode_state_response(kStateAuthenticated, ""));

        uint32_t len = co_await read_u32();
        if (len > kMaxTagRequest) throw std::runtime_error("tag request too large");
        std::vector<std::string> names;
        if (!parse_tag_request_json(co_await read_n(len), names)) throw std::runtime_error("bad tag request");
        if (opt.reject_tags) {
            log("conn %llu: tags rejected", (unsigned long long)id);
            send(encode_tag_response({}));
            co_await drain_then_close();
            co_return;
        }
        std::map<std::string, uint16_t> m{{"default", 0}};
        for (auto &n : names) {
            if (!valid_tag(n)) throw std::runtime_error("invalid tag in request: " + n);
            if (!m.count(n)) m[n] = static_cast<uint16_t>(m.size());
        }
        for (auto &[k, v] : m) tags[v] = k;
        send(encode_tag_response(m));

        std::string slen_b = co_await read_n(2);
        uint16_t slen = get_u16(reinterpret_cast<const unsigned char *>(slen_b.data()));
        uint32_t sid = 0;
        std::string info;
        if (!parse_state_json(co_await read_n(slen), sid, info) || sid != kStateHot)
            throw std::runtime_error("expected hot state");
        log("conn %llu: hot, %zu tags", (unsigned long long)id, names.size());

        bool api_ver = false;
        for (;;) { // setup: FORCE_ACK, API_VER, ID, then INGEST_OK
            uint32_t cmd = co_await read_u32();
            if (cmd == kForceAck) continue;
            if (cmd == kApiVer) {
                co_await read_n(2);
                api_ver = true;
                send(encode_word(kConfirmApiVer));
            } else if (cmd == kId) {
                for (int i = 0; i < 3; ++i) {
                    uint32_t l = co_await read_u32();
                    if (l > 4096) throw std::runtime_error("ID field too long");
                    co_await read_n(l);
                }
                send(encode_word(kConfirmId));
            } else if (cmd == kIngestOk) {
                if (opt.ingest_ok_delay > 0) {
                    --opt.ingest_ok_delay;
                    send(encode_word_u64(kConfirmIngestOk, 0));
                    continue;
                }
                send(encode_word_u64(kConfirmIngestOk, 1));
                if (!api_ver) throw std::runtime_error("INGEST_OK before API_VER");
                auto cfg = co_await read_n(5);
                std::string ans;
                put_u32(ans, 1);
                ans.push_back(0); // no compression
                send(ans);
                (void)cfg;
                break;
            } else {
                char b[64];
                std::snprintf(b, sizeof b, "unexpected command 0x%08X during setup", cmd);
                throw std::runtime_error(b);
            }
        }
        streaming = true;

        for (;;) {
            uint32_t cmd = co_await read_u32();
            if (cmd == kNewEntry) {
                co_await read_entry();
                if (done) co_return;
            } else if (cmd == kForceAck) {
                flush_acks();
            } else if (cmd == kTag) {
                uint32_t l = co_await read_u32();
                if (l > kMaxTagName) throw std::runtime_error("TAG too long");
                auto name = co_await read_n(l);
                if (!valid_tag(name)) {
                    send(encode_word(kErrorTag));
                    continue;
                }
                uint16_t tid = 0;
                bool found = false;
                for (auto &[k, v] : tags)
                    if (v == name) { tid = k; found = true; }
                if (!found) {
                    tid = static_cast<uint16_t>(tags.size());
                    tags[tid] = name;
                }
                send(encode_word_u64(kConfirmTag, tid));
            } else if (cmd == kPing) {
            } else if (cmd == kIngesterState) {
                uint32_t l = co_await read_u32();
                if (l > (1u << 20)) throw std::runtime_error("ingester state too large");
                auto json = co_await read_n(l);
                log("conn %llu: ingester state %u bytes", (unsigned long long)id, l);
                if (state_file) {
                    for (auto &c : json)
                        if (c == '\n' || c == '\r') c = ' ';
                    json.push_back('\n');
                    std::fwrite(json.data(), 1, json.size(), state_file);
                    std::fflush(state_file);
                }
                send(encode_word(kConfirmIngesterState));
            } else {
                char b[64];
                std::snprintf(b, sizeof b, "unexpected command 0x%08X", cmd);
                throw std::runtime_error(b);
            }
        }
    }

    awaitable<void> read_entry() {
        auto h = co_await read_n(kEntryHeaderSize);
        auto p = reinterpret_cast<const unsigned char *>(h.data());
        uint32_t flags_len = get_u32(p);
        int64_t sec = static_cast<int64_t>(get_u64(p + 4));
        uint32_t nsec = get_u32(p + 12);
        uint16_t tag = get_u16(p + 16);
        Src src;
        std::memcpy(src.bytes.data(), p + 18, 16);
        src.ipv4 = flags_len & kFlagIpv4;
        uint64_t eid = co_await read_u64();
        auto data = co_await read_n(flags_len & kMaxDataSize);
        if (flags_len & kFlagEv) {
            uint32_t evsize = co_await read_u32();
            if (evsize < 8 || evsize > (32u << 20)) throw std::runtime_error("bad EV block");
            co_await read_n(evsize - 4);
        }
        auto t = tags.find(tag);
        if (t == tags.end()) throw std::runtime_error("entry with unknown tag id " + std::to_string(tag));
        hr::Entry e;
        e.ts_sec = sec - kGravwellEpochOffset;
        e.ts_nsec = nsec;
        e.tag = t->second;
        e.src = format_src(src);
        e.data = std::move(data);
        std::string line = hr::format_file_line(e);
        std::fwrite(line.data(), 1, line.size(), out_file);
        ++total_entries;
        if (opt.drop_after >= 0 && !dropped_once && total_entries >= opt.drop_after) {
            // Unconfirmed entries stay unconfirmed: the client must re-send them.
            dropped_once = true;
            log("conn %llu: dropping after %ld entries", (unsigned long long)id, total_entries);
            acks.clear();
            stop();
            co_return;
        }
        if (opt.drop_every > 0 && total_entries >= next_drop) {
            next_drop = total_entries + opt.drop_every;
            log("conn %llu: dropping at %ld entries (every %ld)", (unsigned long long)id, total_entries, opt.drop_every);
            acks.clear();
            stop();
            co_return;
        }
        acks.emplace_back(eid, std::chrono::steady_clock::now());
        if (acks.size() >= 256) flush_acks();
    }

    // Lets the writer send what is queued (a rejection), then closes.
    awaitable<void> drain_then_close() {
        asio::steady_timer t(sock.get_executor());
        for (int i = 0; i < 100 && !outq.empty() && !done; ++i) {
            t.expires_after(std::chrono::milliseconds(10));
            co_await t.async_wait(use_awaitable);
        }
        t.expires_after(std::chrono::milliseconds(50));
        co_await t.async_wait(use_awaitable);
        stop();
    }
};

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

awaitable<void> tls_accept_loop(asio::ip::tcp::acceptor &acc, asio::ssl::context &ctx) {
    for (;;) {
        auto s = co_await acc.async_accept(use_awaitable);
        auto sess = std::make_shared<Session<TlsStream>>(TlsStream(std::move(s), ctx));
        log("conn %llu: accepted (tls)", (unsigned long long)sess->id);
        auto ex = acc.get_executor();
        asio::co_spawn(ex, sess->writer(sess), asio::detached);
        asio::co_spawn(ex, sess->ticker(sess), asio::detached);
        asio::co_spawn(ex, sess->run(sess), asio::detached);
    }
}

template <class Acceptor> awaitable<void> accept_loop(Acceptor &acc) {
    for (;;) {
        auto s = co_await acc.async_accept(use_awaitable);
        auto sess = std::make_shared<Session<decltype(s)>>(std::move(s));
        log("conn %llu: accepted", (unsigned long long)sess->id);
        auto ex = acc.get_executor();
        asio::co_spawn(ex, sess->writer(sess), asio::detached);
        asio::co_spawn(ex, sess->ticker(sess), asio::detached);
        asio::co_spawn(ex, sess->run(sess), asio::detached);
    }
}

// Listens on 127.0.0.1:port (0: the OS picks); reuse_address lets a restarted
// indexer take back the port a previous instance had.
asio::ip::tcp::acceptor listen_on(asio::io_context &io, unsigned port) {
    asio::ip::tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)};
    asio::ip::tcp::acceptor acc(io);
    acc.open(ep.protocol());
    acc.set_option(asio::socket_base::reuse_address(true));
    acc.bind(ep);
    acc.listen();
    return acc;
}

int usage() {
    std::fprintf(stderr, "usage: fake_indexer --out PATH [--secret S] [--port N] [--unix PATH] [--wrong-secret]\n"
                         "  [--reject-tags] [--drop-after N] [--drop-every N] [--withhold-acks] [--ack-delay-ms N]\n"
                         "  [--throttle-ms N] [--ingest-ok-delay N] [--state-out PATH]\n"
                         "  [--tls-cert PEM --tls-key PEM [--tls-port N]]\n"
                         "--port N / --tls-port N listen on 127.0.0.1:N (default 0: the OS picks);\n"
                         "--throttle-ms N sends THROTTLE (N/2 ms) every N ms while streaming;\n"
                         "--drop-after N drops the connection once, at the Nth entry, unconfirmed;\n"
                         "--drop-every N drops the connection each time N more entries arrived, unconfirmed;\n"
                         "--ack-delay-ms N holds confirmations at least N ms (entries are written on receipt);\n"
                         "--state-out PATH appends each INGESTER_STATE JSON received as one line.\n");
    return 2;
}

} // namespace

int main(int argc, char **argv) {
    // A test killed mid-way must not leave its indexers behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) return 1;
    try {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            auto val = [&]() -> std::string {
                if (i + 1 >= argc) { usage(); std::exit(2); }
                return argv[++i];
            };
            if (a == "--out") opt.out = val();
            else if (a == "--secret") opt.secret = val();
            else if (a == "--unix") opt.unix_path = val();
            else if (a == "--wrong-secret") opt.wrong_secret = true;
            else if (a == "--reject-tags") opt.reject_tags = true;
            else if (a == "--drop-after") opt.drop_after = std::stol(val());
            else if (a == "--withhold-acks") opt.withhold_acks = true;
            else if (a == "--throttle-ms") opt.throttle_ms = std::stol(val());
            else if (a == "--ingest-ok-delay") opt.ingest_ok_delay = std::stol(val());
            else if (a == "--tls-cert") opt.tls_cert = val();
            else if (a == "--tls-key") opt.tls_key = val();
            else if (a == "--port") opt.port = static_cast<unsigned>(std::stoul(val()));
            else if (a == "--tls-port") opt.tls_port = static_cast<unsigned>(std::stoul(val()));
            else if (a == "--state-out") opt.state_out = val();
            else if (a == "--drop-every") opt.drop_every = std::stol(val());
            else if (a == "--ack-delay-ms") opt.ack_delay_ms = std::stol(val());
            else return usage();
        }
    } catch (const std::exception &) { // a number that is not one
        return usage();
    }
    if (opt.out.empty() || opt.port > 65535 || opt.tls_port > 65535) return usage();
    next_drop = opt.drop_every;
    out_file = std::fopen(opt.out.c_str(), "ae");
    if (!out_file) {
        std::perror(opt.out.c_str());
        return 1;
    }
    if (!opt.state_out.empty()) {
        state_file = std::fopen(opt.state_out.c_str(), "ae");
        if (!state_file) {
            std::perror(opt.state_out.c_str());
            return 1;
        }
    }
    try {
        asio::io_context io(1);
        asio::ip::tcp::acceptor acc = listen_on(io, opt.port);
        asio::co_spawn(io, accept_loop(acc), asio::detached);
        std::unique_ptr<asio::local::stream_protocol::acceptor> uacc;
        if (!opt.unix_path.empty()) {
            ::unlink(opt.unix_path.c_str());
            uacc = std::make_unique<asio::local::stream_protocol::acceptor>(
                io, asio::local::stream_protocol::endpoint(opt.unix_path));
            asio::co_spawn(io, accept_loop(*uacc), asio::detached);
        }
        // TLS (the Encrypted-Backend-Target) on a second port when a certificate is given.
        asio::ssl::context tls_ctx(asio::ssl::context::tls_server);
        std::unique_ptr<asio::ip::tcp::acceptor> tacc;
        if (!opt.tls_cert.empty()) {
            tls_ctx.use_certificate_chain_file(opt.tls_cert);
            tls_ctx.use_private_key_file(opt.tls_key, asio::ssl::context::pem);
            tacc = std::make_unique<asio::ip::tcp::acceptor>(listen_on(io, opt.tls_port));
            asio::co_spawn(io, tls_accept_loop(*tacc, tls_ctx), asio::detached);
        }
        std::printf("listening on 127.0.0.1:%u\n", unsigned(acc.local_endpoint().port()));
        if (tacc) std::printf("tls listening on 127.0.0.1:%u\n", unsigned(tacc->local_endpoint().port()));
        std::fflush(stdout);
        io.run();
    } catch (const std::exception &e) {
        log("fatal: %s", e.what());
        return 1;
    }
    return 0;
}
