// SPDX-License-Identifier: GPL-2.0-or-later
// The StateReport codec: round trips, chunking within the budget, hostile input, and the default
// budget tied to what hb_message really encodes.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "crm/executor/executor.h"
#include "crm/executor/executor_private.h"
#include "hbd/message/message.h"

namespace hb::executor {
namespace {

using policy::GroupState;
using policy::Standby;

StateReport sample(int groups) {
  StateReport r;
  r.seq = 42;
  r.phase_over = true;
  r.standby = Standby::Foreign;
  r.vrrp_master = {"VI_1", "VI_2"};
  for (int i = 0; i < groups; ++i) {
    GroupReport g;
    g.state = static_cast<GroupState>(i % 6 == 4 ? 0 : i % 6);  // canonical: no FailedStart
    if (i % 3 == 0) g.claim = 1733150000000000ULL + static_cast<std::uint64_t>(i);
    g.failed = i % 5 == 0;
    if (i % 4 == 0) g.grant = Grant{"beta", 1733150000000100ULL + static_cast<std::uint64_t>(i)};
    if (i % 2 == 0) g.digest = 0x0123456789abcdefULL * static_cast<std::uint64_t>(i + 1);
    r.groups["group_IPaddr_10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)] = g;
  }
  return r;
}

TEST(StateReportTest, RoundTripInOneChunk) {
  for (int n : {0, 1, 7}) {
    const StateReport r = sample(n);
    const auto chunks = encodeReport(r, std::numeric_limits<std::size_t>::max());
    ASSERT_EQ(chunks.size(), 1u);
    auto back = decodeReport(chunks[0]);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, r);
  }
}

TEST(StateReportTest, ChunksStayWithinTheBudgetAndEachGroupIsInExactlyOne) {
  const StateReport r = sample(200);
  for (std::size_t budget : {std::size_t{300}, std::size_t{600}, kDefaultMaxReportBytes}) {
    const auto chunks = encodeReport(r, budget);
    EXPECT_GT(chunks.size(), 1u);
    std::map<std::string, GroupReport> merged;
    for (const auto& c : chunks) {
      EXPECT_LE(wireSize(c), budget);
      auto part = decodeReport(c);
      ASSERT_TRUE(part.ok()) << part.error().message;
      // Every chunk is a complete statement: the node-wide part and whole groups.
      EXPECT_EQ(part->seq, r.seq);
      EXPECT_EQ(part->phase_over, r.phase_over);
      EXPECT_EQ(part->standby, r.standby);
      EXPECT_EQ(part->vrrp_master, r.vrrp_master);
      EXPECT_FALSE(part->groups.empty());
      for (const auto& [gid, g] : part->groups) EXPECT_TRUE(merged.emplace(gid, g).second) << gid;
    }
    EXPECT_EQ(merged, r.groups);
  }
}

TEST(StateReportTest, ChunkSizeDoesNotDependOnTheSeq) {
  StateReport r = sample(100);
  r.seq = 1;
  const auto small = encodeReport(r, 500);
  r.seq = std::numeric_limits<std::uint64_t>::max();
  const auto big = encodeReport(r, 500);
  ASSERT_EQ(small.size(), big.size());
  for (const auto& c : big) EXPECT_LE(wireSize(c), 500u);
}

TEST(StateReportTest, FailedStartTravelsAsStoppedWithTheMark) {
  StateReport r;
  r.groups["web"].state = GroupState::FailedStart;
  const auto f = encodeReport(r).at(0);
  EXPECT_EQ(f.at("g:web"), "stopped");
  EXPECT_EQ(f.at("f:web"), "1");
  auto back = decodeReport(Fields{{"t", "rsc"}, {"g:web", "failed-start"}});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->groups.at("web").state, GroupState::Stopped);
  EXPECT_TRUE(back->groups.at("web").failed);
}

TEST(StateReportTest, HostileInputIsAnErrorNeverACrash) {
  const std::vector<Fields> bad = {
      {},
      {{"t", "standby"}},
      {{"t", "rsc"}, {"s", "-1"}},
      {{"t", "rsc"}, {"s", "18446744073709551616"}},
      {{"t", "rsc"}, {"s", "12x"}},
      {{"t", "rsc"}, {"phase", "2"}},
      {{"t", "rsc"}, {"standby", "failback"}},
      {{"t", "rsc"}, {"vrrp", "VI_1,,VI_2"}},
      {{"t", "rsc"}, {"g:", "started"}},
      {{"t", "rsc"}, {"g:web", "running"}},
      {{"t", "rsc"}, {"c:web", "5"}},  // a claim without the group's state
      {{"t", "rsc"}, {"g:web", "stopped"}, {"c:web", "0"}},
      {{"t", "rsc"}, {"g:web", "stopped"}, {"c:web", ""}},
      {{"t", "rsc"}, {"g:web", "stopped"}, {"f:web", "yes"}},
      {{"t", "rsc"}, {"g:web", "stopped"}, {"a:web", "beta"}},
      {{"t", "rsc"}, {"g:web", "stopped"}, {"a:web", "/5"}},
      {{"t", "rsc"}, {"g:web", "stopped"}, {"a:web", "beta/"}},
      {{"t", "rsc"}, {"g:web", "stopped"}, {"a:web", "beta/0x5"}},
  };
  for (const auto& f : bad) {
    auto r = decodeReport(f);
    std::string shown;
    for (const auto& [k, v] : f) shown += k + "=" + v + " ";
    EXPECT_FALSE(r.ok()) << shown;
  }
  // Unknown fields (a newer peer's) are ignored.
  auto r = decodeReport(Fields{{"t", "rsc"}, {"g:web", "started"}, {"x:web", "?"}, {"zz", "1"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->groups.size(), 1u);
}

TEST(StateReportTest, DefinitionDigestIsSixteenHexDigitsAndOptional) {
  StateReport r;
  r.groups["web"] = GroupReport{GroupState::Started, 0, false, std::nullopt, 0xfedcba9876543210ULL};
  r.groups["db"] = GroupReport{};  // digest 0: not sent (as by an older hbd)
  const auto chunks = encodeReport(r);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].at("d:web"), "fedcba9876543210");
  EXPECT_EQ(chunks[0].count("d:db"), 0u);
  auto back = decodeReport(chunks[0]);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, r);
  for (const char* bad : {"", "0", "0000000000000000", "fedcba987654321", "fedcba98765432100", "-edcba9876543210",
                          "fedcba987654321g", "+edcba9876543210"}) {
    Fields f = chunks[0];
    f["d:web"] = bad;
    EXPECT_FALSE(decodeReport(f).ok()) << "'" << bad << "'";
  }
  Fields orphan = chunks[0];
  orphan["d:mail"] = "0123456789abcdef";
  EXPECT_FALSE(decodeReport(orphan).ok());
}

