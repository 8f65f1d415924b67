// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: parseHaCf and validateHaCf on arbitrary text; checks the parser's promises.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hbd/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = hb::config::parseHaCf(text, "ha.cf");
  if (!r.value) std::abort();  // the parser always returns a best-effort value
  for (const auto& d : r.diagnostics) {
    if (d.where.file != "ha.cf" || d.where.line < 0) std::abort();
    (void)d.format();
  }
  const hb::config::HaCf& cf = *r.value;
  if (r.ok()) {
    // A usable file obeys heartbeat's rules.
    if (cf.nodes.empty() || (cf.udp.empty() && cf.serial.empty())) std::abort();
    if (cf.deadtime <= 2 * cf.keepalive || cf.initdead < cf.deadtime) std::abort();
    if (cf.keepalive.count() <= 0 || cf.warntime.count() <= 0) std::abort();
    for (const auto& n : cf.nodes) {
      for (char c : n) {
        if (c >= 'A' && c <= 'Z') std::abort();  // lower-cased
      }
    }
  }
  hb::config::HaCf copy = cf;
  std::vector<hb::Diagnostic> out;
  hb::config::validateHaCf(copy, "node1", {"10.0.0.1", "127.0.0.1"}, "ha.cf", out);
  for (const auto& m : copy.udp) {
    if (m.kind == hb::config::UdpMedium::Kind::Ucast && m.peer == "10.0.0.1") std::abort();
  }
  return 0;
}
