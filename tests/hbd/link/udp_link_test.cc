// SPDX-License-Identifier: GPL-2.0-or-later
// UdpLink on loopback: two ucast links exchange frames; oversize, close/reopen, bad options.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hbd/link/link.h"
#include "resources/base/asio_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/hbd/link/link_test_util.h"

namespace hb::link {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using test::bytes;
using test::runFor;
using test::runUntil;

/** A UDP port that was free a moment ago on 127.0.0.1. */
std::uint16_t freePort() {
  asio::io_context io;
  udp::socket s(io, udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  return s.local_endpoint().port();
}

struct Received {
  std::vector<std::string> frames;
  std::vector<std::string> from;
};

class UdpLinkTest : public ::testing::Test {
 protected:
  LinkOptions ucast(const std::string& self, const std::string& peer) {
    LinkOptions o;
    o.kind = LinkOptions::Kind::Ucast;
    o.interface = "lo";
    o.peers = {peer};
    o.port = port_;
    o.bind_address = self;
    return o;
  }
  LinkPtr make(const LinkOptions& o, Received& into) {
    auto l = makeLink(o, io_, sched_, log_);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().describe());
    if (!l.ok()) return nullptr;
    LinkPtr link = std::move(l).value();
    link->onFrame([&into](ByteView f, const PeerHint& h) {
      into.frames.emplace_back(f.begin(), f.end());
      into.from.push_back(h.address);
    });
    return link;
  }

  asio::io_context io_;
  AsioScheduler sched_{io_};
  hb::test::MemoryLogSink log_;
  std::uint16_t port_ = freePort();
};

TEST_F(UdpLinkTest, UcastLinksExchangeFramesOnLoopback) {
  Received ra, rb;
  auto a = make(ucast("127.0.0.1", "127.0.0.2"), ra);
  auto b = make(ucast("127.0.0.2", "127.0.0.1"), rb);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->name(), "lo");
  EXPECT_EQ(a->maxFrameSize(), kMaxUdpFrameSize);
  ASSERT_TRUE(a->open().ok());
  ASSERT_TRUE(b->open().ok());

  ASSERT_TRUE(a->send(bytes("hello from a")).ok());
  ASSERT_TRUE(b->send(bytes("hello from b")).ok());
  ASSERT_TRUE(runUntil(io_, [&] { return ra.frames.size() == 1 && rb.frames.size() == 1; }));
  EXPECT_EQ(rb.frames[0], "hello from a");
  EXPECT_EQ(rb.from[0], "127.0.0.1");
  EXPECT_EQ(ra.frames[0], "hello from b");
  EXPECT_EQ(ra.from[0], "127.0.0.2");

