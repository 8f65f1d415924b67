// SPDX-License-Identifier: GPL-2.0-or-later
// link_probe: opens one link from argv, sends N frames, prints how many frames it received.
//
//   link_probe --kind ucast|bcast|mcast|serial [--interface IF] [--peer IP]... [--group G]
//              [--port P] [--ttl N] [--loop] [--device PATH] [--baud B]
//              [--count N] [--interval-ms MS] [--start-delay-ms MS] [--linger-ms MS]
//
// Waits start-delay (so the peer probe is listening), sends `count` frames every interval, then
// keeps receiving for linger and prints `sent S received R bad B` on stdout. Frames from this
// host's own addresses (our own broadcasts) are not counted. Exit 0 when it ran, 1 when the link
// could not be opened, 2 on a usage error.
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hbd/link/link.h"
#include "resources/base/asio_scheduler.h"

namespace {

using hb::link::LinkOptions;

int usage(const char* why) {
  std::fprintf(stderr, "link_probe: %s\n", why);
  return 2;
}

class StderrSink final : public hb::LogSink {
 public:
  bool enabled(hb::LogLevel level) const override { return level <= hb::LogLevel::Info; }
  void write(const hb::LogRecord& r) override {
    std::fprintf(stderr, "%s\n", hb::formatRecord(r).c_str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  LinkOptions o;
  int count = 10;
  int interval_ms = 50;
  int start_delay_ms = 1000;
  int linger_ms = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--loop") {
      o.loop = true;
      continue;
    }
    if ((v = next()) == nullptr) return usage(("missing value for " + a).c_str());
    if (a == "--kind") {
      const std::string k = v;
      if (k == "ucast") o.kind = LinkOptions::Kind::Ucast;
      else if (k == "bcast") o.kind = LinkOptions::Kind::Bcast;
      else if (k == "mcast") o.kind = LinkOptions::Kind::Mcast;
      else if (k == "serial") o.kind = LinkOptions::Kind::Serial;
      else return usage("unknown kind");
    } else if (a == "--interface") {
      o.interface = v;
    } else if (a == "--peer") {
      o.peers.emplace_back(v);
    } else if (a == "--group") {
      o.group = v;
    } else if (a == "--port") {
      o.port = static_cast<std::uint16_t>(std::atoi(v));
    } else if (a == "--ttl") {
      o.ttl = std::atoi(v);
    } else if (a == "--device") {
      o.device = v;
    } else if (a == "--baud") {
      o.baud = std::atoi(v);
    } else if (a == "--count") {
      count = std::atoi(v);
    } else if (a == "--interval-ms") {
      interval_ms = std::atoi(v);
    } else if (a == "--start-delay-ms") {
      start_delay_ms = std::atoi(v);
    } else if (a == "--linger-ms") {
      linger_ms = std::atoi(v);
    } else {
      return usage(("unknown option " + a).c_str());
    }
  }

  boost::asio::io_context io;
  hb::AsioScheduler sched(io);
  StderrSink log;
  auto made = hb::link::makeLink(o, io, sched, log);
  if (!made) {
    std::fprintf(stderr, "link_probe: %s\n", made.error().describe().c_str());
    return 1;
  }
  hb::link::LinkPtr link = std::move(made).value();
  auto own = hb::link::localIpv4Addresses();
  const std::vector<std::string> self = own ? *own : std::vector<std::string>{};
  int received = 0;
  link->onFrame([&](hb::link::ByteView, const hb::link::PeerHint& from) {
    if (std::find(self.begin(), self.end(), from.address) == self.end()) ++received;
  });
  if (auto r = link->open(); !r) {
    std::fprintf(stderr, "link_probe: %s\n", r.error().describe().c_str());
    return 1;
  }

  int sent = 0;
  auto timer = sched.createTimer();
  const std::string frame = "link_probe " + std::to_string(::getpid());
  std::function<void()> tick = [&] {
    if (sent < count) {
      const auto* p = reinterpret_cast<const std::uint8_t*>(frame.data());
      if (link->send(hb::link::ByteView(p, frame.size()))) ++sent;
      timer->arm(std::chrono::milliseconds(interval_ms), tick);
    } else {
      timer->arm(std::chrono::milliseconds(linger_ms), [&] { io.stop(); });
    }
  };
  timer->arm(std::chrono::milliseconds(start_delay_ms), tick);
  io.run();
  std::printf("sent %d received %d bad %llu\n", sent, received,
              static_cast<unsigned long long>(link->stats().bad_frames));
  link->close();
  return 0;
}
