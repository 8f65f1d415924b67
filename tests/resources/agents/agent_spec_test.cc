// SPDX-License-Identifier: GPL-2.0-or-later
// Agent names, path lookup, meta-data parsing, durations and exit-code interpretation (pure parts).
#include <gtest/gtest.h>

#include "resources/agents/agents.h"
#include "tests/resources/agents/agent_test_util.h"

namespace hb::resources {
namespace {

using std::chrono::milliseconds;

TEST(ParseAgentSpec, AcceptsTheThreeClasses) {
  struct Case {
    const char* text;
    AgentClass cls;
    const char* provider;
    const char* type;
    const char* canonical;
  } cases[] = {
      {"ocf:heartbeat:Dummy", AgentClass::Ocf, "heartbeat", "Dummy", "ocf:heartbeat:Dummy"},
      {"ocf:hbd:IPaddr", AgentClass::Ocf, "hbd", "IPaddr", "ocf:hbd:IPaddr"},
      {"lsb:nginx", AgentClass::Lsb, "", "nginx", "lsb:nginx"},
      {"IPaddr", AgentClass::Heartbeat, "", "IPaddr", "IPaddr"},
      {"heartbeat:IPaddr2", AgentClass::Heartbeat, "", "IPaddr2", "IPaddr2"},
  };
  for (const auto& c : cases) {
    auto s = parseAgentSpec(c.text);
    ASSERT_TRUE(s.ok()) << c.text;
    EXPECT_EQ(s->cls, c.cls) << c.text;
    EXPECT_EQ(s->provider, c.provider) << c.text;
    EXPECT_EQ(s->type, c.type) << c.text;
    EXPECT_EQ(s->toString(), c.canonical) << c.text;
  }
}

TEST(ParseAgentSpec, RejectsBadNames) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"stonith:fence_xvm", "unknown agent class 'stonith'"},
      {"ocf:Dummy", "need a provider"},
      {"systemd:x:y", "unknown agent class 'systemd'"},
      {"ocf:a:b:c", "too many ':'"},
      {"ocf:..:Dummy", "bad provider name"},
      {"ocf:heartbeat:../../bin/sh", "bad agent type name"},
      {"lsb:", "bad agent type name"},
      {"", "bad agent type name"},
      {"..", "bad agent type name"},
  };
  for (const auto& c : cases) {
    auto s = parseAgentSpec(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.error().code, Errc::InvalidArgument);
    EXPECT_NE(s.error().message.find(c.message), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("'" + std::string(c.text) + "'"), std::string::npos)
        << "names the agent: " << s.error().message;
  }
}

TEST(ResolveAgentPath, LooksInTheRightPlaces) {
  test::AgentTree t;
  t.ocfAgent("A", "#!/bin/sh\n");
  t.write("ocf/resource.d/hbd/IPaddr", "#!/bin/sh\n");
  t.write("init.d/svc", "#!/bin/sh\n");
  t.write("init.d/both", "#!/bin/sh\n");
  t.write("ha.d/resource.d/both", "#!/bin/sh\n");
  t.write("init.d/onlyinit", "#!/bin/sh\n");
  auto p = t.paths();
  EXPECT_EQ(*resolveAgentPath(*parseAgentSpec("ocf:test:A"), p), t.root() + "/ocf/resource.d/test/A");
  p.hbdAgentDir = t.root() + "/ocf/resource.d/hbd";
  EXPECT_EQ(*resolveAgentPath(*parseAgentSpec("ocf:hbd:IPaddr"), p), p.hbdAgentDir + "/IPaddr");
  EXPECT_EQ(*resolveAgentPath(*parseAgentSpec("lsb:svc"), p), t.root() + "/init.d/svc");
  EXPECT_EQ(*resolveAgentPath(*parseAgentSpec("both"), p), t.root() + "/ha.d/resource.d/both");
  EXPECT_EQ(*resolveAgentPath(*parseAgentSpec("onlyinit"), p), t.root() + "/init.d/onlyinit");

  auto missing = resolveAgentPath(*parseAgentSpec("nothere"), p);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot locate resource script"), std::string::npos);
  auto prov = resolveAgentPath(*parseAgentSpec("ocf:nope:A"), p);
  ASSERT_FALSE(prov.ok());
  EXPECT_NE(prov.error().message.find("unknown OCF provider 'nope'"), std::string::npos);
  auto dir = resolveAgentPath(AgentSpec{AgentClass::Lsb, "", "."}, p);
  EXPECT_FALSE(dir.ok());
  t.write("init.d/plain", "#!/bin/sh\n", 0644);
  auto noexec = resolveAgentPath(*parseAgentSpec("lsb:plain"), p);
  ASSERT_FALSE(noexec.ok());
  EXPECT_EQ(noexec.error().code, Errc::Permission);
}

