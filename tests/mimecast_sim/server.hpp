// HTTP/1.1 transport: accepts on 127.0.0.1, parses requests with Beast, hands them to a
// handler and writes the Reply (streamed bodies, delays, cut-off bodies for fault injection).
// Single-threaded: everything runs on the one io_context thread, so the handler needs no locks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>

#include "http_types.hpp"

namespace mcsim {

using Handler = std::function<Reply(const Request&)>;

class HttpServer {
 public:
  // Throws boost::system::system_error if the port cannot be bound.
  HttpServer(boost::asio::io_context& ioc, uint16_t port, Handler handler);
  uint16_t port() const { return port_; }

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  uint16_t port_ = 0;
};

}  // namespace mcsim
