// SPDX-License-Identifier: GPL-2.0-or-later
// vrrp.conf parser: keepalived's block syntax into a validated VrrpConfig, every problem at FILE:LINE.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <span>
#include <tuple>

#include "hbd/vrrp/vrrp.h"
#include "resources/base/text.h"

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

  // Parses statements until `}` (nested) or the end. Returns false on unbalanced braces or on a
  // block nested deeper than kMaxVrrpConfNesting; that bound also bounds this recursion (and the
  // recursive destruction of the tree).
  bool parseBlock(std::vector<Stmt>& into, int depth, int open_line) {
    const bool nested = depth > 0;
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
        if (!deeperOk(depth, t.line)) return false;
        diags_.warning(t.line, "block without a keyword ignored");
        ++pos_;
        std::vector<Stmt> ignored;
        if (!parseBlock(ignored, depth + 1, t.line)) return false;
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
        if (!deeperOk(depth, toks_[look].line)) return false;
        if (!parseBlock(s.block, depth + 1, toks_[look].line)) return false;
        // Words after `}` on the same line are not meaningful in keepalived's grammar.
      }
      into.push_back(std::move(s));
    }
  }

 private:
  // A `{` at `line` opening a block inside one at `depth`: refused beyond the bound.
  bool deeperOk(int depth, int line) {
    if (depth < kMaxVrrpConfNesting) return true;
    diags_.error(line, fmt::format("blocks nested deeper than {}", kMaxVrrpConfNesting));
    return false;
  }

  void skipNewlines() {
    while (pos_ < toks_.size() && !toks_[pos_].quoted && toks_[pos_].text == "\n") ++pos_;
  }

  std::vector<Token> toks_;
  DiagnosticList& diags_;
  std::size_t pos_ = 0;
};

// keepalived reads integers with strtol, which takes one leading '+': accept it too, then the
// project's strict parser (whole word, within [lo, hi]).
std::optional<long> number(std::string_view s, long lo, long hi) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto v = parseInt(s, lo, hi);
  if (!v) return std::nullopt;
  return static_cast<long>(*v);
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

// ---- the interpreter: keyword tables, as hacf.cc's directive table -------------------------------
// Each block level has one table; a row names a keyword, whether hbd applies it or knowingly ignores
// it (keepalived has it, hbd does not), and the function that applies it. walk() dispatches a
// block's statements through its table and reports the rest as unknown.

/** Where an instance sends and receives: two instances may not share one. */
using VridKey = std::tuple<int, std::string, int>;  // vrid, interface, version

/** Parser state for one file; no globals. The indexes keep duplicate checks linear in the file
 *  (a scan of everything seen so far would make a file of many small blocks quadratic). */
struct Ctx {
  DiagnosticList& d;
  VrrpConfig cfg;
  int default_version = 2;  ///< global_defs' vrrp_version, for instances that name none
  std::set<std::string, std::less<>> script_names;      ///< of cfg.scripts
  std::map<std::string, std::size_t> instance_by_name;  ///< index in cfg.instances
  std::map<VridKey, std::size_t> instance_by_vrid;      ///< index in cfg.instances
};

/** An instance while its block is read: what the end-of-block checks need besides the result. */
struct InstanceDraft {
  InstanceConf ic;
  bool bad = false;  ///< a value was rejected: the instance is not kept
  bool vrid_set = false;
  std::optional<Micros> advert;  ///< checked at the end: its limits depend on the version
  int advert_line = 0;
  int auth_line = 0;
  std::string auth_type;
  bool src_from_mcast = false;  ///< the source address came from mcast_src_ip
  std::set<Ipv4Address> vip_seen;  ///< of ic.vips, for the "listed twice" check
};

enum class Use {
  Applied,           ///< hbd implements it
  Unsupported,       ///< a keepalived keyword hbd ignores, with a warning
  UnsupportedBlock,  ///< a keepalived block hbd ignores whole, with a warning
};

