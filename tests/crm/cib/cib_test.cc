// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the resource model: names, the heartbeat -> OCF mapping, ids and the XML round trip.
#include "crm/cib/cib.h"

#include <gtest/gtest.h>

namespace hb::cib {
namespace {

Cib sampleCib() {
  Cib cib;
  cib.nodes = {"alice", "bob"};
  Group web;
  web.id = "group_IPaddr_10.0.0.5";
  web.preferred_node = "alice";
  Primitive ip{"IPaddr_10.0.0.5", "heartbeat", "", "IPaddr", {{"1", "10.0.0.5/24/eth0"}},
               "10.0.0.5/24/eth0", heartbeatToOcf("IPaddr", {"10.0.0.5/24/eth0"})};
  Primitive fs{"Filesystem__dev_drbd0", "heartbeat", "", "Filesystem",
               {{"1", "/dev/drbd0"}, {"2", "/srv"}, {"3", "ext3"}},
               "Filesystem::/dev/drbd0::/srv::ext3",
               heartbeatToOcf("Filesystem", {"/dev/drbd0", "/srv", "ext3"})};
  Primitive nginx{"nginx", "ocf", "hbd", "nginx", {{"configfile", "/etc/nginx/nginx.conf"}},
                  "ocf:hbd:nginx::configfile=/etc/nginx/nginx.conf", std::nullopt};
  web.primitives = {ip, fs, nginx};
  Group mail;
  mail.id = "group_postfix";
  mail.preferred_node = "bob";
  mail.primitives = {Primitive{"postfix", "lsb", "", "postfix", {}, "lsb:postfix", std::nullopt}};
  Group vip;
  vip.id = "group_IPaddr2_10.0.0.9";
  vip.follows_vrrp = "VI_1";
  vip.primitives = {Primitive{"IPaddr2_10.0.0.9", "heartbeat", "", "IPaddr2",
                              {{"1", "10.0.0.9"}}, "IPaddr2::10.0.0.9",
                              heartbeatToOcf("IPaddr2", {"10.0.0.9"})}};
  cib.groups = {web, mail, vip};
  setAutoFailback(cib, AutoFailback::Off);
  return cib;
}

TEST(AutoFailbackTest, ParsesHeartbeatBooleansAndLegacy) {
  struct Case { const char* text; std::optional<AutoFailback> want; };
  const Case cases[] = {
      {"on", AutoFailback::On},       {"YES", AutoFailback::On},   {"1", AutoFailback::On},
      {"off", AutoFailback::Off},     {"n", AutoFailback::Off},    {"False", AutoFailback::Off},
      {"legacy", AutoFailback::Legacy}, {"maybe", std::nullopt},  {"", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parseAutoFailback(c.text), c.want) << c.text;
  EXPECT_EQ(autoFailbackName(AutoFailback::Off), "off");
  EXPECT_EQ(stickinessFor(AutoFailback::Off), kInfinityScore);
  EXPECT_EQ(stickinessFor(AutoFailback::On), 0);
  EXPECT_EQ(stickinessFor(AutoFailback::Legacy), 0);
}

TEST(HeartbeatToOcfTest, MapsPositionalArguments) {
  using P = std::vector<Param>;
  struct Case { const char* type; std::vector<std::string> args; std::optional<OcfFallback> want; };
  const Case cases[] = {
      {"IPaddr", {"10.0.0.5"}, OcfFallback{"hbd", "IPaddr", P{{"ip", "10.0.0.5"}}}},
      {"IPaddr", {"10.0.0.5/24"},
       OcfFallback{"hbd", "IPaddr", P{{"ip", "10.0.0.5"}, {"cidr_netmask", "24"}}}},
      {"IPaddr", {"10.0.0.5/24/10.0.0.255"},
       OcfFallback{"hbd", "IPaddr",
                   P{{"ip", "10.0.0.5"}, {"cidr_netmask", "24"}, {"broadcast", "10.0.0.255"}}}},
      {"IPaddr", {"10.0.0.5/24/eth0/10.0.0.255"},
       OcfFallback{"hbd", "IPaddr",
                   P{{"ip", "10.0.0.5"}, {"cidr_netmask", "24"}, {"nic", "eth0"},
                     {"broadcast", "10.0.0.255"}}}},
      {"IPaddr2", {"10.0.0.5/24/eth0:web"},
       OcfFallback{"hbd", "IPaddr",
                   P{{"ip", "10.0.0.5"}, {"cidr_netmask", "24"}, {"nic", "eth0:web"}}}},
      {"Filesystem", {"/dev/sda1", "/data1", "ext2"},
       OcfFallback{"hbd", "Filesystem",
                   P{{"device", "/dev/sda1"}, {"directory", "/data1"}, {"fstype", "ext2"}}}},
      {"Filesystem", {"/dev/sda1", "/data1", "ext4", "noatime,ro"},
       OcfFallback{"hbd", "Filesystem",
                   P{{"device", "/dev/sda1"}, {"directory", "/data1"}, {"fstype", "ext4"},
                     {"options", "noatime,ro"}}}},
      {"IPaddr", {}, std::nullopt},
      {"IPaddr", {"10.0.0.5", "x"}, std::nullopt},
      {"IPaddr", {"10.0.0.5/24/10.0.0.255/x"}, std::nullopt},
      {"IPaddr", {"1/2/3/4/5"}, std::nullopt},
      {"Filesystem", {"/dev/sda1"}, std::nullopt},
      {"httpd", {}, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(heartbeatToOcf(c.type, c.args), c.want) << c.type << " " << c.args.size();
  }
}

TEST(SanitizeIdTest, MakesValidXmlIds) {
  EXPECT_EQ(sanitizeId("IPaddr_10.0.0.5"), "IPaddr_10.0.0.5");
  EXPECT_EQ(sanitizeId("Filesystem_/dev/drbd0"), "Filesystem__dev_drbd0");
  EXPECT_EQ(sanitizeId("10.0.0.5"), "_10.0.0.5");
  EXPECT_EQ(sanitizeId(""), "_");
  EXPECT_EQ(sanitizeId("a b\xc3\xa9"), "a_b__");
}

TEST(ModelTest, KeysAgentNamesAndLookup) {
  Cib cib = sampleCib();
  EXPECT_EQ(cib.groups[0].key(), "10.0.0.5/24/eth0");
  EXPECT_EQ(cib.groups[0].primitives[0].agentName(), "heartbeat:IPaddr");
  EXPECT_EQ(cib.groups[0].primitives[2].agentName(), "ocf:hbd:nginx");
  EXPECT_EQ(cib.groups[1].primitives[0].agentName(), "lsb:postfix");
  EXPECT_EQ(cib.groups[0].primitives[1].positionalArgs(),
            (std::vector<std::string>{"/dev/drbd0", "/srv", "ext3"}));
  EXPECT_EQ(cib.findGroup("group_postfix"), &cib.groups[1]);
  EXPECT_EQ(cib.findGroup("10.0.0.5/24/eth0"), &cib.groups[0]);
  EXPECT_EQ(cib.findGroup("nope"), nullptr);
  EXPECT_EQ(cib.groups[2].stickiness, kInfinityScore);
}

TEST(CibXmlTest, WritesPacemakerShape) {
  const std::string xml = toXml(sampleCib());
  for (const char* want : {
           "<cib validate-with=\"pacemaker-3.0\"",
           "<nvpair id=\"cib-bootstrap-options-auto_failback\" name=\"auto_failback\" value=\"off\"/>",
           "<node id=\"alice\" uname=\"alice\" type=\"member\"/>",
           "<group id=\"group_IPaddr_10.0.0.5\">",
           "name=\"resource-stickiness\" value=\"INFINITY\"/>",
           "<primitive id=\"IPaddr_10.0.0.5\" class=\"heartbeat\" type=\"IPaddr\" "
           "description=\"10.0.0.5/24/eth0\">",
           "<nvpair id=\"IPaddr_10.0.0.5-instance_attributes-1\" name=\"1\" value=\"10.0.0.5/24/eth0\"/>",
           "<primitive id=\"nginx\" class=\"ocf\" provider=\"hbd\" type=\"nginx\"",
           "ocf:hbd:IPaddr ip=10.0.0.5 cidr_netmask=24 nic=eth0",
           "<rsc_location id=\"location-group_IPaddr_10.0.0.5-alice\" rsc=\"group_IPaddr_10.0.0.5\" "
           "node=\"alice\" score=\"100\"/>",
           "name=\"hbd-follows-vrrp\" value=\"VI_1\"/>",
           "<status/>",
       }) {
    EXPECT_NE(xml.find(want), std::string::npos) << want << "\n" << xml;
  }
  // The VRRP-following group has no preferred node, hence no location constraint.
  EXPECT_EQ(xml.find("rsc=\"group_IPaddr2_10.0.0.9\""), std::string::npos);
}

TEST(CibXmlTest, RoundTrips) {
  for (AutoFailback a : {AutoFailback::On, AutoFailback::Off, AutoFailback::Legacy}) {
    Cib cib = sampleCib();
    setAutoFailback(cib, a);
    auto back = fromXml(toXml(cib), "cib.xml");
    ASSERT_TRUE(back.ok()) << (back.diagnostics.empty() ? "" : back.diagnostics[0].format());
    EXPECT_TRUE(back.diagnostics.empty());
    EXPECT_EQ(*back.value, cib);
  }
  Cib empty;
  auto back = fromXml(toXml(empty), "cib.xml");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back.value, empty);
}

TEST(CibXmlTest, ReadsHandWrittenCib) {
  const char* xml = R"(<cib>
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="alice"/><node id="bob"/></nodes>
    <resources>
      <group id="web">
        <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
          <instance_attributes id="vip-ia">
            <nvpair id="vip-ia-ip" name="ip" value="10.0.0.7"/>
          </instance_attributes>
        </primitive>
        <primitive id="data" class="heartbeat" type="Filesystem">
          <instance_attributes id="data-ia">
            <nvpair id="d1" name="1" value="/dev/sdb1"/><nvpair id="d2" name="2" value="/data"/>
          </instance_attributes>
        </primitive>
      </group>
    </resources>
    <constraints>
      <rsc_location id="l1" rsc="web" node="bob" score="50"/>
      <rsc_location id="l2" rsc="web" node="alice" score="-INFINITY"/>
    </constraints>
  </configuration>
</cib>)";
  auto r = fromXml(xml, "cib.xml");
  ASSERT_TRUE(r.ok());
  const Cib& cib = *r.value;
  EXPECT_EQ(cib.nodes, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(cib.auto_failback, AutoFailback::Legacy);
  ASSERT_EQ(cib.groups.size(), 1u);
  EXPECT_EQ(cib.groups[0].preferred_node, "bob");
  EXPECT_EQ(cib.groups[0].stickiness, 0);
  EXPECT_EQ(cib.groups[0].key(), "vip");
  ASSERT_TRUE(cib.groups[0].primitives[1].ocf_fallback.has_value());
  EXPECT_EQ(cib.groups[0].primitives[1].ocf_fallback->type, "Filesystem");
}

TEST(CibXmlTest, ReportsEveryProblemWithItsLine) {
  struct Case { const char* name; std::string xml; std::vector<std::string> want; };
  const std::string head = "<cib>\n<configuration>\n";
  const std::string tail = "</configuration>\n</cib>\n";
  const Case cases[] = {
      {"malformed", "<cib>\n<configuration>\n</cib>\n", {"cib.xml:2: error: malformed XML (XML_ERROR_MISMATCHED_ELEMENT)"}},
      {"root", "<foo/>\n", {"cib.xml:1: error: the root element must be <cib>"}},
      {"noconf", "<cib>\n</cib>\n", {"cib.xml:1: error: <cib> has no <configuration>"}},
      {"bad elements",
       head + "<resources>\n<primitive id=\"a\" class=\"ocf\" type=\"x\"/>\n"
              "<group id=\"g\">\n<primitive id=\"p\" class=\"stonith\" type=\"x\"/>\n"
              "<primitive id=\"q\" class=\"ocf\" type=\"x\"/>\n"
              "<primitive id=\"p\" class=\"lsb\"/>\n</group>\n</resources>\n"
              "<constraints>\n<rsc_location id=\"l\" rsc=\"nope\" node=\"a\" score=\"1\"/>\n"
              "<rsc_location id=\"m\" rsc=\"g\" node=\"a\" score=\"lots\"/>\n</constraints>\n"
              "<bogus/>\n" + tail,
       {"cib.xml:4: error: <primitive> outside a <group> is not supported",
        "cib.xml:6: error: unsupported class 'stonith' (ocf, lsb or heartbeat)",
        "cib.xml:7: error: ocf primitive 'q' needs a provider",
        "cib.xml:8: error: <primitive> needs attribute 'type'",
        "cib.xml:15: error: unknown element <bogus> in <configuration>",
        "cib.xml:12: error: rsc_location refers to unknown group 'nope'",
        "cib.xml:13: error: bad score 'lots'"}},
      {"duplicates and values",
       head + "<crm_config><cluster_property_set id=\"o\">\n"
              "<nvpair id=\"o-a\" name=\"auto_failback\" value=\"sometimes\"/>\n"
              "</cluster_property_set></crm_config>\n<resources>\n<group id=\"g\">\n"
              "<primitive id=\"g\" class=\"lsb\" type=\"x\"/>\n</group>\n<group id=\"e\">\n</group>\n"
              "</resources>\n" + tail,
       {"cib.xml:3: error: auto_failback must be on, off or legacy, not 'sometimes'",
        "cib.xml:8: error: duplicate id 'g'", "cib.xml:10: error: group 'e' has no primitive"}},
  };
  for (const auto& c : cases) {
    auto r = fromXml(c.xml, "cib.xml");
    std::vector<std::string> got;
    for (const auto& d : r.diagnostics) {
      if (d.severity == Severity::Error) got.push_back(d.format());
    }
    ASSERT_EQ(got.size(), c.want.size()) << c.name << ": " << (got.empty() ? "" : got[0]);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].rfind(c.want[i], 0), 0u) << c.name << ": " << got[i];
    }
    EXPECT_FALSE(r.ok()) << c.name;
  }
}

}  // namespace
}  // namespace hb::cib
