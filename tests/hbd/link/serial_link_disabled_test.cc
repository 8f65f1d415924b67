// SPDX-License-Identifier: GPL-2.0-or-later
// Built with HB_WITH_SERIAL=OFF: a serial link is refused as Unsupported, naming the reason.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "hbd/link/link.h"
#include "resources/base/asio_scheduler.h"

namespace hb::link {
namespace {

TEST(SerialLinkDisabled, FactoryReturnsUnsupported) {
  boost::asio::io_context io;
  AsioScheduler sched(io);
  LinkOptions o;
  o.kind = LinkOptions::Kind::Serial;
  o.device = "/dev/ttyS0";
  auto r = makeLink(o, io, sched, nullLogSink());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Unsupported);
  EXPECT_NE(r.error().message.find("built without serial support"), std::string::npos);
}

}  // namespace
}  // namespace hb::link