  // A full-size frame passes; many frames arrive in order on loopback.
  const std::string big(kMaxUdpFrameSize, 'x');
  ASSERT_TRUE(a->send(bytes(big)).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(a->send(bytes("n" + std::to_string(i))).ok());
  ASSERT_TRUE(runUntil(io_, [&] { return rb.frames.size() == 52; }));
  EXPECT_EQ(rb.frames[1], big);
  EXPECT_EQ(rb.frames[51], "n49");

  EXPECT_EQ(a->stats().frames_sent, 52u);
  EXPECT_EQ(a->stats().bytes_sent, 12u + kMaxUdpFrameSize + 10 * 2 + 40 * 3);
  EXPECT_EQ(b->stats().frames_received, 52u);
  EXPECT_EQ(b->stats().bytes_received, a->stats().bytes_sent);
  EXPECT_EQ(b->stats().bad_frames, 0u);
  EXPECT_TRUE(b->stats().device_ok);
}

TEST_F(UdpLinkTest, OversizeDatagramIsDroppedAndCounted) {
  Received rb;
  auto b = make(ucast("127.0.0.2", "127.0.0.1"), rb);
  ASSERT_TRUE(b && b->open().ok());
  udp::socket raw(io_, udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  const udp::endpoint to(asio::ip::make_address_v4("127.0.0.2"), port_);
  raw.send_to(asio::buffer(std::string(kMaxUdpFrameSize + 1, 'o')), to);
  raw.send_to(asio::buffer(std::string(9000, 'p')), to);
  raw.send_to(asio::buffer(std::string("after")), to);
  ASSERT_TRUE(runUntil(io_, [&] { return rb.frames.size() == 1; }));
  EXPECT_EQ(rb.frames[0], "after");
  EXPECT_EQ(b->stats().bad_frames, 2u);
  EXPECT_EQ(b->stats().frames_received, 1u);
}

TEST_F(UdpLinkTest, SendRefusesOversizeFrameAndClosedLink) {
  Received ra;
  auto a = make(ucast("127.0.0.1", "127.0.0.2"), ra);
  ASSERT_TRUE(a);
  auto closed = a->send(bytes("x"));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, Errc::Io);
  ASSERT_TRUE(a->open().ok());
  auto r = a->send(bytes(std::string(kMaxUdpFrameSize + 1, 'x')));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  EXPECT_EQ(a->stats().send_errors, 2u);
  EXPECT_EQ(a->stats().frames_sent, 0u);
}

TEST_F(UdpLinkTest, UcastSendsToEveryPeer) {
  Received ra, rb, rc;
  auto o = ucast("127.0.0.1", "127.0.0.2");
  o.peers.push_back("127.0.0.3");
  auto a = make(o, ra);
  auto b = make(ucast("127.0.0.2", "127.0.0.1"), rb);
  auto c = make(ucast("127.0.0.3", "127.0.0.1"), rc);
  ASSERT_TRUE(a && b && c);
  ASSERT_TRUE(a->open().ok() && b->open().ok() && c->open().ok());
  ASSERT_TRUE(a->send(bytes("to all")).ok());
  ASSERT_TRUE(runUntil(io_, [&] { return rb.frames.size() == 1 && rc.frames.size() == 1; }));
  EXPECT_EQ(rb.frames[0], "to all");
  EXPECT_EQ(rc.frames[0], "to all");
  EXPECT_EQ(a->stats().frames_sent, 2u);  // one datagram per peer
}

TEST_F(UdpLinkTest, CloseStopsDeliveryAndOpenResumes) {
  Received ra, rb;
  auto a = make(ucast("127.0.0.1", "127.0.0.2"), ra);
  auto b = make(ucast("127.0.0.2", "127.0.0.1"), rb);
  ASSERT_TRUE(a && b && a->open().ok() && b->open().ok());
  b->close();
  b->close();  // harmless twice
  ASSERT_TRUE(a->send(bytes("lost")).ok());
  runFor(io_, std::chrono::milliseconds(100));
  EXPECT_TRUE(rb.frames.empty());
  ASSERT_TRUE(b->open().ok());
  ASSERT_TRUE(a->send(bytes("found")).ok());
  ASSERT_TRUE(runUntil(io_, [&] { return rb.frames.size() == 1; }));
  EXPECT_EQ(rb.frames[0], "found");
}

TEST_F(UdpLinkTest, CallbackMayCloseOrDestroyItsLink) {
  Received ra;
  auto a = make(ucast("127.0.0.1", "127.0.0.2"), ra);
  ASSERT_TRUE(a && a->open().ok());
  LinkPtr b = std::move(makeLink(ucast("127.0.0.2", "127.0.0.1"), io_, sched_, log_)).value();
  int seen = 0;
  b->onFrame([&](ByteView, const PeerHint&) {
    ++seen;
    if (seen == 1) b->close();
  });
  ASSERT_TRUE(b->open().ok());
  ASSERT_TRUE(a->send(bytes("1")).ok());
  ASSERT_TRUE(a->send(bytes("2")).ok());
  runFor(io_, std::chrono::milliseconds(100));
  EXPECT_EQ(seen, 1);

  ASSERT_TRUE(b->open().ok());
  b->onFrame([&](ByteView, const PeerHint&) {
    ++seen;
    b.reset();  // destroyed from inside its own callback
  });
  ASSERT_TRUE(a->send(bytes("3")).ok());
  ASSERT_TRUE(a->send(bytes("4")).ok());
  ASSERT_TRUE(runUntil(io_, [&] { return b == nullptr; }));
  runFor(io_, std::chrono::milliseconds(50));
  EXPECT_EQ(seen, 2);
}

TEST_F(UdpLinkTest, DestroyedWithPendingReceiveIsSafe) {
  Received ra;
  {
    auto a = make(ucast("127.0.0.1", "127.0.0.2"), ra);
    ASSERT_TRUE(a && a->open().ok());
  }
  runFor(io_, std::chrono::milliseconds(20));
  EXPECT_TRUE(ra.frames.empty());
}

TEST_F(UdpLinkTest, SendNeverBlocksWhenNobodyReads) {
  Received ra;
  auto a = make(ucast("127.0.0.1", "127.0.0.2"), ra);  // no socket on 127.0.0.2: nobody reads
  ASSERT_TRUE(a && a->open().ok());
  const std::string frame(1000, 'f');
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5000; ++i) (void)a->send(bytes(frame));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(a->stats().frames_sent + a->stats().send_errors, 5000u);
}

