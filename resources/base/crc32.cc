// SPDX-License-Identifier: GPL-2.0-or-later
// CRC-32 through Boost.CRC (header-only, part of the Boost dependency we already have).
#include "resources/base/crc32.h"

#include <boost/crc.hpp>

namespace hb {

std::uint32_t crc32(std::span<const std::uint8_t> data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

}  // namespace hb
