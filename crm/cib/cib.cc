// SPDX-License-Identifier: GPL-2.0-or-later
// The resource model's plain functions: names, stickiness, ids and the heartbeat -> OCF mapping.
#include "crm/cib/cib.h"

#include <algorithm>
#include <cctype>

#include "resources/base/text.h"

namespace hb::cib {

namespace {

bool startsWithDigit(std::string_view s) {
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s.front())) != 0;
}

}  // namespace

std::string_view autoFailbackName(AutoFailback a) {
  switch (a) {
    case AutoFailback::On: return "on";
    case AutoFailback::Off: return "off";
    case AutoFailback::Legacy: break;
  }
  return "legacy";
}

std::optional<AutoFailback> parseAutoFailback(std::string_view text) {
  const std::string v = hb::toLower(text);
  if (v == "legacy") return AutoFailback::Legacy;
  if (v == "on" || v == "yes" || v == "true" || v == "y" || v == "1") return AutoFailback::On;
  if (v == "off" || v == "no" || v == "false" || v == "n" || v == "0") return AutoFailback::Off;
  return std::nullopt;
}

int stickinessFor(AutoFailback a) { return a == AutoFailback::Off ? kInfinityScore : 0; }

std::vector<std::string> Primitive::positionalArgs() const {
  // Positional parameters are "1", "2", ...; collect them in numeric order, stop at a gap.
  std::vector<std::string> out;
  for (std::size_t i = 1;; ++i) {
    const std::string name = std::to_string(i);
    auto it = std::find_if(params.begin(), params.end(),
                           [&](const Param& p) { return p.name == name; });
    if (it == params.end()) break;
    out.push_back(it->value);
  }
  return out;
}

std::string Primitive::agentName() const {
  if (cls == "ocf") return cls + ":" + provider + ":" + type;
  return cls + ":" + type;
}

std::string Group::key() const {
  if (primitives.empty()) return {};
  return primitives.front().source.empty() ? primitives.front().id : primitives.front().source;
}

std::uint64_t definitionDigest(const Group& g) {
  // FNV-1a, written here: it is ten lines, and the digest only has to be the same for the same
  // definition on every node (no adversary: reports are authenticated). Each string is prefixed
  // with its length so that no two different definitions serialize alike.
  std::uint64_t h = 14695981039346656037ULL;
  auto add = [&h](std::string_view s) {
    const std::string len = std::to_string(s.size()) + ":";
    for (const char c : len) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  };
  add(g.follows_vrrp);
  for (const auto& p : g.primitives) {
    add(p.id);
    add(p.cls);
    add(p.provider);
    add(p.type);
    add(std::to_string(p.params.size()));
    for (const auto& prm : p.params) {
      add(prm.name);
      add(prm.value);
    }
  }
  return h == 0 ? 1 : h;
}

const Group* Cib::findGroup(std::string_view id_or_key) const {
  for (const auto& g : groups) {
    if (g.id == id_or_key) return &g;
  }
  for (const auto& g : groups) {
    if (g.key() == id_or_key) return &g;
  }
  return nullptr;
}

void setAutoFailback(Cib& cib, AutoFailback a) {
  cib.auto_failback = a;
  for (auto& g : cib.groups) g.stickiness = stickinessFor(a);
}

std::optional<OcfFallback> heartbeatToOcf(std::string_view type,
                                          const std::vector<std::string>& args) {
  if (type == "IPaddr" || type == "IPaddr2") {
    // resource.d/IPaddr{,2}: exactly one spec ip[/cidr[/nic][/bcast]] (or ip/cidr/bcast).
    if (args.size() != 1) return std::nullopt;
    const auto f = hb::split(args[0], "/");
    if (f.size() > 4 || f[0].empty()) return std::nullopt;
    OcfFallback out{"hbd", "IPaddr", {{"ip", std::string(f[0])}}};
    if (f.size() >= 2 && !f[1].empty()) out.params.push_back({"cidr_netmask", std::string(f[1])});
    if (f.size() >= 3 && !f[2].empty()) {
      if (startsWithDigit(f[2])) {
        if (f.size() == 4) return std::nullopt;  // ip/cidr/bcast/x fits no form
        out.params.push_back({"broadcast", std::string(f[2])});
      } else {
        out.params.push_back({"nic", std::string(f[2])});
      }
    }
    if (f.size() == 4 && !f[3].empty()) out.params.push_back({"broadcast", std::string(f[3])});
    return out;
  }
  if (type == "Filesystem") {
    // resource.d/Filesystem device directory [fstype [options]].
    if (args.size() < 2 || args.size() > 4) return std::nullopt;
    static constexpr const char* kNames[] = {"device", "directory", "fstype", "options"};
    OcfFallback out{"hbd", "Filesystem", {}};
    for (std::size_t i = 0; i < args.size(); ++i) out.params.push_back({kNames[i], args[i]});
    return out;
  }
  return std::nullopt;
}

std::string sanitizeId(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = (u < 0x80 && std::isalnum(u) != 0) || c == '.' || c == '-' || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || !(std::isalpha(static_cast<unsigned char>(out.front())) != 0 ||
                       out.front() == '_')) {
    out.insert(out.begin(), '_');
  }
  return out;
}

}  // namespace hb::cib
