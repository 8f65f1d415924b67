// SPDX-License-Identifier: GPL-2.0-or-later
// Linux VrrpIo: protocol-112 raw sockets, rtnetlink addresses and link events, gratuitous ARP.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <cerrno>
#include <cstring>
#include <map>

#include "hbd/vrrp/vrrp.h"
#include "resources/base/unique_fd.h"

namespace hb::vrrp {
namespace {

std::string errnoText(int e) { return std::strerror(e); }

Error sysErr(const std::string& what) {
  const int e = errno;
  return err(e == EPERM || e == EACCES ? Errc::Permission : Errc::Io, what + ": " + errnoText(e));
}

bool fillIfreq(ifreq& r, const std::string& name) {
  std::memset(&r, 0, sizeof(r));
  if (name.empty() || name.size() >= IFNAMSIZ) return false;
  std::memcpy(r.ifr_name, name.data(), name.size());
  return true;
}

in_addr toInAddr(Ipv4Address a) {
  in_addr x{};
  std::memcpy(&x.s_addr, a.bytes.data(), 4);
  return x;
}

void addAttr(std::vector<std::uint8_t>& msg, std::uint16_t type, const void* data, std::size_t len) {
  const std::size_t start = NLMSG_ALIGN(msg.size());
  const std::size_t rta_len = RTA_LENGTH(len);
  msg.resize(start + RTA_ALIGN(rta_len), 0);
  rtattr rta{};
  rta.rta_len = static_cast<unsigned short>(rta_len);
  rta.rta_type = type;
  std::memcpy(msg.data() + start, &rta, sizeof(rta));
  std::memcpy(msg.data() + start + RTA_LENGTH(0), data, len);
}

Result<InterfaceInfo> queryInterface(const std::string& name) {
  InterfaceInfo info;
  info.name = name;
  ifreq r{};
  if (!fillIfreq(r, name)) return err(Errc::InvalidArgument, "bad interface name '" + name + "'");
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return sysErr("socket");
  if (::ioctl(fd.get(), SIOCGIFINDEX, &r) < 0) return sysErr("no interface " + name);
  info.index = r.ifr_ifindex;
  fillIfreq(r, name);
  if (::ioctl(fd.get(), SIOCGIFADDR, &r) < 0) {
    return err(Errc::Config, "interface " + name + " has no IPv4 address");
  }
  sockaddr_in sin{};
  std::memcpy(&sin, &r.ifr_addr, sizeof(sin));
  std::memcpy(info.primary.bytes.data(), &sin.sin_addr.s_addr, 4);
  fillIfreq(r, name);
  if (::ioctl(fd.get(), SIOCGIFHWADDR, &r) < 0) return sysErr("SIOCGIFHWADDR " + name);
  std::memcpy(info.mac.data(), r.ifr_hwaddr.sa_data, 6);
  fillIfreq(r, name);
  if (::ioctl(fd.get(), SIOCGIFFLAGS, &r) < 0) return sysErr("SIOCGIFFLAGS " + name);
  info.up = (r.ifr_flags & IFF_UP) && (r.ifr_flags & IFF_RUNNING);
  return info;
}

bool interfaceRunning(const std::string& name) {
  ifreq r{};
  if (!fillIfreq(r, name)) return false;
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || ::ioctl(fd.get(), SIOCGIFFLAGS, &r) < 0) return false;
  return (r.ifr_flags & IFF_UP) && (r.ifr_flags & IFF_RUNNING);
}

// ---------------------------------------------------------------------------------------------
// Actors. Each owns one descriptor; handlers hold a weak_ptr and check stopped_. Loop thread only.

// A raw IPv4 socket for protocol 112 on one interface (SO_BINDTODEVICE), joined to 224.0.0.18,
// multicast and unicast TTL 255, TOS 0xc0, no multicast loop. Receives whole IP packets.
class VrrpSocket : public std::enable_shared_from_this<VrrpSocket> {
 public:
  VrrpSocket(boost::asio::io_context& io, LogSink& log) : sd_(io), log_(log) {}
  Result<void> open(const InterfaceInfo& iface, bool multicast);
  void start(VrrpIo::Deliver deliver);
  // Sends a VRRP payload from `src` (IP_PKTINFO) to `dst`; the kernel writes the IP header.
  Result<void> send(std::span<const std::uint8_t> vrrp, Ipv4Address src, Ipv4Address dst);
  void stop();

