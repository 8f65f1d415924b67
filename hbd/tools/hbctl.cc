// SPDX-License-Identifier: GPL-2.0-or-later
// hbctl: hbd's operator tool — status, the live CIB, hand-over history, VRRP state, agent runs.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "hbd/control/status.h"
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
    "  reload               re-read the configuration (as SIGHUP): keys, timings, links, groups\n"
    "                       (unchanged ones untouched) and log files are applied, or nothing\n"
    "                       changes and the reason is printed (exit 1)\n"
    "  cleanup RSC          forget the failures of RSC's group (or group RSC) on every node,\n"
    "                       a failed stop included, and probe it again; first make sure that\n"
    "                       nothing of it still runs where its stop failed\n"
    "  agent run CLASS:[PROVIDER:]TYPE ACTION [name=value ...]\n"
    "                       run one agent action the way hbd would; prints the result word,\n"
    "                       the exit code and the duration (no daemon needed)\n"
    "The socket is --socket, else $HBD_SOCKET, else /run/hbd/hbd.sock.\n"
    "Exit codes: 0 ok, 1 failure (daemon not running, request refused), 2 usage error.\n";

std::string age(const std::optional<std::int64_t>& v) {
  if (!v) return "never";
  return std::to_string(*v) + " ms ago";
}

void printStatus(const hb::control::Status& st) {
  std::cout << "Node " << st.node << ": " << st.state << " (hbd " << st.version << ", cluster "
            << st.cluster.value_or("") << ", up " << st.uptime_ms / 1000 << " s, generation "
            << st.generation.value_or(0) << ")\n";
  std::cout << "\nNodes:\n";
  for (const auto& n : st.nodes) {
    std::cout << "  " << n.name << "\t" << n.state;
    if (n.self) {
      std::cout << "\t(this node)\n";
      continue;
    }
    std::cout << "\tlast heard " << age(n.last_heard_ms) << "\n";
    for (const auto& l : n.links) {
      std::cout << "    link " << l.name << "\t" << l.state << "\tlast heard " << age(l.last_heard_ms) << "\n";
    }
  }
  std::cout << "\nLinks:\n";
  for (const auto& l : st.links) {
    std::cout << "  " << l.name << "\tsent " << l.frames_sent << "\treceived " << l.frames_received << "\terrors "
              << l.send_errors << "/" << l.receive_errors << "\tbad frames " << l.bad_frames
              << (l.device_ok ? "" : "\tDEVICE MISSING") << "\n";
  }
  const auto& c = st.counters;
  std::cout << "\nMessages: received " << c.received.value_or(0) << ", duplicates " << c.duplicates.value_or(0)
            << ", late heartbeats " << c.late_heartbeats.value_or(0) << ", restarts seen " << c.restarts.value_or(0)
            << ", from non-members " << c.from_non_member.value_or(0) << ", loop stalls " << c.stalls.value_or(0)
            << "\nDropped:";
  for (const auto& [reason, count] : c.dropped) std::cout << " " << reason << "=" << count;
  std::cout << "\n\nResource groups:";
  if (st.groups.empty()) std::cout << " none configured";
  std::cout << "\n";
  for (const auto& g : st.groups) {
    std::cout << "  " << g.id << "\t" << g.state << "\ton " << g.owner.value_or("-") << "\n";
    for (const auto& r : g.resources) {
      std::cout << "    " << r.id << "\t" << r.state << " here\t(" << r.agent << ")\n";
    }
  }
  if (!st.vrrp.empty()) {
    std::cout << "\nVRRP instances:\n";
    for (const auto& v : st.vrrp) {
      std::cout << "  " << v.name << "\tvrid " << v.vrid << "\t" << v.state << "\tpriority " << v.effective_priority
                << " (base " << v.priority << ")\n";
    }
  }
}

int fail(const std::string& what) {
  std::cerr << "hbctl: " << what << "\n";
  return 1;
}

int simple(const std::string& sock, const hb::control::Request& req, bool json) {
  auto r = hb::control::request(sock, hb::control::toJson(req));
  if (!r) return fail(r.error().message);
  if (!hb::control::replyOk(*r)) return fail(hb::control::replyError(*r, "request refused"));
  if (json) {
    std::cout << r->dump(2) << "\n";
    return 0;
  }
  if (std::holds_alternative<hb::control::StatusRequest>(req)) {
    auto st = hb::control::statusFromReply(*r);
    if (!st) return fail(st.error().message);
    printStatus(*st);
  } else if (std::holds_alternative<hb::control::CibRequest>(req)) {
    std::cout << hb::control::replyText(*r, hb::control::kXmlKey);
  } else if (std::holds_alternative<hb::control::VrrpRequest>(req)) {
    auto v = hb::control::vrrpFromReply(*r);
    if (!v) return fail(v.error().message);
    for (const auto& i : *v) std::cout << i.name << " " << i.state << " " << i.effective_priority << "\n";
  } else if (std::holds_alternative<hb::control::CleanupRequest>(req) ||
             std::holds_alternative<hb::control::ReloadRequest>(req)) {
    std::cout << hb::control::replyText(*r, hb::control::kMessageKey) << "\n";
  } else if (std::holds_alternative<hb::control::HistoryRequest>(req)) {
    auto h = hb::control::historyFromReply(*r);
    if (!h) return fail(h.error().message);
    for (const auto& e : *h) {
      std::cout << e.started << "  " << e.trigger << "  group " << e.group << "  -> " << e.outcome << "\n";
      for (const auto& ev : e.events) std::cout << "    +" << ev.at_ms << " ms  " << ev.what << "\n";
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
  if (cmd == "status") return simple(sock, hb::control::StatusRequest{}, json);
  if (cmd == "history") return simple(sock, hb::control::HistoryRequest{}, json);
  if (cmd == "cib") return simple(sock, hb::control::CibRequest{}, false);
  if (cmd == "vrrp") return simple(sock, hb::control::VrrpRequest{}, false);
  if (cmd == "reload") return simple(sock, hb::control::ReloadRequest{}, false);
  if (cmd == "cleanup") {
    if (args.size() != 2) {
      std::cerr << "hbctl: usage: hbctl cleanup RSC\n";
      return 2;
    }
    return simple(sock, hb::control::CleanupRequest{args[1]}, false);
  }
  std::cerr << "hbctl: unknown command '" << cmd << "'\n" << kUsage;
  return 2;
}
