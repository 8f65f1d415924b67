// SPDX-License-Identifier: GPL-2.0-or-later
// cl_status: heartbeat 3.0.6's status tool — same sub-commands, options, words and exit codes.
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hbd/control/status.h"
#include "hbd/tools/tool_common.h"
#include "resources/base/text.h"

using hb::control::Json;
using hb::control::NodeStatus;
using hb::control::Status;

namespace {

// heartbeat's cl_status exit codes.
constexpr int kOk = 0;
constexpr int kFail = 1;
constexpr int kParamError = 11;
constexpr int kTimeout = 12;
constexpr int kUnknownError = 13;

const char* kUsage =
    "Usage: cl_status <sub-command> [<options>] [<parameters>]\n"
    "Sub-commands:\n"
    "\thblinkstatus <node> <link>\n"
    "\thbstatus [-v]\n"
    "\tlistnodes [-p|-n|-v]\n"
    "\tlisthblinks [-v] <node>\n"
    "\tnodestatus <node>\n"
    "\tnodeweight <node>\n"
    "\tnodesite <node>\n"
    "\tnodetype <node>\n"
    "\trscstatus\n"
    "\thbparameter -p <parameter-name>\n"
    "Options:\n"
    "\t-m\tmake the output more human readable\n"
    "\t-v\tverbose (hbstatus, listnodes, listhblinks)\n"
    "\t-p\tlist only ping nodes (listnodes)\n"
    "\t-n\tlist only normal nodes (listnodes)\n"
    "\t--socket PATH\thbd's control socket (default $HBD_SOCKET, else /run/hbd/hbd.sock)\n";

struct Opts {
  bool human = false, verbose = false, ping_only = false, normal_only = false;
  std::string param;
  std::vector<std::string> pos;
};

int signonFailure(const hb::Error& e) {
  std::cerr << "Cannot signon with heartbeat\nREASON: " << e.message << "\n";
  return e.code == hb::Errc::Timeout ? kTimeout : kFail;
}

const NodeStatus* findNode(const Status& st, const std::string& name) {
  for (const auto& n : st.nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

void printNodeVerbose(const NodeStatus& n) {
  std::cout << "\n" << n.name << "\t" << n.state << "\t(nodetype: " << n.type << ")\n";
  for (const auto& l : n.links) std::cout << "\t" << l.name << "\t" << l.state << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  auto args = hb::tools::argsOf(argc, argv);
  const std::string sock = hb::tools::takeSocketFlag(args);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << kUsage;
    return kOk;
  }
  std::string cmd = args[0];
  Opts o;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-m") o.human = true;
    else if (a == "-v") o.verbose = true;
    else if (a == "-p" && (cmd == "hbparameter" || cmd == "parameter")) {
      if (i + 1 >= args.size()) {
        std::cerr << "cl_status: -p needs a parameter name\n";
        return kParamError;
      }
      o.param = args[++i];
    } else if (a == "-p") o.ping_only = true;
    else if (a == "-n") o.normal_only = true;
    else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "cl_status: unknown option " << a << "\n";
      return kParamError;
    } else o.pos.push_back(a);
  }
  static const std::set<std::string> kCommands{"hbstatus",   "listnodes",    "nodestatus", "nodetype",
                                               "nodeweight", "nodesite",     "listhblinks", "hblinkstatus",
                                               "rscstatus",  "hbparameter",  "parameter",  "clientstatus"};
  if (kCommands.count(cmd) == 0) {
    std::cerr << cmd << ": invalid sub-command.\n";
    return kParamError;
  }

  if (cmd == "hbparameter" || cmd == "parameter") {
    if (o.param.empty()) {
      std::cerr << "cl_status: hbparameter needs -p <parameter-name>\n";
      return kParamError;
    }
    auto r = hb::control::request(sock, hb::control::toJson(hb::control::ParameterRequest{o.param}));
    if (!r) return signonFailure(r.error());
    if (!hb::control::replyOk(*r)) {
      std::cerr << "ERROR: Cannot get parameter " << o.param << "'s value\n";
      return kFail;
    }
    const std::string v = hb::control::replyText(*r, hb::control::kValueKey);
    if (o.human) std::cout << "Heartbeat parameter " << o.param << "'s value: " << v << "\n";
    else std::cout << v << "\n";
    return kOk;
  }

