// SPDX-License-Identifier: GPL-2.0-or-later
// The haresources parser: heartbeat 3.0.6's line processing, canonname and `::` arguments.
#include "crm/haresources/haresources.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>

#include "resources/base/text.h"

namespace hb::haresources {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r'; }

bool isIpv4(std::string_view s) { return hb::parseIpv4(s).has_value(); }

bool isNetmask(std::string_view s) {
  if (isIpv4(s)) return true;  // dotted netmask, as the IPaddr agents also accept
  if (s.empty() || s.size() > 2) return false;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && v >= 0 && v <= 32;
}

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
         c == '+' || c == '@';
}

bool isPlainName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isNameChar);
}

/** Interface name as IPaddr takes it: eth0, eth0:1 (label), bond0.100. */
bool isInterfaceName(std::string_view s) {
  auto colon = s.find(':');
  std::string_view dev = s.substr(0, colon);
  if (dev.empty() || dev.size() > 15 || !std::all_of(dev.begin(), dev.end(), isNameChar)) return false;
  if (colon != s.npos) {
    std::string_view label = s.substr(colon + 1);
    return !label.empty() && std::all_of(label.begin(), label.end(), isNameChar);
  }
  return true;
}

/** Checks IPaddr/IPaddr2's ip[/cidr[/nic][/bcast]] spec; reports at `line`. */
void checkIpSpec(std::string_view type, std::string_view spec, int line, DiagnosticList& diags) {
  const std::string what = std::string(type) + "::" + std::string(spec);
  const auto f_views = hb::split(spec, "/");
  std::vector<std::string> f(f_views.begin(), f_views.end());
  if (!isIpv4(f[0])) {
    diags.error(line, "'" + f[0] + "' is not an IPv4 address (in " + what + ")");
  }
  if (f.size() > 4) {
    diags.error(line, "too many '/' fields in " + what + " (ip[/cidr[/nic][/broadcast]])");
    return;
  }
  if (f.size() >= 2 && !f[1].empty() && !isNetmask(f[1])) {
    diags.error(line, "'" + f[1] + "' is not a netmask (0-32 or a dotted mask) in " + what);
  }
  if (f.size() >= 3 && !f[2].empty()) {
    if (isDigit(f[2][0])) {
      if (!isIpv4(f[2])) diags.error(line, "'" + f[2] + "' is not a broadcast address in " + what);
      if (f.size() == 4) diags.error(line, "nothing may follow the broadcast address in " + what);
    } else if (!isInterfaceName(f[2])) {
      diags.error(line, "'" + f[2] + "' is not an interface name in " + what);
    }
  }
  if (f.size() == 4 && !f[3].empty() && !isDigit(f[2].empty() ? 'x' : f[2][0]) && !isIpv4(f[3])) {
    diags.error(line, "'" + f[3] + "' is not a broadcast address in " + what);
  }
}

/** heartbeat's instance-name style id seed for a resource (before sanitizing). */
std::string idSeed(const cib::Primitive& p) {
  if (p.cls == "heartbeat") {
    auto args = p.positionalArgs();
    if (args.empty()) return p.type;
    std::string first = args[0];
    if (p.type == "IPaddr" || p.type == "IPaddr2" || p.type == "SendArp") {
      first = first.substr(0, first.find('/'));
    }
    return p.type + "_" + first;
  }
  if (p.cls == "ocf" && !p.params.empty()) return p.type + "_" + p.params.front().value;
  return p.type;
}

/** Makes `seed` a unique XML id among `used`, appending -2, -3, ... when needed. */
std::string uniqueId(const std::string& seed, std::set<std::string>& used) {
  std::string id = cib::sanitizeId(seed);
  if (used.insert(id).second) return id;
  for (int n = 2;; ++n) {
    std::string candidate = id + "-" + std::to_string(n);
    if (used.insert(candidate).second) return candidate;
  }
}

/** One logical line: its text (comments removed, continuations joined) and first physical line. */
struct LogicalLine {
  std::string text;
  int line = 0;
};

std::vector<LogicalLine> logicalLines(std::string_view text, DiagnosticList& diags) {
  std::vector<LogicalLine> out;
  LogicalLine current;
  bool continuing = false;
  int lineno = 0;
  for (std::string_view raw : splitLines(text)) {
    ++lineno;
    // 1. Everything from '#' to the end of the line is a comment (a continuation included).
    raw = raw.substr(0, raw.find('#'));
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const auto c = static_cast<unsigned char>(raw[i]);
      if ((c < 0x20 && !isBlank(raw[i])) || c == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", c);
        diags.error(lineno, std::string("invalid character ") + hex + " in haresources");
        raw = raw.substr(0, i);
        break;
      }
    }
    while (!raw.empty() && isBlank(raw.back())) raw.remove_suffix(1);
    // 2. A trailing backslash joins the next physical line (we join with a space).
    const bool cont = !raw.empty() && raw.back() == '\\';
    if (cont) raw.remove_suffix(1);
    if (!continuing) current = LogicalLine{std::string(raw), lineno};
    else current.text += " " + std::string(raw);
    continuing = cont;
    if (!continuing) out.push_back(std::move(current));
  }
  if (continuing) {
    diags.warning(current.line, "backslash continuation at the end of the file");
    out.push_back(std::move(current));
  }
  return out;
}

}  // namespace