template <class T>
struct Keyword {
  std::string_view name;
  Use use = Use::Applied;
  void (*apply)(Ctx&, T&, const Stmt&) = nullptr;  ///< for Use::Applied
};

/** Whether statements of a block may carry a block of their own (vrrp_script's may not). */
enum class Nesting { Allowed, Warned };

template <class T>
void walk(Ctx& cx, std::span<const Keyword<T>> table, T& target, const std::vector<Stmt>& stmts,
          std::string_view where, Nesting nesting = Nesting::Allowed) {
  for (const auto& s : stmts) {
    const std::string& k = s.words[0];
    if (nesting == Nesting::Warned && s.has_block) {
      cx.d.warning(s.line, fmt::format("'{}' takes no block; block ignored", k));
    }
    auto row = std::find_if(table.begin(), table.end(), [&](const auto& r) { return r.name == k; });
    if (row == table.end()) {
      if (where.empty()) {
        cx.d.warning(s.line, fmt::format("unknown keyword '{}'", k));
      } else {
        cx.d.warning(s.line, fmt::format("unknown keyword '{}' in {}", k, where));
      }
    } else if (row->use == Use::Unsupported) {
      cx.d.warning(s.line, fmt::format("'{}' is not supported by hbd; ignored", k));
    } else if (row->use == Use::UnsupportedBlock) {
      cx.d.warning(s.line, fmt::format("'{}' is not supported by hbd; block ignored", k));
    } else {
      row->apply(cx, target, s);
    }
  }
}

// ---- value helpers --------------------------------------------------------------------------

// True when the statement has exactly `n` arguments; otherwise reports and returns false.
bool args(Ctx& cx, const Stmt& s, std::size_t n) {
  if (s.words.size() - 1 == n) return true;
  if (s.words.size() - 1 < n) {
    cx.d.error(s.line, fmt::format("'{}' needs a value", s.words[0]));
    return false;
  }
  cx.d.warning(s.line, fmt::format("extra words after '{} {}' ignored", s.words[0], s.words[1]));
  return true;
}

std::optional<long> intArg(Ctx& cx, const Stmt& s, long lo, long hi) {
  if (!args(cx, s, 1)) return std::nullopt;
  auto v = number(s.words[1], lo, hi);
  if (!v) {
    cx.d.error(s.line, fmt::format("'{}' must be an integer {}..{}, not '{}'", s.words[0], lo, hi,
                                   s.words[1]));
  }
  return v;
}

std::optional<Micros> secondsArg(Ctx& cx, const Stmt& s) {
  if (!args(cx, s, 1)) return std::nullopt;
  auto v = parseSeconds(s.words[1]);
  if (!v) {
    cx.d.error(s.line, fmt::format("'{}' must be a number of seconds, not '{}'", s.words[0],
                                   s.words[1]));
  }
  return v;
}

std::optional<Ipv4Address> addrArg(Ctx& cx, const Stmt& s) {
  if (!args(cx, s, 1)) return std::nullopt;
  auto a = Ipv4Address::parse(s.words[1]);
  if (!a) cx.d.error(s.line, fmt::format("'{}' is not an IPv4 address", s.words[1]));
  return a;
}

/** The arguments as one command line (keepalived joins script and notify words with blanks). */
std::string joined(const Stmt& s) {
  std::string out;
  for (std::size_t i = 1; i < s.words.size(); ++i) {
    if (i > 1) out += ' ';
    out += s.words[i];
  }
  return out;
}

/** Warnings for a script or notify line that keepalived (and hbd) would not run as its author
 *  meant: one that does not split into words, or that holds shell syntax (no shell runs it). */
