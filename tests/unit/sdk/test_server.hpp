// A tiny HTTP/1.1 server on 127.0.0.1:<OS-chosen port> for HttpClient tests.
// Runs on its own thread and io_context so it never shares the client's pool.
#pragma once

// Boost 1.74 awaitable.hpp uses std::exchange without <utility> (GCC 12).
#include <utility>

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

namespace hr::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class TestServer {
public:
    struct Req {
        std::string method, path, body;
        std::map<std::string, std::string> headers;  // lower-case names
    };
    struct Reply {
        int status = 200;
        std::string body;
        std::string headers;  // raw "Name: value\r\n" lines
    };
    // Scripted answers for paths the built-in routes do not know. Set it
    // before the first request; it runs on the server thread.
    using Handler = std::function<std::optional<Reply>(const Req&)>;
    void set_handler(Handler h) { handler_ = std::move(h); }

    TestServer() : acceptor_(ctx_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
        port_ = acceptor_.local_endpoint().port();
        accept();
        thread_ = std::thread([this] { ctx_.run(); });
    }
    // Pending sessions die with the context (after the thread is joined).
    ~TestServer() {
        ctx_.stop();
        thread_.join();
    }

    unsigned short port() const { return port_; }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    int accepted() const { return accepted_.load(); }
    int requests() const { return requests_.load(); }
    std::string last_header(const std::string& lower_name) {
        std::lock_guard lk(mu_);
        auto it = last_headers_.find(lower_name);
        return it == last_headers_.end() ? std::string() : it->second;
    }

private:
    struct Session : std::enable_shared_from_this<Session> {
        Session(TestServer& srv, tcp::socket s) : srv(srv), sock(std::move(s)), timer(sock.get_executor()) {}
        TestServer& srv;
        tcp::socket sock;
        asio::steady_timer timer;
        asio::streambuf buf;
        std::string method, path, body;
        std::map<std::string, std::string> req_headers;
        int chunks_left = 0;

        void read_request() {
            asio::async_read_until(sock, buf, "\r\n\r\n", [self = shared_from_this()](auto ec, std::size_t n) {
                if (ec) return;
                self->parse_head(n);
            });
        }
        void parse_head(std::size_t n) {
            std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<long>(n));
            buf.consume(n);
            std::istringstream in(head);
            std::string version, line;
            in >> method >> path >> version;
            std::getline(in, line);
            std::map<std::string, std::string> headers;
            std::size_t content_length = 0;
            while (std::getline(in, line) && line != "\r") {
                auto colon = line.find(':');
                if (colon == std::string::npos) continue;
                std::string name = line.substr(0, colon);
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                std::string value = line.substr(colon + 1);
                while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
                while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
                headers[name] = value;
                if (name == "content-length") content_length = std::stoul(value);
            }
            {
                std::lock_guard lk(srv.mu_);
                srv.last_headers_ = headers;
            }
            req_headers = std::move(headers);
            srv.requests_++;
            const std::size_t have = buf.size();
            if (have >= content_length) {
                body.assign(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<long>(content_length));
                buf.consume(content_length);
                route();
                return;
            }
            asio::async_read(sock, buf, asio::transfer_exactly(content_length - have),
                             [self = shared_from_this(), content_length](auto ec, std::size_t) {
                                 if (ec) return;
                                 self->body.assign(asio::buffers_begin(self->buf.data()),
                                                   asio::buffers_begin(self->buf.data()) + static_cast<long>(content_length));
                                 self->buf.consume(content_length);
                                 self->route();
                             });
        }
        void respond(int status, const std::string& payload, const std::string& extra = "", bool close = false) {
            auto msg = std::make_shared<std::string>("HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
                                                     std::to_string(payload.size()) + "\r\n" + extra +
                                                     (close ? "Connection: close\r\n" : "") + "\r\n" + payload);
            asio::async_write(sock, asio::buffer(*msg), [self = shared_from_this(), msg, close](auto ec, std::size_t) {
                if (ec) return;
                if (close) {
                    boost::system::error_code ignored;
                    self->sock.shutdown(tcp::socket::shutdown_both, ignored);
                    self->sock.close(ignored);
                    return;
                }
                self->body.clear();
                self->read_request();
            });
        }
        void route() {
            if (srv.handler_) {
                if (auto r = srv.handler_(Req{method, path, body, req_headers})) return respond(r->status, r->body, r->headers);
            }
            if (path == "/hello") return respond(200, "hello");
            if (path == "/echo") return respond(200, method + "\n" + body, "X-Method: " + method + "\r\n");
            if (path.rfind("/status/", 0) == 0) return respond(std::stoi(path.substr(8)), "status body");
            if (path == "/headers")
                return respond(200, "{}",
                               "X-RateLimit-Remaining: 3\r\nX-RateLimit-Reset: 1500\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n");
            if (path == "/close") return respond(200, "bye", "", true);
            if (path.rfind("/big/", 0) == 0) return respond(200, std::string(std::stoul(path.substr(5)), 'x'));
            if (path == "/slow") {
                timer.expires_after(std::chrono::milliseconds(50));
                return timer.async_wait([self = shared_from_this()](auto) { self->respond(200, "slow"); });
            }
            if (path == "/chunked") return start_chunked();
            if (path == "/reset") return reset_mid_body();
            if (path == "/hang") {
                std::lock_guard lk(srv.mu_);
                srv.held_.insert(std::shared_ptr<tcp::socket>(shared_from_this(), &sock));
                return;  // never answer
            }
            respond(404, "not found");
        }
        void start_chunked() {
            chunks_left = 10;
            auto head = std::make_shared<std::string>("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            asio::async_write(sock, asio::buffer(*head), [self = shared_from_this(), head](auto ec, std::size_t) {
                if (!ec) self->next_chunk();
            });
        }
        void next_chunk() {
            auto data = std::make_shared<std::string>();
            if (chunks_left-- > 0) {
                *data = "3e8\r\n" + std::string(1000, static_cast<char>('a' + chunks_left)) + "\r\n";
            } else {
                *data = "0\r\n\r\n";
            }
            const bool last = chunks_left < 0;
            asio::async_write(sock, asio::buffer(*data), [self = shared_from_this(), data, last](auto ec, std::size_t) {
                if (ec) return;
                if (last) {
                    self->read_request();
                    return;
                }
                // A pause between chunks makes curl deliver them separately.
                self->timer.expires_after(std::chrono::milliseconds(5));
                self->timer.async_wait([self](auto) { self->next_chunk(); });
            });
        }
        void reset_mid_body() {
            auto data = std::make_shared<std::string>("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + std::string(1000, 'r'));
            asio::async_write(sock, asio::buffer(*data), [self = shared_from_this(), data](auto ec, std::size_t) {
                if (ec) return;
                self->timer.expires_after(std::chrono::milliseconds(20));
                self->timer.async_wait([self](auto) {
                    boost::system::error_code ignored;
                    self->sock.set_option(asio::socket_base::linger(true, 0), ignored);  // close => RST
                    self->sock.close(ignored);
                });
            });
        }
    };

    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
            if (ec) return;
            accepted_++;
            std::make_shared<Session>(*this, std::move(s))->read_request();
            accept();
        });
    }

    Handler handler_;
    asio::io_context ctx_;
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<int> accepted_{0};
    std::atomic<int> requests_{0};
    std::mutex mu_;
    std::map<std::string, std::string> last_headers_;
    std::set<std::shared_ptr<tcp::socket>> held_;
};

}  // namespace hr::test
