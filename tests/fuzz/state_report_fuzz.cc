// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the crm state-report decoder on arbitrary Fields (one "name=value" per line),
// then encode -> decode of whatever it accepted, whole and in small chunks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crm/executor/executor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hb::executor::Fields f;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const auto line = text.substr(start, nl - start);
    const auto eq = line.find('=');
    if (eq != std::string_view::npos) f[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    start = nl + 1;
  }
  auto r = hb::executor::decodeReport(f);
  if (!r) return 0;
  // What we accepted we must write and read back identically, in one chunk or in many.
  const auto whole = hb::executor::encodeReport(*r, SIZE_MAX);
  if (whole.size() != 1) std::abort();
  auto back = hb::executor::decodeReport(whole[0]);
  if (!back || !(*back == *r)) std::abort();
  hb::executor::StateReport merged;
  for (const auto& chunk : hb::executor::encodeReport(*r, 200)) {
    auto part = hb::executor::decodeReport(chunk);
    if (!part) std::abort();
    if (part->seq != r->seq || part->standby != r->standby || part->vrrp_master != r->vrrp_master) std::abort();
    for (auto& [gid, g] : part->groups) {
      if (!merged.groups.emplace(gid, g).second) std::abort();  // each group in one chunk only
    }
  }
  if (merged.groups != r->groups) std::abort();
  return 0;
}
