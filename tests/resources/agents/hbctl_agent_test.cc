// SPDX-License-Identifier: GPL-2.0-or-later
// `hbctl agent run`: output line, exit codes, usage and refusal messages.
#include "hbd/tools/hbctl_agent.h"

#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/resources/agents/agent_test_util.h"

namespace hb::tools {
namespace {

class HbctlAgentTest : public ::testing::Test {
 protected:
  HbctlAgentTest() {
    tree.ocfAgent("Rc", "#!/bin/sh\nif [ \"$1\" = meta-data ]; then cat <<'EOF'\n"
                        "<resource-agent name='Rc'><parameters><parameter name='rc' required='1'>"
                        "<content type='integer'/></parameter></parameters>"
                        "<actions><action name='start' timeout='5s'/></actions></resource-agent>\nEOF\n"
                        "exit 0; fi\n[ \"$OCF_RESKEY_rc\" = 1 ] && echo 'ocf-exit-reason:it broke' >&2\n"
                        "exit \"$OCF_RESKEY_rc\"\n");
    tree.write("init.d/svc", "#!/bin/sh\n[ \"$1\" = status ] && exit 3\nexit 0\n");
    tree.write("ha.d/resource.d/hb", "#!/bin/sh\necho \"$1 is running\"\n");
  }
  int run(std::vector<std::string> args) {
    std::vector<std::string> full = {"--ocf-root", tree.root() + "/ocf", "--init-dir",
                                     tree.root() + "/init.d", "--config-dir", tree.root() + "/ha.d"};
    full.insert(full.end(), args.begin(), args.end());
    out.str("");
    err.str("");
    return hbctlAgentRun(full, out, err);
  }
  resources::test::AgentTree tree;
  std::ostringstream out, err;
};

TEST_F(HbctlAgentTest, PrintsWordRcAndDuration) {
  EXPECT_EQ(run({"ocf:test:Rc", "start", "rc=0"}), 0);
  EXPECT_TRUE(std::regex_match(out.str(), std::regex("ok rc=0 duration=[0-9]+ms\n"))) << out.str();
  EXPECT_EQ(err.str(), "");
}

TEST_F(HbctlAgentTest, MonitorNotRunningExitsSeven) {
  EXPECT_EQ(run({"ocf:test:Rc", "monitor", "rc=7"}), 7);
  EXPECT_TRUE(std::regex_match(out.str(), std::regex("not-running rc=7 duration=[0-9]+ms status=not-running\n")))
      << out.str();
  EXPECT_EQ(run({"lsb:svc", "monitor"}), 7);
  EXPECT_TRUE(out.str().starts_with("not-running rc=3 ")) << out.str();
}

TEST_F(HbctlAgentTest, FailureShowsStatusAndReason) {
  EXPECT_EQ(run({"ocf:test:Rc", "start", "rc=1"}), 1);
  EXPECT_TRUE(std::regex_match(out.str(), std::regex(
      "error rc=1 duration=[0-9]+ms status=generic-error reason=\"it broke\"\n"))) << out.str();
}

TEST_F(HbctlAgentTest, TimeoutOption) {
  tree.ocfAgent("Sleep", "#!/bin/sh\n[ \"$1\" = meta-data ] && { echo '<resource-agent/>'; exit 0; }\nsleep 100\n");
  EXPECT_EQ(run({"--timeout", "200ms", "ocf:test:Sleep", "start"}), 1);
  EXPECT_TRUE(out.str().starts_with("timeout rc=-1 ")) << out.str();
}

TEST_F(HbctlAgentTest, HeartbeatPositionalArguments) {
  EXPECT_EQ(run({"hb", "status", "10.0.0.9"}), 0);
  EXPECT_TRUE(out.str().starts_with("ok rc=0 ")) << out.str();
}

TEST_F(HbctlAgentTest, MetaDataPrintsXmlThenResult) {
  EXPECT_EQ(run({"ocf:test:Rc", "meta-data"}), 0);
  EXPECT_TRUE(out.str().starts_with("<resource-agent name='Rc'>")) << out.str();
  EXPECT_NE(out.str().find("\nok rc=0 duration="), std::string::npos) << out.str();
}

TEST_F(HbctlAgentTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}), 2);
  EXPECT_EQ(run({"ocf:test:Rc"}), 2);
  EXPECT_EQ(run({"stonith:x", "start"}), 2);
  EXPECT_NE(err.str().find("unknown agent class 'stonith'"), std::string::npos) << err.str();
  EXPECT_EQ(run({"ocf:test:Rc", "start", "novalue"}), 2);
  EXPECT_EQ(run({"--timeout", "soon", "ocf:test:Rc", "start"}), 2);
  EXPECT_EQ(run({"--bogus", "x", "ocf:test:Rc", "start"}), 2);
  EXPECT_EQ(out.str(), "");
}

TEST_F(HbctlAgentTest, RefusalsNameTheResourceAndPrintNoResult) {
  EXPECT_EQ(run({"--resource", "web", "ocf:test:Nope", "start"}), 1);
  EXPECT_NE(err.str().find("resource 'web' (ocf:test:Nope)"), std::string::npos) << err.str();
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(run({"ocf:nobody:Rc", "start"}), 1);
  EXPECT_NE(err.str().find("unknown OCF provider 'nobody'"), std::string::npos) << err.str();
  EXPECT_EQ(run({"--resource", "web", "ocf:test:Rc", "start"}), 1);
  EXPECT_EQ(err.str(), "hbctl: error: resource 'web' (ocf:test:Rc): missing required parameter rc\n");
  EXPECT_EQ(out.str(), "");
  tree.ocfAgent("Plain", "#!/bin/sh\n", 0644);
  EXPECT_EQ(run({"ocf:test:Plain", "start"}), 1);
  EXPECT_NE(err.str().find("not executable"), std::string::npos) << err.str();
  EXPECT_EQ(run({"lsb:svc", "start", "a=b"}), 1);
  EXPECT_NE(err.str().find("lsb scripts take no parameters"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace hb::tools
