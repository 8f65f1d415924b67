// SPDX-License-Identifier: GPL-2.0-or-later
// Shared tool helpers.
#include "hbd/tools/tool_common.h"

namespace hb::tools {

std::string takeSocketFlag(std::vector<std::string>& args) {
  std::string flag;
  for (std::size_t i = 0; i < args.size();) {
    if (args[i] == "--socket" && i + 1 < args.size()) {
      flag = args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (args[i].rfind("--socket=", 0) == 0) {
      flag = args[i].substr(9);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return control::socketPath(flag);
}

std::vector<std::string> argsOf(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) out.emplace_back(argv[i]);
  return out;
}

}  // namespace hb::tools