void checkCommand(Ctx& cx, const Stmt& s, std::string_view what, const std::string& cmd) {
  auto words = splitScriptWords(cmd);
  if (!words) {
    cx.d.warning(s.line, fmt::format("{}: {}: it cannot run and is disabled at start (as keepalived does)",
                                     what, words.error().message));
  } else if (auto w = shellSyntaxWord(*words)) {
    cx.d.warning(s.line, fmt::format("{}: '{}' is shell syntax, but scripts run without a shell (as "
                                     "keepalived runs them), so it is passed as a plain word; for a "
                                     "shell write \"/bin/sh -c '...'\"",
                                     what, *w));
  }
}

std::optional<int> weightValue(Ctx& cx, const Stmt& s, const std::string& w) {
  auto v = number(w, -254, 254);
  if (!v) {
    cx.d.error(s.line, fmt::format("weight must be -254..254, not '{}'", w));
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// "eth0 weight -20" in track_interface / track_script.
std::optional<int> weightOption(Ctx& cx, const Stmt& s) {
  if (s.words.size() == 1) return std::nullopt;
  if (s.words.size() >= 3 && s.words[1] == "weight") {
    auto v = weightValue(cx, s, s.words[2]);
    if (!v) return std::nullopt;
    if (s.words.size() > 3) cx.d.warning(s.line, "extra words after the weight ignored");
    return v;
  }
  cx.d.warning(s.line, fmt::format("unexpected '{}' after '{}' ignored", s.words[1], s.words[0]));
  return std::nullopt;
}

// ---- global_defs ----------------------------------------------------------------------------

constexpr Keyword<VrrpConfig> kGlobalDefs[] = {
    {"router_id", Use::Applied,
     [](Ctx& cx, VrrpConfig& c, const Stmt& s) {
       if (args(cx, s, 1)) c.router_id = s.words[1];
     }},
    {"vrrp_version", Use::Applied,
     [](Ctx& cx, VrrpConfig&, const Stmt& s) {
       if (auto v = intArg(cx, s, 2, 3)) cx.default_version = static_cast<int>(*v);
     }},
    {"notification_email", Use::Unsupported},
    {"notification_email_from", Use::Unsupported},
    {"smtp_server", Use::Unsupported},
    {"smtp_connect_timeout", Use::Unsupported},
    {"script_user", Use::Unsupported},
    {"enable_script_security", Use::Unsupported},
    {"vrrp_skip_check_adv_addr", Use::Unsupported},
    {"vrrp_strict", Use::Unsupported},
    {"vrrp_garp_interval", Use::Unsupported},
    {"vrrp_gna_interval", Use::Unsupported},
    {"vrrp_garp_master_delay", Use::Unsupported},
    {"vrrp_garp_master_repeat", Use::Unsupported},
    {"vrrp_garp_master_refresh", Use::Unsupported},
    {"vrrp_mcast_group4", Use::Unsupported},
    {"vrrp_iptables", Use::Unsupported},
    {"max_auto_priority", Use::Unsupported},
    {"lvs_id", Use::Unsupported},
    {"dynamic_interfaces", Use::Unsupported},
    {"vrrp_priority", Use::Unsupported},
    {"checker_priority", Use::Unsupported},
    {"vrrp_no_swap", Use::Unsupported},
    {"vrrp_rt_priority", Use::Unsupported},
    {"enable_traps", Use::Unsupported},
    {"process_names", Use::Unsupported},
};

// ---- vrrp_script ----------------------------------------------------------------------------

constexpr Keyword<ScriptConf> kScript[] = {
    {"script", Use::Applied,
     [](Ctx& cx, ScriptConf& sc, const Stmt& s) {
       if (s.words.size() < 2) {
         cx.d.error(s.line, "'script' needs a command");
       } else {
         sc.script = joined(s);
         checkCommand(cx, s, "script", sc.script);
       }
     }},
    {"interval", Use::Applied,
     [](Ctx& cx, ScriptConf& sc, const Stmt& s) {
       if (auto v = secondsArg(cx, s)) {
         if (v->count() == 0) {
           cx.d.error(s.line, "script interval must be greater than 0");
         } else {
           sc.interval = *v;
         }
       }
     }},
    {"timeout", Use::Applied,
     [](Ctx& cx, ScriptConf& sc, const Stmt& s) {
       if (auto v = secondsArg(cx, s)) sc.timeout = *v;
     }},
    {"weight", Use::Applied,
     [](Ctx& cx, ScriptConf& sc, const Stmt& s) {
       if (s.words.size() < 2) {
         cx.d.error(s.line, "'weight' needs a value");
         return;
       }
       if (auto v = weightValue(cx, s, s.words[1])) sc.weight = *v;
       if (s.words.size() > 2) {
         cx.d.warning(s.line, "'weight ... reverse' is not supported by hbd; ignored");
       }
     }},
    {"rise", Use::Applied,
     [](Ctx& cx, ScriptConf& sc, const Stmt& s) {
       if (auto v = intArg(cx, s, 1, 1'000'000)) sc.rise = static_cast<int>(*v);
     }},
    {"fall", Use::Applied,
     [](Ctx& cx, ScriptConf& sc, const Stmt& s) {
       if (auto v = intArg(cx, s, 1, 1'000'000)) sc.fall = static_cast<int>(*v);
     }},
    {"user", Use::Unsupported},
    {"init_fail", Use::Unsupported},
};

// `KIND NAME { ... }`: true when the name and the block are there, else reports what is missing.
bool namedBlock(Ctx& cx, const Stmt& b, std::string_view kind) {
  if (b.words.size() < 2) {
    cx.d.error(b.line, fmt::format("'{}' needs a name", kind));
    return false;
  }
  if (!b.has_block) {
    cx.d.error(b.line, fmt::format("{} {} needs a '{{ ... }}' block", kind, b.words[1]));
    return false;
  }
  return true;
}

void script(Ctx& cx, const Stmt& b) {
  if (!namedBlock(cx, b, "vrrp_script")) return;
  if (cx.script_names.contains(b.words[1])) {
    cx.d.error(b.line, fmt::format("vrrp_script {} defined twice", b.words[1]));
    return;
  }
  ScriptConf sc;
  sc.name = b.words[1];
  sc.line = b.line;
  walk<ScriptConf>(cx, kScript, sc, b.block, "vrrp_script", Nesting::Warned);
  if (sc.script.empty()) {
    cx.d.error(b.line, fmt::format("vrrp_script {} has no 'script'", sc.name));
    return;
  }
  cx.script_names.insert(sc.name);
  cx.cfg.scripts.push_back(std::move(sc));
}

// ---- vrrp_instance --------------------------------------------------------------------------

void vipBlock(Ctx& cx, InstanceDraft& dr, const Stmt& b) {
  InstanceConf& ic = dr.ic;
  for (const auto& s : b.block) {
    std::string_view text = s.words[0];
    int prefix = 32;
    auto slash = text.find('/');
    if (slash != std::string_view::npos) {
      auto p = number(text.substr(slash + 1), 0, 32);
      if (!p) {
        cx.d.error(s.line, fmt::format("bad prefix length in '{}'", text));
        continue;
      }
      prefix = static_cast<int>(*p);
      text = text.substr(0, slash);
    }
    auto a = Ipv4Address::parse(text);
    if (!a) {
      cx.d.error(s.line, fmt::format("'{}' is not an IPv4 address", s.words[0]));
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
        cx.d.warning(s.line, fmt::format("virtual_ipaddress option '{}' is not supported by hbd; "
                                         "ignored", opt));
        ++i;
      } else if (opt == "no_track" || opt == "home" || opt == "noprefixroute" || opt == "nodad" ||
                 opt == "autojoin") {
        cx.d.warning(s.line, fmt::format("virtual_ipaddress option '{}' is not supported by hbd; "
                                         "ignored", opt));
      } else {
        cx.d.warning(s.line, fmt::format("unknown virtual_ipaddress option '{}'", opt));
      }
    }
    if (!dr.vip_seen.insert(va.address).second) {
      cx.d.warning(s.line, fmt::format("virtual address {} listed twice", va.address.toString()));
      continue;
    }
    ic.vips.push_back(std::move(va));
  }
}

void notifyCommand(Ctx& cx, InstanceDraft& dr, const Stmt& s) {
  const std::string& k = s.words[0];
  if (s.words.size() < 2) {
    cx.d.error(s.line, fmt::format("'{}' needs a command", k));
    return;
  }
  std::string cmd = joined(s);
  checkCommand(cx, s, k, cmd);
  if (k == "notify_master") dr.ic.notify_master = cmd;
  if (k == "notify_backup") dr.ic.notify_backup = cmd;
  if (k == "notify_fault") dr.ic.notify_fault = cmd;
  if (k == "notify") dr.ic.notify = cmd;
}

void versionKeyword(Ctx& cx, InstanceDraft& dr, const Stmt& s) {
  if (auto v = intArg(cx, s, 2, 3)) dr.ic.version = static_cast<int>(*v);
}

constexpr Keyword<InstanceDraft> kAuthentication[] = {
    {"auth_type", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& a) {
       if (args(cx, a, 1)) dr.auth_type = a.words[1];
       if (dr.auth_type != "PASS" && dr.auth_type != "AH") {
         // keepalived 2.2.7 compares case-sensitively, logs "unknown authentication type" and
         // runs the instance without authentication; so does hbd, so that both read the same
         // file alike (a peer expecting PASS would drop the other's adverts: two masters).
         cx.d.warning(a.line, fmt::format("unknown authentication type '{}': the instance runs without "
                                          "authentication, as keepalived 2.2.7 runs it (write PASS, in "
                                          "capitals, for a password)",
                                          dr.auth_type));
       } else if (dr.auth_type == "AH") {
         cx.d.error(a.line, "auth_type AH is not supported by hbd");
       }
     }},
    {"auth_pass", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& a) {
       if (!args(cx, a, 1)) return;
       dr.ic.auth_pass = a.words[1];
       if (dr.ic.auth_pass.size() > 8) {
         cx.d.warning(a.line, "auth_pass longer than 8 characters; truncated to 8 (as keepalived)");
         dr.ic.auth_pass.resize(8);
       }
     }},
};

