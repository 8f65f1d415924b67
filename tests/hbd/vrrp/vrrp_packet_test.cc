// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the VRRP codec against packets captured from keepalived 2.2.7 (testdata/*.hex).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {
namespace {

std::vector<std::uint8_t> loadHex(const std::string& name) {
  std::ifstream in(std::string(HB_VRRP_TESTDATA) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::string hex;
  std::getline(in, hex);
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

Advert pass2(std::uint8_t vrid, std::uint8_t prio, std::vector<Ipv4Address> vips, std::string pw) {
  Advert a;
  a.version = 2;
  a.vrid = vrid;
  a.priority = prio;
  a.addresses = std::move(vips);
  a.auth_type = 1;
  std::copy(pw.begin(), pw.end(), a.auth_data.begin());
  a.interval = std::chrono::seconds(1);
  return a;
}

Advert v3(std::uint8_t vrid, std::uint8_t prio, std::vector<Ipv4Address> vips, int cs) {
  Advert a;
  a.version = 3;
  a.vrid = vrid;
  a.priority = prio;
  a.addresses = std::move(vips);
  a.interval = Micros(cs * 10'000);
  return a;
}

TEST(VrrpAddress, ParseAndOrder) {
  EXPECT_EQ(ip("10.202.0.1").toString(), "10.202.0.1");
  EXPECT_EQ(ip("10.202.0.1").toUint(), 0x0aca0001u);
  EXPECT_EQ(Ipv4Address::fromUint(0xe0000012u), kVrrpGroup);
  EXPECT_FALSE(Ipv4Address::parse("10.0.0"));
  EXPECT_FALSE(Ipv4Address::parse("10.0.0.256"));
  EXPECT_FALSE(Ipv4Address::parse("10.0.0.1 "));
  EXPECT_FALSE(Ipv4Address::parse("1000.0.0.1"));
  EXPECT_LT(ip("10.0.0.2"), ip("10.0.0.10"));
}

TEST(VrrpChecksum, Rfc1071Example) {
  // RFC 1071 section 3 example: 0001 f203 f4f5 f6f7 sums to ddf2, checksum 220d.
  std::vector<std::uint8_t> d{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internetChecksum(d), 0x220d);
  std::vector<std::uint8_t> odd{0x01};
  EXPECT_EQ(internetChecksum(odd), static_cast<std::uint16_t>(~0x0100 & 0xffff));
}

// The baseline document's verbatim v2 PASS packet: decode, then re-encode byte for byte.
TEST(VrrpPacket, KeepalivedV2PassBaseline) {
  auto pkt = loadHex("ka_baseline_v2_pass.hex");
  ASSERT_EQ(pkt.size(), 40u);
  Decoded d = decodePacket(pkt);
  ASSERT_EQ(d.reason, DropReason::Ok);
  EXPECT_EQ(d.advert.version, 2);
  EXPECT_EQ(d.advert.vrid, 51);
  EXPECT_EQ(d.advert.priority, 150);
  EXPECT_EQ(d.advert.auth_type, 1);
  EXPECT_EQ(d.advert.interval, std::chrono::seconds(1));
  EXPECT_EQ(d.advert.checksum, 0xcf1d);
  ASSERT_EQ(d.advert.addresses.size(), 1u);
  EXPECT_EQ(d.advert.addresses[0], ip("10.202.0.100"));
  EXPECT_EQ(d.envelope.src, ip("10.202.0.1"));
  EXPECT_EQ(d.envelope.dst, kVrrpGroup);
  EXPECT_EQ(d.envelope.ttl, 255);
  auto again = encodeIpv4Packet(pass2(51, 150, {ip("10.202.0.100")}, "secret12"), ip("10.202.0.1"),
                                kVrrpGroup, 1);
  EXPECT_EQ(again, pkt);
}

TEST(VrrpPacket, KeepalivedV3Baseline) {
  auto pkt = loadHex("ka_baseline_v3_vmac.hex");
  Decoded d = decodePacket(pkt);
  ASSERT_EQ(d.reason, DropReason::Ok);
  EXPECT_EQ(d.advert.version, 3);
  EXPECT_EQ(d.advert.interval, std::chrono::milliseconds(100));
  EXPECT_EQ(d.advert.checksum, 0x4239);
  EXPECT_EQ(encodeIpv4Packet(v3(51, 150, {ip("10.202.0.100")}, 10), ip("10.202.0.1"), kVrrpGroup, 1),
            pkt);

  auto p0 = loadHex("ka_baseline_v3_prio0.hex");
  Decoded d0 = decodePacket(p0);
  ASSERT_EQ(d0.reason, DropReason::Ok);
  EXPECT_EQ(d0.advert.priority, 0);
  EXPECT_EQ(d0.advert.checksum, 0xd839);
  EXPECT_EQ(encodeIpv4Packet(v3(51, 0, {ip("10.202.0.100")}, 10), ip("10.202.0.1"), kVrrpGroup, 77),
            p0);
}

// v3 at 1 s without vmac: only the VRRP bytes are in the baseline; checksum 41df needs the
// pseudo-header (2d39 without it).
TEST(VrrpPacket, V3ChecksumNeedsPseudoHeader) {
  auto vr = encodeVrrp(v3(51, 150, {ip("10.202.0.100")}, 100), ip("10.202.0.1"), kVrrpGroup);
  std::vector<std::uint8_t> want{0x31, 0x33, 0x96, 0x01, 0x00, 0x64, 0x41, 0xdf,
                                 0x0a, 0xca, 0x00, 0x64};
  EXPECT_EQ(vr, want);
  auto zeroed = vr;
  zeroed[6] = zeroed[7] = 0;
  EXPECT_EQ(internetChecksum(zeroed), 0x2d39);
}

// Captured here from keepalived 2.2.7: v2 PASS with two VIPs, and its priority-0 resign advert.
TEST(VrrpPacket, Keepalived227V2TwoVips) {
  for (auto [file, prio, id] : {std::tuple{"ka227_v2_pass_2vip.hex", 200, 1},
                                std::tuple{"ka227_v2_pass_2vip_prio0.hex", 0, 4}}) {
    auto pkt = loadHex(file);
    Decoded d = decodePacket(pkt);
    ASSERT_EQ(d.reason, DropReason::Ok) << file;
    EXPECT_EQ(d.advert.vrid, 7);
    EXPECT_EQ(d.advert.priority, prio);
    ASSERT_EQ(d.advert.addresses.size(), 2u);
    auto a = pass2(7, static_cast<std::uint8_t>(prio), {ip("10.203.0.100"), ip("10.203.0.101")},
                   "hbdpw");
    EXPECT_EQ(encodeIpv4Packet(a, ip("10.203.0.1"), kVrrpGroup, static_cast<std::uint16_t>(id)), pkt)
        << file;
    Expectation e{2, 7, "hbdpw", std::chrono::seconds(1), {ip("10.203.0.101"), ip("10.203.0.100")}};
    EXPECT_EQ(checkAdvert(d.advert, e), DropReason::Ok);
  }
}

// Captured from keepalived 2.2.7 in unicast v3 mode at 0.05 s: the pseudo-header holds the peer.
TEST(VrrpPacket, Keepalived227V3Unicast) {
  for (auto [file, prio] : {std::tuple{"ka227_v3_unicast.hex", 120},
                            std::tuple{"ka227_v3_unicast_prio0.hex", 0}}) {
    auto pkt = loadHex(file);
    Decoded d = decodePacket(pkt);
    ASSERT_EQ(d.reason, DropReason::Ok) << file;
    EXPECT_EQ(d.advert.version, 3);
    EXPECT_EQ(d.advert.vrid, 9);
    EXPECT_EQ(d.advert.priority, prio);
    EXPECT_EQ(d.advert.interval, std::chrono::milliseconds(50));
    EXPECT_EQ(d.envelope.dst, ip("10.203.0.2"));
    const std::uint16_t id = static_cast<std::uint16_t>((pkt[4] << 8) | pkt[5]);
    EXPECT_EQ(encodeIpv4Packet(v3(9, static_cast<std::uint8_t>(prio), {ip("10.203.0.109")}, 5),
                               ip("10.203.0.1"), ip("10.203.0.2"), id),
              pkt);
    // The same bytes with the multicast group as destination fail the v3 checksum.
    auto other = pkt;
    std::copy(kVrrpGroup.bytes.begin(), kVrrpGroup.bytes.end(), other.begin() + 16);
    EXPECT_EQ(decodePacket(other).reason, DropReason::BadChecksum);
  }
}

TEST(VrrpPacket, DropReasons) {
  auto good = loadHex("ka_baseline_v2_pass.hex");
  auto with = [&](std::size_t off, std::uint8_t v) {
    auto p = good;
    p[off] = v;
    return p;
  };
  EXPECT_EQ(decodePacket(std::span(good.data(), 19)).reason, DropReason::Truncated);
  EXPECT_EQ(decodePacket(std::span(good.data(), 39)).reason, DropReason::Truncated);
  EXPECT_EQ(decodePacket(with(0, 0x65)).reason, DropReason::BadIpHeader);
  EXPECT_EQ(decodePacket(with(0, 0x44)).reason, DropReason::BadIpHeader);
  EXPECT_EQ(decodePacket(with(9, 17)).reason, DropReason::BadProtocol);
  EXPECT_EQ(decodePacket(with(8, 254)).reason, DropReason::BadTtl);
  EXPECT_EQ(decodePacket(with(8, 1)).reason, DropReason::BadTtl);
  EXPECT_EQ(decodePacket(with(20, 0x41)).reason, DropReason::BadVersion);
  EXPECT_EQ(decodePacket(with(20, 0x22)).reason, DropReason::BadType);
  EXPECT_EQ(decodePacket(with(22, 151)).reason, DropReason::BadChecksum);
  EXPECT_EQ(decodePacket(with(36, 'x')).reason, DropReason::BadChecksum);  // password byte
  EXPECT_EQ(decodePacket(with(23, 5)).reason, DropReason::Truncated);      // 5 addresses claimed
  EXPECT_EQ(decodePacket(with(6, 0x20)).reason, DropReason::BadIpHeader);  // more fragments
  // The VRID is reported even for dropped packets, to attribute the drop.
  EXPECT_EQ(decodePacket(with(8, 254)).vrid, 51);
}

TEST(VrrpPacket, ExpectationMismatches) {
  auto pkt = loadHex("ka_baseline_v2_pass.hex");
  const std::vector<Ipv4Address> vips{ip("10.202.0.100")};
  Expectation ok{2, 51, "secret12", std::chrono::seconds(1), vips};
  EXPECT_EQ(decodePacket(pkt, ok).reason, DropReason::Ok);
  Expectation e = ok;
  e.vrid = 52;
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::VridMismatch);
  e = ok;
  e.auth_pass = "secret13";
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::AuthMismatch);
  e.auth_pass = "secret1";
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::AuthMismatch);
  e.auth_pass = "";
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::AuthMismatch);  // we expect no auth
  e = ok;
  e.advert_int = std::chrono::seconds(2);
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::AdvertMismatch);
  e = ok;
  e.version = 3;
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::VersionMismatch);
  e = ok;
  e.addresses = {ip("10.202.0.101")};
  EXPECT_EQ(decodePacket(pkt, e).reason, DropReason::AddressMismatch);

  // v3 does not compare advert intervals: the backup learns the master's.
  auto p3 = loadHex("ka_baseline_v3_vmac.hex");
  Expectation e3{3, 51, "", std::chrono::seconds(1), vips};
  EXPECT_EQ(decodePacket(p3, e3).reason, DropReason::Ok);
}

TEST(VrrpPacket, EncodeClampsAndNames) {
  Advert a = v3(1, 100, {}, 5000);  // 50 s is more than 12 bits of centiseconds
  auto b = encodeVrrp(a, ip("10.0.0.1"), kVrrpGroup);
  EXPECT_EQ(((b[4] & 0x0f) << 8) | b[5], 0x0fff);
  EXPECT_EQ(dropReasonName(DropReason::BadChecksum), "bad_checksum");
  EXPECT_EQ(dropReasonName(DropReason::AddressMismatch), "address_mismatch");
  EXPECT_EQ(static_cast<std::size_t>(DropReason::AddressMismatch) + 1, kDropReasonCount);
}

}  // namespace
}  // namespace hb::vrrp
