// SPDX-License-Identifier: GPL-2.0-or-later
// hb_link: the Link interface (UDP ucast/bcast/mcast, serial, and a test link behind it).
#pragma once

#include <chrono>
#include <cstddef>
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

/** Where a frame came from, as far as the link can tell. Untrusted: the message layer
 *  identifies the sender from the authenticated frame, never from this. */
struct PeerHint {
  /** UDP: the source IPv4 address ("10.0.0.2", no port); serial: the device path. */
  std::string address;
};

/** Counters each link keeps; shown by `hbctl status --json`. Monotonic for the link's life
 *  (close()/open() do not reset them). Byte counts are frame (payload) bytes, not wire bytes. */
struct LinkStats {
  std::uint64_t frames_sent = 0;      ///< UDP: datagrams (one per ucast peer); serial: frames
  std::uint64_t frames_received = 0;  ///< frames handed to the onFrame callback
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  /** Refused or dropped sends: closed, oversize, socket buffer or queue full, device down. */
  std::uint64_t send_errors = 0;
  std::uint64_t receive_errors = 0;   ///< socket errors; serial: device losses
  std::uint64_t bad_frames = 0;   ///< framing errors (serial) or oversize datagrams
  /** False while a serial device is missing/broken, and before a serial link first opened it;
   *  always true for UDP links. */
  bool device_ok = true;
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
   *  opens successfully and retries in the background (every LinkOptions::reopen_interval).
   *  Harmless when already open.
   *  @return UDP: NotFound (no such interface, no IPv4/broadcast address) or Io (socket option,
   *          bind) errors naming the link; the daemon exits 3 ("cannot bind a link"). */
  virtual Result<void> open() = 0;
  /** Stops receiving, cancels timers and closes sockets/devices; harmless when closed. open()
   *  may be called again. Destroying a link closes it. Safe from inside the onFrame callback. */
  virtual void close() = 0;
  /** Queues one frame for every peer on this medium. Never throws; errors are counted.
   *  UDP sends at once without blocking (a full socket buffer drops the frame); serial queues
   *  the encoded frame for an async write (a full queue drops it).
   *  @return InvalidArgument when frame.size() > maxFrameSize(); Io when the link is closed, the
   *          serial device is down or its queue is full, or no UDP destination accepted it. */
  virtual Result<void> send(ByteView frame) = 0;
  /** Sets the receive callback; called on the loop once per received frame. The view is valid
   *  only during the call. The callback may close or destroy the link. A bcast link also
   *  receives its own broadcasts (the message layer drops frames from ourselves). */
  virtual void onFrame(std::function<void(ByteView, const PeerHint&)> deliver) = 0;
  /** The counters; the reference stays valid for the link's life. */
  virtual const LinkStats& stats() const = 0;
  /** Sets the status callback: called on the loop each time LinkStats::device_ok changes while
   *  the link is open, with its new value (true: the link can carry frames now, e.g. its serial
   *  device was opened, possibly from inside open(); false: the device was lost). Never called
   *  from close() or the destructor. Not called for the state at the time it is set: read
   *  stats().device_ok for that. Membership uses it so that silence on a link that was not open
   *  is not counted against a peer (Membership::setLinkOpen). The default ignores the callback:
   *  a link that never changes needs nothing. */
  virtual void onStatus(std::function<void(bool device_ok)> changed) { (void)changed; }
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
  /** ucast only, optional: local IPv4 address to bind instead of 0.0.0.0 (lets several links
   *  share one interface and port, e.g. 127.0.0.1 and 127.0.0.2 on "lo" in tests). Leave empty
   *  for bcast/mcast: broadcast datagrams reach only sockets bound to 0.0.0.0. */
  std::string bind_address;
  /** serial: how often a missing or broken device is retried. */
  std::chrono::milliseconds reopen_interval{1000};
  bool operator==(const LinkOptions&) const = default;
};

/** Largest frame a UDP link carries (one Ethernet MTU with room for IP/UDP headers). */
inline constexpr std::size_t kMaxUdpFrameSize = 1400;
/** Largest frame a serial link carries (before its own framing overhead). */
inline constexpr std::size_t kMaxSerialFrameSize = 1400;

/**
 * Builds a link (not opened yet). Loop thread only. `io`, `sched` and `log` must outlive the link.
 * @param o     what to build; validated here (e.g. a bad peer or group address is InvalidArgument).
 * @param io    the daemon's io_context; every socket/descriptor of the link completes on it.
 * @param sched timers (serial reopen, receive-error back-off).
 * @param log   the sink for Subsys::Link messages.
 * @return the link, or InvalidArgument for bad options, or Unsupported for a kind left out of the
 *         build ("built without serial support").
 */
Result<LinkPtr> makeLink(const LinkOptions& o, boost::asio::io_context& io, Scheduler& sched,
                         LogSink& log);

/**
 * Every IPv4 address configured on this host's interfaces (getifaddrs), loopback included, as
 * dotted quads. The daemon uses it to skip ucast peers that are our own addresses (heartbeat
 * ignores packets to itself, so one ha.cf can list every node). Any thread.
 * @return the addresses (possibly empty), or Io when getifaddrs fails.
 */
Result<std::vector<std::string>> localIpv4Addresses();

/**
 * Bytes per second a serial line carries at `baud` with 8N1 framing (10 bits on the wire per
 * byte: start, 8 data, stop). Used to size heartbeats and queues for slow lines.
 * @return baud / 10; 0 for a baud <= 0.
 */
std::size_t serialBytesPerSecond(int baud);

}  // namespace hb::link
