// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the vrrp.conf parser (keepalived syntax).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> formatted(const ParseResult<VrrpConfig>& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.format());
  return out;
}

// The baseline document's keepalived.conf plus every keyword of the issue.
constexpr std::string_view kFull = R"(! Configuration File for keepalived
global_defs {
  router_id kabA   # comment after a value
  script_user root
  enable_script_security
}

vrrp_script chk_marker {
  script "/tmp/kab/chk_marker.sh --quiet"
  interval 2
  timeout 3
  fall 2
  rise 3
  weight -40
}
vrrp_script chk_bonus {
  script /bin/true
  weight 20
}

vrrp_instance VI_1 {
  state MASTER
  interface kvA
  virtual_router_id 51
  priority 150
  advert_int 1
  nopreempt
  preempt_delay 2.5
  garp_master_delay 7
  authentication {
    auth_type PASS
    auth_pass secret12
  }
  virtual_ipaddress {
    10.202.0.100/24 dev kvA label kvA:vip
    10.202.0.101
  }
  track_interface {
    eth9
    eth8 weight -30
  }
  track_script {
    chk_marker
    chk_bonus weight 10
  }
  unicast_src_ip 10.202.0.1
  unicast_peer {
    10.202.0.2
    10.202.0.3
  }
  notify_master "/etc/ha.d/master.sh VI_1"
  notify_backup /etc/ha.d/backup.sh
  notify_fault /etc/ha.d/fault.sh
  notify /tmp/kab/A/notify.sh
}

vrrp_instance VI_2
{
  interface kvA
  virtual_router_id 52
  version 3
  advert_int 0.05
  virtual_ipaddress {
    10.202.0.200/32
  }
}
)";