constexpr Keyword<InstanceDraft> kInstance[] = {
    {"state", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (!args(cx, s, 1)) return;
       if (s.words[1] == "MASTER") {
         dr.ic.initial_state = State::Master;
       } else if (s.words[1] == "BACKUP") {
         dr.ic.initial_state = State::Backup;
       } else {
         cx.d.error(s.line, fmt::format("state must be MASTER or BACKUP, not '{}'", s.words[1]));
       }
     }},
    {"interface", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (args(cx, s, 1)) dr.ic.interface = s.words[1];
     }},
    {"virtual_router_id", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto v = intArg(cx, s, 1, 255)) {
         dr.ic.vrid = static_cast<int>(*v);
         dr.vrid_set = true;
       } else {
         dr.bad = true;
       }
     }},
    {"priority", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto v = intArg(cx, s, 1, 255)) {
         dr.ic.priority = static_cast<int>(*v);
       } else {
         dr.bad = true;
       }
     }},
    {"advert_int", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto v = secondsArg(cx, s)) {
         dr.advert = *v;
         dr.advert_line = s.line;
       } else {
         dr.bad = true;
       }
     }},
    {"version", Use::Applied, versionKeyword},
    {"vrrp_version", Use::Applied, versionKeyword},
    {"nopreempt", Use::Applied, [](Ctx&, InstanceDraft& dr, const Stmt&) { dr.ic.preempt = false; }},
    {"preempt", Use::Applied, [](Ctx&, InstanceDraft& dr, const Stmt&) { dr.ic.preempt = true; }},
    {"preempt_delay", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto v = secondsArg(cx, s)) {
         if (*v > std::chrono::seconds(1000)) {
           cx.d.error(s.line, "preempt_delay must be 0..1000 seconds");
         } else {
           dr.ic.preempt_delay = *v;
         }
       }
     }},
    {"garp_master_delay", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto v = intArg(cx, s, 0, 1000)) dr.ic.garp_master_delay = std::chrono::seconds(*v);
     }},
    {"authentication", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       dr.auth_line = s.line;
       walk<InstanceDraft>(cx, kAuthentication, dr, s.block, "authentication");
     }},
    {"virtual_ipaddress", Use::Applied, vipBlock},
    {"track_interface", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       for (const auto& t : s.block) {
         TrackedInterface ti{t.words[0], weightOption(cx, t).value_or(0)};
         dr.ic.track_interfaces.push_back(std::move(ti));
       }
     }},
    {"track_script", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       for (const auto& t : s.block) {
         TrackedScript ts{t.words[0], weightOption(cx, t)};
         if (!cx.script_names.contains(ts.name)) {
           cx.d.warning(t.line, fmt::format("track_script {} is not a defined vrrp_script; ignored",
                                            ts.name));
           continue;
         }
         dr.ic.track_scripts.push_back(std::move(ts));
       }
     }},
    {"unicast_src_ip", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto a = addrArg(cx, s)) dr.ic.unicast_src = *a;
     }},
    // keepalived handles both keywords alike: the source address of the adverts.
    {"mcast_src_ip", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       if (auto a = addrArg(cx, s)) {
         dr.ic.unicast_src = *a;
         dr.src_from_mcast = true;
       }
     }},
    {"unicast_peer", Use::Applied,
     [](Ctx& cx, InstanceDraft& dr, const Stmt& s) {
       for (const auto& p : s.block) {
         auto a = Ipv4Address::parse(p.words[0]);
         if (!a) {
           cx.d.error(p.line, fmt::format("'{}' is not an IPv4 address", p.words[0]));
           continue;
         }
         if (p.words.size() > 1) {
           cx.d.warning(p.line, "unicast_peer options are not supported by hbd; ignored");
         }
         dr.ic.unicast_peers.push_back(*a);
       }
     }},
    {"notify_master", Use::Applied, notifyCommand},
    {"notify_backup", Use::Applied, notifyCommand},
    {"notify_fault", Use::Applied, notifyCommand},
    {"notify", Use::Applied, notifyCommand},
    {"use_vmac", Use::Unsupported},
    {"vmac_xmit_base", Use::Unsupported},
    {"dont_track_primary", Use::Unsupported},
    {"lvs_sync_daemon_interface", Use::Unsupported},
    {"garp_master_repeat", Use::Unsupported},
    {"garp_master_refresh", Use::Unsupported},
    {"garp_master_refresh_repeat", Use::Unsupported},
    {"garp_lower_prio_delay", Use::Unsupported},
    {"garp_lower_prio_repeat", Use::Unsupported},
    {"lower_prio_no_advert", Use::Unsupported},
    {"higher_prio_send_advert", Use::Unsupported},
    {"smtp_alert", Use::Unsupported},
    {"virtual_routes", Use::Unsupported},
    {"virtual_rules", Use::Unsupported},
    {"virtual_ipaddress_excluded", Use::Unsupported},
    {"native_ipv6", Use::Unsupported},
    {"strict_mode", Use::Unsupported},
    {"accept", Use::Unsupported},
    {"no_accept", Use::Unsupported},
    {"skip_check_adv_addr", Use::Unsupported},
    {"debug", Use::Unsupported},
    {"notify_stop", Use::Unsupported},
    {"notify_deleted", Use::Unsupported},
    {"track_file", Use::Unsupported},
    {"track_process", Use::Unsupported},
    {"track_bfd", Use::Unsupported},
    {"unicast_ttl", Use::Unsupported},
    {"old_unicast_checksum", Use::Unsupported},
    {"check_unicast_src", Use::Unsupported},
    {"kernel_rx_buf_size", Use::Unsupported},
    {"linkbeat_use_polling", Use::Unsupported},
    {"promote_secondaries", Use::Unsupported},
};

