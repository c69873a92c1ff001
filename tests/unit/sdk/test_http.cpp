#include "test_server.hpp"

#include <hr_sdk/executor.hpp>
#include <hr_sdk/http.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

using hr::sdk::Executor;
using hr::sdk::Handlers;
using hr::sdk::HttpClient;
using hr::sdk::Request;
using hr::sdk::Result;
using namespace std::chrono_literals;

namespace {

// The plugin's module_init owns curl_global_init; the test binary plays that role.
struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
} const curl_global;

Request get(const std::string& url) {
    Request r;
    r.url = url;
    r.low_speed_time_s = 10;
    return r;
}

Result run(HttpClient& client, Request req, Handlers h = {}, std::chrono::seconds limit = 20s) {
    auto p = std::make_shared<std::promise<Result>>();
    auto f = p->get_future();
    h.on_done = [p](Result r) { p->set_value(std::move(r)); };
    client.request(std::move(req), std::move(h));
    REQUIRE(f.wait_for(limit) == std::future_status::ready);
    return f.get();
}

}  // namespace

TEST_CASE("http: GET collects the body and lower-cased headers", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    Result r = run(client, get(srv.url("/hello")));
    CHECK(r.transport_ok());
    CHECK(r.http_ok());
    CHECK(r.status == 200);
    CHECK(r.body == "hello");
    CHECK(r.body_bytes == 5);
    REQUIRE(r.header("content-length") != nullptr);
    CHECK(*r.header("content-length") == "5");
    CHECK(srv.last_header("accept-encoding").empty());  // we gunzip batch files ourselves
    CHECK(srv.last_header("expect").empty());
}

TEST_CASE("http: POST sends the owned body; a copied request re-sends it whole", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    Request req = get(srv.url("/echo"));
    req.method = "POST";
    req.body = std::string(300000, 'p') + "end";  // bigger than curl's 100-continue threshold
    req.headers = {{"Content-Type", "application/json"}, {"X-Test", "1"}};
    for (int attempt = 0; attempt < 2; ++attempt) {
        Result r = run(client, req);
        CHECK(r.status == 200);
        CHECK(r.body == "POST\n" + req.body);
        CHECK(*r.header("x-method") == "POST");
    }
    CHECK(srv.last_header("content-type") == "application/json");
    CHECK(srv.last_header("x-test") == "1");

    Request put = get(srv.url("/echo"));
    put.method = "PUT";
    put.body = "xyz";
    Result r = run(client, put);
    CHECK(r.body == "PUT\nxyz");
}

TEST_CASE("http: keep-alive reuses one connection", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    for (int i = 0; i < 5; ++i) CHECK(run(client, get(srv.url("/hello"))).status == 200);
    CHECK(srv.accepted() == 1);
    CHECK(srv.requests() == 5);
    // A server-side close forces a new connection next time, and that works.
    CHECK(run(client, get(srv.url("/close"))).body == "bye");
    CHECK(run(client, get(srv.url("/hello"))).body == "hello");
    CHECK(srv.accepted() == 2);
}

TEST_CASE("http: non-2xx is a transport success with the status", "[http]") {
    hr::test::TestServer srv;
    Executor ex(1);
    HttpClient client(ex.context());
    Result r = run(client, get(srv.url("/status/429")));
    CHECK(r.transport_ok());
    CHECK_FALSE(r.http_ok());
    CHECK(r.status == 429);
    CHECK(r.body == "status body");
}

TEST_CASE("http: headers are reported and repeated ones joined", "[http]") {
    hr::test::TestServer srv;
    Executor ex(1);
    HttpClient client(ex.context());
    std::vector<std::string> seen;
    Handlers h;
    h.on_header = [&](long status, std::string_view name, std::string_view value) {
        CHECK(status == 200);
        seen.push_back(std::string(name) + "=" + std::string(value));
    };
    Result r = run(client, get(srv.url("/headers")), h);
    CHECK(*r.header("x-ratelimit-remaining") == "3");
    CHECK(*r.header("x-ratelimit-reset") == "1500");
    CHECK(*r.header("set-cookie") == "a=1, b=2");
    CHECK(std::find(seen.begin(), seen.end(), "x-ratelimit-reset=1500") != seen.end());
}

