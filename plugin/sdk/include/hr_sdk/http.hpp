// HTTP client: one libcurl multi handle driven by Asio.
//
// curl never blocks a pool thread: its sockets are watched with Asio
// descriptors and its timeouts with an Asio timer (CURLMOPT_SOCKETFUNCTION /
// CURLMOPT_TIMERFUNCTION), and every curl call for one client runs on that
// client's strand. Connections are kept alive and reused across requests.
//
// curl_global_init() is NOT called here: the plugin's module_init does it
// once per process (tests do it in their main/fixture).
#pragma once

#include <boost/asio/io_context.hpp>
#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hr::sdk {

struct Request {
    std::string method = "GET";  // GET, POST, PUT, DELETE, HEAD, ...
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;  // sent as given
    // Owned here, so a retry of a copied Request re-sends the whole body.
    std::string body;
    long connect_timeout_ms = 10'000;
    // A stalled transfer (< limit bytes/s for time_s seconds, including the
    // wait for the first response byte) fails; a big download that keeps
    // moving is not cut by a flat total timeout.
    long low_speed_limit_bytes_per_s = 1;
    long low_speed_time_s = 60;
    // Optional hard limit on the whole request.
    std::optional<long> deadline_ms;
    // When no on_data handler is given the body is collected into
    // Result::body; more than this fails the request (CURLE_FILESIZE_EXCEEDED).
    std::size_t max_collected_bytes = 64u << 20;
};

struct Result {
    CURLcode code = CURLE_OK;  // transport outcome; HTTP errors are in status
    long status = 0;           // HTTP status of the (last) response, 0 if none
    std::string error;         // human text when code != CURLE_OK
    // Response headers, names lower-cased; repeated headers joined by ", ".
    std::map<std::string, std::string, std::less<>> headers;
    std::string body;           // only when Handlers::on_data was empty
    std::uint64_t body_bytes = 0;
    bool cancelled = false;      // cancel() / cancel_all() / client closed
    bool aborted_by_handler = false;  // on_data returned false or a handler threw

    bool transport_ok() const noexcept { return code == CURLE_OK; }
    bool http_ok() const noexcept { return code == CURLE_OK && status >= 200 && status < 300; }
    // Header value by lower-case name, or nullptr.
    const std::string* header(std::string_view lower_name) const;
};

// All handlers run on the client's strand, one at a time per client. They
// may call request()/cancel() (those only post); they must not block.
struct Handlers {
    // Each response header of the final response; name lower-cased.
    std::function<void(long status, std::string_view name, std::string_view value)> on_header;
    // Body bytes as they arrive; return false to abort the transfer.
    std::function<bool(std::string_view chunk)> on_data;
    // Asked before each chunk: true pauses receiving (the chunk is kept by
    // curl) until RequestHandle::resume(). Flow control for slow consumers.
    std::function<bool()> pause_when;
    // Exactly once per request (unless the io_context is destroyed first).
    std::function<void(Result result)> on_done;
};

namespace detail {
class HttpImpl;
}

// Cancels one request. Cheap to copy; harmless after the request finished
// or the client is gone.
class RequestHandle {
public:
    RequestHandle() = default;
    void cancel() const;
    // Continues a transfer that pause_when paused; harmless otherwise.
    void resume() const;
    std::uint64_t id() const noexcept { return id_; }

private:
    friend class HttpClient;
    RequestHandle(std::weak_ptr<detail::HttpImpl> impl, std::uint64_t id) : impl_(std::move(impl)), id_(id) {}
    std::weak_ptr<detail::HttpImpl> impl_;
    std::uint64_t id_ = 0;
};

struct HttpOptions {
    long max_host_connections = 0;   // 0 = curl's default (unlimited)
    long max_total_connections = 0;  // 0 = unlimited
    long max_connects = 0;           // connection cache size; 0 = curl's default
    std::string user_agent = "hosted_runner";
    std::string ca_file;             // extra CA bundle; empty = system default
    bool verbose = false;            // curl's own debug output to stderr
};

class HttpClient {
public:
    explicit HttpClient(boost::asio::io_context& ctx, HttpOptions options = {});
    // Closes the client: in-flight requests end with `cancelled`; the curl
    // handles are freed once the last pending Asio operation has run. The
    // io_context must outlive the client (and should still be running).
    ~HttpClient();

    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Starts a request; thread-safe. on_done is always called later, on
    // the strand, never from inside request().
    RequestHandle request(Request request, Handlers handlers);
    // Ends every in-flight request with `cancelled`; the client stays usable.
    void cancel_all();
    // cancel_all() and refuse further requests (they complete at once with
    // `cancelled`). Idempotent.
    void close();

    // Requests started and not yet done (approximate across threads).
    std::size_t in_flight() const noexcept;

private:
    std::shared_ptr<detail::HttpImpl> impl_;
};

}  // namespace hr::sdk
