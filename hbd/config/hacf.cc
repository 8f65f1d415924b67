// SPDX-License-Identifier: GPL-2.0-or-later
// The ha.cf parser: one declarative directive table, heartbeat 3.0.6's syntax and timer rules.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "hbd/config/config.h"
#include "hbd/config/config_private.h"

namespace hb::config {
namespace {

using detail::formatMs;
using detail::isInterfaceName;
using detail::kDelims;
using detail::kWhitespace;
using detail::parseBool;
using detail::parseInt;
using detail::parseIpv4;
using detail::parseTimeMs;
using detail::splitTokens;
using detail::toLower;

/** How heartbeat hands a directive its values (reference 1.1). */
enum class Kind {
  Option,       ///< Directives[]: values split on space/tab/comma; recorded as a parameter
  TokenMedium,  ///< media plugin taking one value per medium (bcast, serial, ping): same split
  LineMedium,   ///< media plugin parsing the whole line (mcast, ucast, ...): split on blanks
  WholeLine,    ///< WLdirectives[] (stonith, apiauth, respawn, ...): split on blanks
};

/** What a second occurrence of a directive means. */
enum class Repeat {
  Many,      ///< repeatable; values accumulate (node, bcast, serial, ...)
  LastWins,  ///< heartbeat lets a later value override: accepted with a warning
  Once,      ///< heartbeat refuses a second value (baud, watchdog, crm): error
};

constexpr int kUnlimited = -1;

struct State;

/** One directive occurrence after tokenising and the arity check. */
struct Args {
  int line = 0;
  std::string_view name;            ///< as written (so "udp", not "bcast")
  std::vector<std::string> values;  ///< at least min_args, at most max_args
};

/** Applies (or, for unimplemented directives, validates) one occurrence; false = value rejected. */
using Handler = bool (*)(State&, const Args&);

/** One row of the directive table: everything the parser, help and tests know of a directive. */
struct Spec {
  std::string_view name;
  Kind kind;
  int min_args;
  int max_args;  ///< kUnlimited for any number
  Repeat repeat;
  bool implemented;
  bool time_value;                 ///< "1500 ms" (two tokens) is joined into one time value
  std::string_view default_value;  ///< heartbeat's compiled-in default (`heartbeat -D`)
  std::string_view same_as;        ///< alias: duplicates and parameters count as this directive
  Handler handler;
  std::string_view syntax;
  std::string_view doc;
};

/** Parser state for one file; no globals. */
struct State {
  explicit State(std::string_view path) : diags(std::string(path)) {}
  HaCf cf;
  DiagnosticList diags;
  std::map<std::string, int, std::less<>> first_line;  ///< directive key -> first line
  std::map<std::string, int, std::less<>> node_lines;  ///< lower-cased node -> line
  std::optional<std::int64_t> keepalive, deadtime, warntime, initdead, deadping;
  int keepalive_line = 0, deadtime_line = 0, warntime_line = 0, initdead_line = 0,
      deadping_line = 0, auto_failback_line = 0, use_logd_line = 0;
  std::optional<bool> use_logd;
  int first_port_medium_line = 0;  ///< first bcast/ucast line: uses udpport as it stands
  int first_serial_line = 0;       ///< first serial line: uses baud as it stands
};

// ---- value helpers --------------------------------------------------------------------------

std::optional<std::int64_t> timeArg(State& s, const Args& a) {
  const std::string& v = a.values.back();
  auto ms = parseTimeMs(v);
  if (!ms) {
    s.diags.error(a.line, fmt::format("invalid time '{}' for {}: use seconds (2, 0.5) or a ms or "
                                      "us suffix (1500ms, 501us)",
                                      v, a.name));
  }
  return ms;
}

std::optional<bool> boolArg(State& s, const Args& a) {
  auto b = parseBool(a.values.back());
  if (!b) {
    s.diags.error(a.line, fmt::format("invalid value '{}' for {}: expected on or off (also "
                                      "true/false, yes/no, y/n, 1/0)",
                                      a.values.back(), a.name));
  }
  return b;
}

std::optional<std::int64_t> intArg(State& s, const Args& a, std::int64_t min, std::int64_t max) {
  auto v = parseInt(a.values.back(), min, max);
  if (!v) {
    s.diags.error(a.line,
                  fmt::format("invalid value '{}' for {}: expected an integer from {} to {}",
                              a.values.back(), a.name, min, max));
  }
  return v;
}

bool oneOf(State& s, const Args& a, std::initializer_list<std::string_view> allowed) {
  const std::string& v = a.values.back();
  for (std::string_view x : allowed) {
    if (v == x) return true;
  }
  std::string list;
  for (std::string_view x : allowed) {
    if (!list.empty()) list += ", ";
    list += x;
  }
  s.diags.error(a.line,
                fmt::format("invalid value '{}' for {}: expected one of {}", v, a.name, list));
  return false;
}

bool checkInterface(State& s, int line, std::string_view directive, std::string_view iface) {
  if (isInterfaceName(iface)) return true;
  s.diags.error(line, fmt::format("invalid interface name '{}' in {}: expected e.g. eth1 "
                                  "(at most 15 characters, no '/')",
                                  iface, directive));
  return false;
}

// ---- handlers of implemented directives -------------------------------------------------------

bool onNode(State& s, const Args& a) {
  bool ok = true;
  for (const std::string& v : a.values) {
    std::string name = toLower(v);
    if (name.size() > 100) {
      s.diags.error(a.line, fmt::format("node name '{}' is longer than 100 characters", v));
      ok = false;
      continue;
    }
    auto [it, inserted] = s.node_lines.emplace(name, a.line);
    if (!inserted) {
      s.diags.warning(a.line, fmt::format("node '{}' is listed twice (first at line {}); the "
                                          "second is ignored",
                                          name, it->second));
      continue;
    }
    s.cf.nodes.push_back(std::move(name));
  }
  return ok;
}

bool onKeepalive(State& s, const Args& a) {
  auto ms = timeArg(s, a);
  if (!ms) return false;
  if (*ms <= 0) {
    s.diags.error(a.line,
                  fmt::format("keepalive must be greater than 0 (got '{}')", a.values.back()));
    return false;
  }
  s.keepalive = ms;
  s.keepalive_line = a.line;
  return true;
}

bool onDeadtime(State& s, const Args& a) {
  auto ms = timeArg(s, a);
  if (!ms) return false;
  s.deadtime = ms;
  s.deadtime_line = a.line;
  return true;
}

bool onWarntime(State& s, const Args& a) {
  auto ms = timeArg(s, a);
  if (!ms) return false;
  if (*ms <= 0) {
    s.diags.error(a.line,
                  fmt::format("warntime must be greater than 0 (got '{}')", a.values.back()));
    return false;
  }
  s.warntime = ms;
  s.warntime_line = a.line;
  return true;
}

bool onInitdead(State& s, const Args& a) {
  auto ms = timeArg(s, a);
  if (!ms) return false;
  s.initdead = ms;
  s.initdead_line = a.line;
  return true;
}

bool onUdpport(State& s, const Args& a) {
  auto port = intArg(s, a, 1, 65535);
  if (!port) return false;
  // heartbeat 3.0.6 prints "udpport setting must precede media statements" and runs (see
  // heartbeat-reference.md 1.1); a bcast or ucast line above keeps the port it was read with
  // (measured: `ucast` then `udpport 5000` gives "ucast: started on port 694"). The same here.
  if (s.first_port_medium_line != 0) {
    s.diags.warning(a.line, fmt::format("udpport setting must precede media statements (as heartbeat "
                                        "says); as in heartbeat, port {} applies to the bcast and ucast "
                                        "lines below only, the one at line {} keeps port {}",
                                        *port, s.first_port_medium_line, s.cf.udpport));
  }
  s.cf.udpport = static_cast<std::uint16_t>(*port);
  return true;
}

bool onBaud(State& s, const Args& a) {
  auto rate = parseInt(a.values.back(), 1, 460800);
  static constexpr std::array<int, 7> kRates{9600, 19200, 38400, 57600, 115200, 230400, 460800};
  if (!rate || std::find(kRates.begin(), kRates.end(), *rate) == kRates.end()) {
    s.diags.error(a.line, fmt::format("invalid baud rate '{}': expected one of 9600, 19200, 38400, "
                                      "57600, 115200, 230400, 460800",
                                      a.values.back()));
    return false;
  }
  // heartbeat 3.0.6 prints "baudrate setting must precede media statements" and runs: one speed
  // for every serial line (HaCf::baud), those above it included.
  if (s.first_serial_line != 0) {
    s.diags.warning(a.line, fmt::format("baudrate setting must precede media statements (as heartbeat "
                                        "says); {} baud applies to every serial line, the one at line {} "
                                        "included",
                                        *rate, s.first_serial_line));
  }
  s.cf.baud = static_cast<int>(*rate);
  return true;
}

bool onBcast(State& s, const Args& a) {
  if (a.name == "udp") {
    s.diags.warning(a.line, "'udp' is an obsolete name for 'bcast'; write 'bcast'");
  }
  bool ok = true;
  for (const std::string& iface : a.values) {
    if (!checkInterface(s, a.line, "bcast", iface)) {
      ok = false;
      continue;
    }
    UdpMedium m;
    m.kind = UdpMedium::Kind::Bcast;
    m.interface = iface;
    m.port = s.cf.udpport;
    m.line = a.line;
    s.cf.udp.push_back(std::move(m));
    if (s.first_port_medium_line == 0) s.first_port_medium_line = a.line;
  }
  return ok;
}

bool onMcast(State& s, const Args& a) {
  const auto& v = a.values;
  bool ok = checkInterface(s, a.line, "mcast", v[0]);
  auto group = parseIpv4(v[1]);
  if (!group || (*group >> 28) != 0xE) {
    s.diags.error(a.line,
                  fmt::format("invalid mcast group '{}': expected an IPv4 multicast address "
                              "(224.0.0.0 to 239.255.255.255)",
                              v[1]));
    ok = false;
  }
  auto port = parseInt(v[2], 1, 65535);
  if (!port) {
    s.diags.error(a.line, fmt::format("invalid mcast port '{}': expected 1 to 65535", v[2]));
    ok = false;
  }
  auto ttl = parseInt(v[3], 1, 255);
  if (!ttl) {
    s.diags.error(a.line, fmt::format("invalid mcast ttl '{}': expected 1 to 255", v[3]));
    ok = false;
  }
  auto loop = parseInt(v[4], 0, 1);
  if (!loop) {
    s.diags.error(a.line, fmt::format("invalid mcast loop '{}': expected 0 or 1 (use 0)", v[4]));
    ok = false;
  }
  if (!ok) return false;
  UdpMedium m;
  m.kind = UdpMedium::Kind::Mcast;
  m.interface = v[0];
  m.group = v[1];
  m.port = static_cast<std::uint16_t>(*port);
  m.ttl = static_cast<int>(*ttl);
  m.loop = *loop == 1;
  m.line = a.line;
  s.cf.udp.push_back(std::move(m));
  return true;
}

bool onUcast(State& s, const Args& a) {
  bool ok = checkInterface(s, a.line, "ucast", a.values[0]);
  if (!parseIpv4(a.values[1])) {
    s.diags.error(a.line, fmt::format("invalid ucast peer '{}': expected an IPv4 address such as "
                                      "10.0.0.2",
                                      a.values[1]));
    ok = false;
  }
  if (!ok) return false;
  UdpMedium m;
  m.kind = UdpMedium::Kind::Ucast;
  m.interface = a.values[0];
  m.peer = a.values[1];
  m.port = s.cf.udpport;
  m.line = a.line;
  s.cf.udp.push_back(std::move(m));
  if (s.first_port_medium_line == 0) s.first_port_medium_line = a.line;
  return true;
}

bool onSerial(State& s, const Args& a) {
  bool ok = true;
  for (const std::string& dev : a.values) {
    if (dev.empty() || dev.front() != '/') {
      s.diags.error(a.line, fmt::format("serial device '{}' must be an absolute path such as "
                                        "/dev/ttyS0",
                                        dev));
      ok = false;
      continue;
    }
    auto dup = std::find_if(s.cf.serial.begin(), s.cf.serial.end(),
                            [&](const SerialMedium& m) { return m.device == dev; });
    if (dup != s.cf.serial.end()) {
      s.diags.error(a.line,
                    fmt::format("serial device '{}' is already used at line {}", dev, dup->line));
      ok = false;
      continue;
    }
    s.cf.serial.push_back(SerialMedium{dev, a.line});
    if (s.first_serial_line == 0) s.first_serial_line = a.line;
  }
  return ok;
}

bool onLogfile(State& s, const Args& a) {
  s.cf.logfile = a.values.back();
  return true;
}

bool onDebugfile(State& s, const Args& a) {
  s.cf.debugfile = a.values.back();
  return true;
}

bool onLogfacility(State& s, const Args& a) {
  static constexpr std::array<std::string_view, 21> kFacilities{
      "none",   "auth",   "authpriv", "cron",   "daemon", "ftp",    "kern",
      "lpr",    "mail",   "news",     "syslog", "user",   "uucp",   "local0",
      "local1", "local2", "local3",   "local4", "local5", "local6", "local7"};
  const std::string& v = a.values.back();
  if (std::find(kFacilities.begin(), kFacilities.end(), v) == kFacilities.end()) {
    s.diags.error(a.line, fmt::format("invalid logfacility '{}': expected a syslog facility "
                                      "(daemon, local0 ... local7, auth, user, ...) or none",
                                      v));
    return false;
  }
  s.cf.logfacility = v;
  return true;
}

bool onDebug(State& s, const Args& a) {
  auto level = intArg(s, a, 0, 255);
  if (!level) return false;
  s.cf.debug = static_cast<int>(*level);
  return true;
}

bool onAutoFailback(State& s, const Args& a) {
  const std::string& v = a.values.back();
  if (toLower(v) == "legacy") {
    s.cf.auto_failback = AutoFailback::Legacy;
  } else if (auto b = parseBool(v)) {
    s.cf.auto_failback = *b ? AutoFailback::On : AutoFailback::Off;
  } else {
    s.diags.error(a.line, fmt::format("invalid auto_failback '{}': expected on, off or legacy", v));
    return false;
  }
  s.cf.auto_failback_set = true;
  s.auto_failback_line = a.line;
  return true;
}

bool onNiceFailback(State& s, const Args& a) {
  auto b = boolArg(s, a);
  if (!b) return false;
  // heartbeat: "nice_failback on" became "auto_failback off"; "off" became "legacy".
  s.diags.warning(a.line, fmt::format("nice_failback is obsolete: read as 'auto_failback {}'; "
                                      "write auto_failback on|off instead",
                                      *b ? "off" : "legacy"));
  s.cf.auto_failback = *b ? AutoFailback::Off : AutoFailback::Legacy;
  s.cf.auto_failback_set = true;
  s.auto_failback_line = a.line;
  return true;
}

bool onCrm(State& s, const Args& a) {
  const std::string& v = a.values.back();
  auto b = parseBool(v);
  if (b && !*b) return true;
  std::string lower = toLower(v);
  if ((b && *b) || lower == "respawn" || lower == "manual" || lower == "minimal" ||
      lower == "valgrind" || lower == "ccm-only") {
    s.diags.warning(a.line, fmt::format("'{} {}' (Pacemaker mode) is not implemented yet; hbd "
                                        "manages haresources groups as with 'crm off'",
                                        a.name, v));
    return true;
  }
  s.diags.error(a.line, fmt::format("invalid value '{}' for {}: expected off, on, respawn, manual, "
                                    "minimal, valgrind or ccm-only",
                                    v, a.name));
  return false;
}

bool onRealtime(State& s, const Args& a) {
  auto b = boolArg(s, a);
  if (!b) return false;
  s.cf.realtime = *b;
  return true;
}

bool onAuthInsecureOk(State& s, const Args& a) {
  auto b = boolArg(s, a);
  if (!b) return false;
  s.cf.auth_insecure_ok = *b;
  return true;
}

bool onHbgenmethod(State& s, const Args& a) {
  if (!oneOf(s, a, {"file", "time"})) return false;
  s.cf.hbgenmethod = a.values.back();
  return true;
}

bool onAdminGroup(State& s, const Args& a) {
  // A group name as useradd/groupadd allow it; whether it exists is the daemon's business (the
  // parser sees no system databases), and it warns at start when it does not.
  const std::string& v = a.values.back();
  const bool ok = !v.empty() && v.front() != '-' && std::all_of(v.begin(), v.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.' || ch == '$';
  });
  if (!ok) {
    s.diags.error(a.line, fmt::format("invalid admin_group '{}': expected a group name", v));
    return false;
  }
  s.cf.admin_group = v;
  return true;
}

bool onCluster(State& s, const Args& a) {
  s.cf.cluster = a.values.back();
  return true;
}

bool onAutojoin(State& s, const Args& a) {
  if (!oneOf(s, a, {"none", "other", "any"})) return false;
  if (a.values.back() != "none") {
    s.diags.error(a.line, fmt::format("autojoin {} conflicts with haresources resource management; "
                                      "use autojoin none (the default)",
                                      a.values.back()));
    return false;
  }
  return true;
}

// ---- validators of directives accepted only for compatibility --------------------------------

bool onDeadping(State& s, const Args& a) {
  auto ms = timeArg(s, a);
  if (!ms) return false;
  s.deadping = ms;
  s.deadping_line = a.line;
  return true;
}

bool onConnLogdTime(State& s, const Args& a) {
  auto ms = timeArg(s, a);
  if (!ms) return false;
  if (*ms <= 0) {
    s.diags.error(a.line, "conn_logd_time must be greater than 0");
    return false;
  }
  return true;
}

bool onUseLogd(State& s, const Args& a) {
  auto b = boolArg(s, a);
  if (!b) return false;
  s.use_logd = b;
  s.use_logd_line = a.line;
  return true;
}

bool anyBool(State& s, const Args& a) { return boolArg(s, a).has_value(); }
bool anyValue(State&, const Args&) { return true; }

bool absolutePath(State& s, const Args& a) {
  const std::string& v = a.values.back();
  if (!v.empty() && v.front() == '/') return true;
  s.diags.error(a.line, fmt::format("{} needs an absolute path (got '{}')", a.name, v));
  return false;
}

bool onEnv(State& s, const Args& a) {
  bool ok = true;
  for (const std::string& v : a.values) {
    std::size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      s.diags.error(a.line, fmt::format("invalid env '{}': expected NAME=value", v));
      ok = false;
    }
  }
  return ok;
}

