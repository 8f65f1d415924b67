// SPDX-License-Identifier: GPL-2.0-or-later
// vrrp.conf parser: keepalived's block syntax into a validated VrrpConfig, every problem at FILE:LINE.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {
namespace {

// One statement: the words of its line and, when followed by `{`, the statements of its block.
struct Stmt {
  int line = 0;
  std::vector<std::string> words;
  bool has_block = false;
  std::vector<Stmt> block;
};

struct Token {
  int line;
  std::string text;
  bool quoted;
};

// Splits into tokens; `{` and `}` are tokens of their own unless quoted; `!` or `#` at the start
// of a token comments out the rest of the line (keepalived's rule). A newline is a "\n" token.
std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      out.push_back({line, "\n", false});
      ++line;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '!' || c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '{' || c == '}') {
      out.push_back({line, std::string(1, c), false});
      ++i;
    } else if (c == '"') {
      std::string s;
      ++i;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') s += text[i++];
      if (i < text.size() && text[i] == '"') ++i;
      out.push_back({line, std::move(s), true});
    } else {
      std::string s;
      while (i < text.size()) {
        char d = text[i];
        if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == '{' || d == '}' || d == '\f' ||
            d == '\v') {
          break;
        }
        s += d;
        ++i;
      }
      out.push_back({line, std::move(s), false});
    }
  }
  return out;
}

class TreeBuilder {
 public:
  TreeBuilder(std::vector<Token> toks, DiagnosticList& diags)
      : toks_(std::move(toks)), diags_(diags) {}

  // Parses statements until `}` (nested) or the end. Returns false on unbalanced braces.
  bool parseBlock(std::vector<Stmt>& into, bool nested, int open_line) {
    while (true) {
      skipNewlines();
      if (pos_ >= toks_.size()) {
        if (nested) {
          diags_.error(open_line, "'{' is never closed");
          return false;
        }
        return true;
      }
      const Token& t = toks_[pos_];
      if (!t.quoted && t.text == "}") {
        ++pos_;
        if (!nested) {
          diags_.error(t.line, "'}' without a matching '{'");
          return false;
        }
        return true;
      }
      if (!t.quoted && t.text == "{") {
        // A block with no keyword: keepalived skips it; keep parsing inside for balance.
        diags_.warning(t.line, "block without a keyword ignored");
        ++pos_;
        std::vector<Stmt> ignored;
        if (!parseBlock(ignored, true, t.line)) return false;
        continue;
      }
      Stmt s;
      s.line = t.line;
      while (pos_ < toks_.size()) {
        const Token& w = toks_[pos_];
        if (!w.quoted && (w.text == "\n" || w.text == "{" || w.text == "}")) break;
        s.words.push_back(w.text);
        ++pos_;
      }
      // A block may open on the same line or on a following line.
      std::size_t look = pos_;
      while (look < toks_.size() && !toks_[look].quoted && toks_[look].text == "\n") ++look;
      if (look < toks_.size() && !toks_[look].quoted && toks_[look].text == "{") {
        pos_ = look + 1;
        s.has_block = true;
        if (!parseBlock(s.block, true, toks_[look].line)) return false;
        // Words after `}` on the same line are not meaningful in keepalived's grammar.
      }
      into.push_back(std::move(s));
    }
  }

 private:
  void skipNewlines() {
    while (pos_ < toks_.size() && !toks_[pos_].quoted && toks_[pos_].text == "\n") ++pos_;
  }

  std::vector<Token> toks_;
  DiagnosticList& diags_;
  std::size_t pos_ = 0;
};

