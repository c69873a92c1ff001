// mimecast-sim: entry point. Parses flags, binds 127.0.0.1, prints the port, serves until
// SIGINT/SIGTERM, then writes the summary and exits 0.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include "config.hpp"
#include "server.hpp"
#include "sim.hpp"

int main(int argc, char** argv) {
  using namespace mcsim;
  Config cfg;
  std::string err;
  switch (parse_args(argc, argv, cfg, err)) {
    case ParseOutcome::Help:
      std::cout << usage();
      return 0;
    case ParseOutcome::Error:
      std::cerr << "mimecast-sim: " << err << "\n";
      return 2;
    case ParseOutcome::Ok:
      break;
  }
  std::vector<Fault> faults;
  for (const auto& spec : cfg.faults) {
    auto f = parse_fault(spec, err);
    if (!f) {
      std::cerr << "mimecast-sim: --fault " << spec << ": " << err << "\n";
      return 2;
    }
    faults.push_back(std::move(*f));
  }
  std::signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the simulator
  try {
    // Declared before the io_context so sessions (destroyed with it) never outlive it.
    Simulator sim(cfg, std::move(faults));
    boost::asio::io_context ioc{1};
    HttpServer server(ioc, cfg.port, [&sim](const Request& r) { return sim.handle(r); });
    sim.set_port(server.port());
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    int rc = 0;
    signals.async_wait([&](const boost::system::error_code&, int) {
      std::string e;
      if (!sim.write_summary(e)) {
        std::cerr << "mimecast-sim: " << e << "\n";
        rc = 1;
      }
      ioc.stop();
    });
    std::cout << "listening on 127.0.0.1:" << server.port() << std::endl;  // endl flushes
    ioc.run();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "mimecast-sim: " << e.what() << "\n";
    return 1;
  }
}
