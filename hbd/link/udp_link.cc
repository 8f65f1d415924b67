// SPDX-License-Identifier: GPL-2.0-or-later
// UdpLink: heartbeat's ucast, bcast and mcast media on one Boost.Asio UDP socket per interface.
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "hbd/link/link_private.h"

namespace hb::link {
namespace {

namespace asio = boost::asio;
using boost::asio::ip::udp;
using boost::system::error_code;

// Receive errors are logged for the first few, then only every kLogEvery-th.
constexpr std::uint64_t kLogFirst = 3;
constexpr std::uint64_t kLogEvery = 1000;
// A receive error rearms after this pause, so a persistent error cannot spin the loop.
constexpr std::chrono::milliseconds kReceiveErrorPause{100};

std::string_view kindName(LinkOptions::Kind k) {
  switch (k) {
    case LinkOptions::Kind::Ucast: return "ucast";
    case LinkOptions::Kind::Bcast: return "bcast";
    case LinkOptions::Kind::Mcast: return "mcast";
    case LinkOptions::Kind::Serial: return "serial";
  }
  return "?";
}

std::string errnoText(int e) { return std::strerror(e); }

/** The IPv4 address and broadcast address of `ifname`, from getifaddrs. */
struct InterfaceV4 {
  std::optional<asio::ip::address_v4> address;
  std::optional<asio::ip::address_v4> broadcast;
};

Result<InterfaceV4> interfaceV4(const std::string& ifname) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return err(Errc::Io, "getifaddrs: " + errnoText(errno));
  }
  InterfaceV4 out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET || ifname != i->ifa_name) {
      continue;
    }
    sockaddr_in sin{};
    std::memcpy(&sin, i->ifa_addr, sizeof sin);
    if (!out.address) out.address = asio::ip::address_v4(ntohl(sin.sin_addr.s_addr));
    if ((i->ifa_flags & IFF_BROADCAST) != 0 && !out.broadcast) {
      std::uint32_t brd = 0;
      if (i->ifa_broadaddr != nullptr) {
        std::memcpy(&sin, i->ifa_broadaddr, sizeof sin);
        brd = ntohl(sin.sin_addr.s_addr);
      }
      // `ip addr add A/N dev X` without `brd +` leaves no broadcast address (getifaddrs then
      // reports 0.0.0.0 or the address itself): heartbeat would send to itself only. Derive the
      // subnet's broadcast address from the netmask instead.
      if ((brd == 0 || brd == out.address->to_uint()) && i->ifa_netmask != nullptr) {
        sockaddr_in mask{};
        std::memcpy(&mask, i->ifa_netmask, sizeof mask);
        const std::uint32_t m = ntohl(mask.sin_addr.s_addr);
        if (m != 0xffffffffu) brd = (out.address->to_uint() & m) | ~m;
      }
      if (brd != 0) out.broadcast = asio::ip::address_v4(brd);
    }
  }
  ::freeifaddrs(list);
  return out;
}

Result<asio::ip::address_v4> parseV4(const std::string& text, std::string_view what) {
  error_code ec;
  auto a = asio::ip::make_address_v4(text, ec);
  if (ec) return err(Errc::InvalidArgument, fmt::format("bad {} address '{}'", what, text));
  return a;
}

/**
 * The socket actor. Owned by UdpLink through a shared_ptr; every async handler holds only a
 * weak_ptr, so a handler that completes after the link is gone does nothing.
 *
 *   closed --open()--> receiving --close()--> closed      (open() again is allowed)
 */
class UdpCore final : public std::enable_shared_from_this<UdpCore> {
 public:
  UdpCore(LinkOptions o, std::vector<udp::endpoint> fixed_dests, asio::io_context& io,
          Scheduler& sched, LogSink& log)
      : o_(std::move(o)), dests_(std::move(fixed_dests)), socket_(io), log_(log),
        retry_(sched.createTimer()) {}

