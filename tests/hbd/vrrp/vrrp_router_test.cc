// SPDX-License-Identifier: GPL-2.0-or-later
// VrrpRouter tests that need no privileges: start-up errors leave nothing running.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "hbd/vrrp/vrrp.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"

namespace hb::vrrp {
namespace {

TEST(VrrpRouter, MissingInterfaceFailsCleanly) {
  auto parsed = parseVrrpConf(
      "vrrp_instance VI_1 {\n interface hbnosuch0\n virtual_router_id 5\n"
      " virtual_ipaddress {\n  10.9.9.9/24\n }\n}\n",
      "vrrp.conf");
  ASSERT_TRUE(parsed.ok());
  boost::asio::io_context io;
  hb::test::FakeScheduler sched;
  hb::test::MemoryLogSink log;
  VrrpRouter router(io, sched, log, *parsed.value);
  EXPECT_TRUE(router.status().empty());
  auto r = router.start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("hbnosuch0"), std::string::npos) << r.error().message;
  EXPECT_EQ(sched.armedTimers(), 0u);
  EXPECT_EQ(io.poll(), 0u);  // no socket or child left waiting on the loop
  router.stop();             // harmless after a failed start
}

TEST(VrrpRouter, EmptyConfigStartsAndStops) {
  boost::asio::io_context io;
  hb::test::FakeScheduler sched;
  hb::test::MemoryLogSink log;
  VrrpRouter router(io, sched, log, VrrpConfig{});
  if (auto r = router.start(); !r.ok()) {
    // Without CAP_NET_ADMIN the link monitor still opens (netlink needs no privilege).
    FAIL() << r.error().message;
  }
  EXPECT_TRUE(router.status().empty());
  EXPECT_EQ(router.unassignedDrops()[0], 0u);
  router.stop();
  router.stop();
  EXPECT_EQ(sched.armedTimers(), 0u);
}

}  // namespace
}  // namespace hb::vrrp