TEST_F(UdpLinkTest, OpenFailsWithoutInterfaceOrBroadcastAddress) {
  LinkOptions o = ucast("127.0.0.1", "127.0.0.2");
  o.interface = "hbnosuch0";
  auto l = makeLink(o, io_, sched_, log_);
  ASSERT_TRUE(l.ok());
  auto r = (*l)->open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::NotFound);

  LinkOptions b;
  b.kind = LinkOptions::Kind::Bcast;
  b.interface = "lo";  // loopback has no broadcast address
  b.port = port_;
  auto bl = makeLink(b, io_, sched_, log_);
  ASSERT_TRUE(bl.ok());
  auto br = (*bl)->open();
  ASSERT_FALSE(br.ok());
  EXPECT_NE(br.error().message.find("broadcast"), std::string::npos);
}

TEST_F(UdpLinkTest, FactoryRejectsBadOptions) {
  const auto bad = [&](LinkOptions o) {
    auto l = makeLink(o, io_, sched_, log_);
    return !l.ok() && l.error().code == Errc::InvalidArgument;
  };
  LinkOptions o = ucast("127.0.0.1", "127.0.0.2");
  EXPECT_TRUE(bad([&] { auto x = o; x.peers.clear(); return x; }()));
  EXPECT_TRUE(bad([&] { auto x = o; x.peers = {"10.0.0.300"}; return x; }()));
  EXPECT_TRUE(bad([&] { auto x = o; x.peers = {"node2"}; return x; }()));
  EXPECT_TRUE(bad([&] { auto x = o; x.interface.clear(); return x; }()));
  EXPECT_TRUE(bad([&] { auto x = o; x.interface = std::string(40, 'e'); return x; }()));
  EXPECT_TRUE(bad([&] { auto x = o; x.port = 0; return x; }()));
  EXPECT_TRUE(bad([&] { auto x = o; x.bind_address = "nowhere"; return x; }()));
  LinkOptions m;
  m.kind = LinkOptions::Kind::Mcast;
  m.interface = "lo";
  m.group = "10.1.2.3";  // not multicast
  EXPECT_TRUE(bad(m));
  m.group = "225.0.0.1";
  m.ttl = 0;
  EXPECT_TRUE(bad(m));
  m.ttl = 1;
  EXPECT_TRUE(makeLink(m, io_, sched_, log_).ok());
}

TEST(LinkHelpers, LocalIpv4AddressesIncludeLoopback) {
  auto a = localIpv4Addresses();
  ASSERT_TRUE(a.ok());
  EXPECT_NE(std::find(a->begin(), a->end(), "127.0.0.1"), a->end());
  // No duplicates.
  auto sorted = *a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(LinkHelpers, SerialBytesPerSecondUsesTenBitsPerByte) {
  EXPECT_EQ(serialBytesPerSecond(19200), 1920u);
  EXPECT_EQ(serialBytesPerSecond(9600), 960u);
  EXPECT_EQ(serialBytesPerSecond(115200), 11520u);
  EXPECT_EQ(serialBytesPerSecond(0), 0u);
  EXPECT_EQ(serialBytesPerSecond(-5), 0u);
}

}  // namespace
}  // namespace hb::link