TEST(ParseAgentDuration, PacemakerUnits) {
  EXPECT_EQ(*parseAgentDuration("20s"), milliseconds(20000));
  EXPECT_EQ(*parseAgentDuration("20"), milliseconds(20000));
  EXPECT_EQ(*parseAgentDuration("100ms"), milliseconds(100));
  EXPECT_EQ(*parseAgentDuration("100msec"), milliseconds(100));
  EXPECT_EQ(*parseAgentDuration("2min"), milliseconds(120000));
  EXPECT_EQ(*parseAgentDuration("2m"), milliseconds(120000));
  EXPECT_EQ(*parseAgentDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(*parseAgentDuration(" 5 s "), milliseconds(5000));
  EXPECT_FALSE(parseAgentDuration("").ok());
  EXPECT_FALSE(parseAgentDuration("s").ok());
  EXPECT_FALSE(parseAgentDuration("-1s").ok());
  EXPECT_FALSE(parseAgentDuration("10 fortnights").ok());
  EXPECT_FALSE(parseAgentDuration("99999999999999999999h").ok());
}

TEST(ParseMetadata, ReadsParametersAndActions) {
  auto md = parseMetadata(test::kMetadataTwoParams);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ(md->name, "Thing");
  EXPECT_EQ(md->version, "1.2");
  EXPECT_EQ(md->apiVersion, "1.1");
  EXPECT_EQ(md->shortDesc, "Test agent");
  ASSERT_EQ(md->parameters.size(), 2u);
  EXPECT_TRUE(md->parameters[0].required);
  EXPECT_TRUE(md->parameters[0].unique);
  EXPECT_EQ(md->parameters[0].shortDesc, "address");
  EXPECT_FALSE(md->parameters[0].defaultValue.has_value());
  EXPECT_FALSE(md->parameters[1].required);
  EXPECT_EQ(md->parameters[1].defaultValue, "/run/thing.state");
  ASSERT_NE(md->findParameter("state"), nullptr);
  EXPECT_EQ(md->findParameter("nope"), nullptr);
  EXPECT_EQ(md->actionTimeout("start"), milliseconds(30000));
  EXPECT_EQ(md->actionTimeout("stop"), milliseconds(100));
  EXPECT_EQ(md->actionTimeout("monitor"), milliseconds(120000));
  EXPECT_EQ(md->actionTimeout("meta-data"), milliseconds(5000));
  EXPECT_FALSE(md->actionTimeout("promote").has_value());
  ASSERT_EQ(md->actions.size(), 4u);
  EXPECT_EQ(md->actions[2].interval, milliseconds(10000));
  EXPECT_EQ(md->actions[2].depth, 0);
  EXPECT_EQ(md->missingRequired({}), std::vector<std::string>{"ip"});
  EXPECT_TRUE(md->missingRequired({{"ip", "1"}}).empty());
}

TEST(ParseMetadata, RejectsBadDocuments) {
  EXPECT_FALSE(parseMetadata("").ok());
  EXPECT_FALSE(parseMetadata("<resource-agent>").ok());
  EXPECT_FALSE(parseMetadata("<other/>").ok());
  EXPECT_FALSE(parseMetadata("<resource-agent><parameters><parameter/></parameters></resource-agent>").ok());
  auto bad = parseMetadata(
      "<resource-agent><actions><action name='start' timeout='soon'/></actions></resource-agent>");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("action start timeout"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parseMetadata(
      "<resource-agent><actions><action name='monitor' depth='x'/></actions></resource-agent>").ok());
  EXPECT_TRUE(parseMetadata("<resource-agent name='x'/>").ok());
}

// ---- exit codes ---------------------------------------------------------------------------

struct ExitCase {
  AgentClass cls;
  const char* action;
  int code;
  Outcome outcome;
  OcfStatus status;
};

class InterpretExit : public ::testing::TestWithParam<ExitCase> {};

TEST_P(InterpretExit, MapsPerClass) {
  const auto& c = GetParam();
  ActionResult r;
  interpretExit(c.cls, c.action, /*probe=*/false, c.code, "", r);
  EXPECT_EQ(r.exitCode, c.code);
  EXPECT_EQ(r.outcome, c.outcome) << agentClassName(c.cls) << " " << c.action << " rc=" << c.code;
  EXPECT_EQ(r.ocfStatus, c.status) << agentClassName(c.cls) << " " << c.action << " rc=" << c.code;
}

INSTANTIATE_TEST_SUITE_P(
    Ocf, InterpretExit,
    ::testing::Values(
        ExitCase{AgentClass::Ocf, "start", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Ocf, "start", 1, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Ocf, "start", 2, Outcome::Failed, OcfStatus::ErrArgs},
        ExitCase{AgentClass::Ocf, "start", 3, Outcome::Failed, OcfStatus::ErrUnimplemented},
        ExitCase{AgentClass::Ocf, "start", 4, Outcome::Failed, OcfStatus::ErrPerm},
        ExitCase{AgentClass::Ocf, "start", 5, Outcome::Failed, OcfStatus::ErrInstalled},
        ExitCase{AgentClass::Ocf, "start", 6, Outcome::Failed, OcfStatus::ErrConfigured},
        ExitCase{AgentClass::Ocf, "start", 7, Outcome::Failed, OcfStatus::NotRunning},
        ExitCase{AgentClass::Ocf, "start", 42, Outcome::Failed, OcfStatus::Unknown},
        ExitCase{AgentClass::Ocf, "stop", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Ocf, "stop", 7, Outcome::Success, OcfStatus::NotRunning},
        ExitCase{AgentClass::Ocf, "stop", 1, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Ocf, "monitor", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Ocf, "monitor", 7, Outcome::NotRunning, OcfStatus::NotRunning},
        ExitCase{AgentClass::Ocf, "monitor", 8, Outcome::Success, OcfStatus::RunningPromoted},
        ExitCase{AgentClass::Ocf, "monitor", 9, Outcome::Failed, OcfStatus::FailedPromoted},
        ExitCase{AgentClass::Ocf, "monitor", 190, Outcome::Success, OcfStatus::Degraded},
        ExitCase{AgentClass::Ocf, "monitor", 191, Outcome::Success, OcfStatus::DegradedPromoted},
        ExitCase{AgentClass::Ocf, "monitor", 1, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Ocf, "monitor", 5, Outcome::Failed, OcfStatus::ErrInstalled},
        ExitCase{AgentClass::Ocf, "monitor", 6, Outcome::Failed, OcfStatus::ErrConfigured},
        ExitCase{AgentClass::Ocf, "meta-data", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Ocf, "validate-all", 6, Outcome::Failed, OcfStatus::ErrConfigured}));

INSTANTIATE_TEST_SUITE_P(
    Lsb, InterpretExit,
    ::testing::Values(
        ExitCase{AgentClass::Lsb, "start", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Lsb, "start", 1, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Lsb, "start", 5, Outcome::Failed, OcfStatus::ErrInstalled},
        ExitCase{AgentClass::Lsb, "start", 150, Outcome::Failed, OcfStatus::Unknown},
        ExitCase{AgentClass::Lsb, "stop", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Lsb, "stop", 7, Outcome::Success, OcfStatus::NotRunning},
        ExitCase{AgentClass::Lsb, "stop", 1, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Lsb, "status", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Lsb, "status", 1, Outcome::NotRunning, OcfStatus::NotRunning},
        ExitCase{AgentClass::Lsb, "status", 2, Outcome::NotRunning, OcfStatus::NotRunning},
        ExitCase{AgentClass::Lsb, "status", 3, Outcome::NotRunning, OcfStatus::NotRunning},
        ExitCase{AgentClass::Lsb, "monitor", 3, Outcome::NotRunning, OcfStatus::NotRunning},
        ExitCase{AgentClass::Lsb, "status", 4, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Lsb, "status", 7, Outcome::Failed, OcfStatus::Unknown},
        ExitCase{AgentClass::Lsb, "status", 150, Outcome::Failed, OcfStatus::Unknown}));

INSTANTIATE_TEST_SUITE_P(
    Heartbeat, InterpretExit,
    ::testing::Values(
        ExitCase{AgentClass::Heartbeat, "start", 0, Outcome::Success, OcfStatus::Success},
        ExitCase{AgentClass::Heartbeat, "start", 1, Outcome::Failed, OcfStatus::ErrGeneric},
        ExitCase{AgentClass::Heartbeat, "stop", 7, Outcome::Failed, OcfStatus::NotRunning},
        ExitCase{AgentClass::Heartbeat, "stop", 99, Outcome::Failed, OcfStatus::ErrGeneric},
        // status: the exit code is ignored; empty output means "not running".
        ExitCase{AgentClass::Heartbeat, "status", 0, Outcome::NotRunning, OcfStatus::NotRunning},
        ExitCase{AgentClass::Heartbeat, "monitor", 3, Outcome::NotRunning, OcfStatus::NotRunning}));

TEST(InterpretExitProbe, NotInstalledOnAProbeIsNotRunning) {
  ActionResult r;
  interpretExit(AgentClass::Ocf, "monitor", /*probe=*/true, 5, "", r);
  EXPECT_EQ(r.outcome, Outcome::NotRunning);
  EXPECT_EQ(r.ocfStatus, OcfStatus::ErrInstalled);
}

TEST(HeartbeatStatus, TextRuleExactlyAsResourceManager) {
  struct Case {
    const char* out;
    bool running;
  } cases[] = {
      {"nginx is running.\n", true},
      {"INFO:  Running OK\n", true},
      {"OK", true},
      {"ok", false},
      {"RUNNING", false},
      {"nginx is not running\n", false},
      {"NOT Running", false},
      {"Not  running", false},          // "not " then anything then running
      {"is not\nrunning", true},        // no space after "not": rule 1 fails, rule 2 matches
      {"stopped", false},
      {"", false},
      {"INFO:  Resource is stopped\n", false},
      {"nothing running", true},        // "not" without a following space: rule 2 wins
      {"cannot; running", true},        // "not;" is not "not "
      {"cannot stat; running", false},  // "cannot " contains "not ", as the shell glob sees it
      {"running; not ready", true},     // "not " after the only "running"
      {"not ok; OK", true},
      {"Running? not really; not running", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(heartbeatStatusRunning(c.out), c.running) << '"' << c.out << '"';
  }
}

TEST(Words, ResultWordsAndStatusNames) {
  EXPECT_EQ(outcomeWord(Outcome::Success), "ok");
  EXPECT_EQ(outcomeWord(Outcome::NotRunning), "not-running");
  EXPECT_EQ(outcomeWord(Outcome::Failed), "error");
  EXPECT_EQ(outcomeWord(Outcome::TimedOut), "timeout");
  EXPECT_EQ(outcomeWord(Outcome::Cancelled), "cancelled");
  EXPECT_EQ(outcomeWord(Outcome::Signaled), "killed");
  EXPECT_EQ(outcomeWord(Outcome::ConfigError), "config-error");
  EXPECT_EQ(ocfStatusName(OcfStatus::ErrInstalled), "not-installed");
  EXPECT_EQ(ocfStatusFromCode(190), OcfStatus::Degraded);
  EXPECT_EQ(ocfStatusFromCode(10), OcfStatus::Unknown);
  EXPECT_EQ(ocfStatusFromCode(-1), OcfStatus::Unknown);
  EXPECT_EQ(agentClassName(AgentClass::Lsb), "lsb");
}

}  // namespace
}  // namespace hb::resources
