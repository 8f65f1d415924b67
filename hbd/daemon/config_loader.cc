// SPDX-License-Identifier: GPL-2.0-or-later
// loadConfig: each file parsed by its library, then mapped (media -> links, haresources -> CIB).
#include "hbd/daemon/config_loader.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <map>
#include <set>

#include "crm/executor/executor.h"
#include "crm/haresources/haresources.h"
#include "hbd/link/serial_frame.h"
#include "resources/base/text.h"

namespace hb::daemon {

namespace {

link::LinkOptions::Kind kindOf(config::UdpMedium::Kind k) {
  switch (k) {
    case config::UdpMedium::Kind::Bcast: return link::LinkOptions::Kind::Bcast;
    case config::UdpMedium::Kind::Ucast: return link::LinkOptions::Kind::Ucast;
    case config::UdpMedium::Kind::Mcast: return link::LinkOptions::Kind::Mcast;
  }
  return link::LinkOptions::Kind::Ucast;
}

/** ha.cf media -> link options. ucast lines of one interface share one link (one name, as
 *  cl_status shows it); other media each get their own link. */
std::vector<link::LinkOptions> mapLinks(const config::HaCf& cf, const std::string& path,
                                        std::vector<Diagnostic>& diags) {
  std::vector<link::LinkOptions> out;
  std::map<std::string, std::size_t> ucast_by_if;
  std::set<std::string> names;
  for (const auto& m : cf.udp) {
    if (m.kind == config::UdpMedium::Kind::Ucast) {
      if (auto it = ucast_by_if.find(m.interface); it != ucast_by_if.end()) {
        out[it->second].peers.push_back(m.peer);
        continue;
      }
    }
    link::LinkOptions o;
    o.kind = kindOf(m.kind);
    o.interface = m.interface;
    o.port = m.port;
    o.group = m.group;
    o.ttl = m.ttl;
    o.loop = m.loop;
    if (m.kind == config::UdpMedium::Kind::Ucast) {
      o.peers.push_back(m.peer);
      ucast_by_if[m.interface] = out.size();
    }
    if (!names.insert(m.interface).second) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{path, m.line},
                                 "a second medium on interface '" + m.interface +
                                     "': link names must be unique (use one medium per interface)"});
      continue;
    }
    out.push_back(std::move(o));
  }
  for (const auto& s : cf.serial) {
    link::LinkOptions o;
    o.kind = link::LinkOptions::Kind::Serial;
    o.device = s.device;
    o.baud = cf.baud;
    if (!names.insert(s.device).second) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{path, s.line}, "serial device '" + s.device +
                                                                               "' listed twice"});
      continue;
    }
    out.push_back(std::move(o));
  }
  return out;
}

/** A serial line carries little (19200 baud: 1920 B/s): warn when heartbeats alone would use more
 *  than half of it. The size is that of a real heartbeat with the configured key, framed. */
void checkSerialBandwidth(const LoadedConfig& cfg, const std::string& node, const std::string& path,
                          std::vector<Diagnostic>& diags) {
  if (cfg.hacf.serial.empty() || cfg.keys.keys.empty() || cfg.hacf.keepalive.count() <= 0) return;
  message::Message hb;
  hb.type = message::MsgType::Heartbeat;
  hb.from = node;
  hb.generation = 1;
  hb.seq = 1;
  hb.fields["st"] = std::string("active");
  auto bytes = message::encode(hb, cfg.keys);
  if (!bytes) return;
  const std::size_t frame = link::maxEncodedSerialFrameSize(bytes->size());
  const double needed = static_cast<double>(frame) * 1000.0 / static_cast<double>(cfg.hacf.keepalive.count());
  const double capacity = static_cast<double>(link::serialBytesPerSecond(cfg.hacf.baud));
  if (needed > capacity / 2) {
    for (const auto& s : cfg.hacf.serial) {
      diags.push_back(Diagnostic{
          Severity::Warning, SourceLoc{path, s.line},
          fmt::format("serial {}: a heartbeat of {} bytes every {} ms needs {:.0f} B/s, more than half of the {:.0f} "
                      "B/s a {} baud line carries; raise keepalive or baud",
                      s.device, frame, cfg.hacf.keepalive.count(), needed, capacity, cfg.hacf.baud)});
    }
  }
}

/** The line of haresources where the group keyed `key` starts (its first resource is there), or 0. */
int groupLine(const std::string& text, const std::string& key) {
  const auto lines = hb::splitLines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = lines[i];
    if (auto hash = line.find('#'); hash != std::string::npos) line = line.substr(0, hash);
    for (const auto& tok : hb::splitTokens(line)) {
      if (tok == key) return static_cast<int>(i + 1);
    }
  }
  return 0;
}

/** Reports of any size travel in chunks; what remains is that each group's own state fits in one
 *  (executor::largestChunkFor): a group that cannot be reported is never started, so refuse it. */