bool onRespawn(State& s, const Args& a) {
  if (a.values[1].front() != '/') {
    s.diags.error(a.line, fmt::format("respawn command '{}' is not a full path name", a.values[1]));
    return false;
  }
  return true;
}

// ---- the table ---------------------------------------------------------------------------------

using K = Kind;
using R = Repeat;

// clang-format off
const std::array kSpecs{
  // Option directives (heartbeat's Directives[]).
  Spec{"node", K::Option, 1, kUnlimited, R::Many, true, false, "", "", onNode,
       "node NAME [NAME...]",
       "Cluster member names (as `uname -n`); stored lower-cased. This node must be one."},
  Spec{"keepalive", K::Option, 1, 1, R::LastWins, true, true, "1000ms", "", onKeepalive,
       "keepalive TIME", "Interval between our heartbeats."},
  Spec{"deadtime", K::Option, 1, 1, R::LastWins, true, true, "30000ms", "", onDeadtime,
       "deadtime TIME", "Silence after which a node is declared dead; must exceed 2 x keepalive."},
  Spec{"warntime", K::Option, 1, 1, R::LastWins, true, true, "", "", onWarntime,
       "warntime TIME", "Gap after which a late heartbeat is logged; default deadtime / 2."},
  Spec{"initdead", K::Option, 1, 1, R::LastWins, true, true, "", "", onInitdead,
       "initdead TIME", "Dead time used until communications first come up; at least deadtime."},
  Spec{"deadping", K::Option, 1, 1, R::LastWins, false, true, "", "", onDeadping,
       "deadping TIME", "Dead time for ping nodes; default deadtime."},
  Spec{"udpport", K::Option, 1, 1, R::LastWins, true, false, "", "", onUdpport,
       "udpport PORT", "UDP port for bcast and ucast (default 694); for the lines below it; should precede the media lines."},
  Spec{"baud", K::Option, 1, 1, R::Once, true, false, "19200", "", onBaud,
       "baud RATE",
       "Serial speed: 9600, 19200, 38400, 57600, 115200, 230400 or 460800; before serial lines."},
  Spec{"auto_failback", K::Option, 1, 1, R::LastWins, true, false, "legacy", "", onAutoFailback,
       "auto_failback on|off|legacy",
       "Whether groups move back to their preferred node when it returns."},
  Spec{"nice_failback", K::Option, 1, 1, R::LastWins, true, false, "", "", onNiceFailback,
       "nice_failback on|off",
       "Obsolete: on means auto_failback off, off means auto_failback legacy."},
  Spec{"hopfudge", K::Option, 1, 1, R::LastWins, false, false, "1", "",
       [](State& s, const Args& a) { return intArg(s, a, 0, 255).has_value(); },
       "hopfudge N", "Maximum hops above the cluster size for forwarded packets."},
  Spec{"watchdog", K::Option, 1, 1, R::Once, false, false, "", "", absolutePath,
       "watchdog DEVICE", "Kernel watchdog device written every keepalive."},
  Spec{"logfacility", K::Option, 1, 1, R::LastWins, true, false, "", "", onLogfacility,
       "logfacility FACILITY|none", "Syslog facility (daemon, local0 ... local7, ...) or none."},
  Spec{"logfile", K::Option, 1, 1, R::LastWins, true, false, "", "", onLogfile,
       "logfile PATH", "File for non-debug log messages."},
  Spec{"debugfile", K::Option, 1, 1, R::LastWins, true, false, "", "", onDebugfile,
       "debugfile PATH", "File for debug messages."},
  Spec{"use_logd", K::Option, 1, 1, R::LastWins, false, false, "", "", onUseLogd,
       "use_logd on|off", "Send log messages to heartbeat's ha_logd."},
  Spec{"conn_logd_time", K::Option, 1, 1, R::LastWins, false, true, "60", "", onConnLogdTime,
       "conn_logd_time TIME", "Interval for reconnecting to ha_logd."},
  Spec{"debug", K::Option, 1, 1, R::LastWins, true, false, "", "", onDebug,
       "debug LEVEL", "Debug level 0..255 (0: off)."},
  Spec{"realtime", K::Option, 1, 1, R::LastWins, true, false, "true", "", onRealtime,
       "realtime on|off", "Lock memory and run with real-time priority."},
  Spec{"rtprio", K::Option, 1, 1, R::LastWins, false, false, "", "",
       [](State& s, const Args& a) { return intArg(s, a, 1, 99).has_value(); },
       "rtprio N", "SCHED_FIFO priority to use with realtime."},
  Spec{"auth_insecure_ok", K::Option, 1, 1, R::LastWins, true, false, "no", "", onAuthInsecureOk,
       "auth_insecure_ok yes|no",
       "hbd addition: allow crc in authkeys (no key: anyone can forge packets). Test rigs only."},
  Spec{"hbgenmethod", K::Option, 1, 1, R::LastWins, true, false, "file", "", onHbgenmethod,
       "hbgenmethod file|time",
       "How the per-boot generation number is made: a counter file or the clock."},
  Spec{"admin_group", K::Option, 1, 1, R::LastWins, true, false, "", "", onAdminGroup,
       "admin_group GROUP",
       "hbd addition: members of GROUP may also standby, takeover and shutdown over the control "
       "socket (default: only root)."},
  Spec{"msgfmt", K::Option, 1, 1, R::LastWins, false, false, "classic", "",
       [](State& s, const Args& a) { return oneOf(s, a, {"classic", "netstring"}); },
       "msgfmt classic|netstring", "heartbeat's wire encoding (hbd has its own)."},
  Spec{"log_badpack", K::Option, 1, 1, R::LastWins, false, false, "true", "", anyBool,
       "log_badpack on|off", "Log malformed or unauthenticated packets."},
  Spec{"syslogmsgfmt", K::Option, 1, 1, R::LastWins, false, false, "true", "", anyBool,
       "syslogmsgfmt on|off", "Write log files in a syslog-like line format."},
  Spec{"coredumps", K::Option, 1, 1, R::LastWins, false, false, "true", "", anyBool,
       "coredumps on|off", "Enable core dumps."},
  Spec{"coreroot", K::Option, 1, 1, R::LastWins, false, false, "", "", absolutePath,
       "coreroot DIR", "Root of the core-dump area."},
  Spec{"use_apphbd", K::Option, 1, 1, R::LastWins, false, false, "", "", anyBool,
       "use_apphbd on|off", "Register with apphbd."},
  Spec{"crm", K::Option, 1, 1, R::Once, true, false, "false", "", onCrm,
       "crm off|on|respawn|manual|minimal|valgrind|ccm-only",
       "Pacemaker mode; hbd implements crm off (haresources); other values warn."},
  Spec{"pacemaker", K::Option, 1, 1, R::Once, true, false, "", "crm", onCrm,
       "pacemaker off|on|...", "Same as crm."},
  Spec{"autojoin", K::Option, 1, 1, R::LastWins, true, false, "none", "", onAutojoin,
       "autojoin none|other|any", "Let unknown nodes join; only none is allowed with haresources."},
  Spec{"uuidfrom", K::Option, 1, 1, R::LastWins, false, false, "file", "",
       [](State& s, const Args& a) { return oneOf(s, a, {"file", "nodename"}); },
       "uuidfrom file|nodename", "Where node UUIDs come from."},
  Spec{"cluster", K::Option, 1, 1, R::LastWins, true, false, "linux-ha", "", onCluster,
       "cluster NAME", "Cluster name."},
  Spec{"quorum_server", K::Option, 1, 1, R::LastWins, false, false, "", "", anyValue,
       "quorum_server HOST", "External quorum server."},
  Spec{"compression", K::Option, 1, 1, R::LastWins, false, false, "zlib", "",
       [](State& s, const Args& a) { return oneOf(s, a, {"zlib", "bz2"}); },
       "compression zlib|bz2", "Compression plug-in for large messages."},
  Spec{"compression_threshold", K::Option, 1, 1, R::LastWins, false, false, "2", "",
       [](State& s, const Args& a) { return intArg(s, a, 1, 1048576).has_value(); },
       "compression_threshold KB", "Messages larger than this are compressed."},
  Spec{"traditional_compression", K::Option, 1, 1, R::LastWins, false, false, "no", "", anyBool,
       "traditional_compression on|off", "Compress whole messages instead of fields."},
  Spec{"max_rexmit_delay", K::Option, 1, 1, R::LastWins, false, false, "250", "",
       [](State& s, const Args& a) { return intArg(s, a, 1, 3600000).has_value(); },
       "max_rexmit_delay MS", "Upper bound of the delay before answering a retransmit request."},
  Spec{"memreserve", K::Option, 1, 1, R::LastWins, false, false, "6500", "",
       [](State& s, const Args& a) { return intArg(s, a, 1, 1048576).has_value(); },
       "memreserve KB", "Memory preallocated and locked by heartbeat."},
  Spec{"env", K::Option, 1, kUnlimited, R::Many, false, false, "", "", onEnv,
       "env NAME=value", "Exported as HA_NAME=value to respawned clients."},
  Spec{"record_config_changes", K::Option, 1, 1, R::LastWins, false, false, "on", "", anyBool,
       "record_config_changes on|off", "Pacemaker only."},
  Spec{"record_pengine_inputs", K::Option, 1, 1, R::LastWins, false, false, "on", "", anyBool,
       "record_pengine_inputs on|off", "Pacemaker only."},
  Spec{"enable_config_writes", K::Option, 1, 1, R::LastWins, false, false, "on", "", anyBool,
       "enable_config_writes on|off", "Pacemaker only."},
  // Whole-line directives (heartbeat's WLdirectives[]).
  Spec{"stonith", K::WholeLine, 2, kUnlimited, R::Many, false, false, "", "", anyValue,
       "stonith TYPE CONFIG-FILE", "A STONITH device for the cluster."},
  Spec{"stonith_host", K::WholeLine, 2, kUnlimited, R::Many, false, false, "", "", anyValue,
       "stonith_host FROM-HOST|* TYPE PARAMS...", "A STONITH device reachable from one host."},
  Spec{"apiauth", K::WholeLine, 2, kUnlimited, R::Many, false, false, "", "", anyValue,
       "apiauth CLIENT [uid=U,...] [gid=G,...]", "Who may sign on to the client API."},
  Spec{"respawn", K::WholeLine, 2, kUnlimited, R::Many, false, false, "", "", onRespawn,
       "respawn USER /PATH [ARGS...]", "A program started and restarted with heartbeat."},
  // Communication media (heartbeat's HBcomm plug-ins).
  Spec{"bcast", K::TokenMedium, 1, kUnlimited, R::Many, true, false, "", "", onBcast,
       "bcast IFACE [IFACE...]", "UDP broadcast heartbeats on each interface, port udpport."},
  Spec{"udp", K::TokenMedium, 1, kUnlimited, R::Many, true, false, "", "bcast", onBcast,
       "udp IFACE [IFACE...]", "Obsolete name of bcast."},
  Spec{"mcast", K::LineMedium, 5, 5, R::Many, true, false, "", "", onMcast,
       "mcast IFACE GROUP PORT TTL LOOP",
       "IPv4 multicast heartbeats (group 224.0.0.0-239.255.255.255, ttl 1-255, loop 0|1)."},
  Spec{"ucast", K::LineMedium, 2, 2, R::Many, true, false, "", "", onUcast,
       "ucast IFACE PEER-IP",
       "UDP unicast heartbeats to one peer; a line naming one of our own addresses is skipped."},
  Spec{"serial", K::TokenMedium, 1, kUnlimited, R::Many, true, false, "", "", onSerial,
       "serial DEVICE [DEVICE...]", "Heartbeats over a serial line at baud speed."},
  Spec{"mcast6", K::LineMedium, 5, 5, R::Many, false, false, "", "", anyValue,
       "mcast6 IFACE GROUP PORT HOPS LOOP", "IPv6 multicast heartbeats."},
  Spec{"ucast6", K::LineMedium, 2, 2, R::Many, false, false, "", "", anyValue,
       "ucast6 IFACE PEER-IPV6", "IPv6 unicast heartbeats."},
  Spec{"ping", K::TokenMedium, 1, kUnlimited, R::Many, false, false, "", "", anyValue,
       "ping ADDR [ADDR...]", "Ping nodes (pseudo-members answering ICMP)."},
  Spec{"ping6", K::TokenMedium, 1, kUnlimited, R::Many, false, false, "", "", anyValue,
       "ping6 ADDR [ADDR...]", "IPv6 ping nodes."},
  Spec{"ping_group", K::LineMedium, 2, kUnlimited, R::Many, false, false, "", "", anyValue,
       "ping_group NAME ADDR [ADDR...]", "One ping node alive if any address answers."},
};
// clang-format on

