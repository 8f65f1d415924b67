// SPDX-License-Identifier: GPL-2.0-or-later
// CRC-32 (IEEE 802.3, reflected, as zlib and heartbeat's crc plug-in compute it), the one copy used
// by the message layer's `crc` auth method and the serial link's frame check.
#pragma once

#include <cstdint>
#include <span>

namespace hb {

/** CRC-32 of `data`: crc32("123456789") = 0xCBF43926. */
std::uint32_t crc32(std::span<const std::uint8_t> data);

}  // namespace hb