 private:
  void waitRead();
  boost::asio::posix::stream_descriptor sd_;
  LogSink& log_;
  VrrpIo::Deliver deliver_;
  int ifindex_ = 0;
  bool stopped_ = true;
};

// Adds and removes addresses over one non-blocking rtnetlink socket. Requests are sent at once
// (the kernel applies a request inside sendmsg, in order); the acks are read when the socket is
// readable and matched to their request by sequence number.
class AddressChanger : public std::enable_shared_from_this<AddressChanger> {
 public:
  AddressChanger(boost::asio::io_context& io, LogSink& log) : sd_(io), log_(log) {}
  void change(bool add, int ifindex, const VirtualAddress& vip, VrrpIo::Done done);
  void stop();

 private:
  struct Pending {
    bool add = false;
    std::string what;
    VrrpIo::Done done;
  };
  Result<void> open();
  void waitRead();
  void onReadable();
  void fail(VrrpIo::Done done, Error e);
  boost::asio::posix::stream_descriptor sd_;
  LogSink& log_;
  std::map<std::uint32_t, Pending> pending_;
  std::uint32_t seq_ = 0;
  bool waiting_ = false;
  bool stopped_ = false;
};

// Watches rtnetlink link messages and reports (name, running) for every change.
class LinkMonitor : public std::enable_shared_from_this<LinkMonitor> {
 public:
  LinkMonitor(boost::asio::io_context& io, LogSink& log) : sd_(io), log_(log) {}
  Result<void> start(VrrpIo::LinkReport report);
  void stop();

 private:
  void waitRead();
  boost::asio::posix::stream_descriptor sd_;
  LogSink& log_;
  VrrpIo::LinkReport report_;
  bool stopped_ = true;
};

// ---------------------------------------------------------------------------------------------
// VrrpSocket

Result<void> VrrpSocket::open(const InterfaceInfo& iface, bool multicast) {
  UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kVrrpProto));
  if (fd.get() < 0) return sysErr("raw socket for VRRP");
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, iface.name.c_str(),
                   static_cast<socklen_t>(iface.name.size())) < 0) {
    return sysErr("SO_BINDTODEVICE " + iface.name);
  }
  const int ttl = 255;
  const int zero = 0;
  const int tos = 0xc0;
  if (::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
      ::setsockopt(fd.get(), IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
      ::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
      ::setsockopt(fd.get(), IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0) {
    return sysErr("VRRP socket options");
  }
  ip_mreqn mreq{};
  mreq.imr_multiaddr = toInAddr(kVrrpGroup);
  mreq.imr_ifindex = iface.index;
  if (::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq)) < 0) {
    return sysErr("IP_MULTICAST_IF " + iface.name);
  }
  if (multicast && ::setsockopt(fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
    return sysErr("join 224.0.0.18 on " + iface.name);
  }
  boost::system::error_code ec;
  sd_.assign(fd.get(), ec);
  if (ec) return err(Errc::Io, "asio assign: " + ec.message());
  fd.release();
  ifindex_ = iface.index;
  return {};
}

void VrrpSocket::start(VrrpIo::Deliver deliver) {
  deliver_ = std::move(deliver);
  stopped_ = false;
  waitRead();
}

void VrrpSocket::waitRead() {
  std::weak_ptr<VrrpSocket> weak = weak_from_this();
  sd_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                 [weak](const boost::system::error_code& ec) {
                   auto self = weak.lock();
                   if (!self || ec == boost::asio::error::operation_aborted || self->stopped_) return;
                   if (ec) {
                     HB_LOG(self->log_, Error, Vrrp, "VRRP socket wait failed: {}", ec.message());
                     return;
                   }
                   std::array<std::uint8_t, 2048> buf{};
                   // Drain what is queued; each packet is handled to completion.
                   for (int i = 0; i < 64 && !self->stopped_; ++i) {
                     ssize_t n = ::recv(self->sd_.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT);
                     if (n < 0) break;
                     self->deliver_(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
                   }
                   if (!self->stopped_) self->waitRead();
                 });
}