const Spec* findSpec(std::string_view name) {
  for (const Spec& s : kSpecs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string joinValues(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ' ';
    out += v;
  }
  return out;
}

void handleLine(State& s, int line, std::string_view text) {
  std::size_t b = text.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return;
  text.remove_prefix(b);
  std::size_t nameLen = std::min(text.find_first_of(kWhitespace), text.size());
  std::string_view name = text.substr(0, nameLen);
  std::string_view rest = text.substr(nameLen);

  const Spec* spec = findSpec(name);
  if (spec == nullptr) {
    static const auto kNames = [] {
      std::array<std::string_view, kSpecs.size()> names{};
      for (std::size_t i = 0; i < kSpecs.size(); ++i) names[i] = kSpecs[i].name;
      return names;
    }();
    std::string_view near = detail::suggest(name, kNames);
    if (!near.empty()) {
      s.diags.error(line, fmt::format("unknown directive '{}' (did you mean '{}'?)",
                                      detail::printable(name), near));
    } else {
      s.diags.error(line, fmt::format("unknown directive '{}'", detail::printable(name)));
    }
    return;
  }
  if (!spec->implemented) {
    s.diags.warning(line, fmt::format("directive '{}' is not implemented by hbd yet; accepted for "
                                      "heartbeat compatibility and ignored",
                                      spec->name));
  }

  const bool splitOnCommas = spec->kind == Kind::Option || spec->kind == Kind::TokenMedium;
  auto tokens = splitTokens(rest, splitOnCommas ? kDelims : kWhitespace);
  Args args;
  args.line = line;
  args.name = spec->name;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (spec->time_value && i + 1 < tokens.size() && detail::isTimeUnit(tokens[i + 1])) {
      args.values.push_back(std::string(tokens[i]) + " " + std::string(tokens[i + 1]));
      ++i;  // "1500 ms": one value
    } else {
      args.values.emplace_back(tokens[i]);
    }
  }

  const int count = static_cast<int>(args.values.size());
  if (count < spec->min_args) {
    s.diags.error(line, count == 0 ? fmt::format("{} needs a value: {}", spec->name, spec->syntax)
                                   : fmt::format("{} needs {} values: {}", spec->name,
                                                 spec->min_args, spec->syntax));
    return;
  }
  if (spec->max_args != kUnlimited && count > spec->max_args) {
    if (spec->max_args == 1 && spec->repeat != Repeat::Once) {
      // heartbeat calls the handler once per value: the last one wins.
      s.diags.warning(line, fmt::format("{} takes one value; the last one ('{}') wins", spec->name,
                                        args.values.back()));
      args.values.erase(args.values.begin(), args.values.end() - 1);
    } else {
      s.diags.error(line, fmt::format("too many values for {}: {}", spec->name, spec->syntax));
      return;
    }
  }

  std::string_view key = spec->same_as.empty() ? spec->name : spec->same_as;
  auto [it, inserted] = s.first_line.emplace(std::string(key), line);
  if (!inserted) {
    if (spec->repeat == Repeat::Once) {
      s.diags.error(line,
                    fmt::format("{} may be given only once (first at line {})", key, it->second));
      return;
    }
    if (spec->repeat == Repeat::LastWins) {
      s.diags.warning(line, fmt::format("{} given again (first at line {}); the last value wins",
                                        key, it->second));
    }
  }

  if (!spec->handler(s, args)) return;
  if (spec->kind == Kind::Option) {
    std::string& p = s.cf.parameters[std::string(key)];
    if (spec->repeat == Repeat::Many && !p.empty()) {
      p += ' ' + joinValues(args.values);
    } else {
      p = joinValues(args.values);
    }
  }
}

