// SPDX-License-Identifier: GPL-2.0-or-later
// hb::Error helpers.
#include "resources/base/result.h"

namespace hb {

std::string Error::describe() const {
  if (where && !where->file.empty()) {
    return where->file + ":" + std::to_string(where->line) + ": " + message;
  }
  return message;
}

Error err(Errc code, std::string message) { return Error{code, std::move(message), std::nullopt}; }

}  // namespace hb
