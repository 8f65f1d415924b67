// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: parseAuthKeys on arbitrary text; checks the parser's promises.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hbd/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = hb::config::parseAuthKeys(text, "authkeys");
  if (!r.value) std::abort();
  for (const auto& d : r.diagnostics) (void)d.format();
  if (r.ok()) {
    const auto& ring = *r.value;
    // Usable: the signing key exists, indexes are in range, keyed methods have a key.
    if (ring.keys.count(ring.send_index) == 0) std::abort();
    for (const auto& [index, key] : ring.keys) {
      if (index < 0 || index > 15) std::abort();
      const bool keyed = key.method != hb::message::AuthMethod::Crc;
      if (keyed == key.secret.empty()) std::abort();
    }
  }
  return 0;
}