  Result<void> start();
  void stop();
  Result<void> send(ByteView frame);
  void setDeliver(std::function<void(ByteView, const PeerHint&)> d) { deliver_ = std::move(d); }
  // device_ok never changes for UDP (open() fails instead): nothing to report.
  void setStatus(std::function<void(bool)> /*changed*/) {}
  const LinkStats& stats() const { return stats_; }
  const std::string& name() const { return o_.interface; }

 private:
  Result<void> fail(std::string what, const error_code& ec) {
    error_code ignored;
    socket_.close(ignored);
    return err(Errc::Io, fmt::format("{} link {}: {}: {}", kindName(o_.kind), o_.interface,
                                     what, ec.message()));
  }
  Result<void> setRaw(int level, int opt, const void* value, socklen_t len, std::string what) {
    if (::setsockopt(socket_.native_handle(), level, opt, value, len) != 0) {
      return fail(std::move(what), error_code(errno, boost::system::system_category()));
    }
    return {};
  }
  void receive();
  void onReceive(const error_code& ec, std::size_t n, std::uint64_t gen);

  LinkOptions o_;
  std::vector<udp::endpoint> dests_;
  udp::socket socket_;
  LogSink& log_;
  TimerPtr retry_;
  std::function<void(ByteView, const PeerHint&)> deliver_;
  LinkStats stats_;
  // One byte more than the largest frame: a datagram that fills it was too big (truncated).
  std::array<std::uint8_t, kMaxUdpFrameSize + 1> rx_{};
  udp::endpoint from_;
  bool stopped_ = true;
  std::uint64_t generation_ = 0;  // bumped by start(): handlers of an older opening are stale
};

