// SPDX-License-Identifier: GPL-2.0-or-later
// hb_standby / hb_takeover (one binary, two names): ask hbd to give away or take over resource groups.
#include <cctype>
#include <iostream>
#include <string>
#include <vector>

#include "hbd/tools/tool_common.h"

using hb::control::Json;

namespace {

int usage(const std::string& prog, int rc) {
  (rc == 0 ? std::cout : std::cerr)
      << "Usage: " << prog << " [all|foreign|local|failback] [--wait [SECONDS]] [--socket PATH]\n"
      << (prog == "hb_takeover" ? "Take over resource groups from the peer:\n"
                                : "Give resource groups away to the peer:\n")
      << "  all       every group (default)\n"
         "  local     the groups whose preferred node is this node\n"
         "  foreign   the groups whose preferred node is the other node\n"
         "  failback  " << (prog == "hb_takeover" ? "as heartbeat: the same as all\n" : "the same as foreign\n")
      << "  --wait [SECONDS]  return when the move has completed (exit 0) or the time ran out (exit 1);\n"
         "                    default 60 s\n";
  return rc;
}

}  // namespace

int hbStandbyMain(const std::string& prog, std::vector<std::string> args) {
  const std::string sock = hb::tools::takeSocketFlag(args);
  std::string what;
  bool wait = false;
  long wait_s = 60;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-h" || a == "--help") return usage(prog, 0);
    if (a == "--wait") {
      wait = true;
      if (i + 1 < args.size() && !args[i + 1].empty() && std::isdigit(static_cast<unsigned char>(args[i + 1][0]))) {
        wait_s = std::stol(args[++i]);
      }
      continue;
    }
    if (!what.empty()) return usage(prog, 1);
    what = a;
  }
  if (what.empty()) what = "all";
  if (what != "all" && what != "foreign" && what != "local" && what != "failback") return usage(prog, 1);
  const std::string cmd = prog == "hb_takeover" ? "takeover" : "standby";
  Json req{{"cmd", cmd}, {"what", what}, {"wait", wait}, {"wait_ms", wait_s * 1000}};
  auto r = hb::control::request(sock, req, std::chrono::milliseconds(wait ? wait_s * 1000 + 5000 : 5000));
  if (!r) {
    std::cerr << prog << ": " << r.error().message << "\n";
    return 1;
  }
  if (!r->value("ok", false)) {
    std::cerr << prog << ": " << r->value("error", "request refused") << "\n";
    return 1;
  }
  const std::string msg = r->value("message", "");
  if (!msg.empty()) std::cout << msg << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::string prog = argv[0];
  if (auto slash = prog.rfind('/'); slash != std::string::npos) prog = prog.substr(slash + 1);
  if (prog != "hb_takeover") prog = "hb_standby";
  return hbStandbyMain(prog, hb::tools::argsOf(argc, argv));
}