TEST(VrrpConfig, FullKeepalivedConfig) {
  auto r = parseVrrpConf(kFull, "vrrp.conf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r));
  const VrrpConfig& c = *r.value;
  EXPECT_EQ(c.router_id, "kabA");
  ASSERT_EQ(c.scripts.size(), 2u);
  const ScriptConf& s = c.scripts[0];
  EXPECT_EQ(s.name, "chk_marker");
  EXPECT_EQ(s.script, "/tmp/kab/chk_marker.sh --quiet");
  EXPECT_EQ(s.interval, 2s);
  EXPECT_EQ(s.timeout, 3s);
  EXPECT_EQ(s.fall, 2);
  EXPECT_EQ(s.rise, 3);
  EXPECT_EQ(s.weight, -40);
  EXPECT_EQ(s.line, 8);
  EXPECT_EQ(c.scripts[1].interval, 1s);
  EXPECT_EQ(c.scripts[1].weight, 20);

  ASSERT_EQ(c.instances.size(), 2u);
  const InstanceConf& i = c.instances[0];
  EXPECT_EQ(i.name, "VI_1");
  EXPECT_EQ(i.initial_state, State::Master);
  EXPECT_EQ(i.interface, "kvA");
  EXPECT_EQ(i.vrid, 51);
  EXPECT_EQ(i.priority, 150);
  EXPECT_EQ(i.advert_int, 1s);
  EXPECT_EQ(i.version, 2);
  EXPECT_FALSE(i.preempt);
  EXPECT_EQ(i.preempt_delay, 2500ms);
  EXPECT_EQ(i.garp_master_delay, 7s);
  EXPECT_EQ(i.auth_pass, "secret12");
  ASSERT_EQ(i.vips.size(), 2u);
  EXPECT_EQ(i.vips[0].address.toString(), "10.202.0.100");
  EXPECT_EQ(i.vips[0].prefix_len, 24);
  EXPECT_EQ(i.vips[0].dev, "kvA");
  EXPECT_EQ(i.vips[0].label, "kvA:vip");
  EXPECT_EQ(i.vips[1].prefix_len, 32);
  ASSERT_EQ(i.track_interfaces.size(), 2u);
  EXPECT_EQ(i.track_interfaces[0].weight, 0);
  EXPECT_EQ(i.track_interfaces[1].name, "eth8");
  EXPECT_EQ(i.track_interfaces[1].weight, -30);
  ASSERT_EQ(i.track_scripts.size(), 2u);
  EXPECT_FALSE(i.track_scripts[0].weight);
  EXPECT_EQ(i.track_scripts[1].weight, 10);
  EXPECT_EQ(i.unicast_src->toString(), "10.202.0.1");
  ASSERT_EQ(i.unicast_peers.size(), 2u);
  EXPECT_EQ(i.unicast_peers[1].toString(), "10.202.0.3");
  EXPECT_EQ(i.notify_master, "/etc/ha.d/master.sh VI_1");
  EXPECT_EQ(i.notify_backup, "/etc/ha.d/backup.sh");
  EXPECT_EQ(i.notify_fault, "/etc/ha.d/fault.sh");
  EXPECT_EQ(i.notify, "/tmp/kab/A/notify.sh");
  EXPECT_EQ(i.line, 21);

  const InstanceConf& j = c.instances[1];
  EXPECT_EQ(j.name, "VI_2");  // brace on the next line
  EXPECT_EQ(j.version, 3);
  EXPECT_EQ(j.advert_int, 50ms);
  EXPECT_TRUE(j.preempt);
  EXPECT_EQ(j.priority, 100);
  EXPECT_EQ(j.garp_master_delay, 5s);

  // Only warnings: unsupported globals and `state MASTER` starting as BACKUP.
  auto msgs = formatted(r);
  EXPECT_NE(std::find(msgs.begin(), msgs.end(),
                      "vrrp.conf:4: warning: 'script_user' is not supported by hbd; ignored"),
            msgs.end());
}

struct Case {
  const char* name;
  std::string body;      // vrrp_instance body lines (inside the braces), or a whole file with "@"
  const char* expected;  // one diagnostic that must appear (formatted)
  bool usable;           // the instance survives
};

std::string instanceWith(const std::string& extra) {
  return "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n"
         "  virtual_ipaddress {\n    10.0.0.100/24\n  }\n" +
         extra + "}\n";
}

class VrrpConfigCases : public ::testing::TestWithParam<Case> {};

TEST_P(VrrpConfigCases, Diagnostic) {
  const Case& c = GetParam();
  std::string text = c.body.rfind('@', 0) == 0 ? c.body.substr(1) : instanceWith(c.body);
  auto r = parseVrrpConf(text, "/etc/ha.d/vrrp.conf");
  auto msgs = formatted(r);
  EXPECT_NE(std::find(msgs.begin(), msgs.end(), std::string(c.expected)), msgs.end())
      << ::testing::PrintToString(msgs);
  const bool usable = r.value && !r.value->instances.empty();
  EXPECT_EQ(usable, c.usable) << ::testing::PrintToString(msgs);
}

INSTANTIATE_TEST_SUITE_P(
    Table, VrrpConfigCases,
    ::testing::Values(
        Case{"unknown", "  advert_intt 1\n",
             "/etc/ha.d/vrrp.conf:7: warning: unknown keyword 'advert_intt' in vrrp_instance", true},
        Case{"unknown_top", "@frobnicate 1\n",
             "/etc/ha.d/vrrp.conf:1: warning: unknown keyword 'frobnicate'", false},
        Case{"unknown_global", "@global_defs {\n router_idd x\n}\n",
             "/etc/ha.d/vrrp.conf:2: warning: unknown keyword 'router_idd' in global_defs", false},
        Case{"vrid_zero", "@vrrp_instance X {\n interface e\n virtual_router_id 0\n}\n",
             "/etc/ha.d/vrrp.conf:3: error: 'virtual_router_id' must be an integer 1..255, not '0'",
             false},
        Case{"vrid_256", "@vrrp_instance X {\n interface e\n virtual_router_id 256\n}\n",
             "/etc/ha.d/vrrp.conf:3: error: 'virtual_router_id' must be an integer 1..255, not '256'",
             false},
        Case{"no_vrid", "@vrrp_instance X {\n interface e\n}\n",
             "/etc/ha.d/vrrp.conf:1: error: vrrp_instance X has no virtual_router_id", false},
        Case{"no_interface", "@vrrp_instance X {\n virtual_router_id 3\n}\n",
             "/etc/ha.d/vrrp.conf:1: error: vrrp_instance X has no interface", false},
        Case{"prio_0", "  priority 0\n",
             "/etc/ha.d/vrrp.conf:7: error: 'priority' must be an integer 1..255, not '0'", false},
        Case{"prio_text", "  priority high\n",
             "/etc/ha.d/vrrp.conf:7: error: 'priority' must be an integer 1..255, not 'high'", false},
        Case{"v2_fraction", "  advert_int 0.6\n",
             "/etc/ha.d/vrrp.conf:7: warning: VRRPv2 advertisement interval 0.600000s must be an "
             "integer; rounding to 1s",
             true},
        Case{"v2_too_small", "  advert_int 0.1\n",
             "/etc/ha.d/vrrp.conf:7: error: VRRPv2 advert_int must be 1..255 seconds", false},
        Case{"v3_too_small", "  version 3\n  advert_int 0.005\n",
             "/etc/ha.d/vrrp.conf:8: error: VRRPv3 advert_int must be 0.01..40.95 seconds, not "
             "0.005000",
             false},
        Case{"v3_auth", "  vrrp_version 3\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }\n",
             "/etc/ha.d/vrrp.conf:8: warning: VRRP version 3 does not support authentication. "
             "Ignoring.",
             true},
        Case{"pass_long", "  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }\n",
             "/etc/ha.d/vrrp.conf:9: warning: auth_pass longer than 8 characters; truncated to 8 "
             "(as keepalived)",
             true},
        Case{"auth_ah", "  authentication {\n    auth_type AH\n    auth_pass x\n  }\n",
             "/etc/ha.d/vrrp.conf:8: error: auth_type AH is not supported by hbd", true},
        Case{"auth_lower", "  authentication {\n    auth_type pass\n    auth_pass secret12\n  }\n",
             "/etc/ha.d/vrrp.conf:8: warning: unknown authentication type 'pass': the instance runs without "
             "authentication, as keepalived 2.2.7 runs it (write PASS, in capitals, for a password)",
             true},
        Case{"pass_missing", "  authentication {\n    auth_type PASS\n  }\n",
             "/etc/ha.d/vrrp.conf:7: error: auth_type PASS needs an auth_pass", false},
        Case{"bad_vip", "  virtual_ipaddress {\n    10.0.0.300/24\n  }\n",
             "/etc/ha.d/vrrp.conf:8: error: '10.0.0.300/24' is not an IPv4 address", true},
        Case{"bad_prefix", "  virtual_ipaddress {\n    10.0.0.3/33\n  }\n",
             "/etc/ha.d/vrrp.conf:8: error: bad prefix length in '10.0.0.3/33'", true},
        Case{"bad_state", "  state STANDBY\n",
             "/etc/ha.d/vrrp.conf:7: error: state must be MASTER or BACKUP, not 'STANDBY'", true},
        Case{"unknown_script", "  track_script {\n    nothere\n  }\n",
             "/etc/ha.d/vrrp.conf:8: warning: track_script nothere is not a defined vrrp_script; "
             "ignored",
             true},
        Case{"bad_weight", "  track_interface {\n    eth1 weight 300\n  }\n",
             "/etc/ha.d/vrrp.conf:8: error: weight must be -254..254, not '300'", true},
        Case{"use_vmac", "  use_vmac\n",
             "/etc/ha.d/vrrp.conf:7: warning: 'use_vmac' is not supported by hbd; ignored", true},
        Case{"script_shell", "@vrrp_script chk {\n script \"[[ -f /etc/keepalived/down ]] && exit 1 || exit 0\"\n}\n",
             "/etc/ha.d/vrrp.conf:2: warning: script: '[[' is shell syntax, but scripts run without a "
             "shell (as keepalived runs them), so it is passed as a plain word; for a shell write "
             "\"/bin/sh -c '...'\"",
             false},
        Case{"notify_shell", "  notify_master \"/usr/local/bin/vip-up.sh >/dev/null\"\n",
             "/etc/ha.d/vrrp.conf:7: warning: notify_master: '>/dev/null' is shell syntax, but scripts run "
             "without a shell (as keepalived runs them), so it is passed as a plain word; for a shell "
             "write \"/bin/sh -c '...'\"",
             true},
        Case{"notify_quote", "  notify \"/bin/echo 'half\"\n",
             "/etc/ha.d/vrrp.conf:7: warning: notify: missing terminating ' in the command: it cannot run "
             "and is disabled at start (as keepalived does)",
             true},
        Case{"unclosed", "@vrrp_instance X {\n interface e\n",
             "/etc/ha.d/vrrp.conf:1: error: '{' is never closed", false},
        Case{"extra_close", "@}\n", "/etc/ha.d/vrrp.conf:1: error: '}' without a matching '{'",
             false},
        Case{"script_no_cmd", "@vrrp_script s {\n interval 1\n}\n",
             "/etc/ha.d/vrrp.conf:1: error: vrrp_script s has no 'script'", false},
        Case{"script_bad_interval", "@vrrp_script s {\n script /bin/true\n interval soon\n}\n",
             "/etc/ha.d/vrrp.conf:3: error: 'interval' must be a number of seconds, not 'soon'",
             false},
        Case{"missing_value", "  priority\n", "/etc/ha.d/vrrp.conf:7: error: 'priority' needs a value",
             false},
        Case{"preempt_delay_big", "  preempt_delay 1001\n",
             "/etc/ha.d/vrrp.conf:7: error: preempt_delay must be 0..1000 seconds", true},
        Case{"bad_unicast", "  unicast_peer {\n    10.0.0.x\n  }\n",
             "/etc/ha.d/vrrp.conf:8: error: '10.0.0.x' is not an IPv4 address", true}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// keepalived 2.2.7 with `auth_type pass` (lower case): "(VI_1) unknown authentication type 'pass'",
// then "Authentication type = none" in its config dump, adverts without authentication. hbd reads
// the same file the same way, so the two agree on the wire.
TEST(VrrpConfig, UnknownAuthTypeMeansNoAuthenticationAsInKeepalived) {
  auto r = parseVrrpConf(instanceWith("  authentication {\n    auth_type pass\n    auth_pass secret12\n  }\n"),
                         "vrrp.conf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r));
  EXPECT_FALSE(r.hasErrors());
  ASSERT_EQ(r.value->instances.size(), 1u);
  EXPECT_EQ(r.value->instances[0].auth_pass, "");
  auto upper = parseVrrpConf(instanceWith("  authentication {\n    auth_type PASS\n    auth_pass secret12\n  }\n"),
                             "vrrp.conf");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper.value->instances.at(0).auth_pass, "secret12");
}

TEST(VrrpConfig, McastSrcIpSetsTheSourceWithoutAUnicastWarning) {
  auto r = parseVrrpConf(instanceWith("  mcast_src_ip 10.0.0.9\n"), "vrrp.conf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r));
  EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(formatted(r));
  ASSERT_TRUE(r.value->instances.at(0).unicast_src.has_value());
  EXPECT_EQ(r.value->instances[0].unicast_src->toString(), "10.0.0.9");
  EXPECT_TRUE(r.value->instances[0].unicast_peers.empty());
}

TEST(VrrpConfig, DuplicatesAndVridClash) {
  std::string text = instanceWith("") + instanceWith("");
  auto r = parseVrrpConf(text, "v.conf");
  auto msgs = formatted(r);
  EXPECT_NE(std::find(msgs.begin(), msgs.end(), "v.conf:8: error: vrrp_instance VI_1 defined twice"),
            msgs.end())
      << ::testing::PrintToString(msgs);
  ASSERT_TRUE(r.value);
  EXPECT_EQ(r.value->instances.size(), 1u);

  std::string clash = instanceWith("") +
                      "vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 51\n}\n";
  auto r2 = parseVrrpConf(clash, "v.conf");
  msgs = formatted(r2);
  EXPECT_NE(std::find(msgs.begin(), msgs.end(),
                      "v.conf:8: error: vrrp_instance VI_2 uses VRID 51 on eth0 like VI_1"),
            msgs.end())
      << ::testing::PrintToString(msgs);
}

TEST(VrrpConfig, CommentsQuotesAndBraces) {
  // `!` and `#` comments anywhere a token starts; braces glued to words; one-line blocks.
  constexpr std::string_view text =
      "global_defs{router_id r1}# trailing\n"
      "! full line\n"
      "vrrp_instance \"VI 1\"{ interface eth0\n"
      " virtual_router_id 9 ! comment\n"
      " virtual_ipaddress { 10.0.0.1 }\n"
      "}\n";
  auto r = parseVrrpConf(text, "v.conf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r));
  EXPECT_EQ(r.value->router_id, "r1");
  ASSERT_EQ(r.value->instances.size(), 1u);
  EXPECT_EQ(r.value->instances[0].name, "VI 1");
  EXPECT_EQ(r.value->instances[0].vrid, 9);
  ASSERT_EQ(r.value->instances[0].vips.size(), 1u);
}

TEST(VrrpConfig, GlobalVersionAndScriptsAfterInstances) {
  constexpr std::string_view text =
      "global_defs {\n vrrp_version 3\n}\n"
      "vrrp_instance A {\n interface e\n virtual_router_id 1\n advert_int 0.25\n"
      " track_script {\n late\n }\n}\n"
      "vrrp_script late {\n script \"exit 0\"\n}\n";
  auto r = parseVrrpConf(text, "v.conf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r));
  const auto& i = r.value->instances[0];
  EXPECT_EQ(i.version, 3);
  EXPECT_EQ(i.advert_int, std::chrono::milliseconds(250));
  ASSERT_EQ(i.track_scripts.size(), 1u);
  EXPECT_EQ(i.track_scripts[0].name, "late");
}

TEST(VrrpConfig, EmptyAndStateNames) {
  auto r = parseVrrpConf("", "v.conf");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value->instances.empty());
  EXPECT_EQ(stateName(State::Master), "MASTER");
  EXPECT_EQ(stateName(State::Backup), "BACKUP");
  EXPECT_EQ(stateName(State::Fault), "FAULT");
  EXPECT_EQ(stateName(State::Init), "INIT");
}

TEST(VrrpConfig, NestingIsBoundedNotRecursedIntoTheGround) {
  // 100,000 `{` would overflow the stack of a recursive parser: one error, no value, no crash.
  // (Before it, each keyword-less block warns once: 32 warnings.)
  const std::string deep(100'000, '{');
  auto r = parseVrrpConf(deep, "v.conf");
  EXPECT_FALSE(r.value);
  ASSERT_EQ(r.diagnostics.size(), static_cast<std::size_t>(kMaxVrrpConfNesting) + 1);
  EXPECT_EQ(r.diagnostics.back().format(), "v.conf:1: error: blocks nested deeper than 32");
  EXPECT_EQ(r.diagnostics.front().format(), "v.conf:1: warning: block without a keyword ignored");

  // kMaxVrrpConfNesting levels are fine; one more is refused at the line of its `{`.
  auto nest = [](int levels) {
    std::string t;
    for (int i = 0; i < levels; ++i) t += "virtual_server x {\n";
    for (int i = 0; i < levels; ++i) t += "}\n";
    return t;
  };
  auto at_limit = parseVrrpConf(nest(kMaxVrrpConfNesting), "v.conf");
  EXPECT_TRUE(at_limit.ok()) << ::testing::PrintToString(formatted(at_limit));
  auto over = parseVrrpConf(nest(kMaxVrrpConfNesting + 1), "v.conf");
  EXPECT_FALSE(over.value);
  EXPECT_EQ(formatted(over),
            std::vector<std::string>{"v.conf:33: error: blocks nested deeper than 32"});

  // Keyword-less blocks count too.
  auto bare = parseVrrpConf(std::string(33, '{') + std::string(33, '}'), "v.conf");
  EXPECT_FALSE(bare.value);
}

TEST(VrrpConfig, ManyBlocksKeepTheirDuplicateChecks) {
  // Thousands of instances, scripts and addresses: the duplicate checks still see every earlier
  // one (they are indexed, not rescanned: a scan made such files quadratic).
  constexpr int kN = 20'000;
  std::string text;
  for (int i = 0; i < kN; ++i) text += fmt::format("vrrp_script s{} {{\n script true\n}}\n", i);
  text += "vrrp_script s7 {\n script true\n}\n";
  for (int i = 0; i < kN; ++i) {
    text += fmt::format("vrrp_instance I{} {{\n interface e{}\n virtual_router_id {}\n", i, i / 255,
                        i % 255 + 1);
    if (i == 0) {
      text += " track_script {\n s19999\n nope\n }\n virtual_ipaddress {\n";
      for (int a = 0; a < kN; ++a) text += fmt::format("  10.{}.{}.1\n", a / 256, a % 256);
      text += "  10.0.5.1\n }\n";
    }
    text += "}\n";
  }
  text += "vrrp_instance I5 {\n interface x\n virtual_router_id 1\n}\n";
  text += "vrrp_instance J {\n interface e0\n virtual_router_id 3\n}\n";
  auto r = parseVrrpConf(text, "v.conf");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(r.value->scripts.size(), static_cast<std::size_t>(kN));
  ASSERT_EQ(r.value->instances.size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(r.value->instances[0].vips.size(), static_cast<std::size_t>(kN));
  ASSERT_EQ(r.value->instances[0].track_scripts.size(), 1u);
  std::vector<std::string> errors_and_dups;
  for (const auto& m : formatted(r)) {
    if (m.find("twice") != std::string::npos || m.find("error") != std::string::npos ||
        m.find("track_script") != std::string::npos) {
      errors_and_dups.push_back(m.substr(m.find(' ') + 1));
    }
  }
  EXPECT_EQ(errors_and_dups, (std::vector<std::string>{
                                 "error: vrrp_script s7 defined twice",
                                 "warning: track_script nope is not a defined vrrp_script; ignored",
                                 "warning: virtual address 10.0.5.1 listed twice",
                                 "error: vrrp_instance I5 defined twice",
                                 "error: vrrp_instance J uses VRID 3 on e0 like I2"}));
}

}  // namespace
}  // namespace hb::vrrp