bool looksLikeIpAddress(std::string_view f) {
  // Shell glob [0-9]*.[0-9]*.[0-9]*.[0-9]*: a digit, then three times ".<digit>" in order.
  if (f.empty() || !isDigit(f[0])) return false;
  std::size_t from = 1;
  for (int k = 0; k < 3; ++k) {
    std::size_t i = from;
    while (i + 1 < f.size() && !(f[i] == '.' && isDigit(f[i + 1]))) ++i;
    if (i + 1 >= f.size()) return false;
    from = i + 2;
  }
  return true;
}

std::optional<cib::Primitive> parseResourceField(std::string_view field, int line,
                                                 DiagnosticList& diags) {
  cib::Primitive p;
  p.source = std::string(field);
  std::string canon = looksLikeIpAddress(field) ? "IPaddr::" + std::string(field) : std::string(field);
  const auto parts_views = hb::split(canon, "::");
  std::vector<std::string> parts(parts_views.begin(), parts_views.end());
  const std::string name = parts[0];
  std::vector<std::string> args;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) {
      // The shell word-splits heartbeat's arguments, so an empty one vanishes.
      diags.warning(line, "empty argument in '" + std::string(field) + "' is ignored");
      continue;
    }
    args.push_back(parts[i]);
  }
  if (name.empty()) {
    diags.error(line, "resource '" + std::string(field) + "' has no script name before '::'");
    return std::nullopt;
  }
  bool ok = true;
  if (name.find(':') == std::string::npos) {
    p.cls = "heartbeat";
    p.type = name;
  } else {
    const auto c_views = hb::split(name, ":");
    std::vector<std::string> c(c_views.begin(), c_views.end());
    if (c[0] == "ocf") {
      if (c.size() != 3 || !isPlainName(c[1]) || !isPlainName(c[2])) {
        diags.error(line, "'" + name + "': OCF resources are written ocf:PROVIDER:TYPE");
        return std::nullopt;
      }
      p.cls = "ocf";
      p.provider = c[1];
      p.type = c[2];
    } else if (c[0] == "lsb" || c[0] == "heartbeat") {
      if (c.size() != 2 || !isPlainName(c[1])) {
        diags.error(line, "'" + name + "': write " + c[0] + ":NAME");
        return std::nullopt;
      }
      p.cls = c[0];
      p.type = c[1];
    } else {
      diags.error(line, "unknown resource class '" + c[0] + "' in '" + std::string(field) +
                            "' (ocf:, lsb: or heartbeat:; arguments are separated by '::')");
      return std::nullopt;
    }
  }
  if (!isPlainName(p.type)) {
    diags.error(line, "bad resource script name '" + p.type + "' in '" + std::string(field) + "'");
    return std::nullopt;
  }

  if (p.cls == "ocf") {
    for (const auto& a : args) {
      auto eq = a.find('=');
      std::string pname = a.substr(0, eq);
      bool valid = eq != std::string::npos && !pname.empty() &&
                   std::all_of(pname.begin(), pname.end(), [](char ch) {
                     return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_';
                   });
      if (!valid) {
        diags.error(line, "OCF parameter '" + a + "' in '" + std::string(field) +
                              "' is not NAME=VALUE");
        ok = false;
        continue;
      }
      if (std::any_of(p.params.begin(), p.params.end(),
                      [&](const cib::Param& q) { return q.name == pname; })) {
        diags.error(line, "OCF parameter '" + pname + "' given twice in '" + std::string(field) + "'");
        ok = false;
        continue;
      }
      p.params.push_back({pname, a.substr(eq + 1)});
    }
  } else if (p.cls == "lsb") {
    if (!args.empty()) {
      diags.error(line, "lsb resource '" + std::string(field) + "' takes no arguments");
      ok = false;
    }
  } else {
    for (std::size_t i = 0; i < args.size(); ++i) p.params.push_back({std::to_string(i + 1), args[i]});
    if (p.type == "IPaddr" || p.type == "IPaddr2") {
      if (args.size() != 1) {
        diags.error(line, p.type + " takes one argument ip[/cidr[/nic][/broadcast]], got " +
                              std::to_string(args.size()) + " in '" + std::string(field) + "'");
        ok = false;
      } else {
        const auto before = diags.list().size();
        checkIpSpec(p.type, args[0], line, diags);
        if (diags.hasErrors() && diags.list().size() != before) ok = false;
      }
    } else if (p.type == "Filesystem") {
      if (args.size() < 2 || args.size() > 4) {
        diags.error(line, "Filesystem takes device::directory[::fstype[::options]] in '" +
                              std::string(field) + "'");
        ok = false;
      } else if (args[1].front() != '/') {
        diags.error(line, "Filesystem directory '" + args[1] + "' must be an absolute path");
        ok = false;
      }
    }
    p.ocf_fallback = cib::heartbeatToOcf(p.type, args);
  }
  if (!ok) return std::nullopt;
  return p;
}

