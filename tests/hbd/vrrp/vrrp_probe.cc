// SPDX-License-Identifier: GPL-2.0-or-later
// vrrp_probe: runs one VrrpRouter from a vrrp.conf, for the keepalived interoperability test.
// Usage: vrrp_probe VRRP_CONF [STATUS_FILE]. Prints "STATE NAME STATE PRIO" per transition on stdout;
// SIGUSR1 (and exit) writes `NAME STATE PRIO key=value...` lines to STATUS_FILE; SIGTERM = orderly stop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hbd/vrrp/vrrp.h"
#include "resources/base/asio_scheduler.h"

namespace {

class StderrSink final : public hb::LogSink {
 public:
  bool enabled(hb::LogLevel l) const override { return l <= hb::LogLevel::Info; }
  void write(const hb::LogRecord& r) override { std::cerr << hb::formatRecord(r) << std::endl; }
};

void writeStatus(const hb::vrrp::VrrpRouter& router, const std::string& path) {
  if (path.empty()) return;
  std::ofstream out(path + ".tmp");
  for (const auto& s : router.status()) {
    out << s.name << ' ' << hb::vrrp::stateName(s.state) << ' ' << s.effective_priority
        << " master_down_us=" << s.master_down_interval.count() << " sent=" << s.adverts_sent
        << " received=" << s.adverts_received;
    for (std::size_t i = 1; i < hb::vrrp::kDropReasonCount; ++i) {
      out << ' ' << hb::vrrp::dropReasonName(static_cast<hb::vrrp::DropReason>(i)) << '='
          << s.dropped[i];
    }
    out << '\n';
  }
  auto un = router.unassignedDrops();
  out << "unassigned vrid_mismatch=" << un[static_cast<std::size_t>(hb::vrrp::DropReason::VridMismatch)]
      << '\n';
  out.close();
  std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: vrrp_probe VRRP_CONF [STATUS_FILE]\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << argv[1] << ": cannot read\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = hb::vrrp::parseVrrpConf(text.str(), argv[1]);
  for (const auto& d : parsed.diagnostics) std::cerr << d.format() << '\n';
  if (!parsed.ok()) return 1;
  const std::string status_path = argc > 2 ? argv[2] : "";

  boost::asio::io_context io;
  hb::AsioScheduler sched(io);
  StderrSink log;
  hb::vrrp::VrrpRouter router(io, sched, log, std::move(*parsed.value));
  router.onStateChange([&](const std::string& name, hb::vrrp::State, hb::vrrp::State s, int prio) {
    std::cout << "STATE " << name << ' ' << hb::vrrp::stateName(s) << ' ' << prio << std::endl;
    writeStatus(router, status_path);
  });
  if (auto r = router.start(); !r) {
    std::cerr << "vrrp_probe: " << r.error().message << '\n';
    return 3;
  }
  writeStatus(router, status_path);
  boost::asio::signal_set sigs(io, SIGTERM, SIGINT, SIGUSR1);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGUSR1) {
          writeStatus(router, status_path);
          sigs.async_wait(on_signal);
          return;
        }
        router.stop();
        writeStatus(router, status_path);
        io.stop();
      };
  sigs.async_wait(on_signal);
  io.run();
  return 0;
}
