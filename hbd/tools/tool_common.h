// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the command-line tools: --socket handling and talking to hbd.
#pragma once

#include <string>
#include <vector>

#include "hbd/control/control.h"

namespace hb::tools {

/** Removes `--socket PATH` / `--socket=PATH` from args and returns the socket path to use
 *  (flag, else $HBD_SOCKET, else /run/hbd/hbd.sock). */
std::string takeSocketFlag(std::vector<std::string>& args);

/** argv[1..] as strings. */
std::vector<std::string> argsOf(int argc, char** argv);

}  // namespace hb::tools
