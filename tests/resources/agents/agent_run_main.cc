// SPDX-License-Identifier: GPL-2.0-or-later
// hb_agent_run: `hbctl agent run` as a standalone test driver for the agents script tests.
#include <iostream>
#include <string>
#include <vector>

#include "hbd/tools/hbctl_agent.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return hb::tools::hbctlAgentRun(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "hb_agent_run: " << e.what() << '\n';
    return 1;
  }
}
