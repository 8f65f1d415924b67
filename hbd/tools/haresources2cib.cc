// SPDX-License-Identifier: GPL-2.0-or-later
// haresources2cib: prints a heartbeat haresources file as Pacemaker-style CIB XML.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "crm/haresources/haresources.h"
#include "hbd/config/config.h"
#include "hbd/tools/tool_common.h"

namespace {

const char* kUsage =
    "Usage: haresources2cib [-c|--config-dir DIR] [FILE]\n"
    "Converts a heartbeat haresources file (default DIR/haresources, DIR = /etc/ha.d) to CIB XML on\n"
    "stdout. When DIR/ha.cf exists, its `node` lines check the node names and its auto_failback sets\n"
    "the stickiness. Problems are printed as FILE:LINE: error|warning: TEXT on stderr.\n"
    "Exit codes: 0 converted, 1 the file has errors or cannot be read, 2 usage error.\n";

}  // namespace

int main(int argc, char** argv) {
  auto args = hb::tools::argsOf(argc, argv);
  std::string dir = "/etc/ha.d", file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if ((args[i] == "-c" || args[i] == "--config-dir") && i + 1 < args.size()) {
      dir = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::cerr << "haresources2cib: unknown option " << args[i] << "\n" << kUsage;
      return 2;
    } else if (file.empty()) {
      file = args[i];
    } else {
      std::cerr << kUsage;
      return 2;
    }
  }
  if (file.empty()) file = dir + "/haresources";

  std::vector<std::string> nodes;
  hb::cib::AutoFailback af = hb::cib::AutoFailback::Legacy;
  const std::string hacf = dir + "/ha.cf";
  if (::access(hacf.c_str(), R_OK) == 0) {
    if (auto text = hb::config::readFile(hacf)) {
      auto cf = hb::config::parseHaCf(*text, hacf);
      for (const auto& d : cf.diagnostics) {
        if (d.severity == hb::Severity::Error) std::cerr << d.format() << "\n";
      }
      if (cf.value) {
        nodes = cf.value->nodes;
        af = cf.value->auto_failback == hb::config::AutoFailback::On    ? hb::cib::AutoFailback::On
             : cf.value->auto_failback == hb::config::AutoFailback::Off ? hb::cib::AutoFailback::Off
                                                                        : hb::cib::AutoFailback::Legacy;
      }
    }
  }
  auto text = hb::config::readFile(file);
  if (!text) {
    std::cerr << "haresources2cib: " << text.error().message << "\n";
    return 1;
  }
  auto xml = hb::haresources::haresourcesToCibXml(*text, file, nodes, af);
  for (const auto& d : xml.diagnostics) std::cerr << d.format() << "\n";
  if (!xml.ok()) return 1;
  std::cout << *xml.value;
  return 0;
}