ParseResult<cib::Cib> parseHaresources(std::string_view text, std::string_view path,
                                       const std::vector<std::string>& known_nodes) {
  DiagnosticList diags{std::string(path)};
  cib::Cib cib;
  for (const auto& n : known_nodes) {
    std::string l = hb::toLower(n);
    if (std::find(cib.nodes.begin(), cib.nodes.end(), l) == cib.nodes.end()) cib.nodes.push_back(l);
  }
  std::map<std::string, int> keys;       // group key -> line
  std::map<std::string, int> resources;  // resource text -> line of its first use
  std::set<std::string> ids;

  for (const auto& ll : logicalLines(text, diags)) {
    auto fields = hb::splitTokens(ll.text, " \t\f\v\r");
    if (fields.empty()) continue;
    const int line = ll.line;
    cib::Group g;
    const std::string_view nodefield = fields[0];
    if (nodefield.substr(0, 5) == "vrrp:") {
      std::string_view inst = nodefield.substr(5);
      if (!isPlainName(inst)) {
        diags.error(line, "'" + std::string(nodefield) + "': write vrrp:INSTANCE");
      }
      g.follows_vrrp = std::string(inst);
    } else {
      const std::string node = hb::toLower(nodefield);
      if (looksLikeIpAddress(node) || node.find(':') != std::string::npos ||
          node.find('/') != std::string::npos || !isPlainName(node)) {
        diags.error(line, "'" + std::string(nodefield) +
                              "' is not a node name: each line starts with the node, then its resources");
      } else if (!cib.nodes.empty() && !known_nodes.empty() &&
                 std::find(cib.nodes.begin(), cib.nodes.end(), node) == cib.nodes.end()) {
        diags.error(line, "Bad nodename '" + std::string(nodefield) + "' (not a node in ha.cf)");
      }
      g.preferred_node = node;
      if (known_nodes.empty() && isPlainName(node) &&
          std::find(cib.nodes.begin(), cib.nodes.end(), node) == cib.nodes.end()) {
        cib.nodes.push_back(node);
      }
    }
    if (fields.size() < 2) {
      diags.error(line, "no resources for '" + std::string(nodefield) + "'");
      continue;
    }
    const std::string key(fields[1]);
    if (auto [it, inserted] = keys.emplace(key, line); !inserted) {
      diags.error(line, "duplicate resource group key '" + key + "' (first used at line " +
                            std::to_string(it->second) + ")");
    }
    for (std::size_t i = 1; i < fields.size(); ++i) {
      auto p = parseResourceField(fields[i], line, diags);
      if (!p) continue;
      if (auto [it, inserted] = resources.emplace(p->agentName() + " " + p->source, line);
          !inserted) {
        diags.warning(line, "resource '" + p->source + "' is also used at line " +
                                std::to_string(it->second));
      }
      p->id = uniqueId(idSeed(*p), ids);
      g.primitives.push_back(std::move(*p));
    }
    if (g.primitives.empty()) continue;
    g.id = uniqueId("group_" + g.primitives.front().id, ids);
    cib.groups.push_back(std::move(g));
  }
  cib::setAutoFailback(cib, cib::AutoFailback::Legacy);
  ParseResult<cib::Cib> out;
  out.value = std::move(cib);
  out.diagnostics = diags.take();
  return out;
}

ParseResult<std::string> haresourcesToCibXml(std::string_view text, std::string_view path,
                                             const std::vector<std::string>& known_nodes,
                                             cib::AutoFailback auto_failback) {
  auto parsed = parseHaresources(text, path, known_nodes);
  ParseResult<std::string> out;
  out.diagnostics = std::move(parsed.diagnostics);
  if (parsed.value && !out.hasErrors()) {
    cib::setAutoFailback(*parsed.value, auto_failback);
    out.value = cib::toXml(*parsed.value);
  }
  return out;
}

}  // namespace hb::haresources