/** Defaults, derived timers and whole-file rules (reference 1.3 and 1.4). */
void finish(State& s) {
  HaCf& cf = s.cf;
  const std::int64_t keepalive = s.keepalive.value_or(1000);
  const std::int64_t deadtime = s.deadtime.value_or(30000);
  std::int64_t warntime = s.warntime.value_or(deadtime / 2);
  std::int64_t initdead = 0;
  if (s.initdead) {
    initdead = *s.initdead;
  } else if (deadtime > 10000) {
    initdead = deadtime;
  } else if (deadtime < 6000) {
    initdead = 12000;
  } else {
    initdead = 2 * deadtime;
  }
  cf.keepalive = std::chrono::milliseconds(keepalive);
  cf.deadtime = std::chrono::milliseconds(deadtime);
  cf.warntime = std::chrono::milliseconds(warntime);
  cf.initdead = std::chrono::milliseconds(initdead);

  auto& params = cf.parameters;
  if (!s.warntime) params["warntime"] = formatMs(warntime);
  if (!s.initdead) params["initdead"] = formatMs(initdead);
  if (!s.deadping) params["deadping"] = formatMs(deadtime);
  params.try_emplace("udpport", std::to_string(cf.udpport));
  params.try_emplace("debug", std::to_string(cf.debug));
  for (const Spec& spec : kSpecs) {
    if (!spec.default_value.empty()) params.try_emplace(std::string(spec.name), spec.default_value);
  }

  if (deadtime <= 2 * keepalive) {
    // Reported where the conflict became complete: the later of the two lines.
    int line = std::max(s.deadtime_line, s.keepalive_line);
    s.diags.error(line, fmt::format("deadtime ({}) must be greater than twice keepalive ({})",
                                    formatMs(deadtime), formatMs(keepalive)));
  }
  if (initdead < deadtime) {
    int line = std::max(s.initdead_line, s.deadtime_line);
    s.diags.error(line, fmt::format("initdead ({}) must not be smaller than deadtime ({})",
                                    formatMs(initdead), formatMs(deadtime)));
  } else if (initdead < 10000) {
    s.diags.warning(s.initdead_line,
                    fmt::format("initdead ({}) may be too small: it should be at least deadtime "
                                "and at least 10 seconds, to allow for slow network start-up",
                                formatMs(initdead)));
  }
  if (s.warntime) {
    if (warntime >= deadtime) {
      s.diags.warning(std::max(s.warntime_line, s.deadtime_line),
                      fmt::format("warntime ({}) is not smaller than deadtime ({}): late "
                                  "heartbeats will never be reported",
                                  formatMs(warntime), formatMs(deadtime)));
    } else if (warntime <= keepalive) {
      s.diags.warning(std::max(s.warntime_line, s.keepalive_line),
                      fmt::format("warntime ({}) is not greater than keepalive ({}): every "
                                  "heartbeat would be reported late",
                                  formatMs(warntime), formatMs(keepalive)));
    }
  }
  if (s.deadping && *s.deadping <= 2 * keepalive) {
    s.diags.error(std::max(s.deadping_line, s.keepalive_line),
                  fmt::format("deadping ({}) must be greater than twice keepalive ({})",
                              formatMs(*s.deadping), formatMs(keepalive)));
  }
  if (cf.udp.empty() && cf.serial.empty()) {
    s.diags.error(0, "no heartbeat medium: add a bcast, mcast, ucast or serial line");
  }
  if (cf.nodes.empty()) {
    s.diags.error(0, "no nodes: add a 'node NAME' line for every cluster member");
  }
  if (cf.auto_failback == AutoFailback::Legacy) {
    s.diags.warning(s.auto_failback_line,
                    cf.auto_failback_set
                        ? "auto_failback legacy is deprecated (hb_standby does not work with it); "
                          "use auto_failback on or off"
                        : "auto_failback is not set: using the deprecated 'legacy' behaviour; "
                          "set auto_failback on or off");
  }
  if (s.use_logd && !*s.use_logd && cf.logfile.empty() && cf.debugfile.empty() &&
      (cf.logfacility.empty() || cf.logfacility == "none")) {
    s.diags.error(s.use_logd_line,
                  "no logfile, debugfile or logfacility is set and use_logd is "
                  "off: nothing would be logged");
  }
}

}  // namespace

