// SPDX-License-Identifier: GPL-2.0-or-later
// Private to hb_link: the per-kind constructors link_factory.cc chooses between.
#pragma once

#include "hbd/link/link.h"

namespace hb::link {

/** A UDP link for Kind::Ucast, Kind::Bcast or Kind::Mcast (udp_link.cc). Validates `o`. */
Result<LinkPtr> makeUdpLink(const LinkOptions& o, boost::asio::io_context& io, Scheduler& sched,
                            LogSink& log);

/** A serial link (serial_link.cc), or Unsupported (serial_link_disabled.cc) when the build has
 *  no serial support. */
Result<LinkPtr> makeSerialLink(const LinkOptions& o, boost::asio::io_context& io,
                               Scheduler& sched, LogSink& log);

}  // namespace hb::link