Result<void> VrrpSocket::send(std::span<const std::uint8_t> vrrp, Ipv4Address src, Ipv4Address dst) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = toInAddr(dst);
  iovec iov{const_cast<std::uint8_t*>(vrrp.data()), vrrp.size()};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = sizeof(to);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo pi{};
  pi.ipi_ifindex = ifindex_;
  pi.ipi_spec_dst = toInAddr(src);
  std::memcpy(CMSG_DATA(c), &pi, sizeof(pi));
  if (::sendmsg(sd_.native_handle(), &msg, MSG_DONTWAIT) < 0) {
    return sysErr("send VRRP advert to " + dst.toString());
  }
  return {};
}

void VrrpSocket::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  sd_.cancel(ec);
  sd_.close(ec);
}

// ---------------------------------------------------------------------------------------------
// rtnetlink addresses

Result<void> AddressChanger::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (fd.get() < 0) return sysErr("netlink socket");
  // Room for many acks (each a few dozen bytes): a VIP list is sent in one burst.
  const int rcvbuf = 256 * 1024;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) {
    return sysErr("netlink bind");
  }
  boost::system::error_code ec;
  sd_.assign(fd.get(), ec);
  if (ec) return err(Errc::Io, "asio assign: " + ec.message());
  fd.release();
  return {};
}

void AddressChanger::fail(VrrpIo::Done done, Error e) {
  if (!done) return;
  std::weak_ptr<AddressChanger> weak = weak_from_this();
  boost::asio::post(sd_.get_executor(), [weak, done = std::move(done), e = std::move(e)] {
    auto self = weak.lock();
    if (self && !self->stopped_) done(e);
  });
}

void AddressChanger::change(bool add, int ifindex, const VirtualAddress& vip, VrrpIo::Done done) {
  if (stopped_) return;
  if (!sd_.is_open()) {
    if (auto r = open(); !r) return fail(std::move(done), r.error());
  }
  std::vector<std::uint8_t> msg(NLMSG_LENGTH(sizeof(ifaddrmsg)), 0);
  nlmsghdr nh{};
  nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
  nh.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK |
                                              (add ? (NLM_F_CREATE | NLM_F_EXCL) : 0));
  nh.nlmsg_seq = ++seq_;
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<unsigned char>(vip.prefix_len);
  ifa.ifa_index = static_cast<unsigned>(ifindex);
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  std::memcpy(msg.data() + NLMSG_LENGTH(0), &ifa, sizeof(ifa));
  addAttr(msg, IFA_LOCAL, vip.address.bytes.data(), 4);
  addAttr(msg, IFA_ADDRESS, vip.address.bytes.data(), 4);
  if (!vip.label.empty()) addAttr(msg, IFA_LABEL, vip.label.c_str(), vip.label.size() + 1);
  nh.nlmsg_len = static_cast<std::uint32_t>(msg.size());
  std::memcpy(msg.data(), &nh, sizeof(nh));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const std::string what =
      fmt::format("{} {}/{}", add ? "add" : "delete", vip.address.toString(), vip.prefix_len);
  // Non-blocking: the kernel handles an rtnetlink request inside sendmsg and queues the ack.
  if (::sendto(sd_.native_handle(), msg.data(), msg.size(), MSG_DONTWAIT,
               reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    return fail(std::move(done), sysErr("rtnetlink " + what));
  }
  pending_[nh.nlmsg_seq] = Pending{add, what, std::move(done)};
  waitRead();
}

