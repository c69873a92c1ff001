#include "hr_sdk/http.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

namespace hr::sdk {

const std::string* Result::header(std::string_view lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
}

namespace detail {
namespace {

#ifdef CURL_WRITEFUNC_ERROR
constexpr std::size_t kWriteAbort = CURL_WRITEFUNC_ERROR;
#else
constexpr std::size_t kWriteAbort = 0;
#endif

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && lower(a) == lower(b); }

}  // namespace

// One socket curl asked us to watch. Asio watches a dup() of curl's fd, so
// Asio never closes (or deregisters) a descriptor number curl owns, and a
// number curl closes and reuses can never alias a pending wait.
struct Watcher {
    Watcher(boost::asio::io_context& ctx, curl_socket_t fd) : curl_fd(fd), desc(ctx) {}
    curl_socket_t curl_fd;
    boost::asio::posix::stream_descriptor desc;
    bool want_read = false;
    bool want_write = false;
    bool read_pending = false;
    bool write_pending = false;
    bool closed = false;
};

struct Transfer {
    ~Transfer() {
        if (easy != nullptr) curl_easy_cleanup(easy);
        if (header_list != nullptr) curl_slist_free_all(header_list);
    }
    std::uint64_t id = 0;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    Request req;
    Handlers h;
    Result result;
    char errbuf[CURL_ERROR_SIZE] = {};
    std::string handler_error;  // why we aborted from a callback
    bool too_big = false;
    bool added = false;  // added to the multi handle
    bool paused = false; // receiving paused by pause_when
};

class HttpImpl : public std::enable_shared_from_this<HttpImpl> {
public:
    HttpImpl(boost::asio::io_context& ctx, HttpOptions opts);
    ~HttpImpl();

    void post_start(std::uint64_t id, Request req, Handlers h);
    void post_cancel(std::uint64_t id);
    void post_resume(std::uint64_t id);
    void post_cancel_all(bool close);

    std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
    std::atomic<std::size_t> in_flight{0};

private:
    static int socket_cb(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp) noexcept;
    static int timer_cb(CURLM* multi, long timeout_ms, void* userp) noexcept;
    static std::size_t write_cb(char* ptr, std::size_t size, std::size_t n, void* ud) noexcept;
    static std::size_t header_cb(char* ptr, std::size_t size, std::size_t n, void* ud) noexcept;

    void start(std::unique_ptr<Transfer> t);
    CURLcode setup(Transfer& t);
    void handle_socket(CURL* easy, curl_socket_t s, int what, Watcher* known);
    void handle_timer(long timeout_ms);
    void arm(const std::shared_ptr<Watcher>& w);
    void on_ready(const std::shared_ptr<Watcher>& w, bool read, const boost::system::error_code& ec);
    void close_watcher(Watcher& w);
    void socket_action(curl_socket_t s, int mask);
    void check_done();
    void finish(std::uint64_t id, CURLcode code, std::string error, bool cancelled);
    void fail_later(CURL* easy, std::string why);

    boost::asio::io_context& ctx_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    HttpOptions opts_;
    CURLM* multi_ = nullptr;
    boost::asio::steady_timer timer_;
    std::uint64_t timer_gen_ = 0;  // a stale timer completion must not fire curl's timeout
    std::unordered_map<curl_socket_t, std::shared_ptr<Watcher>> watchers_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;
    std::atomic<std::uint64_t> next_id_{1};
    bool closed_ = false;      // strand only
    bool destroying_ = false;  // curl calls back during cleanup; touch nothing async then
};

HttpImpl::HttpImpl(boost::asio::io_context& ctx, HttpOptions opts)
    : ctx_(ctx), strand_(boost::asio::make_strand(ctx)), opts_(std::move(opts)), timer_(ctx) {
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &HttpImpl::socket_cb);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &HttpImpl::timer_cb);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    if (opts_.max_host_connections > 0)
        curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, opts_.max_host_connections);
    if (opts_.max_total_connections > 0)
        curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, opts_.max_total_connections);
    if (opts_.max_connects > 0) curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, opts_.max_connects);
}

