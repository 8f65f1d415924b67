// SPDX-License-Identifier: GPL-2.0-or-later
// VRRP v2/v3 (IPv4) packet encoding and decoding with typed drop reasons; never trusts the input.
#include <algorithm>
#include <charconv>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {
namespace {

constexpr std::size_t kIpMinHeader = 20;
constexpr std::size_t kVrrpHeader = 8;
constexpr std::size_t kAuthLen = 8;

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}

void put16(std::vector<std::uint8_t>& b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v >> 8);
  b[off + 1] = static_cast<std::uint8_t>(v & 0xff);
}

// The v3 IPv4 pseudo-header sum: src, dst, zero, protocol, VRRP length.
std::uint32_t pseudoSum(Ipv4Address src, Ipv4Address dst, std::size_t len) {
  std::uint32_t sum = 0;
  sum += static_cast<std::uint32_t>((src.bytes[0] << 8) | src.bytes[1]);
  sum += static_cast<std::uint32_t>((src.bytes[2] << 8) | src.bytes[3]);
  sum += static_cast<std::uint32_t>((dst.bytes[0] << 8) | dst.bytes[1]);
  sum += static_cast<std::uint32_t>((dst.bytes[2] << 8) | dst.bytes[3]);
  sum += kVrrpProto;
  sum += static_cast<std::uint32_t>(len & 0xffff);
  return sum;
}

}  // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  Ipv4Address a;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start || pos - start > 3) return std::nullopt;
    unsigned v = 0;
    std::from_chars(text.data() + start, text.data() + pos, v);
    if (v > 255) return std::nullopt;
    a.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  }
  if (pos != text.size()) return std::nullopt;
  return a;
}

std::uint32_t Ipv4Address::toUint() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

Ipv4Address Ipv4Address::fromUint(std::uint32_t v) {
  return Ipv4Address{{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                      static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}};
}