TEST(StateReportTest, ReorderedOlderChunksDoNotUndoNewerStatements) {
  Peer p;
  StateReport newer;
  newer.seq = 5;
  newer.standby = Standby::All;
  newer.groups["web"].state = GroupState::Started;
  StateReport older;
  older.seq = 3;
  older.groups["web"].state = GroupState::Stopped;
  older.groups["db"].state = GroupState::Stopped;  // not in the newer chunk: taken
  p.apply(newer);
  p.apply(older);
  ASSERT_NE(p.group("web"), nullptr);
  EXPECT_EQ(p.group("web")->state, GroupState::Started);
  ASSERT_NE(p.group("db"), nullptr);
  EXPECT_EQ(p.group("db")->state, GroupState::Stopped);
  EXPECT_EQ(p.standby, Standby::All);
  EXPECT_EQ(p.group("mail"), nullptr);  // never stated: the view counts it as possibly held
}

/** The default budget holds for the real message format at its worst: a 255-byte sender name and
 *  the largest auth code; one byte more than the budget does not always fit. */
TEST(StateReportTest, LargestChunkForIsTheWorstCaseOfTheCodec) {
  const std::vector<std::string> nodes{"alpha", std::string(40, 'n')};
  const std::size_t base = largestChunkFor("g", nodes, {});
  // The id appears in five field names (g:, c:, f:, a:, d:); the longest node in the grant.
  EXPECT_EQ(largestChunkFor("g" + std::string(100, 'x'), nodes, {}), base + 500);
  EXPECT_EQ(largestChunkFor("g", {"alpha", std::string(41, 'n')}, {}), base + 1);
  // Followed VRRP instances travel in the node-wide part: "vrrp" = "VI_1,VI_2".
  EXPECT_EQ(largestChunkFor("g", nodes, {"VI_1", "VI_2"}), base + 4 + 4 + 9);
  // And it is what encodeReport really produces for that worst case.
  StateReport r;
  r.seq = 7;
  r.phase_over = true;
  r.standby = Standby::Foreign;
  r.groups["g"] = GroupReport{GroupState::FailedStop, std::numeric_limits<std::uint64_t>::max(), true,
                              Grant{std::string(40, 'n'), std::numeric_limits<std::uint64_t>::max()},
                              std::numeric_limits<std::uint64_t>::max()};
  const auto chunks = encodeReport(r);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_LE(wireSize(chunks[0]), base);
  // A typical id on typical names is far within the budget; an id of ~300 bytes is not.
  EXPECT_LT(largestChunkFor("group_IPaddr_10.0.0.1", {"alpha", "beta"}, {}), kDefaultMaxReportBytes / 3);
  EXPECT_GT(largestChunkFor(std::string(300, 'x'), {"alpha", "beta"}, {}), kDefaultMaxReportBytes);
}

