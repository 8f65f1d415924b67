// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: parseAuthKeys on arbitrary text; checks the parser's promises.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hbd/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool insecure_ok : {false, true}) {
    auto r = hb::config::parseAuthKeys(text, "authkeys", insecure_ok);
    if (!r.value) std::abort();
    for (const auto& d : r.diagnostics) (void)d.format();
    if (r.ok()) {
      const auto& ring = *r.value;
      // Usable: the signing key exists, indexes are in range, keyed methods have a key; crc only
      // when allowed, and never beside a keyed method.
      if (ring.keys.count(ring.send_index) == 0) std::abort();
      bool any_crc = false, any_keyed = false;
      for (const auto& [index, key] : ring.keys) {
        if (index < 0 || index > 15) std::abort();
        const bool keyed = key.method != hb::message::AuthMethod::Crc;
        if (keyed == key.secret.empty()) std::abort();
        (keyed ? any_keyed : any_crc) = true;
      }
      if (any_crc && (!insecure_ok || any_keyed)) std::abort();
    }
  }
  return 0;
}
