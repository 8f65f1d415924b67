// SPDX-License-Identifier: GPL-2.0-or-later
// Diagnostic formatting.
#include "resources/base/diagnostic.h"

namespace hb {

std::string Diagnostic::format() const {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += severity == Severity::Error ? ": error: " : ": warning: ";
  out += text;
  return out;
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    out.push_back(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return out;
}

}  // namespace hb