  auto r = hb::control::request(sock, hb::control::toJson(hb::control::StatusRequest{}));
  if (cmd == "hbstatus") {
    if (!r) {
      if (r.error().message.find("Permission denied") != std::string::npos ||
          r.error().message.find("permission denied") != std::string::npos) {
        std::cout << "Heartbeat is apparently running on this machine, but refuses my connection\n";
        return kOk;
      }
      std::cout << "Heartbeat is stopped on this machine.\n";
      return kFail;
    }
    if (!hb::control::replyOk(*r)) {
      std::cout << "Heartbeat is apparently running on this machine, but refuses my connection\n";
      return kOk;
    }
    std::cout << "Heartbeat is running on this machine.\n";
    if (o.verbose) {
      auto st = hb::control::statusFromReply(*r);
      if (!st) return signonFailure(st.error());
      std::cout << "version:\t" << st->version << "\n";
      std::cout << "managed by:\t\"" << st->managed_by << "\"\n";
      for (const auto& n : st->nodes) printNodeVerbose(n);
    }
    return kOk;
  }
  if (!r) return signonFailure(r.error());
  if (!hb::control::replyOk(*r)) {
    std::cerr << "Cannot signon with heartbeat\nREASON: " << hb::control::replyError(*r, "refused") << "\n";
    return kFail;
  }
  auto parsed = hb::control::statusFromReply(*r);
  if (!parsed) return signonFailure(parsed.error());
  const Status& st = *parsed;

  auto needNode = [&](std::size_t count) -> const NodeStatus* {
    if (o.pos.size() < count) {
      std::cerr << "cl_status: " << cmd << " needs " << (count == 1 ? "a node name" : "a node and a link name") << "\n";
      return nullptr;
    }
    const std::string name = hb::toLower(o.pos[0]);
    const NodeStatus* n = findNode(st, name);
    if (n == nullptr) std::cerr << "Error. May be due to incorrect node name\n";
    return n;
  };

  if (cmd == "listnodes") {
    if (o.human) std::cout << "The nodes are as follow:\n";
    for (const auto& n : st.nodes) {
      const bool ping = n.type == "ping";
      if ((o.ping_only && !ping) || (o.normal_only && ping)) continue;
      if (o.verbose) printNodeVerbose(n);
      else std::cout << n.name << "\n";
    }
    return kOk;
  }
  if (cmd == "rscstatus") {
    const std::string& v = st.rscstatus;
    if (o.human) std::cout << "This node is holding " << v << " resources.\n";
    else std::cout << v << "\n";
    return kOk;
  }
  if (cmd == "clientstatus") {
    std::cerr << "ERROR: Cannot get heartbeat client status\nREASON: hbd has no API clients\n";
    return kUnknownError;
  }
  if (cmd == "hblinkstatus") {
    const NodeStatus* n = needNode(2);
    if (n == nullptr) return kParamError;
    for (const auto& l : n->links) {
      if (l.name != o.pos[1]) continue;
      const std::string& s = l.state;
      if (o.human) std::cout << "The node " << o.pos[0] << "'s heartbeat link " << o.pos[1] << " is " << s << "\n";
      else std::cout << s << "\n";
      return s == "up" ? kOk : kFail;
    }
    std::cerr << "Error. May be due to incorrect link name\n";
    return kUnknownError;
  }
  const NodeStatus* n = needNode(1);
  if (n == nullptr) return kParamError;
  const std::string name = o.pos[0];
  if (cmd == "nodestatus") {
    const std::string& s = n->state;
    if (o.human) std::cout << "The cluster node " << name << " is " << s << "\n";
    else std::cout << s << "\n";
    return (s == "active" || s == "up" || s == "ping") ? kOk : kFail;
  }
  if (cmd == "nodetype") {
    const std::string& t = n->type;
    if (o.human) std::cout << "The node " << name << "'s type: " << t << "\n";
    else std::cout << t << "\n";
    return kOk;
  }
  if (cmd == "nodeweight") {
    if (o.human) std::cout << "The weight of the cluster node " << name << " is 100\n";
    else std::cout << "100\n";
    return kOk;
  }
  if (cmd == "nodesite") {
    if (o.human) std::cout << "The site of the cluster node " << name << " is \n";
    else std::cout << "\n";
    return kOk;
  }
  // listhblinks
  if (o.human) std::cout << "\tthis node has the following heartbeat links:\n";
  for (const auto& l : n->links) {
    std::cout << "\t" << l.name;
    if (o.verbose) std::cout << "\t" << l.state;
    std::cout << "\n";
  }
  return kOk;
}
