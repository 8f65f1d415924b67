// SPDX-License-Identifier: GPL-2.0-or-later
// Built instead of serial_link.cc when HB_WITH_SERIAL is OFF: serial links are refused.
#include "hbd/link/link_private.h"

namespace hb::link {

Result<LinkPtr> makeSerialLink(const LinkOptions& o, boost::asio::io_context& /*io*/,
                               Scheduler& /*sched*/, LogSink& /*log*/) {
  return err(Errc::Unsupported, "serial link " + o.device + ": built without serial support");
}

}  // namespace hb::link