void AddressChanger::waitRead() {
  if (waiting_ || stopped_) return;
  waiting_ = true;
  std::weak_ptr<AddressChanger> weak = weak_from_this();
  sd_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                 [weak](const boost::system::error_code& ec) {
                   auto self = weak.lock();
                   if (!self || ec == boost::asio::error::operation_aborted || self->stopped_) return;
                   self->waiting_ = false;
                   if (ec) {
                     HB_LOG(self->log_, Error, Vrrp, "rtnetlink wait failed: {}", ec.message());
                     return;
                   }
                   self->onReadable();
                   if (!self->stopped_ && !self->pending_.empty()) self->waitRead();
                 });
}

void AddressChanger::onReadable() {
  alignas(nlmsghdr) std::array<std::uint8_t, 8192> buf{};
  while (!stopped_ && !pending_.empty()) {
    ssize_t n = ::recv(sd_.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0 && errno == ENOBUFS) {
      // Acks were dropped (the requests were applied all the same): nothing more will come.
      HB_LOG(log_, Warning, Vrrp, "rtnetlink acks lost | pending={}", pending_.size());
      auto lost = std::move(pending_);
      pending_.clear();
      for (auto& [seq, p] : lost) {
        if (p.done) p.done(err(Errc::Io, p.what + ": rtnetlink ack lost"));
      }
      return;
    }
    if (n <= 0) return;
    auto len = static_cast<unsigned>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) continue;
      auto it = pending_.find(h->nlmsg_seq);
      if (it == pending_.end()) continue;
      Pending p = std::move(it->second);
      pending_.erase(it);
      nlmsgerr e{};
      std::memcpy(&e, NLMSG_DATA(h), sizeof(e));
      const int code = -e.error;
      Result<void> r;
      if (!(code == 0 || (p.add && code == EEXIST) || (!p.add && code == EADDRNOTAVAIL))) {
        r = err(code == EPERM ? Errc::Permission : Errc::Io, p.what + ": " + errnoText(code));
      }
      if (p.done) p.done(r);
      if (stopped_) return;
    }
  }
}

void AddressChanger::stop() {
  stopped_ = true;
  pending_.clear();
  boost::system::error_code ec;
  sd_.cancel(ec);
  sd_.close(ec);
}

// ---------------------------------------------------------------------------------------------
// Gratuitous ARP

Result<void> sendGarp(int ifindex, const std::array<std::uint8_t, 6>& mac, Ipv4Address vip,
                      int count) {
  UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP)));
  if (fd.get() < 0) return sysErr("AF_PACKET socket");
  std::array<std::uint8_t, 42> f{};
  std::fill_n(f.begin(), 6, 0xff);                  // Ethernet destination: broadcast
  std::copy(mac.begin(), mac.end(), f.begin() + 6);  // source: our MAC
  f[12] = 0x08;
  f[13] = 0x06;
  const std::array<std::uint8_t, 8> arp_head{0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01};
  std::copy(arp_head.begin(), arp_head.end(), f.begin() + 14);  // Ethernet/IPv4 request
  std::copy(mac.begin(), mac.end(), f.begin() + 22);
  std::copy(vip.bytes.begin(), vip.bytes.end(), f.begin() + 28);
  std::fill_n(f.begin() + 32, 6, 0xff);  // target MAC ff:ff:ff:ff:ff:ff (keepalived)
  std::copy(vip.bytes.begin(), vip.bytes.end(), f.begin() + 38);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  std::fill_n(to.sll_addr, 6, 0xff);
  for (int i = 0; i < count; ++i) {
    if (::sendto(fd.get(), f.data(), f.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to),
                 sizeof(to)) < 0) {
      return sysErr("send gratuitous ARP");
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// LinkMonitor

Result<void> LinkMonitor::start(VrrpIo::LinkReport report) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (fd.get() < 0) return sysErr("netlink socket");
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0) return sysErr("netlink bind");
  boost::system::error_code ec;
  sd_.assign(fd.get(), ec);
  if (ec) return err(Errc::Io, "asio assign: " + ec.message());
  fd.release();
  report_ = std::move(report);
  stopped_ = false;
  waitRead();
  return {};
}