TEST_CASE("http: a streamed body arrives in chunks", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    std::size_t total = 0, calls = 0;
    std::string first;
    Handlers h;
    h.on_data = [&](std::string_view chunk) {
        if (first.empty()) first = std::string(chunk.substr(0, 1));
        total += chunk.size();
        ++calls;
        return true;
    };
    Result r = run(client, get(srv.url("/chunked")), h);
    CHECK(r.status == 200);
    CHECK(total == 10000);
    CHECK(r.body.empty());  // streamed, not collected
    CHECK(calls >= 2);
    CHECK(first == "j");
    // The connection survives a chunked response.
    CHECK(run(client, get(srv.url("/hello"))).body == "hello");
    CHECK(srv.accepted() == 1);
}

TEST_CASE("http: on_data returning false aborts the transfer", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    Handlers h;
    h.on_data = [](std::string_view) { return false; };
    Result r = run(client, get(srv.url("/chunked")), h);
    CHECK_FALSE(r.transport_ok());
    CHECK(r.aborted_by_handler);
    CHECK(r.code == CURLE_WRITE_ERROR);

    Handlers t;
    t.on_data = [](std::string_view) -> bool { throw std::runtime_error("boom"); };
    r = run(client, get(srv.url("/hello")), t);
    CHECK(r.aborted_by_handler);
    CHECK(r.error.find("boom") != std::string::npos);
}

TEST_CASE("http: collected body is capped", "[http]") {
    hr::test::TestServer srv;
    Executor ex(1);
    HttpClient client(ex.context());
    Request req = get(srv.url("/big/100000"));
    req.max_collected_bytes = 1000;
    Result r = run(client, req);
    CHECK(r.code == CURLE_FILESIZE_EXCEEDED);
}

TEST_CASE("http: pause_when holds the transfer until resume, losing nothing", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    std::atomic<bool> hold{true};
    std::atomic<int> pauses{0};
    std::atomic<std::size_t> got{0};
    Handlers h;
    h.pause_when = [&] {
        if (!hold.load()) return false;
        ++pauses;
        return true;
    };
    h.on_data = [&](std::string_view c) {
        got += c.size();
        return true;
    };
    auto p = std::make_shared<std::promise<Result>>();
    auto f = p->get_future();
    h.on_done = [p](Result r) { p->set_value(std::move(r)); };
    auto handle = client.request(get(srv.url("/big/300000")), std::move(h));
    std::this_thread::sleep_for(300ms);
    CHECK(got.load() == 0); // paused before the first byte was taken
    CHECK(pauses.load() >= 1);
    CHECK(f.wait_for(0s) != std::future_status::ready);
    hold = false;
    handle.resume();
    REQUIRE(f.wait_for(20s) == std::future_status::ready);
    Result r = f.get();
    CHECK(r.http_ok());
    CHECK(got.load() == 300000);
    CHECK(r.body_bytes == 300000);
}