HttpImpl::~HttpImpl() {
    // No handler can be running now (each one holds a reference), so this
    // thread owns curl exclusively.
    destroying_ = true;
    for (auto& [id, t] : transfers_) {
        if (t->added) curl_multi_remove_handle(multi_, t->easy);
    }
    transfers_.clear();
    curl_multi_cleanup(multi_);  // closes cached connections; socket_cb sees REMOVEs
    for (auto& [fd, w] : watchers_) close_watcher(*w);
}

// ------------------------------------------------------------ public entry

void HttpImpl::post_start(std::uint64_t id, Request req, Handlers h) {
    auto t = std::make_unique<Transfer>();
    t->id = id;
    t->req = std::move(req);
    t->h = std::move(h);
    in_flight.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(strand_, [self = shared_from_this(), t = std::move(t)]() mutable { self->start(std::move(t)); });
}

void HttpImpl::post_cancel(std::uint64_t id) {
    boost::asio::post(strand_, [self = shared_from_this(), id] {
        if (self->transfers_.count(id) != 0) self->finish(id, CURLE_ABORTED_BY_CALLBACK, "cancelled", true);
    });
}

void HttpImpl::post_resume(std::uint64_t id) {
    boost::asio::post(strand_, [self = shared_from_this(), id] {
        auto it = self->transfers_.find(id);
        if (it == self->transfers_.end() || !it->second->paused) return;
        it->second->paused = false;
        // May call write_cb at once with the held bytes (on this strand).
        curl_easy_pause(it->second->easy, CURLPAUSE_CONT);
    });
}

void HttpImpl::post_cancel_all(bool close) {
    boost::asio::post(strand_, [self = shared_from_this(), close] {
        if (close) self->closed_ = true;
        std::vector<std::uint64_t> ids;
        ids.reserve(self->transfers_.size());
        for (auto& kv : self->transfers_) ids.push_back(kv.first);
        for (auto id : ids) self->finish(id, CURLE_ABORTED_BY_CALLBACK, "cancelled", true);
        if (close) {
            // Drop every pending wait so nothing keeps this object alive.
            for (auto& [fd, w] : self->watchers_) self->close_watcher(*w);
            self->watchers_.clear();
            ++self->timer_gen_;
            self->timer_.cancel();
        }
    });
}

// ------------------------------------------------------------ transfers

void HttpImpl::start(std::unique_ptr<Transfer> t) {
    const std::uint64_t id = t->id;
    transfers_.emplace(id, std::move(t));
    if (closed_) {
        finish(id, CURLE_ABORTED_BY_CALLBACK, "client closed", true);
        return;
    }
    Transfer& tr = *transfers_[id];
    tr.easy = curl_easy_init();
    if (tr.easy == nullptr) {
        finish(id, CURLE_FAILED_INIT, "curl_easy_init failed", false);
        return;
    }
    if (CURLcode rc = setup(tr); rc != CURLE_OK) {
        finish(id, rc, std::string("request setup: ") + curl_easy_strerror(rc), false);
        return;
    }
    // Adding fires timer_cb(0); the transfer then starts from the strand.
    if (CURLMcode mc = curl_multi_add_handle(multi_, tr.easy); mc != CURLM_OK) {
        finish(id, CURLE_FAILED_INIT, std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc), false);
        return;
    }
    tr.added = true;
}

