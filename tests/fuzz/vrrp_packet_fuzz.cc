// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the VRRP packet decoder (and a re-encode round trip of what it accepts).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "hbd/vrrp/vrrp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hb::vrrp;
  std::span<const std::uint8_t> in(data, size);
  Decoded d = decodePacket(in);
  Expectation e;
  e.version = size > 0 && (data[0] & 1) ? 3 : 2;
  e.vrid = 51;
  e.auth_pass = "secret12";
  (void)decodePacket(in, e);
  if (d.reason == DropReason::Ok) {
    // Whatever is accepted must survive a round trip through the encoder.
    auto again = encodeIpv4Packet(d.advert, d.envelope.src, d.envelope.dst, 1);
    Decoded d2 = decodePacket(again);
    if (d2.reason != DropReason::Ok || d2.advert.vrid != d.advert.vrid ||
        d2.advert.priority != d.advert.priority || d2.advert.addresses != d.advert.addresses ||
        d2.advert.interval != d.advert.interval || d2.advert.auth_data != d.advert.auth_data) {
      std::abort();
    }
  }
  return 0;
}
