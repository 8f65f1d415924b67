// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the vrrp.conf parser (any text must give a value or diagnostics, never crash).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hbd/vrrp/vrrp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = hb::vrrp::parseVrrpConf(text, "vrrp.conf");
  if (!r.value && !r.hasErrors()) std::abort();  // no value must come with an error
  if (r.value) {
    for (const auto& i : r.value->instances) {
      // Validated instances keep the documented ranges.
      if (i.vrid < 1 || i.vrid > 255 || i.priority < 1 || i.priority > 255) std::abort();
      if (i.version == 2 && i.advert_int.count() % 1'000'000 != 0) std::abort();
      if (i.version == 3 && i.advert_int.count() < 10'000) std::abort();
      if (i.auth_pass.size() > 8) std::abort();
    }
  }
  return 0;
}
