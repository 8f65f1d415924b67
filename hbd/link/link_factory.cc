// SPDX-License-Identifier: GPL-2.0-or-later
// makeLink: the one place that maps LinkOptions::Kind to an implementation.
#include "hbd/link/link_private.h"

namespace hb::link {

Result<LinkPtr> makeLink(const LinkOptions& o, boost::asio::io_context& io, Scheduler& sched,
                         LogSink& log) {
  switch (o.kind) {
    case LinkOptions::Kind::Ucast:
    case LinkOptions::Kind::Bcast:
    case LinkOptions::Kind::Mcast:
      return makeUdpLink(o, io, sched, log);
    case LinkOptions::Kind::Serial:
      // serial_link.cc, or serial_link_disabled.cc ("built without serial support").
      return makeSerialLink(o, io, sched, log);
  }
  return err(Errc::InvalidArgument, "unknown link kind");
}

std::size_t serialBytesPerSecond(int baud) {
  // 8N1: one start bit, eight data bits, one stop bit per byte.
  return baud <= 0 ? 0 : static_cast<std::size_t>(baud) / 10;
}

}  // namespace hb::link