void checkReportSizes(const LoadedConfig& cfg, const std::string& text, const std::string& path,
                      std::vector<Diagnostic>& diags) {
  std::set<std::string> followed;
  for (const auto& g : cfg.cib.groups) {
    if (!g.follows_vrrp.empty()) followed.insert(g.follows_vrrp);
  }
  for (const auto& g : cfg.cib.groups) {
    const std::size_t need = executor::largestChunkFor(g.id, cfg.cib.nodes, followed);
    if (need <= executor::kDefaultMaxReportBytes) continue;
    diags.push_back(Diagnostic{
        Severity::Error, SourceLoc{path, groupLine(text, g.key())},
        fmt::format("group '{}': its state needs {} bytes in a state report, more than the {} one heartbeat "
                    "message carries (the group id comes from its first resource; node and VRRP instance names "
                    "count too): shorten the first resource",
                    g.id, need, executor::kDefaultMaxReportBytes)});
  }
}

}  // namespace

std::string defaultNodeName() {
  struct utsname u {};
  if (::uname(&u) != 0) return "localhost";
  return hb::toLower(u.nodename);
}

std::optional<LoadedConfig> loadConfig(const DaemonOptions& o, std::vector<Diagnostic>& diags) {
  const std::string hacf_path = o.config_dir + "/ha.cf";
  const std::string keys_path = o.config_dir + "/authkeys";
  const std::string vrrp_path = o.vrrp_conf.empty() ? o.config_dir + "/vrrp.conf" : o.vrrp_conf;
  LoadedConfig cfg;
  bool usable = true;

  // vrrp.conf is optional; a directory holding only vrrp.conf runs hbd as a pure VRRP router. A
  // file named by --vrrp-conf must be there (readFile says why it is not).
  const bool has_vrrp = !o.vrrp_conf.empty() || ::access(vrrp_path.c_str(), F_OK) == 0;
  if (has_vrrp) {
    auto text = config::readFile(vrrp_path);
    if (!text) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{vrrp_path, 0}, text.error().message});
      usable = false;
    } else {
      auto parsed = vrrp::parseVrrpConf(*text, vrrp_path);
      diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
      if (parsed.ok() && parsed.value->instances.empty()) {
        // A misspelt keyword is only a warning (keepalived's way): a file that yields no instance
        // would start a router that owns nothing, and `--check` would pass it.
        diags.push_back(Diagnostic{Severity::Error, SourceLoc{vrrp_path, 0},
                                   "no vrrp_instance: the file defines no VRRP instance (see the warnings above "
                                   "for blocks that were not understood); add one, or remove the file"});
      } else if (parsed.ok()) {
        cfg.vrrp = std::move(*parsed.value);
      }
    }
  }
  cfg.has_hacf = !has_vrrp || ::access(hacf_path.c_str(), F_OK) == 0 || ::access(keys_path.c_str(), F_OK) == 0 ||
                 ::access((o.config_dir + "/haresources").c_str(), F_OK) == 0;
  if (!cfg.has_hacf) {
    for (const auto& d : diags) {
      if (d.severity == Severity::Error) usable = false;
    }
    if (!usable) return std::nullopt;
    return cfg;
  }

  auto hacf_text = config::readFile(hacf_path);
  if (!hacf_text) {
    diags.push_back(Diagnostic{Severity::Error, SourceLoc{hacf_path, 0}, hacf_text.error().message});
    usable = false;
  } else {
    auto parsed = config::parseHaCf(*hacf_text, hacf_path);
    diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (parsed.value && !parsed.hasErrors()) {
      cfg.hacf = std::move(*parsed.value);
      auto own = link::localIpv4Addresses();
      std::vector<Diagnostic> more;
      config::validateHaCf(cfg.hacf, o.node, own ? *own : std::vector<std::string>{}, hacf_path, more);
      diags.insert(diags.end(), more.begin(), more.end());
      cfg.links = mapLinks(cfg.hacf, hacf_path, diags);
    } else {
      usable = false;
    }
  }

  // Read and permission-checked on one descriptor (a check on the path could see another file).
  auto keys_text = config::readAuthKeysFile(keys_path);
  diags.insert(diags.end(), keys_text.diagnostics.begin(), keys_text.diagnostics.end());
  if (!keys_text.value) {
    usable = false;
  } else {
    auto parsed = config::parseAuthKeys(*keys_text.value, keys_path, cfg.hacf.auth_insecure_ok);
    diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (parsed.value) cfg.keys = std::move(*parsed.value);
  }

  // haresources is optional: without it hbd runs membership only.
  const std::string res_path = o.config_dir + "/haresources";
  if (::access(res_path.c_str(), F_OK) == 0 && usable) {
    auto text = config::readFile(res_path);
    if (!text) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{res_path, 0}, text.error().message});
    } else {
      auto parsed = haresources::parseHaresources(*text, res_path, cfg.hacf.nodes);
      diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
      if (parsed.value) {
        cfg.cib = std::move(*parsed.value);
        cfg.cib.nodes = cfg.hacf.nodes;
        cib::AutoFailback af = cfg.hacf.auto_failback == config::AutoFailback::On    ? cib::AutoFailback::On
                               : cfg.hacf.auto_failback == config::AutoFailback::Off ? cib::AutoFailback::Off
                                                                                     : cib::AutoFailback::Legacy;
        cib::setAutoFailback(cfg.cib, af);
        cfg.has_resources = true;
        checkReportSizes(cfg, *text, res_path, diags);
      }
    }
  }

  checkSerialBandwidth(cfg, o.node, hacf_path, diags);

  for (const auto& d : diags) {
    if (d.severity == Severity::Error) usable = false;
  }
  if (!usable) return std::nullopt;
  return cfg;
}

}  // namespace hb::daemon
