// SPDX-License-Identifier: GPL-2.0-or-later
// Table-driven tests of the haresources parser: every grammar form, Debian's samples, diagnostics.
#include "crm/haresources/haresources.h"

#include <gtest/gtest.h>

namespace hb::haresources {
namespace {

const std::vector<std::string> kNodes = {"node1", "node2"};

/** One group summarised: "node|vrrp:X key: agent(params) agent(params) ..." with ids. */
std::string describe(const cib::Group& g) {
  std::string out = g.follows_vrrp.empty() ? g.preferred_node : "vrrp:" + g.follows_vrrp;
  out += " " + g.id + ":";
  for (const auto& p : g.primitives) {
    out += " " + p.id + "=" + p.agentName() + "(";
    for (std::size_t i = 0; i < p.params.size(); ++i) {
      out += (i ? "," : "") + p.params[i].name + "=" + p.params[i].value;
    }
    out += ")";
  }
  return out;
}

std::vector<std::string> errorsOf(const ParseResult<cib::Cib>& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.format());
  return out;
}

TEST(LooksLikeIpAddressTest, FollowsHeartbeatsGlob) {
  struct Case { const char* field; bool want; };
  const Case cases[] = {
      {"10.0.0.5", true},         {"10.0.0.5/24/eth0", true}, {"1.2.3.4x", true},
      {"135.9.216.110", true},    {"1.2.3", false},           {"a1.2.3.4", false},
      {"IPaddr::10.0.0.5", false}, {"1..2.3.4", true},        {"1.2.3.", false},
      {"", false},                {"1.a.2.3.4", true},
  };
  for (const auto& c : cases) EXPECT_EQ(looksLikeIpAddress(c.field), c.want) << c.field;
}

TEST(ParseHaresourcesTest, EveryGrammarForm) {
  struct Case { const char* name; std::string text; std::vector<std::string> groups; };
  const Case cases[] = {
      {"bare ip", "node1 10.0.0.170\n",
       {"node1 group_IPaddr_10.0.0.170: IPaddr_10.0.0.170=heartbeat:IPaddr(1=10.0.0.170)"}},
      {"node is lower-cased, tabs and spaces", "  NODE1\t\t10.0.0.1/24   httpd  \n",
       {"node1 group_IPaddr_10.0.0.1: IPaddr_10.0.0.1=heartbeat:IPaddr(1=10.0.0.1/24) "
        "httpd=heartbeat:httpd()"}},
      {"comments anywhere", "# header\n\nnode1 10.0.0.1 # the vip\n   # indented\nnode2 httpd#x\n",
       {"node1 group_IPaddr_10.0.0.1: IPaddr_10.0.0.1=heartbeat:IPaddr(1=10.0.0.1)",
        "node2 group_httpd: httpd=heartbeat:httpd()"}},
      {"continuation", "node1 IPaddr::10.10.10.1/24/eth0 \\\n    Filesystem::/dev/sdb1::/a \\\n  httpd\n",
       {"node1 group_IPaddr_10.10.10.1: IPaddr_10.10.10.1=heartbeat:IPaddr(1=10.10.10.1/24/eth0) "
        "Filesystem__dev_sdb1=heartbeat:Filesystem(1=/dev/sdb1,2=/a) httpd=heartbeat:httpd()"}},
      {"continuation then comment", "node1 a \\   # more\n b\n",
       {"node1 group_a: a=heartbeat:a() b=heartbeat:b()"}},
      {"args", "node1 drbddisk::r0 Delay::5::3 IPaddr2::10.0.0.9/24/eth0:1/10.0.0.255\n",
       {"node1 group_drbddisk_r0: drbddisk_r0=heartbeat:drbddisk(1=r0) "
        "Delay_5=heartbeat:Delay(1=5,2=3) IPaddr2_10.0.0.9=heartbeat:IPaddr2(1=10.0.0.9/24/eth0:1/10.0.0.255)"}},
      {"ocf and lsb", "node2 ocf:heartbeat:IPaddr2::ip=10.0.0.5::cidr_netmask=24 lsb:nginx "
                      "ocf:hbd:Dummy heartbeat:apache::/etc/apache.conf\n",
       {"node2 group_IPaddr2_10.0.0.5: IPaddr2_10.0.0.5=ocf:heartbeat:IPaddr2(ip=10.0.0.5,cidr_netmask=24) "
        "nginx=lsb:nginx() Dummy=ocf:hbd:Dummy() apache__etc_apache.conf=heartbeat:apache(1=/etc/apache.conf)"}},
      {"vrrp", "vrrp:VI_1 10.0.0.50 nginx\n",
       {"vrrp:VI_1 group_IPaddr_10.0.0.50: IPaddr_10.0.0.50=heartbeat:IPaddr(1=10.0.0.50) nginx=heartbeat:nginx()"}},
      {"ids unique in the cib", "node1 httpd::a\nnode2 httpd::a/b\nnode2 httpd\n",
       {"node1 group_httpd_a: httpd_a=heartbeat:httpd(1=a)",
        "node2 group_httpd_a_b: httpd_a_b=heartbeat:httpd(1=a/b)",
        "node2 group_httpd: httpd=heartbeat:httpd()"}},
      {"id collisions get a suffix", "node1 IPaddr::10.0.0.1/24\nnode2 IPaddr::10.0.0.1/25\n",
       {"node1 group_IPaddr_10.0.0.1: IPaddr_10.0.0.1=heartbeat:IPaddr(1=10.0.0.1/24)",
        "node2 group_IPaddr_10.0.0.1-2: IPaddr_10.0.0.1-2=heartbeat:IPaddr(1=10.0.0.1/25)"}},
      {"crlf", "node1 10.0.0.1\r\nnode2 x\r\n",
       {"node1 group_IPaddr_10.0.0.1: IPaddr_10.0.0.1=heartbeat:IPaddr(1=10.0.0.1)",
        "node2 group_x: x=heartbeat:x()"}},
      {"empty", "", {}},
  };
  for (const auto& c : cases) {
    auto r = parseHaresources(c.text, "haresources", kNodes);
    ASSERT_TRUE(r.ok()) << c.name << ": " << (r.diagnostics.empty() ? "" : r.diagnostics[0].format());
    EXPECT_TRUE(r.diagnostics.empty()) << c.name << ": " << r.diagnostics[0].format();
    std::vector<std::string> got;
    for (const auto& g : r.value->groups) got.push_back(describe(g));
    EXPECT_EQ(got, c.groups) << c.name;
  }
}

// Debian heartbeat's sample haresources lines (/usr/share/doc/heartbeat/haresources and the
// heartbeat documentation), one file.
TEST(ParseHaresourcesTest, DebianSamples) {
  const std::string text =
      "#\tThis is a list of resources that move from machine to machine as\n"
      "#\tnodes go down and come up in the cluster.\n"
      "#node1  10.0.0.170 Filesystem::/dev/sda1::/data1::ext2\n"
      "node1 10.0.0.170 Filesystem::/dev/sda1::/data1::ext2\n"
      "node2 IPaddr::135.9.8.7/24/eth0 httpd\n"
      "node1 135.9.216.110 135.9.215.111 135.9.216.112 httpd2\n"
      "node2 10.0.0.171 Filesystem::/dev/sda2::/data2::ext2 apache::/etc/apache/httpd.conf\n"
      "node1 IPaddr::10.10.10.1/24/eth0 \\\n"
      "      Filesystem::/dev/sdb1::/srv/www::ext3 apache2\n"
      "node2 192.168.1.10 drbddisk::r0 Filesystem::/dev/drbd0::/srv::ext3 nfs-kernel-server\n";
  auto r = parseHaresources(text, "/etc/ha.d/haresources", kNodes);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics[0].format();
  const auto& g = r.value->groups;
  ASSERT_EQ(g.size(), 6u);
  EXPECT_EQ(g[0].key(), "10.0.0.170");
  EXPECT_EQ(g[1].key(), "IPaddr::135.9.8.7/24/eth0");
  EXPECT_EQ(g[2].primitives.size(), 4u);
  EXPECT_EQ(g[3].primitives[2].id, "apache__etc_apache_httpd.conf");
  EXPECT_EQ(g[4].preferred_node, "node1");
  EXPECT_EQ(g[4].primitives.size(), 3u);
  EXPECT_EQ(describe(g[5]),
            "node2 group_IPaddr_192.168.1.10: IPaddr_192.168.1.10=heartbeat:IPaddr(1=192.168.1.10) "
            "drbddisk_r0=heartbeat:drbddisk(1=r0) "
            "Filesystem__dev_drbd0=heartbeat:Filesystem(1=/dev/drbd0,2=/srv,3=ext3) "
            "nfs-kernel-server=heartbeat:nfs-kernel-server()");
  // The model records the OCF mapping for our agents next to heartbeat's positional form.
  const auto& fs = g[0].primitives[1];
  ASSERT_TRUE(fs.ocf_fallback.has_value());
  EXPECT_EQ(fs.ocf_fallback->type, "Filesystem");
  EXPECT_EQ(fs.ocf_fallback->params,
            (std::vector<cib::Param>{{"device", "/dev/sda1"}, {"directory", "/data1"}, {"fstype", "ext2"}}));
  const auto& ip = g[1].primitives[0];
  ASSERT_TRUE(ip.ocf_fallback.has_value());
  EXPECT_EQ(ip.ocf_fallback->params,
            (std::vector<cib::Param>{{"ip", "135.9.8.7"}, {"cidr_netmask", "24"}, {"nic", "eth0"}}));
  EXPECT_FALSE(g[1].primitives[1].ocf_fallback.has_value());  // httpd: resource.d or init.d only
  EXPECT_EQ(r.value->nodes, kNodes);
}

TEST(ParseHaresourcesTest, ReportsEveryErrorAtTheGroupsFirstLine) {
  struct Case { const char* name; std::string text; std::vector<std::string> want; };
  const Case cases[] = {
      {"bad nodename", "node3 10.0.0.1\n",
       {"hr:1: error: Bad nodename 'node3' (not a node in ha.cf)"}},
      {"resource in node position", "\n10.0.0.1 httpd\n",
       {"hr:2: error: '10.0.0.1' is not a node name: each line starts with the node, then its resources"}},
      {"no resources", "node1\n", {"hr:1: error: no resources for 'node1'"}},
      {"duplicate key", "node1 10.0.0.1 a\n# x\nnode2 \\\n  10.0.0.1 b\n",
       {"hr:3: error: duplicate resource group key '10.0.0.1' (first used at line 1)",
        "hr:3: warning: resource '10.0.0.1' is also used at line 1"}},
      {"bad ip", "node1 10.0.0.300/24\n",
       {"hr:1: error: '10.0.0.300' is not an IPv4 address (in IPaddr::10.0.0.300/24)"}},
      {"bad ip parts", "node1 IPaddr2::10.0.0.3/33/eth0/10.0.0.x\n",
       {"hr:1: error: '33' is not a netmask (0-32 or a dotted mask) in IPaddr2::10.0.0.3/33/eth0/10.0.0.x",
        "hr:1: error: '10.0.0.x' is not a broadcast address in IPaddr2::10.0.0.3/33/eth0/10.0.0.x"}},
      {"ipaddr arity", "node1 IPaddr\nnode2 IPaddr::1.2.3.4::eth0\n",
       {"hr:1: error: IPaddr takes one argument ip[/cidr[/nic][/broadcast]], got 0 in 'IPaddr'",
        "hr:2: error: IPaddr takes one argument ip[/cidr[/nic][/broadcast]], got 2 in "
        "'IPaddr::1.2.3.4::eth0'"}},
      {"filesystem", "node1 Filesystem::/dev/sda1\nnode2 Filesystem::/dev/sda1::data\n",
       {"hr:1: error: Filesystem takes device::directory[::fstype[::options]] in 'Filesystem::/dev/sda1'",
        "hr:2: error: Filesystem directory 'data' must be an absolute path"}},
      {"classes", "node1 ocf:heartbeat a lsb:x::y IPaddr:1.2.3.4 ocf:p:t::noequals ::x b/c\n",
       {"hr:1: error: 'ocf:heartbeat': OCF resources are written ocf:PROVIDER:TYPE",
        "hr:1: error: lsb resource 'lsb:x::y' takes no arguments",
        "hr:1: error: unknown resource class 'IPaddr' in 'IPaddr:1.2.3.4' (ocf:, lsb: or heartbeat:; "
        "arguments are separated by '::')",
        "hr:1: error: OCF parameter 'noequals' in 'ocf:p:t::noequals' is not NAME=VALUE",
        "hr:1: error: resource '::x' has no script name before '::'",
        "hr:1: error: bad resource script name 'b/c' in 'b/c'"}},
      {"empty args warn", "node1 Filesystem::/dev/sda1::::/data\n",
       {"hr:1: warning: empty argument in 'Filesystem::/dev/sda1::::/data' is ignored"}},
      {"vrrp", "vrrp: x\n", {"hr:1: error: 'vrrp:': write vrrp:INSTANCE"}},
      {"control char", "node1 a\x01 b\n", {"hr:1: error: invalid character 0x01 in haresources"}},
      {"continuation at eof", "node1 a \\", {"hr:1: warning: backslash continuation at the end of the file"}},
  };
  for (const auto& c : cases) {
    auto r = parseHaresources(c.text, "hr", kNodes);
    EXPECT_EQ(errorsOf(r), c.want) << c.name;
    bool want_errors = false;
    for (const auto& w : c.want) want_errors |= w.find(": error: ") != std::string::npos;
    EXPECT_EQ(r.ok(), !want_errors) << c.name;
  }
}

TEST(ParseHaresourcesTest, WithoutKnownNodesCollectsNodesFromTheFile) {
  auto r = parseHaresources("Bob a\nalice b\nbob c\nvrrp:VI_2 d\n", "hr", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->nodes, (std::vector<std::string>{"bob", "alice"}));
  EXPECT_EQ(r.value->auto_failback, cib::AutoFailback::Legacy);
}

TEST(ParseResourceFieldTest, ParsesOneField) {
  DiagnosticList diags("hr");
  auto p = parseResourceField("ocf:hbd:IPaddr::ip=10.0.0.1::nic=eth0", 7, diags);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->agentName(), "ocf:hbd:IPaddr");
  EXPECT_EQ(p->params, (std::vector<cib::Param>{{"ip", "10.0.0.1"}, {"nic", "eth0"}}));
  EXPECT_TRUE(p->id.empty());
  EXPECT_FALSE(parseResourceField("ocf:a:b::x=1::x=2", 7, diags).has_value());
  ASSERT_EQ(diags.list().size(), 1u);
  EXPECT_EQ(diags.list()[0].format(),
            "hr:7: error: OCF parameter 'x' given twice in 'ocf:a:b::x=1::x=2'");
}

TEST(HaresourcesToCibXmlTest, ConvertsAndRoundTrips) {
  const std::string text = "node1 10.0.0.170 Filesystem::/dev/sda1::/data1::ext2\nnode2 lsb:nginx\n";
  auto xml = haresourcesToCibXml(text, "haresources", kNodes, cib::AutoFailback::Off);
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml.value->find("value=\"INFINITY\""), std::string::npos);
  auto back = cib::fromXml(*xml.value, "cib.xml");
  ASSERT_TRUE(back.ok());
  auto model = parseHaresources(text, "haresources", kNodes);
  cib::setAutoFailback(*model.value, cib::AutoFailback::Off);
  EXPECT_EQ(*back.value, *model.value);

  auto bad = haresourcesToCibXml("nodeX a\n", "haresources", kNodes, cib::AutoFailback::On);
  EXPECT_FALSE(bad.value.has_value());
  ASSERT_EQ(bad.diagnostics.size(), 1u);
}

}  // namespace
}  // namespace hb::haresources
