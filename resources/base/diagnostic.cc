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

}  // namespace hb
