// SPDX-License-Identifier: GPL-2.0-or-later
// Linux I/O for VRRP: protocol-112 raw socket, rtnetlink addresses and link events, GARP, children.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <cerrno>
#include <cstring>

#include "hbd/vrrp/vrrp_io_private.h"

extern char** environ;

namespace hb::vrrp {
namespace {

std::string errnoText(int e) { return std::strerror(e); }

Error sysErr(const std::string& what) {
  const int e = errno;
  return err(e == EPERM || e == EACCES ? Errc::Permission : Errc::Io, what + ": " + errnoText(e));
}

// Closes an fd on scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

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

}  // namespace

Result<InterfaceInfo> queryInterface(const std::string& name) {
  InterfaceInfo info;
  info.name = name;
  ifreq r{};
  if (!fillIfreq(r, name)) return err(Errc::InvalidArgument, "bad interface name '" + name + "'");
  FdGuard fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
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
  FdGuard fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || ::ioctl(fd.get(), SIOCGIFFLAGS, &r) < 0) return false;
  return (r.ifr_flags & IFF_UP) && (r.ifr_flags & IFF_RUNNING);
}

// ---------------------------------------------------------------------------------------------
// VrrpSocket

Result<void> VrrpSocket::open(const InterfaceInfo& iface, bool multicast) {
  FdGuard fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kVrrpProto));
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

void VrrpSocket::start(Deliver deliver) {
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

Result<void> changeAddress(bool add, int ifindex, const VirtualAddress& vip) {
  FdGuard fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (fd.get() < 0) return sysErr("netlink socket");
  timeval tv{0, 200'000};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::vector<std::uint8_t> msg(NLMSG_LENGTH(sizeof(ifaddrmsg)), 0);
  nlmsghdr nh{};
  nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
  nh.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK |
                                              (add ? (NLM_F_CREATE | NLM_F_EXCL) : 0));
  nh.nlmsg_seq = 1;
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
  if (::sendto(fd.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) < 0) {
    return sysErr("rtnetlink send");
  }
  std::array<std::uint8_t, 4096> buf{};
  ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
  if (n < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr)))) return sysErr("rtnetlink ack");
  nlmsghdr rh{};
  std::memcpy(&rh, buf.data(), sizeof(rh));
  if (rh.nlmsg_type != NLMSG_ERROR) return err(Errc::Io, "rtnetlink: unexpected reply");
  nlmsgerr e{};
  std::memcpy(&e, buf.data() + NLMSG_LENGTH(0), sizeof(e));
  const int code = -e.error;
  if (code == 0 || (add && code == EEXIST) || (!add && code == EADDRNOTAVAIL)) return {};
  return err(code == EPERM ? Errc::Permission : Errc::Io,
             fmt::format("{} {}/{}: {}", add ? "add" : "delete", vip.address.toString(),
                         vip.prefix_len, errnoText(code)));
}

// ---------------------------------------------------------------------------------------------
// Gratuitous ARP

Result<void> sendGarp(int ifindex, const std::array<std::uint8_t, 6>& mac, Ipv4Address vip,
                      int count) {
  FdGuard fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP)));
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

Result<void> LinkMonitor::start(Report report) {
  FdGuard fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
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
// ChildRunner

bool ChildRunner::run(const std::string& cmd, const std::vector<std::string>& args, Micros timeout,
                      Done done) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                    POSIX_SPAWN_SETSIGDEF);
  // `sh -c 'CMD "$@"' sh ARGS...`: the command keeps its own words, arguments are appended safely.
  std::vector<std::string> argv_s{"/bin/sh", "-c", args.empty() ? cmd : cmd + " \"$@\"", "sh"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {const_cast<char*>("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                  const_cast<char*>("LANG=C"), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (rc != 0) {
    HB_LOG(log_, Error, Vrrp, "cannot run '{}': {}", cmd, errnoText(rc));
    return false;
  }
  // glibc 2.36 declares pidfd_open without extern "C"; use the system call directly.
  int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pfd < 0) {
    HB_LOG(log_, Error, Vrrp, "pidfd_open({}) failed: {}", pid, errnoText(errno));
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);  // just killed: returns at once
    return false;
  }
  Child c;
  c.pid = pid;
  c.pidfd = std::make_unique<boost::asio::posix::stream_descriptor>(io_, pfd);
  c.timer = sched_.createTimer();
  c.done = std::move(done);
  std::weak_ptr<ChildRunner> weak = weak_from_this();
  if (timeout.count() > 0) {
    c.timer->arm(timeout, [weak, pid] {
      auto self = weak.lock();
      if (!self) return;
      auto it = self->children_.find(pid);
      if (it == self->children_.end()) return;
      it->second.timed_out = true;
      HB_LOG(self->log_, Warning, Vrrp, "child {} timed out; killing its process group", pid);
      ::kill(-pid, SIGKILL);
    });
  }
  c.pidfd->async_wait(boost::asio::posix::descriptor_base::wait_read,
                      [weak, pid](const boost::system::error_code& ec) {
                        auto self = weak.lock();
                        if (!self || ec == boost::asio::error::operation_aborted) return;
                        self->finish(pid);
                      });
  children_.emplace(pid, std::move(c));
  return true;
}

void ChildRunner::finish(int pid) {
  auto it = children_.find(pid);
  if (it == children_.end()) return;
  int status = 0;
  // The pidfd is readable: the child has exited, so this does not block.
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  const bool ok = r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !it->second.timed_out;
  Done done = std::move(it->second.done);
  children_.erase(it);
  if (done) done(ok);
}

void ChildRunner::stopAll() {
  for (auto& [pid, c] : children_) {
    ::kill(-pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);  // SIGKILL was sent: the wait is immediate
  }
  children_.clear();
}

}  // namespace hb::vrrp
