// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: parseRequestLine on arbitrary bytes never throws, and a parsed request
// survives toJson -> parseRequest unchanged (and keeps its changesState() class).
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
  if (hb::control::commandName(*r).empty()) std::abort();  // every parsed request has a name
  const auto j = hb::control::toJson(*r);
  auto again = hb::control::parseRequest(j);
  if (!again || again->index() != r->index() || hb::control::toJson(*again) != j) std::abort();
  if (hb::control::changesState(*again) != hb::control::changesState(*r)) std::abort();
  return 0;
}