// The advertisement interval's limits depend on the version, which may come after it.
void checkAdvert(Ctx& cx, InstanceDraft& dr) {
  InstanceConf& ic = dr.ic;
  if (!dr.advert) return;
  const Micros advert = *dr.advert;
  if (ic.version == 2) {
    auto secs = std::llround(static_cast<double>(advert.count()) / 1e6);
    if (advert.count() % 1'000'000 != 0) {
      cx.d.warning(dr.advert_line,
                   fmt::format("VRRPv2 advertisement interval {}s must be an integer; rounding to {}s",
                               secondsText(advert), secs));
    }
    if (secs < 1 || secs > 255) {
      cx.d.error(dr.advert_line, "VRRPv2 advert_int must be 1..255 seconds");
      dr.bad = true;
    } else {
      ic.advert_int = std::chrono::seconds(secs);
    }
    return;
  }
  if (advert.count() % 10'000 != 0) {
    cx.d.warning(dr.advert_line, fmt::format("VRRPv3 advert_int {}s rounded down to centiseconds",
                                             secondsText(advert)));
  }
  Micros cs(advert.count() / 10'000 * 10'000);
  if (cs < std::chrono::milliseconds(10) || cs > std::chrono::milliseconds(40950)) {
    cx.d.error(dr.advert_line, fmt::format("VRRPv3 advert_int must be 0.01..40.95 seconds, not {}",
                                           secondsText(advert)));
    dr.bad = true;
  } else {
    ic.advert_int = cs;
  }
}

