#include "server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

namespace mcsim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, Handler& h) : stream_(std::move(s)), handler_(h), timer_(stream_.get_executor()) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(16 * 1024 * 1024);
    // Idle keep-alive connections are dropped eventually, like any real server does.
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read_header(stream_, buf_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

 private:
  void on_header(beast::error_code ec) {
    if (ec) return close();
    // Clients may hold a request body back until told to go on; answer as HTTP/1.1 requires.
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(out_), [self = shared_from_this()](beast::error_code e, size_t) {
        if (e) return self->close();
        self->read_body();
      });
    } else {
      read_body();
    }
  }

  void read_body() {
    // Completes at once when the header already ended the message (no body).
    http::async_read(stream_, buf_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();  // includes the client closing a keep-alive connection
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = parse_query(target.substr(q + 1));
    req.authorization = std::string(msg[http::field::authorization]);
    req.body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();
    reply_ = handler_(req);
    stream_.expires_never();
    if (reply_.delay_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(reply_.delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->send_head(); });
    } else {
      send_head();
    }
  }

  void send_head() {
    bool close_conn = !keep_alive_ || reply_.close_after;
    std::string head = "HTTP/1.1 " + std::to_string(reply_.status) + " " +
                       std::string(http::obsolete_reason(http::status(reply_.status))) + "\r\n";
    head += "Server: mimecast-sim\r\n";
    for (const auto& [k, v] : reply_.headers) head += k + ": " + v + "\r\n";
    chunked_ = reply_.source && !reply_.content_length;
    if (chunked_) head += "Transfer-Encoding: chunked\r\n";
    else
      head += "Content-Length: " +
              std::to_string(reply_.source ? *reply_.content_length : reply_.body.size()) + "\r\n";
    head += close_conn ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
    out_ = std::move(head);
    sent_ = 0;
    if (!reply_.source) {
      size_t n = reply_.body.size();
      if (reply_.send_limit) n = std::min<size_t>(n, *reply_.send_limit);
      out_.append(reply_.body, 0, n);
      write_out(false);
    } else {
      write_out(true);
    }
  }

  // Writes out_, then pumps the body source (if `more`) or finishes.
  void write_out(bool more) {
    stream_.expires_after(std::chrono::seconds(60));
    net::async_write(stream_, net::buffer(out_),
                     [self = shared_from_this(), more](beast::error_code ec, size_t) {
                       if (ec) return self->close();
                       if (more) self->pump();
                       else self->finish();
                     });
  }

  void pump() {
    std::string chunk;
    bool more = true;
    while (chunk.empty() && more) more = reply_.source->next(chunk);
    if (reply_.send_limit) {
      uint64_t room = *reply_.send_limit - sent_;
      if (chunk.size() >= room) {
        chunk.resize(size_t(room));
        more = false;
      }
    }
    sent_ += chunk.size();
    out_.clear();
    if (chunked_) {
      if (!chunk.empty()) {
        char len[32];
        int n = std::snprintf(len, sizeof len, "%zx\r\n", chunk.size());
        out_.append(len, size_t(n)).append(chunk).append("\r\n");
      }
      if (!more) out_ += "0\r\n\r\n";
    } else {
      out_ = std::move(chunk);
    }
    if (out_.empty() && !more) return finish();
    write_out(more);
  }

  void finish() {
    bool cut = reply_.send_limit.has_value();
    if (!cut && reply_.on_complete) reply_.on_complete();
    if (!keep_alive_ || reply_.close_after) return close();
    reply_ = Reply{};
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Handler& handler_;
  net::steady_timer timer_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool chunked_ = false;
  Reply reply_;
  std::string out_;
  uint64_t sent_ = 0;
};

}  // namespace

HttpServer::HttpServer(net::io_context& ioc, uint16_t port, Handler handler)
    : acceptor_(ioc), handler_(std::move(handler)) {
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void HttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(s), handler_)->read();
    }
    if (acceptor_.is_open()) accept();
  });
}

}  // namespace mcsim
