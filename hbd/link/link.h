// SPDX-License-Identifier: GPL-2.0-or-later
// hb_link: the Link interface (UDP ucast/bcast/mcast, serial, and a test link behind it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/log.h"
#include "resources/base/result.h"
#include "resources/base/scheduler.h"

namespace boost::asio {
class io_context;
}

namespace hb::link {

using ByteView = std::span<const std::uint8_t>;

/** Where a frame came from, as far as the link can tell (UDP source address, or the device). */
struct PeerHint {
  std::string address;
};

/** Counters each link keeps; shown by `hbctl status --json`. */
struct LinkStats {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t receive_errors = 0;
  std::uint64_t bad_frames = 0;   ///< framing errors (serial) or oversize datagrams
  bool device_ok = true;          ///< false while a serial device is missing/broken
};

/**
 * One heartbeat medium. All methods and callbacks run on the loop thread; none blocks.
 * Lifecycle: construct (factory) -> onFrame(cb) -> open() -> send()... -> close().
 */
class Link {
 public:
  virtual ~Link() = default;
  /** As cl_status shows it: the interface ("eth1") or the device path ("/dev/ttyS0"). */
  virtual std::string_view name() const = 0;
  /** Largest frame send() accepts. */
  virtual std::size_t maxFrameSize() const = 0;
  /** Opens sockets/devices and starts receiving. A serial link whose device is missing still
   *  opens successfully and retries in the background. */
  virtual Result<void> open() = 0;
  virtual void close() = 0;
  /** Queues one frame for every peer on this medium. Never throws; errors are counted. */
  virtual Result<void> send(ByteView frame) = 0;
  /** Sets the receive callback; called once per received frame. */
  virtual void onFrame(std::function<void(ByteView, const PeerHint&)> deliver) = 0;
  virtual const LinkStats& stats() const = 0;
};
using LinkPtr = std::unique_ptr<Link>;

/** How to build one link (mapped by the daemon from ha.cf; links never see ha.cf syntax). */
struct LinkOptions {
  enum class Kind { Ucast, Bcast, Mcast, Serial };
  Kind kind = Kind::Ucast;
  std::string interface;        ///< ucast/bcast/mcast: the interface (also the link's name)
  std::vector<std::string> peers;  ///< ucast: peer IPv4 addresses (ucast lines sharing an interface form one link)
  std::string group;            ///< mcast: the group address
  std::uint16_t port = 694;     ///< udpport (or the mcast line's port)
  int ttl = 1;                  ///< mcast
  bool loop = false;            ///< mcast
  std::string device;           ///< serial: device path (the link's name)
  int baud = 19200;             ///< serial
};

/** Builds a link. A kind left out of the build returns an Unsupported error. */
Result<LinkPtr> makeLink(const LinkOptions& o, boost::asio::io_context& io, Scheduler& sched,
                         LogSink& log);

}  // namespace hb::link