void instance(Ctx& cx, const Stmt& b) {
  if (!namedBlock(cx, b, "vrrp_instance")) return;
  InstanceDraft dr;
  InstanceConf& ic = dr.ic;
  ic.name = b.words[1];
  ic.line = b.line;
  ic.version = cx.default_version;
  walk<InstanceDraft>(cx, kInstance, dr, b.block, "vrrp_instance");

  // Checks that need the whole block (keywords may come in any order).
  checkAdvert(cx, dr);
  if (dr.auth_line != 0) {
    if (ic.version == 3) {
      cx.d.warning(dr.auth_line, "VRRP version 3 does not support authentication. Ignoring.");
      ic.auth_pass.clear();
    } else if (!dr.auth_type.empty() && dr.auth_type != "PASS" && dr.auth_type != "AH") {
      // An unknown auth_type (warned above): no authentication, as keepalived.
      ic.auth_pass.clear();
    } else if (dr.auth_type.empty() && !ic.auth_pass.empty()) {
      cx.d.warning(dr.auth_line, "auth_pass without auth_type; assuming PASS");
    } else if (dr.auth_type == "PASS" && ic.auth_pass.empty()) {
      cx.d.error(dr.auth_line, "auth_type PASS needs an auth_pass");
      dr.bad = true;
    }
  }
  if (!dr.vrid_set) {
    cx.d.error(b.line, fmt::format("vrrp_instance {} has no virtual_router_id", ic.name));
    dr.bad = true;
  }
  if (ic.interface.empty()) {
    cx.d.error(b.line, fmt::format("vrrp_instance {} has no interface", ic.name));
    dr.bad = true;
  }
  if (ic.unicast_src && ic.unicast_peers.empty() && !dr.src_from_mcast) {
    cx.d.warning(b.line, "unicast_src_ip without unicast_peer; using multicast");
  }
  if (ic.vips.empty()) {
    cx.d.warning(b.line, fmt::format("vrrp_instance {} has no virtual_ipaddress", ic.name));
  }
  if (ic.initial_state == State::Master && ic.priority != 255) {
    // keepalived 2.2.7 starts every non-owner instance in BACKUP; say so once.
    cx.d.warning(b.line, fmt::format("vrrp_instance {}: 'state MASTER' starts in BACKUP until the "
                                     "election is won (as keepalived)", ic.name));
  }
  if (ic.preempt_delay.count() > 0 && ic.initial_state == State::Master) {
    cx.d.warning(b.line, "preempt_delay needs 'state BACKUP' (as keepalived); applied anyway");
  }
  // Kept instances have unique names and unique VridKeys, so each clashes with at most one
  // earlier instance; report in the order of those instances, as a scan of them would.
  const VridKey key{ic.vrid, ic.interface, ic.version};
  std::optional<std::size_t> same_name;
  std::optional<std::size_t> same_vrid;
  if (auto it = cx.instance_by_name.find(ic.name); it != cx.instance_by_name.end()) {
    same_name = it->second;
  }
  if (auto it = cx.instance_by_vrid.find(key);
      dr.vrid_set && it != cx.instance_by_vrid.end() && it->second != same_name) {
    same_vrid = it->second;
  }
  auto reportName = [&] {
    cx.d.error(b.line, fmt::format("vrrp_instance {} defined twice", ic.name));
  };
  auto reportVrid = [&] {
    cx.d.error(b.line, fmt::format("vrrp_instance {} uses VRID {} on {} like {}", ic.name, ic.vrid,
                                   ic.interface, cx.cfg.instances[*same_vrid].name));
  };
  if (same_name && same_vrid && *same_vrid < *same_name) {
    reportVrid();
    reportName();
  } else {
    if (same_name) reportName();
    if (same_vrid) reportVrid();
  }
  if (same_name || same_vrid) dr.bad = true;
  if (!dr.bad) {
    cx.instance_by_name.emplace(ic.name, cx.cfg.instances.size());
    cx.instance_by_vrid.emplace(key, cx.cfg.instances.size());
    cx.cfg.instances.push_back(std::move(ic));
  }
}