void LinkMonitor::waitRead() {
  std::weak_ptr<LinkMonitor> weak = weak_from_this();
  sd_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                 [weak](const boost::system::error_code& ec) {
                   auto self = weak.lock();
                   if (!self || ec == boost::asio::error::operation_aborted || self->stopped_) return;
                   if (ec) {
                     HB_LOG(self->log_, Error, Vrrp, "link monitor stopped: {}", ec.message());
                     return;
                   }
                   alignas(nlmsghdr) std::array<std::uint8_t, 16384> buf{};
                   while (!self->stopped_) {
                     ssize_t n = ::recv(self->sd_.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT);
                     if (n <= 0) break;
                     auto len = static_cast<unsigned>(n);
                     for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
                          h = NLMSG_NEXT(h, len)) {
                       if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) continue;
                       auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
                       std::string name;
                       int alen = static_cast<int>(IFLA_PAYLOAD(h));
                       for (auto* a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                         if (a->rta_type == IFLA_IFNAME) {
                           name.assign(static_cast<const char*>(RTA_DATA(a)),
                                       strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a)));
                         }
                       }
                       if (name.empty()) continue;
                       const bool running = h->nlmsg_type == RTM_NEWLINK &&
                                            (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
                       self->report_(name, running);
                     }
                   }
                   if (!self->stopped_) self->waitRead();
                 });
}

void LinkMonitor::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  sd_.cancel(ec);
  sd_.close(ec);
}


// ---------------------------------------------------------------------------------------------
// LinuxVrrpIo

class LinuxVrrpIo final : public VrrpIo {
 public:
  LinuxVrrpIo(boost::asio::io_context& io, LogSink& log)
      : io_(io), log_(log), addresses_(std::make_shared<AddressChanger>(io, log)) {}
  ~LinuxVrrpIo() override { close(); }

  Result<InterfaceInfo> queryInterface(const std::string& name) override {
    return hb::vrrp::queryInterface(name);
  }
  bool interfaceRunning(const std::string& name) override { return hb::vrrp::interfaceRunning(name); }

  Result<void> openInterface(const InterfaceInfo& iface, bool multicast, Deliver deliver) override {
    auto sock = std::make_shared<VrrpSocket>(io_, log_);
    if (auto r = sock->open(iface, multicast); !r) return r;
    sock->start(std::move(deliver));
    sockets_[iface.name] = std::move(sock);
    return {};
  }

  Result<void> sendAdvert(const std::string& ifname, std::span<const std::uint8_t> vrrp,
                          Ipv4Address src, Ipv4Address dst) override {
    auto it = sockets_.find(ifname);
    if (it == sockets_.end()) return err(Errc::InvalidArgument, "no VRRP socket on " + ifname);
    return it->second->send(vrrp, src, dst);
  }

  void changeAddress(bool add, int ifindex, const VirtualAddress& vip, Done done) override {
    addresses_->change(add, ifindex, vip, std::move(done));
  }

  Result<void> sendGarp(int ifindex, const std::array<std::uint8_t, 6>& mac, Ipv4Address vip,
                        int count) override {
    return hb::vrrp::sendGarp(ifindex, mac, vip, count);
  }

  Result<void> watchLinks(LinkReport report) override {
    if (links_) return err(Errc::InvalidArgument, "links are watched already");
    auto m = std::make_shared<LinkMonitor>(io_, log_);
    if (auto r = m->start(std::move(report)); !r) return r;
    links_ = std::move(m);
    return {};
  }

  void close() override {
    for (auto& [name, sock] : sockets_) sock->stop();
    sockets_.clear();
    addresses_->stop();
    if (links_) links_->stop();
    links_.reset();
  }

 private:
  boost::asio::io_context& io_;
  LogSink& log_;
  std::map<std::string, std::shared_ptr<VrrpSocket>> sockets_;
  std::shared_ptr<AddressChanger> addresses_;
  std::shared_ptr<LinkMonitor> links_;
};

}  // namespace

VrrpIoPtr makeLinuxVrrpIo(boost::asio::io_context& io, LogSink& log) {
  return std::make_unique<LinuxVrrpIo>(io, log);
}

}  // namespace hb::vrrp
