// SPDX-License-Identifier: GPL-2.0-or-later
// hb_standby / hb_takeover (one binary, two names): ask hbd to give away or take over resource groups.
#include <iostream>
#include <string>
#include <vector>

#include "hbd/control/request.h"
#include "hbd/tools/tool_common.h"
#include "resources/base/text.h"

using hb::control::MoveRequest;

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
         "                    default 60 s\n"
         "Moving groups needs root or a member of ha.cf's admin_group (haclient may only read status).\n";
  return rc;
}

}  // namespace

int hbStandbyMain(const std::string& prog, std::vector<std::string> args) {
  const std::string sock = hb::tools::takeSocketFlag(args);
  MoveRequest req;
  req.kind = prog == "hb_takeover" ? MoveRequest::Kind::Takeover : MoveRequest::Kind::Standby;
  bool have_what = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-h" || a == "--help") return usage(prog, 0);
    if (a == "--wait") {
      req.wait = true;
      // An optional number of seconds follows; anything else is the next argument.
      if (i + 1 < args.size()) {
        const auto& next = args[i + 1];
        if (auto s = hb::parseInt(next, 0, hb::control::kMaxWait.count() / 1000)) {
          req.wait_ms = std::chrono::seconds(*s);
          ++i;
        } else if (!next.empty() && next[0] >= '0' && next[0] <= '9') {
          std::cerr << prog << ": --wait: '" << next << "' is not a number of seconds (0.."
                    << hb::control::kMaxWait.count() / 1000 << ")\n";
          return 1;
        }
      }
      continue;
    }
    if (have_what) return usage(prog, 1);
    req.what = a;
    have_what = true;
  }
  if (req.what != "all" && req.what != "foreign" && req.what != "local" && req.what != "failback") {
    return usage(prog, 1);
  }
  const auto timeout = req.wait ? req.wait_ms + std::chrono::seconds(5) : std::chrono::milliseconds(5000);
  auto r = hb::control::request(sock, hb::control::toJson(req), timeout);
  if (!r) {
    std::cerr << prog << ": " << r.error().message << "\n";
    return 1;
  }
  if (!hb::control::replyOk(*r)) {
    std::cerr << prog << ": " << hb::control::replyError(*r, "request refused") << "\n";
    return 1;
  }
  const std::string msg = hb::control::replyText(*r, hb::control::kMessageKey);
  if (!msg.empty()) std::cout << msg << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::string prog = argv[0];
  if (auto slash = prog.rfind('/'); slash != std::string::npos) prog = prog.substr(slash + 1);
  if (prog != "hb_takeover") prog = "hb_standby";
  return hbStandbyMain(prog, hb::tools::argsOf(argc, argv));
}