TEST_CASE("http: a reset mid-body is an error, not a hang", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    std::size_t got = 0;
    Handlers h;
    h.on_data = [&](std::string_view c) {
        got += c.size();
        return true;
    };
    const auto t0 = std::chrono::steady_clock::now();
    Result r = run(client, get(srv.url("/reset")), h);
    CHECK_FALSE(r.transport_ok());
    CHECK(r.status == 200);
    CHECK(got <= 1000);
    CHECK_FALSE(r.error.empty());
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("http: connection refused", "[http]") {
    unsigned short port = 0;
    {
        // Bind, learn the port, close: nothing listens there afterwards.
        boost::asio::io_context tmp;
        boost::asio::ip::tcp::acceptor a(tmp, {boost::asio::ip::address_v4::loopback(), 0});
        port = a.local_endpoint().port();
    }
    Executor ex(1);
    HttpClient client(ex.context());
    Result r = run(client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
    CHECK(r.code == CURLE_COULDNT_CONNECT);
    CHECK(r.status == 0);
}

TEST_CASE("http: a server that never answers hits the deadline", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    SECTION("total deadline") {
        Request req = get(srv.url("/hang"));
        req.deadline_ms = 300;
        const auto t0 = std::chrono::steady_clock::now();
        Result r = run(client, req);
        const auto took = std::chrono::steady_clock::now() - t0;
        CHECK(r.code == CURLE_OPERATION_TIMEDOUT);
        CHECK(took >= 250ms);
        CHECK(took < 5s);
    }
    SECTION("low-speed limit") {
        Request req = get(srv.url("/hang"));
        req.low_speed_time_s = 1;
        req.low_speed_limit_bytes_per_s = 10;
        Result r = run(client, req);
        CHECK(r.code == CURLE_OPERATION_TIMEDOUT);
    }
}

TEST_CASE("http: 50 concurrent requests", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    constexpr int n = 50;
    std::vector<std::future<Result>> results;
    for (int i = 0; i < n; ++i) {
        auto p = std::make_shared<std::promise<Result>>();
        results.push_back(p->get_future());
        Handlers h;
        h.on_done = [p](Result r) { p->set_value(std::move(r)); };
        client.request(get(srv.url(i % 2 ? "/slow" : "/chunked")), std::move(h));
    }
    int ok = 0;
    for (auto& f : results) {
        REQUIRE(f.wait_for(30s) == std::future_status::ready);
        Result r = f.get();
        if (r.status == 200) ++ok;
    }
    CHECK(ok == n);
    CHECK(srv.accepted() <= n);
    CHECK(client.in_flight() == 0);
}

TEST_CASE("http: cancel one, cancel all, close", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());

    auto start = [&](const std::string& path) {
        auto p = std::make_shared<std::promise<Result>>();
        auto f = p->get_future();
        Handlers h;
        h.on_done = [p](Result r) { p->set_value(std::move(r)); };
        auto handle = client.request(get(srv.url(path)), std::move(h));
        return std::make_pair(handle, std::move(f));
    };

    auto [h1, f1] = start("/hang");
    std::this_thread::sleep_for(50ms);
    h1.cancel();
    REQUIRE(f1.wait_for(5s) == std::future_status::ready);
    Result r1 = f1.get();
    CHECK(r1.cancelled);
    CHECK(r1.code == CURLE_ABORTED_BY_CALLBACK);
    h1.cancel();  // harmless after completion

    std::vector<std::future<Result>> hanging;
    for (int i = 0; i < 5; ++i) hanging.push_back(start("/hang").second);
    std::this_thread::sleep_for(50ms);
    client.cancel_all();
    for (auto& f : hanging) {
        REQUIRE(f.wait_for(5s) == std::future_status::ready);
        CHECK(f.get().cancelled);
    }
    // Still usable after cancel_all.
    CHECK(run(client, get(srv.url("/hello"))).body == "hello");

    client.close();
    Result r = run(client, get(srv.url("/hello")));
    CHECK(r.cancelled);
}

TEST_CASE("http: destroying the client with requests in flight", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    std::vector<std::future<Result>> fs;
    {
        HttpClient client(ex.context());
        for (int i = 0; i < 3; ++i) {
            auto p = std::make_shared<std::promise<Result>>();
            fs.push_back(p->get_future());
            Handlers h;
            h.on_done = [p](Result r) { p->set_value(std::move(r)); };
            client.request(get(srv.url(i == 0 ? "/hello" : "/hang")), std::move(h));
        }
        std::this_thread::sleep_for(100ms);
    }
    for (auto& f : fs) REQUIRE(f.wait_for(5s) == std::future_status::ready);
}

TEST_CASE("http: requests issued from inside on_done", "[http]") {
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    auto p = std::make_shared<std::promise<int>>();
    auto f = p->get_future();
    auto count = std::make_shared<int>(0);
    std::function<void()> next;
    next = [&] {
        Handlers h;
        h.on_done = [&, p, count](Result r) {
            if (r.status != 200 || ++*count == 10) {
                p->set_value(*count);
                return;
            }
            next();
        };
        client.request(get(srv.url("/hello")), std::move(h));
    };
    next();
    REQUIRE(f.wait_for(20s) == std::future_status::ready);
    CHECK(f.get() == 10);
    CHECK(srv.accepted() == 1);
}

TEST_CASE("http: a host name goes through curl's resolver socket", "[http]") {
    // Unlike a numeric address, "localhost" makes curl resolve on a helper
    // thread that signals through a socket pair curl hands to socket_cb.
    hr::test::TestServer srv;
    Executor ex(2);
    HttpClient client(ex.context());
    for (int i = 0; i < 3; ++i) {
        Result r = run(client, get("http://localhost:" + std::to_string(srv.port()) + "/hello"));
        CHECK(r.body == "hello");
    }
}