CURLcode HttpImpl::setup(Transfer& t) {
    CURL* e = t.easy;
    const Request& r = t.req;
    CURLcode rc = CURLE_OK;
    auto set = [&](CURLoption opt, auto value) {
        if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, value);
    };
    set(CURLOPT_URL, r.url.c_str());
    set(CURLOPT_PRIVATE, static_cast<void*>(&t));
    set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from DNS timeouts in a host process
    set(CURLOPT_ERRORBUFFER, t.errbuf);
    set(CURLOPT_WRITEFUNCTION, &HttpImpl::write_cb);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
    set(CURLOPT_HEADERFUNCTION, &HttpImpl::header_cb);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
    set(CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms > 0 ? r.connect_timeout_ms : 10'000L);
    if (r.low_speed_time_s > 0 && r.low_speed_limit_bytes_per_s > 0) {
        set(CURLOPT_LOW_SPEED_LIMIT, r.low_speed_limit_bytes_per_s);
        set(CURLOPT_LOW_SPEED_TIME, r.low_speed_time_s);
    }
    if (r.deadline_ms && *r.deadline_ms > 0) set(CURLOPT_TIMEOUT_MS, *r.deadline_ms);
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    if (!opts_.user_agent.empty()) set(CURLOPT_USERAGENT, opts_.user_agent.c_str());
    if (!opts_.ca_file.empty()) set(CURLOPT_CAINFO, opts_.ca_file.c_str());
    if (opts_.verbose) set(CURLOPT_VERBOSE, 1L);
    // No CURLOPT_ACCEPT_ENCODING: batch files are gzip bodies we gunzip
    // ourselves, and transparent decoding would hide the real byte counts.

    const bool has_body = !r.body.empty();
    if (iequals(r.method, "GET") && !has_body) {
        set(CURLOPT_HTTPGET, 1L);
    } else if (iequals(r.method, "HEAD")) {
        set(CURLOPT_NOBODY, 1L);
    } else {
        if (iequals(r.method, "POST")) {
            set(CURLOPT_POST, 1L);
        } else {
            set(CURLOPT_CUSTOMREQUEST, r.method.c_str());
        }
        // curl reads the body in place; it lives in the Transfer.
        set(CURLOPT_POSTFIELDS, r.body.data());
        set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }

    bool has_expect = false;
    for (const auto& [name, value] : r.headers) {
        if (iequals(name, "expect")) has_expect = true;
        // "Name;" is curl's way to send a header with an empty value.
        std::string line = value.empty() ? name + ";" : name + ": " + value;
        curl_slist* next = curl_slist_append(t.header_list, line.c_str());
        if (next == nullptr) return CURLE_OUT_OF_MEMORY;
        t.header_list = next;
    }
    if (!has_expect) {
        // Without this curl waits up to 1 s for "100 Continue" on big bodies.
        curl_slist* next = curl_slist_append(t.header_list, "Expect:");
        if (next == nullptr) return CURLE_OUT_OF_MEMORY;
        t.header_list = next;
    }
    set(CURLOPT_HTTPHEADER, t.header_list);
    return rc;
}

void HttpImpl::finish(std::uint64_t id, CURLcode code, std::string error, bool cancelled) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    transfers_.erase(it);
    if (t->added) curl_multi_remove_handle(multi_, t->easy);  // the connection goes back to the cache

    Result r = std::move(t->result);
    r.code = code;
    r.cancelled = cancelled;
    if (code == CURLE_OK) {
        long status = 0;
        if (curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status != 0) r.status = status;
    } else if (t->too_big) {
        r.code = CURLE_FILESIZE_EXCEEDED;
        r.error = "response body exceeds " + std::to_string(t->req.max_collected_bytes) + " bytes";
    } else if (!t->handler_error.empty()) {
        r.error = std::move(t->handler_error);
    } else if (!error.empty()) {
        r.error = std::move(error);
    } else {
        r.error = t->errbuf[0] != '\0' ? std::string(t->errbuf) : std::string(curl_easy_strerror(code));
    }
    Handlers h = std::move(t->h);
    t.reset();
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (h.on_done) {
        try {
            h.on_done(std::move(r));
        } catch (...) {
            // The caller's bug must not take the client's strand down.
        }
    }
}

void HttpImpl::fail_later(CURL* easy, std::string why) {
    if (easy == nullptr) return;
    void* p = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK || p == nullptr) return;
    const std::uint64_t id = static_cast<Transfer*>(p)->id;
    // Not from inside curl's callback: curl is mid-call.
    boost::asio::post(strand_, [self = shared_from_this(), id, why = std::move(why)]() mutable {
        self->finish(id, CURLE_COULDNT_CONNECT, std::move(why), false);
    });
}

void HttpImpl::check_done() {
    std::vector<std::pair<std::uint64_t, CURLcode>> done;
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
        if (m->msg != CURLMSG_DONE) continue;
        void* p = nullptr;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
        if (p != nullptr) done.emplace_back(static_cast<Transfer*>(p)->id, m->data.result);
    }
    // Completion handlers run after curl's queue is drained.
    for (auto [id, code] : done) finish(id, code, {}, false);
}

void HttpImpl::socket_action(curl_socket_t s, int mask) {
    int running = 0;
    CURLMcode mc = curl_multi_socket_action(multi_, s, mask, &running);
    if (mc != CURLM_OK && mc != CURLM_BAD_SOCKET) {
        // The multi handle is unusable; fail everything rather than hang.
        std::vector<std::uint64_t> ids;
        for (auto& kv : transfers_) ids.push_back(kv.first);
        for (auto id : ids)
            finish(id, CURLE_FAILED_INIT, std::string("curl_multi_socket_action: ") + curl_multi_strerror(mc), false);
        return;
    }
    check_done();
}

