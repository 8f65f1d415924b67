// SPDX-License-Identifier: GPL-2.0-or-later
// Private Linux I/O pieces of the VRRP router: raw socket, rtnetlink, gratuitous ARP, child processes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {

/** What the kernel says about one interface (ioctl). */
struct InterfaceInfo {
  std::string name;
  int index = 0;
  Ipv4Address primary;               ///< first IPv4 address (the advert source)
  std::array<std::uint8_t, 6> mac{};
  bool up = false;                   ///< IFF_UP and IFF_RUNNING
};

/** Reads index, primary IPv4 address, MAC and flags of `name`. */
Result<InterfaceInfo> queryInterface(const std::string& name);
/** IFF_UP && IFF_RUNNING, false when the interface does not exist. */
bool interfaceRunning(const std::string& name);

/**
 * A raw IPv4 socket for protocol 112 on one interface (SO_BINDTODEVICE), joined to 224.0.0.18,
 * multicast and unicast TTL 255, TOS 0xc0, no multicast loop. Receives whole IP packets. An actor:
 * start()/stop(); handlers hold a weak_ptr. Loop thread only.
 */
class VrrpSocket : public std::enable_shared_from_this<VrrpSocket> {
 public:
  using Deliver = std::function<void(std::span<const std::uint8_t> packet)>;
  VrrpSocket(boost::asio::io_context& io, LogSink& log) : sd_(io), log_(log) {}
  /** Opens and configures the socket on `iface`; joins the group when `multicast`. */
  Result<void> open(const InterfaceInfo& iface, bool multicast);
  /** Starts the receive loop. */
  void start(Deliver deliver);
  /** Sends a VRRP payload from `src` (IP_PKTINFO) to `dst`; the kernel writes the IP header. */
  Result<void> send(std::span<const std::uint8_t> vrrp, Ipv4Address src, Ipv4Address dst);
  void stop();

 private:
  void waitRead();
  boost::asio::posix::stream_descriptor sd_;
  LogSink& log_;
  Deliver deliver_;
  int ifindex_ = 0;
  bool stopped_ = true;
};

/** Adds (`add`) or removes an IPv4 address over rtnetlink. EEXIST on add and EADDRNOTAVAIL on
 *  delete count as success. The kernel answers synchronously; the wait is bounded (200 ms). */
Result<void> changeAddress(bool add, int ifindex, const VirtualAddress& vip);

/** Sends `count` gratuitous ARP requests (broadcast, sender = target = vip) on `ifindex`. */
Result<void> sendGarp(int ifindex, const std::array<std::uint8_t, 6>& mac, Ipv4Address vip,
                      int count);

/**
 * Watches rtnetlink link messages and reports (name, running) for every change. An actor with
 * start()/stop(); handlers hold a weak_ptr. Loop thread only.
 */
class LinkMonitor : public std::enable_shared_from_this<LinkMonitor> {
 public:
  using Report = std::function<void(const std::string& ifname, bool running)>;
  LinkMonitor(boost::asio::io_context& io, LogSink& log) : sd_(io), log_(log) {}
  Result<void> start(Report report);
  void stop();

 private:
  void waitRead();
  boost::asio::posix::stream_descriptor sd_;
  LogSink& log_;
  Report report_;
  bool stopped_ = true;
};

/**
 * A minimal child-process runner (until the shared agent runner of resources/agents is wired
 * in): `/bin/sh -c CMD "$@"` via posix_spawn in its own process group, stdin/stdout/stderr on
 * /dev/null, all other fds closed; completion through a pidfd on the loop (no SIGCHLD handler);
 * on timeout the group gets SIGKILL and the result is a failure. Loop thread only.
 */
class ChildRunner : public std::enable_shared_from_this<ChildRunner> {
 public:
  /** exit_ok = exited with status 0 before the timeout. */
  using Done = std::function<void(bool exit_ok)>;
  ChildRunner(boost::asio::io_context& io, Scheduler& sched, LogSink& log)
      : io_(io), sched_(sched), log_(log) {}
  /** Spawns `cmd` with `args`; `timeout` 0 = none. Returns false if it could not be spawned
   *  (then `done` is not called). */
  bool run(const std::string& cmd, const std::vector<std::string>& args, Micros timeout, Done done);
  /** Kills (SIGKILL to the group) and reaps every child still running; no callbacks. */
  void stopAll();
  std::size_t running() const { return children_.size(); }

 private:
  struct Child {
    int pid = 0;
    std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd;
    TimerPtr timer;
    Done done;
    bool timed_out = false;
  };
  void finish(int pid);
  boost::asio::io_context& io_;
  Scheduler& sched_;
  LogSink& log_;
  std::map<int, Child> children_;
};

}  // namespace hb::vrrp
