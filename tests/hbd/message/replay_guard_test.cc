// SPDX-License-Identifier: GPL-2.0-or-later
// Tests for ReplayGuard: new, duplicate, replay (old generation / below the window), restart.
#include <gtest/gtest.h>

#include "hbd/message/message.h"

namespace hb::message {
namespace {

using V = ReplayGuard::Verdict;

Message msg(const std::string& from, std::uint64_t gen, std::uint64_t seq) {
  Message m;
  m.from = from;
  m.generation = gen;
  m.seq = seq;
  return m;
}

TEST(ReplayGuard, NewThenDuplicate) {
  ReplayGuard g;
  EXPECT_EQ(g.check(msg("a", 1, 1)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 1)), V::Duplicate);
  EXPECT_EQ(g.check(msg("a", 1, 2)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 2)), V::Duplicate);
  EXPECT_EQ(g.check(msg("a", 1, 1)), V::Duplicate);
  // Senders are independent.
  EXPECT_EQ(g.check(msg("b", 1, 1)), V::New);
}

TEST(ReplayGuard, OutOfOrderWithinWindowIsAccepted) {
  ReplayGuard g(8);
  EXPECT_EQ(g.check(msg("a", 1, 10)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 7)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 7)), V::Duplicate);
  EXPECT_EQ(g.check(msg("a", 1, 3)), V::New);   // 10 - 3 = 7 < 8
  EXPECT_EQ(g.check(msg("a", 1, 2)), V::Replay);  // 10 - 2 = 8: left the window
  EXPECT_EQ(g.check(msg("a", 1, 12)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 11)), V::New);   // skipped slot was cleared, not inherited
  EXPECT_EQ(g.check(msg("a", 1, 4)), V::Replay);
  EXPECT_EQ(g.check(msg("a", 1, 100)), V::New);  // a jump larger than the window
  for (std::uint64_t s = 93; s < 100; ++s) EXPECT_EQ(g.check(msg("a", 1, s)), V::New) << s;
  EXPECT_EQ(g.check(msg("a", 1, 92)), V::Replay);
}

TEST(ReplayGuard, GenerationsRestartAndReplay) {
  ReplayGuard g;
  EXPECT_EQ(g.check(msg("a", 5, 100)), V::New);  // first sight is not a restart
  EXPECT_EQ(g.check(msg("a", 4, 1000)), V::Replay);
  EXPECT_EQ(g.check(msg("a", 6, 1)), V::Restart);
  EXPECT_EQ(g.check(msg("a", 6, 1)), V::Duplicate);
  EXPECT_EQ(g.check(msg("a", 5, 101)), V::Replay);
  EXPECT_EQ(g.check(msg("a", 6, 2)), V::New);
}

TEST(ReplayGuard, Forget) {
  ReplayGuard g;
  EXPECT_EQ(g.check(msg("a", 5, 1)), V::New);
  g.forget("a");
  EXPECT_EQ(g.check(msg("a", 4, 1)), V::New);
}

TEST(ReplayGuard, AdoptMovesASenderBackWithoutReopeningTheGenerationsItLeft) {
  ReplayGuard g;
  EXPECT_EQ(g.generation("a"), std::nullopt);
  EXPECT_EQ(g.check(msg("a", 100, 7)), V::New);
  EXPECT_EQ(g.generation("a"), 100u);
  EXPECT_EQ(g.check(msg("a", 40, 1)), V::Replay);  // lower: refused until proven
  g.adopt(msg("a", 40, 1));                          // proven (membership's challenge)
  EXPECT_EQ(g.generation("a"), 40u);
  EXPECT_EQ(g.check(msg("a", 40, 1)), V::Duplicate);
  EXPECT_EQ(g.check(msg("a", 40, 2)), V::New);
  // The generations it left, up to the highest ever accepted, stay replays: a captured frame of
  // generation 100 (or 41..100) is not a restart.
  EXPECT_EQ(g.check(msg("a", 100, 8)), V::Replay);
  EXPECT_EQ(g.check(msg("a", 41, 1)), V::Replay);
  EXPECT_EQ(g.check(msg("a", 39, 1)), V::Replay);
  EXPECT_EQ(g.generation("a"), 40u);
  // Above every generation seen: a real restart again.
  EXPECT_EQ(g.check(msg("a", 101, 1)), V::Restart);
  EXPECT_EQ(g.generation("a"), 101u);
  // adopt() of a sender never seen makes it known.
  g.adopt(msg("b", 3, 9));
  EXPECT_EQ(g.check(msg("b", 3, 9)), V::Duplicate);
}

TEST(ReplayGuard, ZeroWindowStillWorks) {
  ReplayGuard g(0);
  EXPECT_EQ(g.check(msg("a", 1, 1)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 1)), V::Duplicate);
  EXPECT_EQ(g.check(msg("a", 1, 2)), V::New);
  EXPECT_EQ(g.check(msg("a", 1, 1)), V::Replay);
}

}  // namespace
}  // namespace hb::message
