// SPDX-License-Identifier: GPL-2.0-or-later
// hbctl: hbd's operator tool — status, the live CIB, hand-over history, VRRP state, agent runs.
#include <iostream>
#include <string>
#include <vector>

#include "hbd/tools/hbctl_agent.h"
#include "hbd/tools/tool_common.h"

using hb::control::Json;

namespace {

const char* kUsage =
    "Usage: hbctl [--socket PATH] COMMAND [ARGS]\n"
    "Commands:\n"
    "  status [--json]      nodes (state, links with last-heard age), resource groups, counters\n"
    "  cib                  the live resource model as Pacemaker-style CIB XML\n"
    "  history [--json]     recent hand-overs and failovers, each as a timeline\n"
    "  vrrp                 one line per VRRP instance: NAME STATE PRIORITY\n"
    "  agent run CLASS:[PROVIDER:]TYPE ACTION [name=value ...]\n"
    "                       run one agent action the way hbd would; prints the result word,\n"
    "                       the exit code and the duration (no daemon needed)\n"
    "The socket is --socket, else $HBD_SOCKET, else /run/hbd/hbd.sock.\n"
    "Exit codes: 0 ok, 1 failure (daemon not running, request refused), 2 usage error.\n";

std::string age(const Json& v) {
  if (v.is_null()) return "never";
  return std::to_string(v.get<long long>()) + " ms ago";
}

void printStatus(const Json& st) {
  std::cout << "Node " << st.value("node", "") << ": " << st.value("state", "") << " (hbd "
            << st.value("version", "") << ", cluster " << st.value("cluster", "") << ", up "
            << st.value("uptime_ms", 0LL) / 1000 << " s, generation " << st.value("generation", 0ULL) << ")\n";
  std::cout << "\nNodes:\n";
  for (const auto& n : st["nodes"]) {
    std::cout << "  " << n.value("name", "") << "\t" << n.value("state", "");
    if (n.value("self", false)) {
      std::cout << "\t(this node)\n";
      continue;
    }
    std::cout << "\tlast heard " << age(n["last_heard_ms"]) << "\n";
    for (const auto& l : n["links"]) {
      std::cout << "    link " << l.value("name", "") << "\t" << l.value("state", "") << "\tlast heard "
                << age(l["last_heard_ms"]) << "\n";
    }
  }
  std::cout << "\nLinks:\n";
  for (const auto& l : st["links"]) {
    std::cout << "  " << l.value("name", "") << "\tsent " << l.value("frames_sent", 0ULL) << "\treceived "
              << l.value("frames_received", 0ULL) << "\terrors " << l.value("send_errors", 0ULL) << "/"
              << l.value("receive_errors", 0ULL) << "\tbad frames " << l.value("bad_frames", 0ULL)
              << (l.value("device_ok", true) ? "" : "\tDEVICE MISSING") << "\n";
  }
  const auto& c = st["counters"];
  std::cout << "\nMessages: received " << c.value("received", 0ULL) << ", duplicates " << c.value("duplicates", 0ULL)
            << ", late heartbeats " << c.value("late_heartbeats", 0ULL) << ", restarts seen "
            << c.value("restarts", 0ULL) << "\nDropped:";
  for (const auto& [reason, count] : c["dropped"].items()) std::cout << " " << reason << "=" << count;
  std::cout << "\n\nResource groups:";
  if (st["groups"].empty()) std::cout << " none configured";
  std::cout << "\n";
  for (const auto& g : st["groups"]) {
    std::cout << "  " << g.value("id", "") << "\t" << g.value("state", "") << "\ton "
              << (g["owner"].is_null() ? std::string("-") : g.value("owner", "")) << "\n";
    for (const auto& r : g["resources"]) {
      std::cout << "    " << r.value("id", "") << "\t" << r.value("state", "") << " here\t(" << r.value("agent", "")
                << ")\n";
    }
  }
  if (st.contains("vrrp") && !st["vrrp"].empty()) {
    std::cout << "\nVRRP instances:\n";
    for (const auto& v : st["vrrp"]) {
      std::cout << "  " << v.value("name", "") << "\tvrid " << v.value("vrid", 0) << "\t" << v.value("state", "")
                << "\tpriority " << v.value("effective_priority", 0) << " (base " << v.value("priority", 0) << ")\n";
    }
  }
}

int simple(const std::string& sock, const std::string& cmd, bool json) {
  auto r = hb::control::request(sock, Json{{"cmd", cmd}});
  if (!r) {
    std::cerr << "hbctl: " << r.error().message << "\n";
    return 1;
  }
  if (!r->value("ok", false)) {
    std::cerr << "hbctl: " << r->value("error", "request refused") << "\n";
    return 1;
  }
  if (json) {
    std::cout << r->dump(2) << "\n";
    return 0;
  }
  if (cmd == "status") {
    printStatus(*r);
  } else if (cmd == "cib") {
    std::cout << r->value("xml", "");
  } else if (cmd == "vrrp") {
    for (const auto& v : (*r)["vrrp"]) {
      std::cout << v.value("name", "") << " " << v.value("state", "") << " " << v.value("effective_priority", 0)
                << "\n";
    }
  } else if (cmd == "history") {
    for (const auto& h : (*r)["history"]) {
      std::cout << h.value("started", "") << "  " << h.value("trigger", "") << "  group " << h.value("group", "")
                << "  -> " << h.value("outcome", "") << "\n";
      for (const auto& e : h["events"]) {
        std::cout << "    +" << e.value("at_ms", 0LL) << " ms  " << e.value("what", "") << "\n";
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = hb::tools::argsOf(argc, argv);
  const std::string sock = hb::tools::takeSocketFlag(args);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string cmd = args[0];
  bool json = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") json = true;
  }
  if (cmd == "agent") {
    if (args.size() < 2 || args[1] != "run") {
      std::cerr << "hbctl: usage: hbctl agent run CLASS:[PROVIDER:]TYPE ACTION [name=value ...]\n";
      return 2;
    }
    return hb::tools::hbctlAgentRun(std::vector<std::string>(args.begin() + 2, args.end()), std::cout, std::cerr);
  }
  if (cmd == "status" || cmd == "history") return simple(sock, cmd, json);
  if (cmd == "cib" || cmd == "vrrp") return simple(sock, cmd, false);
  std::cerr << "hbctl: unknown command '" << cmd << "'\n" << kUsage;
  return 2;
}