TEST(StateReportTest, DefaultBudgetFitsTheLargestMessageExactly) {
  static_assert(kMessageLimit == message::kMaxMessageSize);
  message::KeyRing keys;
  keys.send_index = 255;
  keys.keys[255] = message::AuthKey{message::AuthMethod::Sha256, "secret"};
  std::size_t largest_code = 0;
  for (auto m : {message::AuthMethod::Crc, message::AuthMethod::Md5, message::AuthMethod::Sha1,
                 message::AuthMethod::Sha256}) {
    largest_code = std::max(largest_code, message::authCodeSize(m));
  }
  ASSERT_EQ(largest_code, message::authCodeSize(message::AuthMethod::Sha256));
  auto build = [&](std::size_t wire) {
    Fields f{{"t", "rsc"}};
    // Fill with one field of the exact remaining size.
    const std::size_t rest = wire - wireSize(f) - kFieldOverhead - 4;  // name "g:xy"
    f["g:xy"] = std::string(rest, 'x');
    EXPECT_EQ(wireSize(f), wire);
    message::Message m;
    m.type = message::MsgType::Cluster;
    m.from = std::string(255, 'n');
    m.generation = m.seq = m.timestamp_ms = std::numeric_limits<std::uint64_t>::max();
    for (const auto& [k, v] : f) m.fields[k] = v;  // as the daemon does: every value a string
    return message::encode(m, keys);
  };
  auto fits = build(kDefaultMaxReportBytes);
  ASSERT_TRUE(fits.ok()) << fits.error().message;
  EXPECT_EQ(fits->size(), message::kMaxMessageSize);
  EXPECT_FALSE(build(kDefaultMaxReportBytes + 1).ok());
  // And a real report chunked at the default budget encodes.
  for (const auto& chunk : encodeReport(sample(200))) {
    message::Message m;
    m.type = message::MsgType::Cluster;
    m.from = std::string(255, 'n');
    for (const auto& [k, v] : chunk) m.fields[k] = v;
    EXPECT_TRUE(message::encode(m, keys).ok());
  }
}

}  // namespace
}  // namespace hb::executor