// ---- the file -------------------------------------------------------------------------------

void globalDefs(Ctx& cx, VrrpConfig& c, const Stmt& g) {
  if (!g.has_block) {
    cx.d.error(g.line, "'global_defs' needs a '{ ... }' block");
    return;
  }
  walk<VrrpConfig>(cx, kGlobalDefs, c, g.block, "global_defs");
}

constexpr Keyword<VrrpConfig> kTop[] = {
    {"global_defs", Use::Applied, globalDefs},
    // Collected before everything else (instances may track scripts defined after them).
    {"vrrp_script", Use::Applied, [](Ctx&, VrrpConfig&, const Stmt&) {}},
    {"vrrp_instance", Use::Applied, [](Ctx& cx, VrrpConfig&, const Stmt& s) { instance(cx, s); }},
    {"include", Use::Unsupported},
    {"vrrp_sync_group", Use::UnsupportedBlock},
    {"virtual_server", Use::UnsupportedBlock},
    {"virtual_server_group", Use::UnsupportedBlock},
    {"static_ipaddress", Use::UnsupportedBlock},
    {"static_routes", Use::UnsupportedBlock},
    {"static_rules", Use::UnsupportedBlock},
    {"linkbeat_interfaces", Use::UnsupportedBlock},
    {"bfd_instance", Use::UnsupportedBlock},
    {"vrrp_track_process", Use::UnsupportedBlock},
    {"vrrp_track_file", Use::UnsupportedBlock},
    {"garp_group", Use::UnsupportedBlock},
};

VrrpConfig interpret(DiagnosticList& d, const std::vector<Stmt>& top) {
  Ctx cx{d, {}};
  for (const auto& s : top) {
    if (s.words[0] == "vrrp_script") script(cx, s);
  }
  walk<VrrpConfig>(cx, kTop, cx.cfg, top, "");
  return std::move(cx.cfg);
}

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
  if (tb.parseBlock(top, 0, 0)) {
    out.value = interpret(diags, top);
  }
  out.diagnostics = diags.take();
  return out;
}

}  // namespace hb::vrrp
