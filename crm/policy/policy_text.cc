// SPDX-License-Identifier: GPL-2.0-or-later
// The text form of a ClusterView (golden tests, `hbctl simulate`) and of placements.
#include <algorithm>
#include <set>

#include "crm/policy/policy.h"

namespace hb::policy {

namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

constexpr GroupState kStates[] = {GroupState::Stopped,  GroupState::Starting,
                                  GroupState::Started,  GroupState::Stopping,
                                  GroupState::FailedStart, GroupState::FailedStop};
constexpr Standby kStandbys[] = {Standby::None, Standby::Local, Standby::Foreign, Standby::All};

}  // namespace

std::string_view standbyName(Standby s) {
  switch (s) {
    case Standby::Local: return "local";
    case Standby::Foreign: return "foreign";
    case Standby::All: return "all";
    case Standby::None: break;
  }
  return "none";
}

std::optional<Standby> parseStandbyName(std::string_view v) {
  auto it = std::find_if(std::begin(kStandbys), std::end(kStandbys), [&](Standby s) { return standbyName(s) == v; });
  if (it == std::end(kStandbys)) return std::nullopt;
  return *it;
}

std::optional<GroupState> parseGroupStateName(std::string_view v) {
  auto it = std::find_if(std::begin(kStates), std::end(kStates), [&](GroupState s) { return groupStateName(s) == v; });
  if (it == std::end(kStates)) return std::nullopt;
  return *it;
}

std::string_view reasonName(Reason r) {
  switch (r) {
    case Reason::Preferred: return "preferred";
    case Reason::Failover: return "failover";
    case Reason::Failback: return "failback";
    case Reason::Sticky: return "sticky";
    case Reason::Standby: return "standby";
    case Reason::Waiting: return "waiting";
    case Reason::FailedStart: return "failed-start";
    case Reason::FailedEverywhere: return "failed-everywhere";
    case Reason::Unmanaged: return "unmanaged";
    case Reason::NoMaster: return "no-master";
    case Reason::Vrrp: return "vrrp";
    case Reason::MultipleHolders: return "multiple-holders";
    case Reason::NoNode: break;
  }
  return "no-node";
}

std::string_view statusName(Status s) {
  switch (s) {
    case Status::Starting: return "starting";
    case Status::Started: return "started";
    case Status::Stopping: return "stopping";
    case Status::Moving: return "moving";
    case Status::Failed: return "failed";
    case Status::Unmanaged: return "unmanaged";
    case Status::Stopped: break;
  }
  return "stopped";
}

std::string_view groupStateName(GroupState s) {
  switch (s) {
    case GroupState::Starting: return "starting";
    case GroupState::Started: return "started";
    case GroupState::Stopping: return "stopping";
    case GroupState::FailedStart: return "failed-start";
    case GroupState::FailedStop: return "failed-stop";
    case GroupState::Stopped: break;
  }
  return "stopped";
}

ParseResult<SimulationInput> parseClusterView(std::string_view text, std::string_view path) {
  DiagnosticList diags{std::string(path)};
  SimulationInput in;
  std::set<std::string> groups_seen;
  int lineno = 0;
  for (std::string_view line : splitLines(text)) {
    ++lineno;
    line = line.substr(0, line.find('#'));
    auto w = words(line);
    if (w.empty()) continue;
    const std::string& kw = w[0];
    if (kw == "auto_failback") {
      auto a = w.size() == 2 ? cib::parseAutoFailback(w[1]) : std::nullopt;
      if (!a) diags.error(lineno, "write auto_failback on|off|legacy");
      else in.auto_failback = a;
    } else if (kw == "node") {
      if (w.size() < 3 || (w[2] != "up" && w[2] != "dead")) {
        diags.error(lineno, "write node NAME up|dead [initial] [standby=SET] [fenced]");
        continue;
      }
      NodeView nv;
      nv.name = w[1];
      nv.up = w[2] == "up";
      nv.initial_phase_over = true;
      for (std::size_t i = 3; i < w.size(); ++i) {
        if (w[i] == "initial") {
          nv.initial_phase_over = false;
        } else if (w[i] == "fenced") {
          nv.fenced = true;
        } else if (w[i].rfind("standby=", 0) == 0) {
          const std::string v = w[i].substr(8);
          if (auto sb = parseStandbyName(v)) nv.standby = *sb;
          else diags.error(lineno, "standby is none, local, foreign or all, not '" + v + "'");
        } else {
          diags.error(lineno, "unknown node attribute '" + w[i] + "'");
        }
      }
      if (std::any_of(in.view.nodes.begin(), in.view.nodes.end(),
                      [&](const NodeView& o) { return o.name == nv.name; })) {
        diags.error(lineno, "node '" + nv.name + "' given twice");
        continue;
      }
      in.view.nodes.push_back(std::move(nv));
    } else if (kw == "group") {
      if (w.size() < 2) {
        diags.error(lineno, "write group ID [NODE=STATE ...] [failed=NODE,...]");
        continue;
      }
      GroupView gv;
      gv.group = w[1];
      if (!groups_seen.insert(gv.group).second) diags.error(lineno, "group '" + gv.group + "' given twice");
      for (std::size_t i = 2; i < w.size(); ++i) {
        auto eq = w[i].find('=');
        if (eq == std::string::npos || eq == 0) {
          diags.error(lineno, "'" + w[i] + "' is not NODE=STATE or failed=NODE,...");
          continue;
        }
        const std::string name = w[i].substr(0, eq);
        const std::string value = w[i].substr(eq + 1);
        if (name == "failed") {
          std::size_t s = 0;
          while (s <= value.size()) {
            std::size_t c = value.find(',', s);
            std::string n = value.substr(s, c == std::string::npos ? std::string::npos : c - s);
            if (!n.empty()) gv.failed_on.push_back(n);
            if (c == std::string::npos) break;
            s = c + 1;
          }
          continue;
        }
        auto st = parseGroupStateName(value);
        if (!st) {
          diags.error(lineno, "unknown group state '" + value + "'");
          continue;
        }
        gv.state[name] = *st;
      }
      in.view.groups.push_back(std::move(gv));
    } else if (kw == "vrrp") {
      if (w.size() != 3) {
        diags.error(lineno, "write vrrp INSTANCE MASTER_NODE");
        continue;
      }
      in.view.vrrp_master[w[1]] = w[2];
    } else {
      diags.error(lineno, "unknown keyword '" + kw + "' (auto_failback, node, group, vrrp)");
    }
  }
  ParseResult<SimulationInput> out;
  out.value = std::move(in);
  out.diagnostics = diags.take();
  return out;
}

std::string formatPlacements(const std::vector<Placement>& placements) {
  std::string out;
  for (const auto& p : placements) {
    out += p.group + " target=" + p.target.value_or("-") + " next=" + p.next.value_or("-") +
           " reason=" + std::string(reasonName(p.reason)) +
           " status=" + std::string(statusName(p.status)) + "\n";
  }
  return out;
}

}  // namespace hb::policy
