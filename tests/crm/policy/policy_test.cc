// SPDX-License-Identifier: GPL-2.0-or-later
// Policy tests: golden cases (cases/<name>/{haresources|cib.xml, state.txt, expected.txt}; run
// with --update or HB_UPDATE_GOLDEN=1 to rewrite expected.txt), an exhaustive safety check over
// every two-node situation, and the text form's parser.
#include "crm/policy/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "crm/haresources/haresources.h"

namespace hb::policy {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool updateMode() {
  if (const char* e = std::getenv("HB_UPDATE_GOLDEN"); e && std::string(e) == "1") return true;
  const auto args = ::testing::internal::GetArgvs();
  return std::find(args.begin(), args.end(), "--update") != args.end();
}

std::vector<std::string> caseNames() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(HB_POLICY_CASES_DIR)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string firstError(const std::vector<Diagnostic>& d) { return d.empty() ? "" : d[0].format(); }

class PolicyGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PolicyGoldenTest, MatchesExpected) {
  const fs::path dir = fs::path(HB_POLICY_CASES_DIR) / GetParam();
  auto state = parseClusterView(readFile(dir / "state.txt"), (dir / "state.txt").string());
  ASSERT_TRUE(state.ok()) << firstError(state.diagnostics);
  const SimulationInput& in = *state.value;

  cib::Cib model;
  if (fs::exists(dir / "cib.xml")) {
    auto r = cib::fromXml(readFile(dir / "cib.xml"), (dir / "cib.xml").string());
    ASSERT_TRUE(r.ok()) << firstError(r.diagnostics);
    model = *r.value;
  } else {
    std::vector<std::string> nodes;
    for (const auto& n : in.view.nodes) nodes.push_back(n.name);
    auto r = haresources::parseHaresources(readFile(dir / "haresources"),
                                           (dir / "haresources").string(), nodes);
    ASSERT_TRUE(r.ok()) << firstError(r.diagnostics);
    model = *r.value;
  }
  if (in.auto_failback) cib::setAutoFailback(model, *in.auto_failback);