// ------------------------------------------------------------ curl callbacks

int HttpImpl::socket_cb(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp) noexcept {
    auto* self = static_cast<HttpImpl*>(userp);
    try {
        self->handle_socket(easy, s, what, static_cast<Watcher*>(socketp));
    } catch (const std::exception& e) {
        // Returning -1 would mark the whole multi handle dead; fail this one.
        try {
            self->fail_later(easy, std::string("cannot watch socket: ") + e.what());
        } catch (...) {
        }
    } catch (...) {
    }
    return 0;
}

void HttpImpl::handle_socket(CURL* easy, curl_socket_t s, int what, Watcher* known) {
    auto it = watchers_.find(s);
    if (what == CURL_POLL_REMOVE) {
        if (it != watchers_.end()) {
            close_watcher(*it->second);
            watchers_.erase(it);
        }
        return;
    }
    if (destroying_ || closed_) return;  // no new waits: they would keep us alive

    std::shared_ptr<Watcher> w;
    if (it != watchers_.end()) {
        if (known == it->second.get()) {
            w = it->second;
        } else {
            // curl forgot our pointer: it closed that number and reused it
            // without telling us. The old watcher watches a dead socket.
            close_watcher(*it->second);
            watchers_.erase(it);
        }
    }
    if (!w) {
        w = std::make_shared<Watcher>(ctx_, s);
        const int dup_fd = ::fcntl(s, F_DUPFD_CLOEXEC, 0);
        if (dup_fd < 0) throw std::system_error(errno, std::generic_category(), "dup");
        boost::system::error_code ec;
        w->desc.assign(dup_fd, ec);
        if (ec) {
            ::close(dup_fd);
            throw std::system_error(ec.value(), std::generic_category(), "assign");
        }
        watchers_[s] = w;
        curl_multi_assign(multi_, s, w.get());
    }
    w->want_read = (what & CURL_POLL_IN) != 0;
    w->want_write = (what & CURL_POLL_OUT) != 0;
    (void)easy;
    arm(w);
}

void HttpImpl::arm(const std::shared_ptr<Watcher>& w) {
    using boost::asio::posix::descriptor_base;
    // At most one wait per direction; re-armed after curl has acted.
    if (w->want_read && !w->read_pending) {
        w->read_pending = true;
        w->desc.async_wait(descriptor_base::wait_read,
                           boost::asio::bind_executor(strand_, [self = shared_from_this(), w](const boost::system::error_code& ec) {
                               self->on_ready(w, true, ec);
                           }));
    }
    if (w->want_write && !w->write_pending) {
        w->write_pending = true;
        w->desc.async_wait(descriptor_base::wait_write,
                           boost::asio::bind_executor(strand_, [self = shared_from_this(), w](const boost::system::error_code& ec) {
                               self->on_ready(w, false, ec);
                           }));
    }
}

void HttpImpl::on_ready(const std::shared_ptr<Watcher>& w, bool read, const boost::system::error_code& ec) {
    (read ? w->read_pending : w->write_pending) = false;
    if (w->closed || closed_ || ec == boost::asio::error::operation_aborted) return;
    int mask = 0;
    if (ec) {
        mask = CURL_CSELECT_ERR;
    } else if (read ? w->want_read : w->want_write) {
        mask = read ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
    } else {
        return;  // curl lost interest in this direction meanwhile
    }
    // May call socket_cb (re-entrant): it can re-arm, remove or close w.
    socket_action(w->curl_fd, mask);
    if (!w->closed && !closed_) arm(w);
}

void HttpImpl::close_watcher(Watcher& w) {
    w.closed = true;
    boost::system::error_code ignored;
    w.desc.close(ignored);  // our dup only; pending waits end as aborted
}

int HttpImpl::timer_cb(CURLM*, long timeout_ms, void* userp) noexcept {
    try {
        static_cast<HttpImpl*>(userp)->handle_timer(timeout_ms);
    } catch (...) {
        // -1 would kill the multi handle; the next curl call re-sets the timer.
    }
    return 0;
}