std::string Ipv4Address::toString() const {
  return fmt::format("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]);
}

std::string_view dropReasonName(DropReason r) {
  switch (r) {
    case DropReason::Ok: return "ok";
    case DropReason::Truncated: return "truncated";
    case DropReason::BadIpHeader: return "bad_ip_header";
    case DropReason::BadProtocol: return "bad_protocol";
    case DropReason::BadTtl: return "bad_ttl";
    case DropReason::BadVersion: return "bad_version";
    case DropReason::BadType: return "bad_type";
    case DropReason::BadChecksum: return "bad_checksum";
    case DropReason::VridMismatch: return "vrid_mismatch";
    case DropReason::VersionMismatch: return "version_mismatch";
    case DropReason::AuthMismatch: return "auth_mismatch";
    case DropReason::AdvertMismatch: return "advert_mismatch";
    case DropReason::AddressMismatch: return "address_mismatch";
  }
  return "?";
}

std::uint16_t internetChecksum(std::span<const std::uint8_t> data, std::uint32_t initial_sum) {
  std::uint64_t sum = initial_sum;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

Advert advertFor(const InstanceConf& c, std::uint8_t prio) {
  Advert a;
  a.version = c.version;
  a.vrid = static_cast<std::uint8_t>(c.vrid);
  a.priority = prio;
  a.interval = c.advert_int;
  for (const auto& v : c.vips) a.addresses.push_back(v.address);
  if (c.version == 2 && !c.auth_pass.empty()) {
    a.auth_type = 1;
    std::copy(c.auth_pass.begin(), c.auth_pass.end(), a.auth_data.begin());
  }
  return a;
}

std::vector<std::uint8_t> encodeVrrp(const Advert& advert, Ipv4Address src, Ipv4Address dst) {
  const std::size_t naddr = std::min<std::size_t>(advert.addresses.size(), 255);
  const bool v3 = advert.version == 3;
  std::vector<std::uint8_t> b(kVrrpHeader + 4 * naddr + (v3 ? 0 : kAuthLen), 0);
  b[0] = static_cast<std::uint8_t>(((v3 ? 3 : 2) << 4) | 1);
  b[1] = advert.vrid;
  b[2] = advert.priority;
  b[3] = static_cast<std::uint8_t>(naddr);
  if (v3) {
    auto cs = std::clamp<std::int64_t>(advert.interval.count() / 10'000, 0, 0x0fff);
    put16(b, 4, static_cast<std::uint16_t>(cs));
  } else {
    b[4] = advert.auth_type;
    b[5] = static_cast<std::uint8_t>(std::clamp<std::int64_t>(advert.interval.count() / 1'000'000, 0, 255));
  }
  for (std::size_t i = 0; i < naddr; ++i) {
    std::copy(advert.addresses[i].bytes.begin(), advert.addresses[i].bytes.end(),
              b.begin() + static_cast<std::ptrdiff_t>(kVrrpHeader + 4 * i));
  }
  if (!v3) {
    std::copy(advert.auth_data.begin(), advert.auth_data.end(),
              b.begin() + static_cast<std::ptrdiff_t>(kVrrpHeader + 4 * naddr));
  }
  std::uint16_t sum = internetChecksum(b, v3 ? pseudoSum(src, dst, b.size()) : 0);
  put16(b, 6, sum);
  return b;
}

std::vector<std::uint8_t> encodeIpv4Packet(const Advert& advert, Ipv4Address src, Ipv4Address dst,
                                           std::uint16_t ip_id) {
  auto vrrp = encodeVrrp(advert, src, dst);
  std::vector<std::uint8_t> p(kIpMinHeader + vrrp.size(), 0);
  p[0] = 0x45;
  p[1] = 0xc0;
  put16(p, 2, static_cast<std::uint16_t>(kIpMinHeader + vrrp.size()));
  put16(p, 4, ip_id);
  p[8] = 255;
  p[9] = kVrrpProto;
  std::copy(src.bytes.begin(), src.bytes.end(), p.begin() + 12);
  std::copy(dst.bytes.begin(), dst.bytes.end(), p.begin() + 16);
  put16(p, 10, internetChecksum(std::span<const std::uint8_t>(p.data(), kIpMinHeader)));
  for (std::size_t i = 0; i < vrrp.size(); ++i) p[kIpMinHeader + i] = vrrp[i];
  return p;
}

Decoded decodePacket(std::span<const std::uint8_t> packet) {
  Decoded d;
  auto fail = [&d](DropReason r) {
    d.reason = r;
    return d;
  };
  if (packet.size() < kIpMinHeader) return fail(DropReason::Truncated);
  if ((packet[0] >> 4) != 4) return fail(DropReason::BadIpHeader);
  const std::size_t ihl = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if (ihl < kIpMinHeader) return fail(DropReason::BadIpHeader);
  if (packet.size() < ihl) return fail(DropReason::Truncated);
  const std::size_t total = get16(packet, 2);
  // Raw sockets on Linux deliver the total length as sent; anything else is malformed.
  if (total < ihl) return fail(DropReason::BadIpHeader);
  if (total > packet.size()) return fail(DropReason::Truncated);
  if ((get16(packet, 6) & 0x3fff) != 0) return fail(DropReason::BadIpHeader);  // fragment
  std::copy_n(packet.begin() + 12, 4, d.envelope.src.bytes.begin());
  std::copy_n(packet.begin() + 16, 4, d.envelope.dst.bytes.begin());
  d.envelope.ttl = packet[8];
  if (packet[9] != kVrrpProto) return fail(DropReason::BadProtocol);
  auto vrrp = packet.subspan(ihl, total - ihl);
  if (vrrp.size() >= 2) d.vrid = vrrp[1];
  if (d.envelope.ttl != 255) return fail(DropReason::BadTtl);
  if (vrrp.size() < kVrrpHeader) return fail(DropReason::Truncated);
  const int version = vrrp[0] >> 4;
  if (version != 2 && version != 3) return fail(DropReason::BadVersion);
  if ((vrrp[0] & 0x0f) != 1) return fail(DropReason::BadType);
  const std::size_t naddr = vrrp[3];
  const std::size_t need = kVrrpHeader + 4 * naddr + (version == 2 ? kAuthLen : 0);
  if (vrrp.size() < need) return fail(DropReason::Truncated);
  // keepalived checksums the whole received VRRP payload; trailing bytes are part of it.
  const std::uint32_t pseudo = version == 3 ? pseudoSum(d.envelope.src, d.envelope.dst, vrrp.size()) : 0;
  if (internetChecksum(vrrp, pseudo) != 0) return fail(DropReason::BadChecksum);

  Advert& a = d.advert;
  a.version = version;
  a.vrid = vrrp[1];
  a.priority = vrrp[2];
  a.checksum = get16(vrrp, 6);
  if (version == 3) {
    a.interval = Micros(static_cast<std::int64_t>(get16(vrrp, 4) & 0x0fff) * 10'000);
  } else {
    a.auth_type = vrrp[4];
    a.interval = std::chrono::seconds(vrrp[5]);
  }
  a.addresses.resize(naddr);
  for (std::size_t i = 0; i < naddr; ++i) {
    std::copy_n(vrrp.begin() + static_cast<std::ptrdiff_t>(kVrrpHeader + 4 * i), 4,
                a.addresses[i].bytes.begin());
  }
  if (version == 2) {
    std::copy_n(vrrp.begin() + static_cast<std::ptrdiff_t>(kVrrpHeader + 4 * naddr), kAuthLen,
                a.auth_data.begin());
  }
  return d;
}

DropReason checkAdvert(const Advert& advert, const Expectation& expect) {
  if (advert.vrid != expect.vrid) return DropReason::VridMismatch;
  if (advert.version != expect.version) return DropReason::VersionMismatch;
  if (advert.version == 2) {
    const std::uint8_t want_type = expect.auth_pass.empty() ? 0 : 1;
    if (advert.auth_type != want_type) return DropReason::AuthMismatch;
    if (want_type == 1) {
      std::array<std::uint8_t, 8> want{};
      std::copy_n(expect.auth_pass.begin(), std::min<std::size_t>(8, expect.auth_pass.size()),
                  want.begin());
      if (want != advert.auth_data) return DropReason::AuthMismatch;
    }
    if (advert.interval != expect.advert_int) return DropReason::AdvertMismatch;
  }
  // keepalived (without skip_check_adv_addr) drops adverts whose address list differs.
  if (!expect.addresses.empty()) {
    auto a = advert.addresses;
    auto b = expect.addresses;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) return DropReason::AddressMismatch;
  }
  return DropReason::Ok;
}

Decoded decodePacket(std::span<const std::uint8_t> packet, const Expectation& expect) {
  Decoded d = decodePacket(packet);
  if (d.reason == DropReason::Ok) d.reason = checkAdvert(d.advert, expect);
  return d;
}

}  // namespace hb::vrrp
