// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: parseRequestLine on arbitrary bytes never throws, and a parsed request
// survives toJson -> parseRequest unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hbd/control/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto r = hb::control::parseRequestLine(line);
  if (!r) {
    if (r.error().message.empty()) std::abort();  // every refusal says why
    return 0;
  }
  const auto j = hb::control::toJson(*r);
  auto again = hb::control::parseRequest(j);
  if (!again || again->index() != r->index() || hb::control::toJson(*again) != j) std::abort();
  return 0;
}