ParseResult<HaCf> parseHaCf(std::string_view text, std::string_view path) {
  State s(path);
  int line = 0;
  for (std::string_view raw : splitLines(text)) {
    ++line;
    // heartbeat: everything from '#' is a comment; the line ends at the first CR or LF.
    raw = raw.substr(0, raw.find('#'));
    raw = raw.substr(0, raw.find('\r'));
    handleLine(s, line, raw);
  }
  finish(s);
  auto diags = s.diags.take();
  // File order; whole-file problems (line 0) last.
  auto order = [](const Diagnostic& d) {
    return d.where.line == 0 ? std::numeric_limits<int>::max() : d.where.line;
  };
  std::stable_sort(diags.begin(), diags.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return order(a) < order(b); });
  return ParseResult<HaCf>{std::move(s.cf), std::move(diags)};
}

void validateHaCf(HaCf& cf, std::string_view self, const std::vector<std::string>& own_addresses,
                  std::string_view path, std::vector<Diagnostic>& out) {
  DiagnosticList diags{std::string(path)};
  if (!self.empty()) {
    std::string me = toLower(self);
    if (std::find(cf.nodes.begin(), cf.nodes.end(), me) == cf.nodes.end()) {
      diags.error(0, fmt::format("this node '{}' is not in the configuration: add 'node {}' (node "
                                 "names must match `uname -n` or hbd -n)",
                                 me, me));
    }
  }
  const bool hadMedia = !cf.udp.empty() || !cf.serial.empty();
  std::erase_if(cf.udp, [&](const UdpMedium& m) {
    return m.kind == UdpMedium::Kind::Ucast &&
           std::find(own_addresses.begin(), own_addresses.end(), m.peer) != own_addresses.end();
  });
  if (hadMedia && cf.udp.empty() && cf.serial.empty()) {
    diags.error(0,
                "no heartbeat medium left: every ucast line names one of this host's own "
                "addresses; add a ucast line for each peer");
  }
  for (auto& d : diags.take()) out.push_back(std::move(d));
}

std::span<const DirectiveInfo> directives() {
  static const auto kInfos = [] {
    std::array<DirectiveInfo, kSpecs.size()> infos{};
    for (std::size_t i = 0; i < kSpecs.size(); ++i) {
      const Spec& s = kSpecs[i];
      infos[i] = DirectiveInfo{s.name, s.implemented, s.doc, s.syntax, s.default_value};
    }
    return infos;
  }();
  return kInfos;
}

}  // namespace hb::config