void HttpImpl::handle_timer(long timeout_ms) {
    ++timer_gen_;
    if (destroying_) return;
    if (timeout_ms < 0 || closed_) {
        timer_.cancel();
        return;
    }
    // Even 0 goes through the timer: curl forbids socket_action from here.
    timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    timer_.async_wait(boost::asio::bind_executor(
        strand_, [self = shared_from_this(), gen = timer_gen_](const boost::system::error_code& ec) {
            if (ec || gen != self->timer_gen_ || self->closed_) return;
            self->socket_action(CURL_SOCKET_TIMEOUT, 0);
        }));
}

std::size_t HttpImpl::write_cb(char* ptr, std::size_t size, std::size_t n, void* ud) noexcept {
    auto* t = static_cast<Transfer*>(ud);
    const std::size_t len = size * n;
    try {
        if (t->h.pause_when && t->h.pause_when()) {
            // Not consumed: curl hands the same bytes again after resume.
            t->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        t->result.body_bytes += len;
        if (t->h.on_data) {
            if (!t->h.on_data(std::string_view(ptr, len))) {
                t->result.aborted_by_handler = true;
                t->handler_error = "aborted by on_data";
                return kWriteAbort;
            }
        } else {
            if (t->result.body.size() + len > t->req.max_collected_bytes) {
                t->too_big = true;
                return kWriteAbort;
            }
            t->result.body.append(ptr, len);
        }
    } catch (const std::exception& e) {
        t->result.aborted_by_handler = true;
        t->handler_error = std::string("on_data threw: ") + e.what();
        return kWriteAbort;
    } catch (...) {
        t->result.aborted_by_handler = true;
        t->handler_error = "on_data threw";
        return kWriteAbort;
    }
    return len;
}

std::size_t HttpImpl::header_cb(char* ptr, std::size_t size, std::size_t n, void* ud) noexcept {
    auto* t = static_cast<Transfer*>(ud);
    const std::size_t len = size * n;
    try {
        std::string_view line = trim(std::string_view(ptr, len));
        if (line.substr(0, 5) == "HTTP/") {
            // A new response (after 1xx or a retried connection): start over.
            const auto sp = line.find(' ');
            long status = 0;
            if (sp != std::string_view::npos) {
                for (std::size_t i = sp + 1; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i)
                    status = status * 10 + (line[i] - '0');
            }
            t->result.status = status;
            t->result.headers.clear();
            return len;
        }
        if (line.empty() || (t->result.status >= 100 && t->result.status < 200)) return len;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return len;
        std::string name = lower(trim(line.substr(0, colon)));
        std::string_view value = trim(line.substr(colon + 1));
        auto [it, inserted] = t->result.headers.try_emplace(name, value);
        if (!inserted) {
            it->second.append(", ");
            it->second.append(value);
        }
        if (t->h.on_header) t->h.on_header(t->result.status, name, value);
    } catch (const std::exception& e) {
        t->result.aborted_by_handler = true;
        t->handler_error = std::string("on_header threw: ") + e.what();
        return 0;
    } catch (...) {
        t->result.aborted_by_handler = true;
        t->handler_error = "on_header threw";
        return 0;
    }
    return len;
}

}  // namespace detail

// ------------------------------------------------------------ facade

void RequestHandle::cancel() const {
    if (auto impl = impl_.lock()) impl->post_cancel(id_);
}

void RequestHandle::resume() const {
    if (auto impl = impl_.lock()) impl->post_resume(id_);
}

HttpClient::HttpClient(boost::asio::io_context& ctx, HttpOptions options)
    : impl_(std::make_shared<detail::HttpImpl>(ctx, std::move(options))) {}

HttpClient::~HttpClient() {
    try {
        impl_->post_cancel_all(true);
    } catch (...) {
        // Out of memory while posting: the impl then dies with the context.
    }
}

RequestHandle HttpClient::request(Request request, Handlers handlers) {
    const std::uint64_t id = impl_->next_id();
    impl_->post_start(id, std::move(request), std::move(handlers));
    return RequestHandle(impl_, id);
}

void HttpClient::cancel_all() { impl_->post_cancel_all(false); }
void HttpClient::close() { impl_->post_cancel_all(true); }
std::size_t HttpClient::in_flight() const noexcept { return impl_->in_flight.load(std::memory_order_relaxed); }

}  // namespace hr::sdk