  const std::string got = formatPlacements(place(model, in.view));
  const fs::path expected = dir / "expected.txt";
  if (updateMode()) {
    std::ofstream(expected, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(fs::exists(expected)) << "no " << expected << "; run with --update and review it";
  EXPECT_EQ(got, readFile(expected)) << "case " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Cases, PolicyGoldenTest, ::testing::ValuesIn(caseNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(PolicyGoldenTest, HasTheRequiredCases) {
  const auto names = caseNames();
  EXPECT_GE(names.size(), 12u);
  for (const char* want : {"cold-start-both-up", "preferred-dead", "failover", "failback-on",
                           "failback-off", "standby-all-alice", "standby-local-alice",
                           "standby-foreign-bob", "takeover", "failed-start-on-a",
                           "failed-start-on-a-then-b", "failed-stop", "both-dead",
                           "holder-still-stopping"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

/** The model every exhaustive check uses: alice's group and bob's group. */
cib::Cib twoGroups(cib::AutoFailback a) {
  auto r = haresources::parseHaresources("alice 10.0.0.1 httpd\nbob 10.0.0.2 smb\n", "hr",
                                         {"alice", "bob"});
  cib::Cib c = *r.value;
  cib::setAutoFailback(c, a);
  return c;
}

// Design rule 7 over every two-node situation: a group is never targeted at a node while another
// node that is up (or failed a stop and was not fenced) may still hold it; a target can run it.
TEST(PolicySafetyTest, NeverTargetsANodeWhileAnotherMayHoldTheGroup) {
  const GroupState states[] = {GroupState::Stopped,  GroupState::Starting,
                               GroupState::Started,  GroupState::Stopping,
                               GroupState::FailedStart, GroupState::FailedStop};
  const Standby standbys[] = {Standby::None, Standby::Local, Standby::Foreign, Standby::All};
  const std::string names[] = {"alice", "bob"};
  std::size_t checked = 0;
  for (auto a : {cib::AutoFailback::On, cib::AutoFailback::Off, cib::AutoFailback::Legacy}) {
    const cib::Cib model = twoGroups(a);
    for (int nodebits = 0; nodebits < 16; ++nodebits) {       // up, phase over per node
      for (int sb = 0; sb < 16; ++sb) {                       // standby per node
        for (int st = 0; st < 36; ++st) {                     // state per node
          for (int fl = 0; fl < 4; ++fl) {                    // failed_on per node
            for (int fenced = 0; fenced < 4; ++fenced) {
              ClusterView v;
              for (int i = 0; i < 2; ++i) {
                v.nodes.push_back(NodeView{names[i], ((nodebits >> (2 * i)) & 1) != 0,
                                           ((nodebits >> (2 * i + 1)) & 1) != 0,
                                           standbys[(sb >> (2 * i)) & 3], ((fenced >> i) & 1) != 0});
              }
              GroupView gv;
              gv.group = model.groups[0].id;
              gv.state["alice"] = states[st % 6];
              gv.state["bob"] = states[st / 6];
              for (int i = 0; i < 2; ++i) {
                if ((fl >> i) & 1) gv.failed_on.push_back(names[i]);
              }
              v.groups.push_back(gv);
              const auto out = place(model, v);
              ASSERT_EQ(out.size(), 2u);
              const Placement& p = out[0];
              ++checked;
              auto mayHold = [&](int i) {
                const GroupState s = gv.state[names[i]];
                if (s == GroupState::FailedStop) return v.nodes[i].up || !v.nodes[i].fenced;
                return v.nodes[i].up && (s == GroupState::Starting || s == GroupState::Started ||
                                         s == GroupState::Stopping);
              };
              const std::string where = formatPlacements(out);
              if (p.status == Status::Unmanaged) {
                ASSERT_TRUE(p.target.has_value()) << where;
                const int i = *p.target == "alice" ? 0 : 1;
                EXPECT_EQ(gv.state[names[i]], GroupState::FailedStop) << where;
                EXPECT_FALSE(p.next.has_value()) << where;
                continue;
              }
              EXPECT_FALSE(mayHold(0) && gv.state["alice"] == GroupState::FailedStop) << where;
              EXPECT_FALSE(mayHold(1) && gv.state["bob"] == GroupState::FailedStop) << where;
              if (p.next) {
                // A hand-over in progress names nobody until the holder has stopped.
                EXPECT_FALSE(p.target.has_value()) << where;
                EXPECT_TRUE(mayHold(0) || mayHold(1)) << where;
              }
              if (!p.target) continue;
              const int t = *p.target == "alice" ? 0 : 1;
              // The other node must not hold it, unless the target already holds it too.
              if (mayHold(1 - t)) {
                EXPECT_TRUE(mayHold(t)) << where;
                EXPECT_EQ(p.status, Status::Moving) << where;
              }
              if (!mayHold(t)) {
                // A fresh start: only on a node that can run the group.
                EXPECT_TRUE(v.nodes[t].up && v.nodes[t].initial_phase_over) << where;
                EXPECT_EQ(std::count(gv.failed_on.begin(), gv.failed_on.end(), names[t]), 0)
                    << where;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 3u * 16 * 16 * 36 * 4 * 4);
}

TEST(PolicyTest, FailedEverywhereAndGroupsMissingFromTheView) {
  const cib::Cib model = twoGroups(cib::AutoFailback::On);
  ClusterView v;
  v.nodes = {{"alice", true, true, Standby::None, false}, {"bob", true, true, Standby::None, false}};
  v.groups = {GroupView{"10.0.0.1", {}, {"alice", "bob"}}};  // addressed by heartbeat key
  const auto out = place(model, v);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (Placement{model.groups[0].id, std::nullopt, std::nullopt,
                               Reason::FailedEverywhere, Status::Failed}));
  EXPECT_EQ(out[1], (Placement{model.groups[1].id, "bob", std::nullopt, Reason::Preferred, Status::Starting}));
}

TEST(PolicyTest, StickinessAbovePreferenceKeepsTheGroup) {
  cib::Cib model = twoGroups(cib::AutoFailback::On);
  ClusterView v;
  v.nodes = {{"alice", true, true, Standby::None, false}, {"bob", true, true, Standby::None, false}};
  v.groups = {GroupView{model.groups[0].id, {{"bob", GroupState::Started}}, {}}};
  EXPECT_EQ(place(model, v)[0].reason, Reason::Failback);
  model.groups[0].stickiness = cib::kInfinityScore;  // e.g. a hand-written cib.xml
  EXPECT_EQ(place(model, v)[0], (Placement{model.groups[0].id, "bob", std::nullopt, Reason::Sticky, Status::Started}));
}

TEST(PolicyTextTest, ParsesTheStateFormat) {
  auto r = parseClusterView(
      "# c\nauto_failback off\nnode alice up standby=foreign\nnode bob dead fenced\n"
      "node carol up initial\ngroup g alice=started bob=failed-stop failed=bob,carol\n"
      "vrrp VI_1 alice\n",
      "state.txt");
  ASSERT_TRUE(r.ok()) << firstError(r.diagnostics);
  const auto& in = *r.value;
  EXPECT_EQ(in.auto_failback, cib::AutoFailback::Off);
  ASSERT_EQ(in.view.nodes.size(), 3u);
  EXPECT_EQ(in.view.nodes[0].standby, Standby::Foreign);
  EXPECT_TRUE(in.view.nodes[0].initial_phase_over);
  EXPECT_TRUE(in.view.nodes[1].fenced);
  EXPECT_FALSE(in.view.nodes[1].up);
  EXPECT_FALSE(in.view.nodes[2].initial_phase_over);
  ASSERT_EQ(in.view.groups.size(), 1u);
  EXPECT_EQ(in.view.groups[0].state.at("bob"), GroupState::FailedStop);
  EXPECT_EQ(in.view.groups[0].failed_on, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(in.view.vrrp_master.at("VI_1"), "alice");
}

TEST(PolicyTextTest, ReportsEveryError) {
  auto r = parseClusterView(
      "auto_failback sometimes\nnode x\nnode a up standby=half weird\nnode a up\n"
      "group\ngroup g a=running b\ngroup g\nvrrp VI_1\nfrobnicate\n",
      "s.txt");
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) got.push_back(d.format());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "s.txt:1: error: write auto_failback on|off|legacy",
                     "s.txt:2: error: write node NAME up|dead [initial] [standby=SET] [fenced]",
                     "s.txt:3: error: standby is none, local, foreign or all, not 'half'",
                     "s.txt:3: error: unknown node attribute 'weird'",
                     "s.txt:4: error: node 'a' given twice",
                     "s.txt:5: error: write group ID [NODE=STATE ...] [failed=NODE,...]",
                     "s.txt:6: error: unknown group state 'running'",
                     "s.txt:6: error: 'b' is not NODE=STATE or failed=NODE,...",
                     "s.txt:7: error: group 'g' given twice",
                     "s.txt:8: error: write vrrp INSTANCE MASTER_NODE",
                     "s.txt:9: error: unknown keyword 'frobnicate' (auto_failback, node, group, vrrp)",
                 }));
  EXPECT_FALSE(r.ok());
}

TEST(PolicyTextTest, EachEnumHasOneDistinctName) {
  std::set<std::string_view> reasons, statuses;
  for (int r = 0; r <= static_cast<int>(Reason::MultipleHolders); ++r) reasons.insert(reasonName(static_cast<Reason>(r)));
  EXPECT_EQ(reasons.size(), static_cast<std::size_t>(Reason::MultipleHolders) + 1);
  for (int st = 0; st <= static_cast<int>(Status::Unmanaged); ++st) statuses.insert(statusName(static_cast<Status>(st)));
  EXPECT_EQ(statuses.size(), static_cast<std::size_t>(Status::Unmanaged) + 1);
  for (auto g : {GroupState::Stopped, GroupState::Starting, GroupState::Started, GroupState::Stopping,
                 GroupState::FailedStart, GroupState::FailedStop}) {
    EXPECT_EQ(parseGroupStateName(groupStateName(g)), g);
  }
  for (auto sb : {Standby::None, Standby::Local, Standby::Foreign, Standby::All}) {
    EXPECT_EQ(parseStandbyName(standbyName(sb)), sb);
  }
  EXPECT_FALSE(parseStandbyName("failback").has_value());
  EXPECT_FALSE(parseGroupStateName("running").has_value());
}

TEST(PolicyTextTest, NamesAndFormat) {
  EXPECT_EQ(standbyName(Standby::Foreign), "foreign");
  EXPECT_EQ(groupStateName(GroupState::FailedStart), "failed-start");
  EXPECT_EQ(formatPlacements({Placement{"g", std::nullopt, "bob", Reason::Failback, Status::Moving},
                              Placement{"h", "alice", std::nullopt, Reason::Preferred, Status::Started}}),
            "g target=- next=bob reason=failback status=moving\n"
            "h target=alice next=- reason=preferred status=started\n");
}

}  // namespace
}  // namespace hb::policy
