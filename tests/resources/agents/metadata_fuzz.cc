// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: OCF meta-data XML (agent output is untrusted input) and agent durations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "resources/agents/agents.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto md = hb::resources::parseMetadata(text);
  if (md.ok()) {
    (void)md->missingRequired({});
    (void)md->actionTimeout("start");
  }
  (void)hb::resources::parseAgentDuration(text.substr(0, 32));
  (void)hb::resources::parseAgentSpec(text.substr(0, 64));
  (void)hb::resources::heartbeatStatusRunning(text);
  return 0;
}