std::optional<long> parseInt(std::string_view s) {
  long v = 0;
  if (s.empty()) return std::nullopt;
  auto begin = s.data();
  if (s[0] == '+') ++begin;
  auto [p, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// A non-negative decimal number of seconds ("1", "0.01", "2.5") in microseconds.
std::optional<Micros> parseSeconds(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::int64_t whole = 0;
  std::int64_t frac = 0;
  int frac_digits = 0;
  bool dot = false;
  bool any = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      any = true;
      if (!dot) {
        whole = whole * 10 + (c - '0');
        if (whole > 1'000'000'000) return std::nullopt;
      } else if (frac_digits < 6) {
        frac = frac * 10 + (c - '0');
        ++frac_digits;
      }
    } else {
      return std::nullopt;
    }
  }
  if (!any) return std::nullopt;
  while (frac_digits < 6) {
    frac *= 10;
    ++frac_digits;
  }
  return Micros(whole * 1'000'000 + frac);
}

std::string secondsText(Micros m) {
  return fmt::format("{}.{:06d}", m.count() / 1'000'000, m.count() % 1'000'000);
}

const std::set<std::string_view>& unsupportedGlobal() {
  static const std::set<std::string_view> k{
      "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout",
      "script_user", "enable_script_security", "vrrp_skip_check_adv_addr", "vrrp_strict",
      "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_garp_master_delay",
      "vrrp_garp_master_repeat", "vrrp_garp_master_refresh", "vrrp_mcast_group4",
      "vrrp_iptables", "max_auto_priority", "lvs_id", "dynamic_interfaces", "vrrp_priority",
      "checker_priority", "vrrp_no_swap", "vrrp_rt_priority", "enable_traps", "process_names"};
  return k;
}

const std::set<std::string_view>& unsupportedInstance() {
  static const std::set<std::string_view> k{
      "use_vmac", "vmac_xmit_base", "dont_track_primary", "mcast_src_ip", "lvs_sync_daemon_interface",
      "garp_master_repeat", "garp_master_refresh", "garp_master_refresh_repeat", "garp_lower_prio_delay",
      "garp_lower_prio_repeat", "lower_prio_no_advert", "higher_prio_send_advert", "smtp_alert",
      "virtual_routes", "virtual_rules", "virtual_ipaddress_excluded", "native_ipv6", "strict_mode",
      "accept", "no_accept", "skip_check_adv_addr", "debug", "notify_stop", "notify_deleted",
      "track_file", "track_process", "track_bfd", "unicast_ttl", "old_unicast_checksum",
      "check_unicast_src", "kernel_rx_buf_size", "linkbeat_use_polling", "promote_secondaries"};
  return k;
}

class Interpreter {
 public:
  explicit Interpreter(DiagnosticList& d) : d_(d) {}

  VrrpConfig run(const std::vector<Stmt>& top) {
    // vrrp_script blocks may follow the instances that track them: collect scripts first.
    for (const auto& s : top) {
      if (s.words[0] == "vrrp_script") script(s);
    }
    for (const auto& s : top) {
      const std::string& k = s.words[0];
      if (k == "global_defs") {
        globalDefs(s);
      } else if (k == "vrrp_script") {
        // done above
      } else if (k == "vrrp_instance") {
        instance(s);
      } else if (k == "include") {
        d_.warning(s.line, "'include' is not supported by hbd; ignored");
      } else if (k == "vrrp_sync_group" || k == "virtual_server" || k == "virtual_server_group" ||
                 k == "static_ipaddress" || k == "static_routes" || k == "static_rules" ||
                 k == "linkbeat_interfaces" || k == "bfd_instance" || k == "vrrp_track_process" ||
                 k == "vrrp_track_file" || k == "garp_group") {
        d_.warning(s.line, fmt::format("'{}' is not supported by hbd; block ignored", k));
      } else {
        unknown(s, "");
      }
    }
    return std::move(c_);
  }

 private:
  void unknown(const Stmt& s, std::string_view where) {
    if (where.empty()) {
      d_.warning(s.line, fmt::format("unknown keyword '{}'", s.words[0]));
    } else {
      d_.warning(s.line, fmt::format("unknown keyword '{}' in {}", s.words[0], where));
    }
  }

  // True when the statement has exactly `n` arguments; otherwise reports and returns false.
  bool args(const Stmt& s, std::size_t n) {
    if (s.words.size() - 1 == n) return true;
    if (s.words.size() - 1 < n) {
      d_.error(s.line, fmt::format("'{}' needs a value", s.words[0]));
      return false;
    }
    d_.warning(s.line, fmt::format("extra words after '{} {}' ignored", s.words[0], s.words[1]));
    return true;
  }

  std::optional<long> intArg(const Stmt& s, long lo, long hi) {
    if (!args(s, 1)) return std::nullopt;
    auto v = parseInt(s.words[1]);
    if (!v || *v < lo || *v > hi) {
      d_.error(s.line, fmt::format("'{}' must be an integer {}..{}, not '{}'", s.words[0], lo, hi,
                                   s.words[1]));
      return std::nullopt;
    }
    return v;
  }

  std::optional<Micros> secondsArg(const Stmt& s) {
    if (!args(s, 1)) return std::nullopt;
    auto v = parseSeconds(s.words[1]);
    if (!v) {
      d_.error(s.line, fmt::format("'{}' must be a number of seconds, not '{}'", s.words[0],
                                   s.words[1]));
    }
    return v;
  }

  std::optional<Ipv4Address> addrArg(const Stmt& s) {
    if (!args(s, 1)) return std::nullopt;
    auto a = Ipv4Address::parse(s.words[1]);
    if (!a) d_.error(s.line, fmt::format("'{}' is not an IPv4 address", s.words[1]));
    return a;
  }

  std::string joined(const Stmt& s) {
    std::string out;
    for (std::size_t i = 1; i < s.words.size(); ++i) {
      if (i > 1) out += ' ';
      out += s.words[i];
    }
    return out;
  }

  bool noBlock(const Stmt& s) {
    if (s.has_block) {
      d_.warning(s.line, fmt::format("'{}' takes no block; block ignored", s.words[0]));
    }
    return true;
  }

  void globalDefs(const Stmt& g) {
    if (!g.has_block) {
      d_.error(g.line, "'global_defs' needs a '{ ... }' block");
      return;
    }
    for (const auto& s : g.block) {
      const std::string& k = s.words[0];
      if (k == "router_id") {
        if (args(s, 1)) c_.router_id = s.words[1];
      } else if (k == "vrrp_version") {
        if (auto v = intArg(s, 2, 3)) default_version_ = static_cast<int>(*v);
      } else if (unsupportedGlobal().count(k) != 0) {
        d_.warning(s.line, fmt::format("'{}' is not supported by hbd; ignored", k));
      } else {
        unknown(s, "global_defs");
      }
    }
  }

  void script(const Stmt& b) {
    if (b.words.size() < 2) {
      d_.error(b.line, "'vrrp_script' needs a name");
      return;
    }
    if (!b.has_block) {
      d_.error(b.line, fmt::format("vrrp_script {} needs a '{{ ... }}' block", b.words[1]));
      return;
    }
    if (c_.findScript(b.words[1]) != nullptr) {
      d_.error(b.line, fmt::format("vrrp_script {} defined twice", b.words[1]));
      return;
    }
    ScriptConf sc;
    sc.name = b.words[1];
    sc.line = b.line;
    for (const auto& s : b.block) {
      const std::string& k = s.words[0];
      noBlock(s);
      if (k == "script") {
        if (s.words.size() < 2) {
          d_.error(s.line, "'script' needs a command");
        } else {
          sc.script = joined(s);
        }
      } else if (k == "interval") {
        if (auto v = secondsArg(s)) {
          if (v->count() == 0) {
            d_.error(s.line, "script interval must be greater than 0");
          } else {
            sc.interval = *v;
          }
        }
      } else if (k == "timeout") {
        if (auto v = secondsArg(s)) sc.timeout = *v;
      } else if (k == "weight") {
        if (s.words.size() >= 2) {
          auto v = parseInt(s.words[1]);
          if (!v || *v < -254 || *v > 254) {
            d_.error(s.line, fmt::format("weight must be -254..254, not '{}'", s.words[1]));
          } else {
            sc.weight = static_cast<int>(*v);
          }
          if (s.words.size() > 2) {
            d_.warning(s.line, "'weight ... reverse' is not supported by hbd; ignored");
          }
        } else {
          d_.error(s.line, "'weight' needs a value");
        }
      } else if (k == "rise") {
        if (auto v = intArg(s, 1, 1'000'000)) sc.rise = static_cast<int>(*v);
      } else if (k == "fall") {
        if (auto v = intArg(s, 1, 1'000'000)) sc.fall = static_cast<int>(*v);
      } else if (k == "user" || k == "init_fail") {
        d_.warning(s.line, fmt::format("'{}' is not supported by hbd; ignored", k));
      } else {
        unknown(s, "vrrp_script");
      }
    }
    if (sc.script.empty()) {
      d_.error(b.line, fmt::format("vrrp_script {} has no 'script'", sc.name));
      return;
    }
    c_.scripts.push_back(std::move(sc));
  }

  void vipBlock(const Stmt& b, InstanceConf& ic) {
    for (const auto& s : b.block) {
      std::string_view text = s.words[0];
      int prefix = 32;
      auto slash = text.find('/');
      if (slash != std::string_view::npos) {
        auto p = parseInt(text.substr(slash + 1));
        if (!p || *p < 0 || *p > 32) {
          d_.error(s.line, fmt::format("bad prefix length in '{}'", text));
          continue;
        }
        prefix = static_cast<int>(*p);
        text = text.substr(0, slash);
      }
      auto a = Ipv4Address::parse(text);
      if (!a) {
        d_.error(s.line, fmt::format("'{}' is not an IPv4 address", s.words[0]));
        continue;
      }
      VirtualAddress va;
      va.address = *a;
      va.prefix_len = prefix;
      for (std::size_t i = 1; i < s.words.size(); ++i) {
        const std::string& opt = s.words[i];
        bool has_value = i + 1 < s.words.size();
        if (opt == "dev" && has_value) {
          va.dev = s.words[++i];
        } else if (opt == "label" && has_value) {
          va.label = s.words[++i];
        } else if ((opt == "brd" || opt == "broadcast" || opt == "scope") && has_value) {
          d_.warning(s.line, fmt::format("virtual_ipaddress option '{}' is not supported by hbd; ignored", opt));
          ++i;
        } else if (opt == "no_track" || opt == "home" || opt == "noprefixroute" ||
                   opt == "nodad" || opt == "autojoin") {
          d_.warning(s.line, fmt::format("virtual_ipaddress option '{}' is not supported by hbd; ignored", opt));
        } else {
          d_.warning(s.line, fmt::format("unknown virtual_ipaddress option '{}'", opt));
        }
      }
      auto same = [&](const VirtualAddress& o) { return o.address == va.address; };
      if (std::any_of(ic.vips.begin(), ic.vips.end(), same)) {
        d_.warning(s.line, fmt::format("virtual address {} listed twice", va.address.toString()));
        continue;
      }
      ic.vips.push_back(std::move(va));
    }
  }

  std::optional<int> weightOption(const Stmt& s) {
    if (s.words.size() == 1) return std::nullopt;
    if (s.words.size() >= 3 && s.words[1] == "weight") {
      auto v = parseInt(s.words[2]);
      if (!v || *v < -254 || *v > 254) {
        d_.error(s.line, fmt::format("weight must be -254..254, not '{}'", s.words[2]));
        return std::nullopt;
      }
      if (s.words.size() > 3) d_.warning(s.line, "extra words after the weight ignored");
      return static_cast<int>(*v);
    }
    d_.warning(s.line, fmt::format("unexpected '{}' after '{}' ignored", s.words[1], s.words[0]));
    return std::nullopt;
  }

  void instance(const Stmt& b) {
    if (b.words.size() < 2) {
      d_.error(b.line, "'vrrp_instance' needs a name");
      return;
    }
    if (!b.has_block) {
      d_.error(b.line, fmt::format("vrrp_instance {} needs a '{{ ... }}' block", b.words[1]));
      return;
    }
    InstanceConf ic;
    ic.name = b.words[1];
    ic.line = b.line;
    ic.version = default_version_;
    bool bad = false;
    bool vrid_set = false;
    std::optional<Micros> advert;
    int advert_line = 0;
    int auth_line = 0;
    std::string auth_type;
    for (const auto& s : b.block) {
      const std::string& k = s.words[0];
      if (k == "state") {
        if (!args(s, 1)) continue;
        if (s.words[1] == "MASTER") {
          ic.initial_state = State::Master;
        } else if (s.words[1] == "BACKUP") {
          ic.initial_state = State::Backup;
        } else {
          d_.error(s.line, fmt::format("state must be MASTER or BACKUP, not '{}'", s.words[1]));
        }
      } else if (k == "interface") {
        if (args(s, 1)) ic.interface = s.words[1];
      } else if (k == "virtual_router_id") {
        if (auto v = intArg(s, 1, 255)) {
          ic.vrid = static_cast<int>(*v);
          vrid_set = true;
        } else {
          bad = true;
        }
      } else if (k == "priority") {
        if (auto v = intArg(s, 1, 255)) {
          ic.priority = static_cast<int>(*v);
        } else {
          bad = true;
        }
      } else if (k == "advert_int") {
        if (auto v = secondsArg(s)) {
          advert = *v;
          advert_line = s.line;
        } else {
          bad = true;
        }
      } else if (k == "version" || k == "vrrp_version") {
        if (auto v = intArg(s, 2, 3)) ic.version = static_cast<int>(*v);
      } else if (k == "nopreempt") {
        ic.preempt = false;
      } else if (k == "preempt") {
        ic.preempt = true;
      } else if (k == "preempt_delay") {
        if (auto v = secondsArg(s)) {
          if (*v > std::chrono::seconds(1000)) {
            d_.error(s.line, "preempt_delay must be 0..1000 seconds");
          } else {
            ic.preempt_delay = *v;
          }
        }
      } else if (k == "garp_master_delay") {
        if (auto v = intArg(s, 0, 1000)) ic.garp_master_delay = std::chrono::seconds(*v);
      } else if (k == "authentication") {
        auth_line = s.line;
        for (const auto& a : s.block) {
          if (a.words[0] == "auth_type") {
            if (args(a, 1)) auth_type = a.words[1];
            if (auth_type != "PASS" && auth_type != "AH") {
              d_.error(a.line, fmt::format("auth_type must be PASS or AH, not '{}'", auth_type));
            } else if (auth_type == "AH") {
              d_.error(a.line, "auth_type AH is not supported by hbd");
            }
          } else if (a.words[0] == "auth_pass") {
            if (!args(a, 1)) continue;
            ic.auth_pass = a.words[1];
            if (ic.auth_pass.size() > 8) {
              d_.warning(a.line, "auth_pass longer than 8 characters; truncated to 8 (as keepalived)");
              ic.auth_pass.resize(8);
            }
          } else {
            unknown(a, "authentication");
          }
        }
      } else if (k == "virtual_ipaddress") {
        vipBlock(s, ic);
      } else if (k == "track_interface") {
        for (const auto& t : s.block) {
          TrackedInterface ti{t.words[0], weightOption(t).value_or(0)};
          ic.track_interfaces.push_back(std::move(ti));
        }
      } else if (k == "track_script") {
        for (const auto& t : s.block) {
          TrackedScript ts{t.words[0], weightOption(t)};
          if (c_.findScript(ts.name) == nullptr) {
            d_.warning(t.line, fmt::format("track_script {} is not a defined vrrp_script; ignored",
                                           ts.name));
            continue;
          }
          ic.track_scripts.push_back(std::move(ts));
        }
      } else if (k == "unicast_src_ip") {
        if (auto a = addrArg(s)) ic.unicast_src = *a;
      } else if (k == "unicast_peer") {
        for (const auto& p : s.block) {
          auto a = Ipv4Address::parse(p.words[0]);
          if (!a) {
            d_.error(p.line, fmt::format("'{}' is not an IPv4 address", p.words[0]));
            continue;
          }
          if (p.words.size() > 1) {
            d_.warning(p.line, "unicast_peer options are not supported by hbd; ignored");
          }
          ic.unicast_peers.push_back(*a);
        }
      } else if (k == "notify_master" || k == "notify_backup" || k == "notify_fault" ||
                 k == "notify") {
        if (s.words.size() < 2) {
          d_.error(s.line, fmt::format("'{}' needs a command", k));
          continue;
        }
        std::string cmd = joined(s);
        if (k == "notify_master") ic.notify_master = cmd;
        if (k == "notify_backup") ic.notify_backup = cmd;
        if (k == "notify_fault") ic.notify_fault = cmd;
        if (k == "notify") ic.notify = cmd;
      } else if (unsupportedInstance().count(k) != 0) {
        d_.warning(s.line, fmt::format("'{}' is not supported by hbd; ignored", k));
      } else {
        unknown(s, "vrrp_instance");
      }
    }

    // Checks that need the whole block (keywords may come in any order).
    if (advert) {
      if (ic.version == 2) {
        auto secs = std::llround(static_cast<double>(advert->count()) / 1e6);
        if (advert->count() % 1'000'000 != 0) {
          d_.warning(advert_line,
                     fmt::format("VRRPv2 advertisement interval {}s must be an integer; rounding to {}s",
                                 secondsText(*advert), secs));
        }
        if (secs < 1 || secs > 255) {
          d_.error(advert_line, "VRRPv2 advert_int must be 1..255 seconds");
          bad = true;
        } else {
          ic.advert_int = std::chrono::seconds(secs);
        }
      } else {
        if (advert->count() % 10'000 != 0) {
          d_.warning(advert_line, fmt::format("VRRPv3 advert_int {}s rounded down to centiseconds",
                                              secondsText(*advert)));
        }
        Micros cs(advert->count() / 10'000 * 10'000);
        if (cs < std::chrono::milliseconds(10) || cs > std::chrono::milliseconds(40950)) {
          d_.error(advert_line, fmt::format("VRRPv3 advert_int must be 0.01..40.95 seconds, not {}",
                                            secondsText(*advert)));
          bad = true;
        } else {
          ic.advert_int = cs;
        }
      }
    }
    if (auth_line != 0) {
      if (ic.version == 3) {
        d_.warning(auth_line, "VRRP version 3 does not support authentication. Ignoring.");
        ic.auth_pass.clear();
      } else if (auth_type.empty() && !ic.auth_pass.empty()) {
        d_.warning(auth_line, "auth_pass without auth_type; assuming PASS");
      } else if (auth_type == "PASS" && ic.auth_pass.empty()) {
        d_.error(auth_line, "auth_type PASS needs an auth_pass");
        bad = true;
      }
    }
    if (!vrid_set) {
      d_.error(b.line, fmt::format("vrrp_instance {} has no virtual_router_id", ic.name));
      bad = true;
    }
    if (ic.interface.empty()) {
      d_.error(b.line, fmt::format("vrrp_instance {} has no interface", ic.name));
      bad = true;
    }
    if (ic.unicast_src && ic.unicast_peers.empty()) {
      d_.warning(b.line, "unicast_src_ip without unicast_peer; using multicast");
    }
    if (ic.vips.empty()) {
      d_.warning(b.line, fmt::format("vrrp_instance {} has no virtual_ipaddress", ic.name));
    }
    if (ic.initial_state == State::Master && ic.priority != 255) {
      // keepalived 2.2.7 starts every non-owner instance in BACKUP; say so once.
      d_.warning(b.line, fmt::format("vrrp_instance {}: 'state MASTER' starts in BACKUP until the "
                                     "election is won (as keepalived)", ic.name));
    }
    if (ic.preempt_delay.count() > 0 && ic.initial_state == State::Master) {
      d_.warning(b.line, "preempt_delay needs 'state BACKUP' (as keepalived); applied anyway");
    }
    for (const auto& other : c_.instances) {
      if (other.name == ic.name) {
        d_.error(b.line, fmt::format("vrrp_instance {} defined twice", ic.name));
        bad = true;
      } else if (vrid_set && other.vrid == ic.vrid && other.interface == ic.interface &&
                 other.version == ic.version) {
        d_.error(b.line, fmt::format("vrrp_instance {} uses VRID {} on {} like {}", ic.name, ic.vrid,
                                     ic.interface, other.name));
        bad = true;
      }
    }
    if (!bad) c_.instances.push_back(std::move(ic));
  }

  DiagnosticList& d_;
  VrrpConfig c_;
  int default_version_ = 2;
};

}  // namespace

const ScriptConf* VrrpConfig::findScript(std::string_view name) const {
  for (const auto& s : scripts) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string_view stateName(State s) {
  switch (s) {
    case State::Init: return "INIT";
    case State::Backup: return "BACKUP";
    case State::Master: return "MASTER";
    case State::Fault: return "FAULT";
  }
  return "?";
}

ParseResult<VrrpConfig> parseVrrpConf(std::string_view text, std::string_view path) {
  DiagnosticList diags{std::string(path)};
  ParseResult<VrrpConfig> out;
  TreeBuilder tb(tokenize(text), diags);
  std::vector<Stmt> top;
  if (tb.parseBlock(top, false, 0)) {
    Interpreter in(diags);
    out.value = in.run(top);
  }
  out.diagnostics = diags.take();
  return out;
}

}  // namespace hb::vrrp