Result<void> UdpCore::start() {
  if (!stopped_) return {};
  const unsigned ifindex = ::if_nametoindex(o_.interface.c_str());
  if (ifindex == 0) {
    return err(Errc::NotFound, fmt::format("{} link {}: no such interface", kindName(o_.kind),
                                           o_.interface));
  }
  udp::endpoint bind_ep(asio::ip::address_v4::any(), o_.port);
  std::optional<asio::ip::address_v4> if_addr;
  if (o_.kind != LinkOptions::Kind::Ucast) {
    auto info = interfaceV4(o_.interface);
    if (!info) return info.error();
    if (!info->address) {
      return err(Errc::NotFound, fmt::format("{} link {}: interface has no IPv4 address",
                                             kindName(o_.kind), o_.interface));
    }
    if_addr = info->address;
    if (o_.kind == LinkOptions::Kind::Bcast) {
      if (!info->broadcast) {
        return err(Errc::NotFound, fmt::format("bcast link {}: interface has no broadcast address",
                                               o_.interface));
      }
      dests_.assign(1, udp::endpoint(*info->broadcast, o_.port));
    }
  }
  if (o_.kind == LinkOptions::Kind::Mcast) {
    // Bound to the group, the socket sees only this group's datagrams (not unicast for a ucast
    // link on the same interface and port); it still sends from the interface's address.
    bind_ep.address(dests_.front().address());
  } else if (!o_.bind_address.empty()) {
    auto a = parseV4(o_.bind_address, "bind");
    if (!a) return a.error();
    bind_ep.address(*a);
  }

  error_code ec;
  socket_.open(udp::v4(), ec);
  if (ec) return fail("socket", ec);
  // SO_REUSEADDR lets the links of several interfaces share udpport; SO_BINDTODEVICE keeps each
  // socket to its own interface. No SO_REUSEPORT: it would spread unicast datagrams between two
  // sockets of the same interface instead of failing loudly.
  socket_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR", ec);
  if (auto r = setRaw(SOL_SOCKET, SO_BINDTODEVICE, o_.interface.c_str(),
                      static_cast<socklen_t>(o_.interface.size() + 1), "SO_BINDTODEVICE");
      !r) {
    return r;
  }
  // Multicast only for groups this socket joined: without it a bcast/ucast socket bound to
  // 0.0.0.0:udpport would also receive an mcast link's group traffic on the same port.
  const int all = 0;
  if (auto r = setRaw(IPPROTO_IP, IP_MULTICAST_ALL, &all, sizeof all, "IP_MULTICAST_ALL"); !r) {
    return r;
  }
  const int tos = IPTOS_LOWDELAY;  // as heartbeat: heartbeats are small and urgent
  if (auto r = setRaw(IPPROTO_IP, IP_TOS, &tos, sizeof tos, "IP_TOS"); !r) return r;

  if (o_.kind == LinkOptions::Kind::Bcast) {
    socket_.set_option(asio::socket_base::broadcast(true), ec);
    if (ec) return fail("SO_BROADCAST", ec);
  }
  if (o_.kind == LinkOptions::Kind::Mcast) {
    ip_mreqn ifreq{};
    ifreq.imr_ifindex = static_cast<int>(ifindex);
    if (auto r = setRaw(IPPROTO_IP, IP_MULTICAST_IF, &ifreq, sizeof ifreq, "IP_MULTICAST_IF"); !r) {
      return r;
    }
    const int ttl = o_.ttl;
    if (auto r = setRaw(IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL"); !r) {
      return r;
    }
    const int loop = o_.loop ? 1 : 0;
    if (auto r = setRaw(IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop, "IP_MULTICAST_LOOP");
        !r) {
      return r;
    }
    ip_mreqn join{};
    join.imr_multiaddr.s_addr = htonl(dests_.front().address().to_v4().to_uint());
    join.imr_address.s_addr = htonl(if_addr->to_uint());
    join.imr_ifindex = static_cast<int>(ifindex);
    if (auto r = setRaw(IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join, "IP_ADD_MEMBERSHIP");
        !r) {
      return r;
    }
  }
  socket_.bind(bind_ep, ec);
  if (ec) return fail(fmt::format("bind {}:{}", bind_ep.address().to_string(), o_.port), ec);
  // Sends must never block the loop: a full socket buffer drops the frame (counted).
  socket_.non_blocking(true, ec);
  if (ec) return fail("non-blocking", ec);

  stopped_ = false;
  ++generation_;
  stats_.device_ok = true;
  HB_LOG(log_, Info, Link, "{} link {} open | port={} destinations={}", kindName(o_.kind),
         o_.interface, o_.port, dests_.size());
  receive();
  return {};
}

void UdpCore::stop() {
  if (stopped_) return;
  stopped_ = true;
  retry_->cancel();
  error_code ignored;
  socket_.close(ignored);  // pending receive completes with operation_aborted
}

Result<void> UdpCore::send(ByteView frame) {
  if (stopped_) {
    ++stats_.send_errors;
    return err(Errc::Io, fmt::format("link {} is closed", o_.interface));
  }
  if (frame.size() > kMaxUdpFrameSize) {
    ++stats_.send_errors;
    return err(Errc::InvalidArgument, fmt::format("link {}: frame of {} bytes exceeds {}",
                                                  o_.interface, frame.size(), kMaxUdpFrameSize));
  }
  std::size_t sent = 0;
  error_code last;
  for (const auto& dest : dests_) {
    error_code ec;
    const std::size_t n = socket_.send_to(asio::buffer(frame.data(), frame.size()), dest, 0, ec);
    if (ec || n != frame.size()) {
      // would_block (socket buffer full), unreachable, interface down: drop and count.
      ++stats_.send_errors;
      last = ec ? ec : asio::error::message_size;
      continue;
    }
    ++sent;
    ++stats_.frames_sent;
    stats_.bytes_sent += n;
  }
  if (sent == 0 && !dests_.empty()) {
    return err(Errc::Io, fmt::format("link {}: send failed: {}", o_.interface, last.message()));
  }
  return {};
}

void UdpCore::receive() {
  socket_.async_receive_from(
      asio::buffer(rx_), from_,
      [weak = weak_from_this(), gen = generation_](const error_code& ec, std::size_t n) {
        if (auto self = weak.lock()) self->onReceive(ec, n, gen);
      });
}

void UdpCore::onReceive(const error_code& ec, std::size_t n, std::uint64_t gen) {
  if (ec == asio::error::operation_aborted || stopped_ || gen != generation_) return;
  if (ec) {
    ++stats_.receive_errors;
    if (stats_.receive_errors <= kLogFirst || stats_.receive_errors % kLogEvery == 0) {
      HB_LOG(log_, Warning, Link, "receive error on link {}: {} | errors={}", o_.interface,
             ec.message(), stats_.receive_errors);
    }
    // Pause before the next receive so a persistent error cannot spin the loop.
    retry_->arm(kReceiveErrorPause, [weak = weak_from_this(), gen] {
      auto self = weak.lock();
      if (self && !self->stopped_ && gen == self->generation_) self->receive();
    });
    return;
  }
  if (n > kMaxUdpFrameSize) {
    ++stats_.bad_frames;  // oversize: not ours, or a sender with another limit
  } else {
    ++stats_.frames_received;
    stats_.bytes_received += n;
    if (deliver_) {
      // The callback may close (or even destroy) the link; `self` in the handler keeps this
      // object alive, and the checks below stop the loop if it was closed or reopened.
      deliver_(ByteView(rx_.data(), n), PeerHint{from_.address().to_string()});
    }
  }
  if (!stopped_ && gen == generation_) receive();
}


}  // namespace

