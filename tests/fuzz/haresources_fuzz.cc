// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the haresources parser, then the CIB XML writer and reader on its result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crm/cib/cib.h"
#include "crm/haresources/haresources.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = hb::haresources::parseHaresources(text, "haresources", {});
  auto checked = hb::haresources::parseHaresources(text, "haresources", {"node1", "node2"});
  for (const auto& d : checked.diagnostics) {
    if (d.where.line < 1) std::abort();  // every haresources diagnostic names a line
  }
  if (parsed.value) {
    // What we write we must read back identically.
    const std::string xml = hb::cib::toXml(*parsed.value);
    auto back = hb::cib::fromXml(xml, "cib.xml");
    if (!parsed.hasErrors() && (!back.ok() || !(*back.value == *parsed.value))) std::abort();
  }
  // The XML reader must survive arbitrary input too.
  (void)hb::cib::fromXml(text, "cib.xml");
  return 0;
}
