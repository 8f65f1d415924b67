// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the ha.cf parser: every directive form, time syntax, timer rules and diagnostics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "hbd/config/config.h"

namespace hb::config {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> formatted(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.format());
  return out;
}

std::vector<std::string> errorsOf(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) {
    if (d.severity == Severity::Error) out.push_back(d.format());
  }
  return out;
}

// A minimal usable file; tests append lines after it (it is 3 lines long).
constexpr std::string_view kBase = "node alpha beta\nbcast eth0\nauto_failback on\n";

ParseResult<HaCf> parse(std::string_view extra) {
  return parseHaCf(std::string(kBase) + std::string(extra), "ha.cf");
}

TEST(HaCf, MinimalFileHasHeartbeatDefaults) {
  auto r = parse("");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(formatted(r.diagnostics));
  const HaCf& cf = *r.value;
  EXPECT_EQ(cf.keepalive, std::chrono::milliseconds(1000));
  EXPECT_EQ(cf.deadtime, std::chrono::milliseconds(30000));
  EXPECT_EQ(cf.warntime, std::chrono::milliseconds(15000));
  EXPECT_EQ(cf.initdead, std::chrono::milliseconds(30000));
  EXPECT_EQ(cf.udpport, 694);
  EXPECT_EQ(cf.baud, 19200);
  EXPECT_EQ(cf.nodes, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(cf.auto_failback, AutoFailback::On);
  EXPECT_TRUE(cf.auto_failback_set);
  EXPECT_TRUE(cf.realtime);
  EXPECT_EQ(cf.cluster, "linux-ha");
  EXPECT_EQ(cf.hbgenmethod, "file");
  EXPECT_EQ(cf.debug, 0);
  EXPECT_EQ(cf.parameters.at("keepalive"), "1000ms");
  EXPECT_EQ(cf.parameters.at("deadtime"), "30000ms");
  EXPECT_EQ(cf.parameters.at("warntime"), "15000ms");
  EXPECT_EQ(cf.parameters.at("initdead"), "30000ms");
  EXPECT_EQ(cf.parameters.at("deadping"), "30000ms");
  EXPECT_EQ(cf.parameters.at("udpport"), "694");
  EXPECT_EQ(cf.parameters.at("baud"), "19200");
  EXPECT_EQ(cf.parameters.at("crm"), "false");
  EXPECT_EQ(cf.parameters.at("debug"), "0");
  EXPECT_EQ(cf.parameters.at("auto_failback"), "on");
  EXPECT_EQ(cf.parameters.at("node"), "alpha beta");
  EXPECT_EQ(cf.parameters.count("bcast"), 0u);  // media are not parameters, as in heartbeat
}

TEST(HaCf, EveryImplementedDirective) {
  const std::string text =
      "# a complete file\n"
      "logfacility     local0\n"
      "logfile /var/log/ha-log\n"
      "debugfile\t/var/log/ha-debug\n"
      "debug 2\n"
      "keepalive 200ms\n"
      "deadtime 1\n"
      "warntime 500ms\n"
      "initdead 12\n"
      "udpport 695\n"
      "baud 115200\n"
      "bcast eth0 eth1\n"
      "mcast eth2 239.1.2.3 700 2 0\n"
      "ucast eth3 10.0.0.2\n"
      "serial /dev/ttyS0\n"
      "serial /dev/ttyS1, /dev/ttyUSB0\n"
      "auto_failback off\n"
      "node NodeA\n"
      "node nodeb,nodec\n"
      "crm no\n"
      "realtime off\n"
      "hbgenmethod time\n"
      "cluster prod\n"
      "autojoin none\n";
  auto r = parseHaCf(text, "ha.cf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  // Only heartbeat's own "initdead may be too small" rule is not triggered: 12 s is fine.
  EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(formatted(r.diagnostics));
  const HaCf& cf = *r.value;
  EXPECT_EQ(cf.logfacility, "local0");
  EXPECT_EQ(cf.logfile, "/var/log/ha-log");
  EXPECT_EQ(cf.debugfile, "/var/log/ha-debug");
  EXPECT_EQ(cf.debug, 2);
  EXPECT_EQ(cf.keepalive, std::chrono::milliseconds(200));
  EXPECT_EQ(cf.deadtime, std::chrono::milliseconds(1000));
  EXPECT_EQ(cf.warntime, std::chrono::milliseconds(500));
  EXPECT_EQ(cf.initdead, std::chrono::milliseconds(12000));
  EXPECT_EQ(cf.udpport, 695);
  EXPECT_EQ(cf.baud, 115200);
  ASSERT_EQ(cf.udp.size(), 4u);
  EXPECT_EQ(cf.udp[0].kind, UdpMedium::Kind::Bcast);
  EXPECT_EQ(cf.udp[0].interface, "eth0");
  EXPECT_EQ(cf.udp[0].port, 695);
  EXPECT_EQ(cf.udp[0].line, 12);
  EXPECT_EQ(cf.udp[1].interface, "eth1");
  EXPECT_EQ(cf.udp[2].kind, UdpMedium::Kind::Mcast);
  EXPECT_EQ(cf.udp[2].interface, "eth2");
  EXPECT_EQ(cf.udp[2].group, "239.1.2.3");
  EXPECT_EQ(cf.udp[2].port, 700);
  EXPECT_EQ(cf.udp[2].ttl, 2);
  EXPECT_FALSE(cf.udp[2].loop);
  EXPECT_EQ(cf.udp[2].line, 13);
  EXPECT_EQ(cf.udp[3].kind, UdpMedium::Kind::Ucast);
  EXPECT_EQ(cf.udp[3].interface, "eth3");
  EXPECT_EQ(cf.udp[3].peer, "10.0.0.2");
  EXPECT_EQ(cf.udp[3].port, 695);
  ASSERT_EQ(cf.serial.size(), 3u);
  EXPECT_EQ(cf.serial[0].device, "/dev/ttyS0");
  EXPECT_EQ(cf.serial[0].line, 15);
  EXPECT_EQ(cf.serial[2].device, "/dev/ttyUSB0");
  EXPECT_EQ(cf.serial[2].line, 16);
  EXPECT_EQ(cf.auto_failback, AutoFailback::Off);
  EXPECT_EQ(cf.nodes, (std::vector<std::string>{"nodea", "nodeb", "nodec"}));
  EXPECT_FALSE(cf.realtime);
  EXPECT_EQ(cf.hbgenmethod, "time");
  EXPECT_EQ(cf.cluster, "prod");
  // cl_status hbparameter echoes values as written (heartbeat-baseline.md).
  EXPECT_EQ(cf.parameters.at("keepalive"), "200ms");
  EXPECT_EQ(cf.parameters.at("deadtime"), "1");
  EXPECT_EQ(cf.parameters.at("warntime"), "500ms");
  EXPECT_EQ(cf.parameters.at("initdead"), "12");
  EXPECT_EQ(cf.parameters.at("deadping"), "1000ms");
  EXPECT_EQ(cf.parameters.at("udpport"), "695");
  EXPECT_EQ(cf.parameters.at("crm"), "no");
  EXPECT_EQ(cf.parameters.at("node"), "NodeA nodeb nodec");
  EXPECT_EQ(cf.parameters.at("logfacility"), "local0");
}

// hbd addition: who besides root may change state over the control socket. Default none.
TEST(HaCf, AdminGroup) {
  auto none = parse("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value->admin_group, "");
  auto r = parse("admin_group hbadmin\n");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.value->admin_group, "hbadmin");
  EXPECT_EQ(r.value->parameters.at("admin_group"), "hbadmin");
  // Like every single-valued option: the last one wins, with a warning.
  auto twice = parse("admin_group hbadmin\nadmin_group ha-ops\n");
  EXPECT_EQ(twice.value->admin_group, "ha-ops");
  EXPECT_THAT(formatted(twice.diagnostics),
              Contains("ha.cf:5: warning: admin_group given again (first at line 4); the last value wins"));
  EXPECT_THAT(errorsOf(parse("admin_group\n").diagnostics), Contains(HasSubstr("ha.cf:4: error:")));
}

TEST(HaCf, McastLoopAndAutoFailbackForms) {
  struct Case {
    std::string line;
    AutoFailback expected;
  };
  for (const Case& c :
       {Case{"auto_failback legacy", AutoFailback::Legacy},
        Case{"auto_failback LEGACY", AutoFailback::Legacy},
        Case{"auto_failback yes", AutoFailback::On}, Case{"auto_failback 1", AutoFailback::On},
        Case{"auto_failback Y", AutoFailback::On}, Case{"auto_failback true", AutoFailback::On},
        Case{"auto_failback n", AutoFailback::Off}, Case{"auto_failback false", AutoFailback::Off},
        Case{"auto_failback 0", AutoFailback::Off}}) {
    auto r = parseHaCf("node a\nmcast eth0 224.0.0.1 694 1 1\n" + c.line + "\n", "ha.cf");
    EXPECT_FALSE(r.hasErrors()) << c.line;
    EXPECT_EQ(r.value->auto_failback, c.expected) << c.line;
    EXPECT_TRUE(r.value->udp.at(0).loop);
  }
}

TEST(HaCf, TimeForms) {
  struct Case {
    std::string value;
    int ms;
  };
  for (const Case& c :
       {Case{"2", 2000}, Case{"0.5", 500}, Case{"1500ms", 1500}, Case{"1500 ms", 1500},
        Case{"1500MS", 1500}, Case{"1500msec", 1500}, Case{"501us", 1}, Case{"2000000usec", 2000},
        Case{"1.5", 1500}, Case{".25", 250}, Case{"0.0016", 2}, Case{"100.4ms", 100},
        Case{"1500\tms", 1500}}) {
    auto r = parse("keepalive " + c.value + "\n");
    ASSERT_TRUE(r.ok()) << c.value << ": " << ::testing::PrintToString(formatted(r.diagnostics));
    EXPECT_EQ(r.value->keepalive, std::chrono::milliseconds(c.ms)) << c.value;
    EXPECT_EQ(r.value->parameters.at("keepalive"), c.value == "1500\tms" ? "1500 ms" : c.value);
  }
}

TEST(HaCf, BadTimeForms) {
  for (std::string v :
       {"2s", "1m", "abc", "1.2.3", ".", "-1", "ms", "1e3", "99999999999999999999"}) {
    auto r = parse("keepalive " + v + "\n");
    EXPECT_THAT(errorsOf(r.diagnostics),
                Contains("ha.cf:4: error: invalid time '" + v.substr(0, v.find(' ')) +
                         "' for keepalive: use seconds (2, 0.5) or a ms or us suffix (1500ms, "
                         "501us)"))
        << v << ": " << ::testing::PrintToString(formatted(r.diagnostics));
  }
}

/** A bad input and the exact diagnostic it must produce. */
struct BadCase {
  std::string text;
  std::string diagnostic;
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << ::testing::PrintToString(c.text); }

class HaCfBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(HaCfBad, ReportsFileLineAndMessage) {
  const BadCase& c = GetParam();
  auto r = parseHaCf(c.text, "/etc/ha.d/ha.cf");
  auto all = formatted(r.diagnostics);
  EXPECT_THAT(all, Contains(c.diagnostic)) << ::testing::PrintToString(all);
  if (c.diagnostic.find(": error: ") != std::string::npos) {
    EXPECT_TRUE(r.hasErrors());
    EXPECT_FALSE(r.ok());
  }
}

constexpr const char* kOk = "node a b\nbcast eth0\nauto_failback on\n";  // 3 lines
std::string ok(const std::string& more) { return kOk + more; }

INSTANTIATE_TEST_SUITE_P(
    Errors, HaCfBad,
    ::testing::Values(
        BadCase{ok("deadtim 10\n"),
                "/etc/ha.d/ha.cf:4: error: unknown directive 'deadtim' (did you mean 'deadtime'?)"},
        BadCase{ok("Keepalive 2\n"),
                "/etc/ha.d/ha.cf:4: error: unknown directive 'Keepalive' (did you mean "
                "'keepalive'?)"},
        BadCase{ok("  autofailback on\n"),
                "/etc/ha.d/ha.cf:4: error: unknown directive 'autofailback' (did you mean "
                "'auto_failback'?)"},
        BadCase{ok("frobnicate 1\n"), "/etc/ha.d/ha.cf:4: error: unknown directive 'frobnicate'"},
        BadCase{ok("hbaping fc0\n"), "/etc/ha.d/ha.cf:4: error: unknown directive 'hbaping'"},
        BadCase{ok("keepalive 0\n"),
                "/etc/ha.d/ha.cf:4: error: keepalive must be greater than 0 (got '0')"},
        BadCase{ok("keepalive 499us\n"),
                "/etc/ha.d/ha.cf:4: error: keepalive must be greater than 0 (got '499us')"},
        BadCase{ok("keepalive 2\ndeadtime 4\n"),
                "/etc/ha.d/ha.cf:5: error: deadtime (4000ms) must be greater than twice keepalive "
                "(2000ms)"},
        BadCase{ok("keepalive 200ms\ndeadtime 400ms\n"),
                "/etc/ha.d/ha.cf:5: error: deadtime (400ms) must be greater than twice keepalive "
                "(200ms)"},
        BadCase{ok("deadtime 3\nkeepalive 2\n"),
                "/etc/ha.d/ha.cf:5: error: deadtime (3000ms) must be greater than twice keepalive "
                "(2000ms)"},
        BadCase{ok("keepalive 20\n"),
                "/etc/ha.d/ha.cf:4: error: deadtime (30000ms) must be greater than twice "
                "keepalive (20000ms)"},
        BadCase{ok("deadtime 1\ninitdead 500ms\n"),
                "/etc/ha.d/ha.cf:5: error: initdead (500ms) must not be smaller than deadtime "
                "(1000ms)"},
        BadCase{ok("keepalive 200ms\ndeadtime 1\ninitdead 2\n"),
                "/etc/ha.d/ha.cf:6: warning: initdead (2000ms) may be too small: it should be at "
                "least deadtime and at least 10 seconds, to allow for slow network start-up"},
        BadCase{ok("warntime 0\n"),
                "/etc/ha.d/ha.cf:4: error: warntime must be greater than 0 (got '0')"},
        BadCase{ok("deadtime 10\nwarntime 12\n"),
                "/etc/ha.d/ha.cf:5: warning: warntime (12000ms) is not smaller than deadtime "
                "(10000ms): late heartbeats will never be reported"},
        BadCase{ok("keepalive 2\nwarntime 1\n"),
                "/etc/ha.d/ha.cf:5: warning: warntime (1000ms) is not greater than keepalive "
                "(2000ms): every heartbeat would be reported late"},
        BadCase{ok("udpport 695\n"),
                "/etc/ha.d/ha.cf:4: warning: udpport setting must precede media statements (as "
                "heartbeat says); as in heartbeat, port 695 applies to the bcast and ucast lines below "
                "only, the one at line 2 keeps port 694"},
        BadCase{"udpport 0\nnode a\nbcast eth0\n",
                "/etc/ha.d/ha.cf:1: error: invalid value '0' for udpport: expected an integer "
                "from 1 to 65535"},
        BadCase{"udpport 70000\nnode a\nbcast eth0\n",
                "/etc/ha.d/ha.cf:1: error: invalid value '70000' for udpport: expected an integer "
                "from 1 to 65535"},
        BadCase{ok("baud 1234\n"),
                "/etc/ha.d/ha.cf:4: error: invalid baud rate '1234': expected one of 9600, 19200, "
                "38400, 57600, 115200, 230400, 460800"},
        BadCase{ok("baud 9600\nbaud 19200\n"),
                "/etc/ha.d/ha.cf:5: error: baud may be given only once (first at line 4)"},
        BadCase{ok("baud 9600 19200\n"),
                "/etc/ha.d/ha.cf:4: error: too many values for baud: baud RATE"},
        BadCase{ok("serial /dev/ttyS0\nbaud 9600\n"),
                "/etc/ha.d/ha.cf:5: warning: baudrate setting must precede media statements (as "
                "heartbeat says); 9600 baud applies to every serial line, the one at line 4 included"},
        BadCase{ok("serial ttyS0\n"),
                "/etc/ha.d/ha.cf:4: error: serial device 'ttyS0' must be an absolute path such as "
                "/dev/ttyS0"},
        BadCase{ok("serial /dev/ttyS0 /dev/ttyS0\n"),
                "/etc/ha.d/ha.cf:4: error: serial device '/dev/ttyS0' is already used at line 4"},
        BadCase{ok("mcast eth0 239.0.0.1 694 1\n"),
                "/etc/ha.d/ha.cf:4: error: mcast needs 5 values: mcast IFACE GROUP PORT TTL LOOP"},
        BadCase{ok("mcast eth0 239.0.0.1 694 1 0 extra\n"),
                "/etc/ha.d/ha.cf:4: error: too many values for mcast: mcast IFACE GROUP PORT TTL "
                "LOOP"},
        BadCase{ok("mcast eth0 10.0.0.1 694 1 0\n"),
                "/etc/ha.d/ha.cf:4: error: invalid mcast group '10.0.0.1': expected an IPv4 "
                "multicast address (224.0.0.0 to 239.255.255.255)"},
        BadCase{ok("mcast eth0 240.0.0.1 694 1 0\n"),
                "/etc/ha.d/ha.cf:4: error: invalid mcast group '240.0.0.1': expected an IPv4 "
                "multicast address (224.0.0.0 to 239.255.255.255)"},
        BadCase{ok("mcast eth0 239.0.0.1 0 1 0\n"),
                "/etc/ha.d/ha.cf:4: error: invalid mcast port '0': expected 1 to 65535"},
        BadCase{ok("mcast eth0 239.0.0.1 694 0 0\n"),
                "/etc/ha.d/ha.cf:4: error: invalid mcast ttl '0': expected 1 to 255"},
        BadCase{ok("mcast eth0 239.0.0.1 694 1 2\n"),
                "/etc/ha.d/ha.cf:4: error: invalid mcast loop '2': expected 0 or 1 (use 0)"},
        BadCase{ok("ucast eth0\n"),
                "/etc/ha.d/ha.cf:4: error: ucast needs 2 values: ucast IFACE PEER-IP"},
        BadCase{ok("ucast eth0 10.0.0.256\n"),
                "/etc/ha.d/ha.cf:4: error: invalid ucast peer '10.0.0.256': expected an IPv4 "
                "address such as 10.0.0.2"},
        BadCase{ok("ucast eth0 peer.example\n"),
                "/etc/ha.d/ha.cf:4: error: invalid ucast peer 'peer.example': expected an IPv4 "
                "address such as 10.0.0.2"},
        BadCase{ok("bcast averyveryverylongname0\n"),
                "/etc/ha.d/ha.cf:4: error: invalid interface name 'averyveryverylongname0' in "
                "bcast: expected e.g. eth1 (at most 15 characters, no '/')"},
        BadCase{ok("bcast\n"),
                "/etc/ha.d/ha.cf:4: error: bcast needs a value: bcast IFACE [IFACE...]"},
        BadCase{ok("udp eth1\n"),
                "/etc/ha.d/ha.cf:4: warning: 'udp' is an obsolete name for 'bcast'; write 'bcast'"},
        BadCase{ok("auto_failback maybe\n"),
                "/etc/ha.d/ha.cf:4: error: invalid auto_failback 'maybe': expected on, off or "
                "legacy"},
        BadCase{"node a\nbcast eth0\n",
                "/etc/ha.d/ha.cf: warning: auto_failback is not set: using the deprecated "
                "'legacy' behaviour; set auto_failback on or off"},
        BadCase{"node a\nbcast eth0\nauto_failback legacy\n",
                "/etc/ha.d/ha.cf:3: warning: auto_failback legacy is deprecated (hb_standby does "
                "not work with it); use auto_failback on or off"},
        BadCase{ok("nice_failback on\n"),
                "/etc/ha.d/ha.cf:4: warning: nice_failback is obsolete: read as 'auto_failback "
                "off'; write auto_failback on|off instead"},
        BadCase{ok("crm on\n"),
                "/etc/ha.d/ha.cf:4: warning: 'crm on' (Pacemaker mode) is not implemented yet; "
                "hbd manages haresources groups as with 'crm off'"},
        BadCase{ok("crm respawn\n"),
                "/etc/ha.d/ha.cf:4: warning: 'crm respawn' (Pacemaker mode) is not implemented "
                "yet; hbd manages haresources groups as with 'crm off'"},
        BadCase{ok("crm sometimes\n"),
                "/etc/ha.d/ha.cf:4: error: invalid value 'sometimes' for crm: expected off, on, "
                "respawn, manual, minimal, valgrind or ccm-only"},
        BadCase{ok("crm off\npacemaker off\n"),
                "/etc/ha.d/ha.cf:5: error: crm may be given only once (first at line 4)"},
        BadCase{ok("debug 256\n"),
                "/etc/ha.d/ha.cf:4: error: invalid value '256' for debug: expected an integer "
                "from 0 to 255"},
        BadCase{ok("logfacility local9\n"),
                "/etc/ha.d/ha.cf:4: error: invalid logfacility 'local9': expected a syslog "
                "facility (daemon, local0 ... local7, auth, user, ...) or none"},
        BadCase{ok("realtime perhaps\n"),
                "/etc/ha.d/ha.cf:4: error: invalid value 'perhaps' for realtime: expected on or "
                "off (also true/false, yes/no, y/n, 1/0)"},
        BadCase{ok("hbgenmethod clock\n"),
                "/etc/ha.d/ha.cf:4: error: invalid value 'clock' for hbgenmethod: expected one of "
                "file, time"},
        BadCase{ok("admin_group -wheel\n"),
                "/etc/ha.d/ha.cf:4: error: invalid admin_group '-wheel': expected a group name"},
        BadCase{ok("admin_group ha:admins\n"),
                "/etc/ha.d/ha.cf:4: error: invalid admin_group 'ha:admins': expected a group name"},
        BadCase{ok("autojoin any\n"),
                "/etc/ha.d/ha.cf:4: error: autojoin any conflicts with haresources resource "
                "management; use autojoin none (the default)"},
        BadCase{"bcast eth0\nauto_failback on\n",
                "/etc/ha.d/ha.cf: error: no nodes: add a 'node NAME' line for every cluster "
                "member"},
        BadCase{"node a\nauto_failback on\n",
                "/etc/ha.d/ha.cf: error: no heartbeat medium: add a bcast, mcast, ucast or serial "
                "line"},
        BadCase{"node a\nauto_failback on\nmcast6 eth0 ff02::1 694 1 0\n",
                "/etc/ha.d/ha.cf: error: no heartbeat medium: add a bcast, mcast, ucast or serial "
                "line"},
        BadCase{ok("keepalive 1 2\n"),
                "/etc/ha.d/ha.cf:4: warning: keepalive takes one value; the last one ('2') wins"},
        BadCase{ok("keepalive 1\nkeepalive 2\n"),
                "/etc/ha.d/ha.cf:5: warning: keepalive given again (first at line 4); the last "
                "value wins"},
        BadCase{ok("node B\n"),
                "/etc/ha.d/ha.cf:4: warning: node 'b' is listed twice (first at line 1); the "
                "second is ignored"},
        BadCase{ok("keepalive\n"),
                "/etc/ha.d/ha.cf:4: error: keepalive needs a value: keepalive TIME"},
        BadCase{ok("use_logd off\n"),
                "/etc/ha.d/ha.cf:4: error: no logfile, debugfile or logfacility is set and "
                "use_logd is off: nothing would be logged"},
        BadCase{ok("keepalive 1\ndeadtime 3\ndeadping 2\n"),
                "/etc/ha.d/ha.cf:6: error: deadping (2000ms) must be greater than twice keepalive "
                "(1000ms)"},
        BadCase{ok("respawn hacluster bin/ipfail\n"),
                "/etc/ha.d/ha.cf:4: error: respawn command 'bin/ipfail' is not a full path name"},
        BadCase{ok("env =x\n"), "/etc/ha.d/ha.cf:4: error: invalid env '=x': expected NAME=value"},
        BadCase{ok("watchdog /dev/watchdog\nwatchdog /dev/watchdog\n"),
                "/etc/ha.d/ha.cf:5: error: watchdog may be given only once (first at line 4)"},
        BadCase{ok("hopfudge 300\n"),
                "/etc/ha.d/ha.cf:4: error: invalid value '300' for hopfudge: expected an integer "
                "from 0 to 255"},
        BadCase{ok("msgfmt xml\n"),
                "/etc/ha.d/ha.cf:4: error: invalid value 'xml' for msgfmt: expected one of "
                "classic, netstring"}));

TEST(HaCf, CollectsEveryProblemInLineOrder) {
  auto r = parseHaCf("kepalive 2\nnode a\ndeadtime x\nbcast eth0\nbaud 7\n", "ha.cf");
  EXPECT_EQ(errorsOf(r.diagnostics),
            (std::vector<std::string>{
                "ha.cf:1: error: unknown directive 'kepalive' (did you mean 'keepalive'?)",
                "ha.cf:3: error: invalid time 'x' for deadtime: use seconds (2, 0.5) or a ms or us "
                "suffix (1500ms, 501us)",
                "ha.cf:5: error: invalid baud rate '7': expected one of 9600, 19200, 38400, 57600, "
                "115200, 230400, 460800"}));
  ASSERT_TRUE(r.value.has_value());  // best effort value even with errors
  EXPECT_EQ(r.value->nodes, std::vector<std::string>{"a"});
}

TEST(HaCf, CommentsBlanksCrLfAndDelimiters) {
  auto r = parseHaCf(
      "# comment\r\n"
      "\r\n"
      "   \t\n"
      "node a#b c\r\n"
      "  keepalive 2   # trailing comment\r\n"
      "bcast eth0,eth1\teth2\n"
      "auto_failback on\n"
      "#keepalive 9\n",
      "ha.cf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.value->nodes, std::vector<std::string>{"a"});  // '#' starts a comment anywhere
  EXPECT_EQ(r.value->keepalive, std::chrono::milliseconds(2000));
  ASSERT_EQ(r.value->udp.size(), 3u);
  EXPECT_EQ(r.value->udp[2].interface, "eth2");
  EXPECT_EQ(r.value->udp[2].line, 6);
}

// heartbeat 3.0.6 says "udpport setting must precede media statements" and runs; a line above keeps
// the port it was read with (issue 10: refusing to start was a parity bug; applying the new port to
// the lines above would move heartbeats off the port a firewall was opened for).
TEST(HaCf, UdpportAfterTheMediaWarnsAndAppliesToTheLinesBelow) {
  auto r = parseHaCf("node a\nucast eth0 10.0.0.9\nbcast eth1\nudpport 5000\nmcast eth2 239.0.0.9 6000 1 0\n"
                     "ucast eth3 10.0.1.9\nauto_failback on\n",
                     "ha.cf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_FALSE(r.hasErrors());
  EXPECT_EQ(r.value->udp.at(0).port, 694);  // heartbeat 3.0.6: "ucast: started on port 694"
  EXPECT_EQ(r.value->udp.at(1).port, 694);
  EXPECT_EQ(r.value->udp.at(2).port, 6000);
  EXPECT_EQ(r.value->udp.at(3).port, 5000);
  ASSERT_EQ(r.diagnostics.size(), 1u) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.diagnostics[0].where.line, 4);
}

TEST(HaCf, UdpportAppliesToEveryBcastAndUcast) {
  auto r = parseHaCf(
      "udpport 5000\nbcast eth0\nucast eth1 10.0.0.9\nmcast eth2 239.0.0.9 6000 1 0\n"
      "node a\nauto_failback on\n",
      "ha.cf");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.value->udp[0].port, 5000);
  EXPECT_EQ(r.value->udp[1].port, 5000);
  EXPECT_EQ(r.value->udp[2].port, 6000);
  EXPECT_EQ(r.value->parameters.at("udpport"), "5000");
}

TEST(HaCf, InitdeadDerivation) {
  struct Case {
    std::string deadtime;
    int initdead_ms;
    bool warns;
  };
  // heartbeat: > 10 s -> deadtime; < 6 s -> 12 s; else 2 x deadtime.
  for (const Case& c : {Case{"20", 20000, false}, Case{"5", 12000, false}, Case{"6", 12000, false},
                        Case{"8", 16000, false}, Case{"10", 20000, false}}) {
    auto r = parse("deadtime " + c.deadtime + "\n");
    ASSERT_TRUE(r.ok()) << c.deadtime;
    EXPECT_EQ(r.value->initdead, std::chrono::milliseconds(c.initdead_ms)) << c.deadtime;
    EXPECT_EQ(r.value->warntime, r.value->deadtime / 2);
    EXPECT_EQ(r.value->parameters.at("initdead"), std::to_string(c.initdead_ms) + "ms");
    EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(formatted(r.diagnostics));
  }
}

/** A valid line for each directive hbd only accepts; keeps the table honest. */
const std::vector<std::pair<std::string, std::string>>& compatLines() {
  static const std::vector<std::pair<std::string, std::string>> lines{
      {"deadping", "deadping 40"},
      {"hopfudge", "hopfudge 2"},
      {"watchdog", "watchdog /dev/watchdog"},
      {"use_logd", "use_logd yes"},
      {"conn_logd_time", "conn_logd_time 60"},
      {"rtprio", "rtprio 5"},
      {"msgfmt", "msgfmt netstring"},
      {"log_badpack", "log_badpack off"},
      {"syslogmsgfmt", "syslogmsgfmt false"},
      {"coredumps", "coredumps true"},
      {"coreroot", "coreroot /var/lib/heartbeat/cores"},
      {"use_apphbd", "use_apphbd no"},
      {"uuidfrom", "uuidfrom nodename"},
      {"quorum_server", "quorum_server qs.example"},
      {"compression", "compression bz2"},
      {"compression_threshold", "compression_threshold 4"},
      {"traditional_compression", "traditional_compression yes"},
      {"max_rexmit_delay", "max_rexmit_delay 300"},
      {"memreserve", "memreserve 1000"},
      {"env", "env FOO=bar"},
      {"record_config_changes", "record_config_changes off"},
      {"record_pengine_inputs", "record_pengine_inputs off"},
      {"enable_config_writes", "enable_config_writes off"},
      {"stonith", "stonith baytech /etc/ha.d/conf/stonith.baytech"},
      {"stonith_host", "stonith_host * baytech 10.0.0.3 mylogin mysecretpassword"},
      {"apiauth", "apiauth ipfail uid=hacluster"},
      {"respawn", "respawn hacluster /usr/lib/heartbeat/ipfail"},
      {"mcast6", "mcast6 eth0 ff02::1:2 694 1 0"},
      {"ucast6", "ucast6 eth0 fe80::1"},
      {"ping", "ping 10.0.0.254"},
      {"ping6", "ping6 fe80::fe"},
      {"ping_group", "ping_group routers 10.0.0.253 10.0.0.254"},
  };
  return lines;
}

TEST(HaCf, AcceptedButUnimplementedDirectivesWarn) {
  for (const auto& [name, line] : compatLines()) {
    auto r = parse(line + "\n");
    EXPECT_FALSE(r.hasErrors()) << line << ": "
                                << ::testing::PrintToString(formatted(r.diagnostics));
    EXPECT_THAT(formatted(r.diagnostics),
                Contains("ha.cf:4: warning: directive '" + name +
                         "' is not implemented by hbd yet; accepted for heartbeat compatibility "
                         "and ignored"))
        << line;
  }
}

TEST(HaCf, EveryUnimplementedDirectiveHasACompatCase) {
  std::set<std::string> covered;
  for (const auto& [name, line] : compatLines()) covered.insert(name);
  for (const DirectiveInfo& d : directives()) {
    EXPECT_EQ(covered.count(std::string(d.name)), d.implemented ? 0u : 1u) << d.name;
  }
}

TEST(HaCf, DirectiveTableCoversHeartbeat) {
  std::set<std::string> names;
  for (const DirectiveInfo& d : directives()) {
    EXPECT_TRUE(names.insert(std::string(d.name)).second) << "duplicate " << d.name;
    EXPECT_FALSE(d.doc.empty()) << d.name;
    EXPECT_EQ(d.syntax.substr(0, d.name.size()), d.name);
  }
  // Every directive of heartbeat-reference.md 1.5.
  for (const char* n : {"node",
                        "keepalive",
                        "deadtime",
                        "warntime",
                        "initdead",
                        "deadping",
                        "udpport",
                        "baud",
                        "auto_failback",
                        "nice_failback",
                        "hopfudge",
                        "watchdog",
                        "logfacility",
                        "logfile",
                        "debugfile",
                        "use_logd",
                        "conn_logd_time",
                        "debug",
                        "realtime",
                        "rtprio",
                        "hbgenmethod",
                        "msgfmt",
                        "log_badpack",
                        "syslogmsgfmt",
                        "coredumps",
                        "coreroot",
                        "use_apphbd",
                        "crm",
                        "pacemaker",
                        "autojoin",
                        "uuidfrom",
                        "cluster",
                        "quorum_server",
                        "compression",
                        "compression_threshold",
                        "traditional_compression",
                        "max_rexmit_delay",
                        "memreserve",
                        "env",
                        "record_config_changes",
                        "record_pengine_inputs",
                        "enable_config_writes",
                        "stonith",
                        "stonith_host",
                        "apiauth",
                        "respawn",
                        "bcast",
                        "mcast",
                        "mcast6",
                        "ucast",
                        "ucast6",
                        "serial",
                        "ping",
                        "ping6",
                        "ping_group",
                        "udp"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  // hbd's own additions.
  for (const char* n : {"auth_insecure_ok", "admin_group"}) EXPECT_TRUE(names.count(n)) << n;
  for (const char* n :
       {"node",  "keepalive",     "deadtime", "warntime", "initdead",    "udpport",   "bcast",
        "mcast", "ucast",         "serial",   "baud",     "logfile",     "debugfile", "logfacility",
        "debug", "auto_failback", "crm",      "realtime", "hbgenmethod", "cluster",     "admin_group"}) {
    auto it = std::find_if(directives().begin(), directives().end(),
                           [&](const DirectiveInfo& d) { return d.name == n; });
    ASSERT_NE(it, directives().end());
    EXPECT_TRUE(it->implemented) << n;
  }
}

TEST(HaCfValidate, SelfMustBeListed) {
  auto r = parse("");
  std::vector<Diagnostic> out;
  validateHaCf(*r.value, "Alpha", {}, "ha.cf", out);
  EXPECT_TRUE(out.empty());
  validateHaCf(*r.value, "gamma", {}, "ha.cf", out);
  EXPECT_THAT(formatted(out),
              Contains("ha.cf: error: this node 'gamma' is not in the configuration: add 'node "
                       "gamma' (node names must match `uname -n` or hbd -n)"));
}

TEST(HaCfValidate, UcastToOwnAddressIsSkipped) {
  auto r =
      parseHaCf("node a b\nucast eth0 10.0.0.1\nucast eth0 10.0.0.2\nauto_failback on\n", "ha.cf");
  ASSERT_TRUE(r.ok());
  HaCf cf = *r.value;
  std::vector<Diagnostic> out;
  validateHaCf(cf, "a", {"127.0.0.1", "10.0.0.1"}, "ha.cf", out);
  EXPECT_TRUE(out.empty()) << ::testing::PrintToString(formatted(out));
  ASSERT_EQ(cf.udp.size(), 1u);
  EXPECT_EQ(cf.udp[0].peer, "10.0.0.2");
  EXPECT_EQ(cf.udp[0].line, 3);
}

TEST(HaCfValidate, NoMediumLeftIsAnError) {
  auto r = parseHaCf("node a b\nucast eth0 10.0.0.1\nauto_failback on\n", "ha.cf");
  ASSERT_TRUE(r.ok());
  std::vector<Diagnostic> out;
  validateHaCf(*r.value, "a", {"10.0.0.1"}, "ha.cf", out);
  EXPECT_THAT(formatted(out),
              Contains("ha.cf: error: no heartbeat medium left: every ucast line names one of "
                       "this host's own addresses; add a ucast line for each peer"));
}

TEST(HaCf, DiagnosticsAreTheOnlyOutputAndNeverThrow) {
  // Binary junk, NUL bytes, very long lines: diagnostics, no crash.
  std::string junk("\0\xff\x01 keepalive \0\n", 16);
  junk += std::string(100000, 'x') + "\n";
  auto r = parseHaCf(junk, "ha.cf");
  EXPECT_TRUE(r.hasErrors());
  EXPECT_THAT(formatted(r.diagnostics), Not(Contains(HasSubstr("did you mean"))));
}

TEST(Samples, ShippedHaCfAndAuthkeysParseCleanly) {
  const std::string dir = HB_SAMPLES_DIR;
  auto hacf = readFile(dir + "/ha.cf");
  ASSERT_TRUE(hacf.ok()) << hacf.error().message;
  auto r = parseHaCf(*hacf, "ha.cf");
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(formatted(r.diagnostics));
  std::vector<Diagnostic> out;
  validateHaCf(*r.value, r.value->nodes.at(0), {}, "ha.cf", out);
  EXPECT_TRUE(out.empty()) << ::testing::PrintToString(formatted(out));

  auto keys = readFile(dir + "/authkeys");
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  auto k = parseAuthKeys(*keys, "authkeys");
  EXPECT_TRUE(k.ok()) << ::testing::PrintToString(formatted(k.diagnostics));
  EXPECT_TRUE(k.diagnostics.empty()) << ::testing::PrintToString(formatted(k.diagnostics));
  EXPECT_EQ(k.value->keys.at(k.value->send_index).method, message::AuthMethod::Sha1);

  // Every commented-out directive of the sample, uncommented, is still valid.
  std::string uncommented;
  std::size_t pos = 0;
  while (pos < hacf->size()) {
    std::size_t nl = hacf->find('\n', pos);
    std::string line = hacf->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? hacf->size() : nl + 1;
    if (line.size() > 1 && line[0] == '#' && line[1] >= 'a' && line[1] <= 'z') {
      line = line.substr(1);
      if (line.rfind("ucast", 0) == 0 || line.rfind("mcast", 0) == 0 ||
          line.rfind("serial", 0) == 0 || line.rfind("baud", 0) == 0) {
        continue;  // media need their order and own interfaces; checked below
      }
    }
    uncommented += line + "\n";
  }
  uncommented +=
      "baud 19200\nserial /dev/ttyS0\nmcast eth1 225.0.0.1 694 1 0\nucast eth2 10.0.0.1\n";
  auto all = parseHaCf(uncommented, "ha.cf");
  EXPECT_TRUE(all.ok()) << ::testing::PrintToString(formatted(all.diagnostics));
}

}  // namespace
}  // namespace hb::config