Result<LinkPtr> makeUdpLink(const LinkOptions& o, asio::io_context& io, Scheduler& sched,
                            LogSink& log) {
  if (o.interface.empty()) {
    return err(Errc::InvalidArgument, fmt::format("{} link needs an interface", kindName(o.kind)));
  }
  if (o.interface.size() >= IFNAMSIZ) {
    return err(Errc::InvalidArgument, fmt::format("interface name '{}' is too long", o.interface));
  }
  if (o.port == 0) return err(Errc::InvalidArgument, "udp port 0 is not allowed");
  std::vector<udp::endpoint> dests;
  switch (o.kind) {
    case LinkOptions::Kind::Ucast:
      if (o.peers.empty()) {
        return err(Errc::InvalidArgument,
                   fmt::format("ucast link {} has no peer address", o.interface));
      }
      for (const auto& p : o.peers) {
        auto a = parseV4(p, "ucast peer");
        if (!a) return a.error();
        dests.emplace_back(*a, o.port);
      }
      if (!o.bind_address.empty()) {
        if (auto a = parseV4(o.bind_address, "bind"); !a) return a.error();
      }
      break;
    case LinkOptions::Kind::Bcast:
      break;  // the broadcast address is looked up at open(): interfaces come and go
    case LinkOptions::Kind::Mcast: {
      auto g = parseV4(o.group, "mcast group");
      if (!g) return g.error();
      if (!g->is_multicast()) {
        return err(Errc::InvalidArgument,
                   fmt::format("mcast group {} is not a multicast address", o.group));
      }
      if (o.ttl < 1 || o.ttl > 255) {
        return err(Errc::InvalidArgument, fmt::format("mcast ttl {} is not in 1..255", o.ttl));
      }
      dests.emplace_back(*g, o.port);
      break;
    }
    case LinkOptions::Kind::Serial:
      return err(Errc::InvalidArgument, "not a UDP link kind");
  }
  auto core = std::make_shared<UdpCore>(o, std::move(dests), io, sched, log);
  return LinkPtr(std::make_unique<ForwardingLink<UdpCore>>(std::move(core), kMaxUdpFrameSize));
}

Result<std::vector<std::string>> localIpv4Addresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return err(Errc::Io, "getifaddrs: " + errnoText(errno));
  std::vector<std::string> out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    sockaddr_in sin{};
    std::memcpy(&sin, i->ifa_addr, sizeof sin);
    auto text = asio::ip::address_v4(ntohl(sin.sin_addr.s_addr)).to_string();
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace hb::link
