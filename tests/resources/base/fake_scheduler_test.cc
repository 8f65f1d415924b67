// SPDX-License-Identifier: GPL-2.0-or-later
// FakeScheduler fires timers in deadline order, ties in arming order, and honours cancel.
#include "tests/fakes/fake_scheduler.h"

#include <gtest/gtest.h>

#include <string>

namespace hb::test {
namespace {
using namespace std::chrono_literals;

TEST(FakeScheduler, FiresInDeadlineOrderWithTiesByArmingOrder) {
  FakeScheduler s;
  std::string order;
  auto a = s.createTimer(), b = s.createTimer(), c = s.createTimer();
  a->arm(20ms, [&] { order += 'a'; });
  b->arm(10ms, [&] { order += 'b'; });
  c->arm(20ms, [&] { order += 'c'; });
  s.advance(15ms);
  EXPECT_EQ(order, "b");
  s.advance(5ms);
  EXPECT_EQ(order, "bac");
  EXPECT_FALSE(a->armed());
}

TEST(FakeScheduler, NowIsTheDeadlineInsideACallback) {
  FakeScheduler s;
  auto t0 = s.now();
  MonoTime seen{};
  auto t = s.createTimer();
  t->arm(7ms, [&] { seen = s.now(); });
  s.advance(100ms);
  EXPECT_EQ(seen - t0, 7ms);
  EXPECT_EQ(s.now() - t0, 100ms);
}

TEST(FakeScheduler, CancelAndDestroyPreventFiring) {
  FakeScheduler s;
  int fired = 0;
  auto a = s.createTimer();
  a->arm(1ms, [&] { ++fired; });
  a->cancel();
  {
    auto b = s.createTimer();
    b->arm(1ms, [&] { ++fired; });
  }
  s.advance(10ms);
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(s.armedTimers(), 0u);
}

TEST(FakeScheduler, RearmFromCallbackMakesAPeriodicTimer) {
  FakeScheduler s;
  int ticks = 0;
  auto t = s.createTimer();
  std::function<void()> tick = [&] {
    ++ticks;
    t->arm(10ms, tick);
  };
  t->arm(10ms, tick);
  s.advance(95ms);
  EXPECT_EQ(ticks, 9);
}

TEST(FakeScheduler, PostRunsOnNextAdvance) {
  FakeScheduler s;
  int ran = 0;
  s.post([&] { ++ran; });
  EXPECT_EQ(ran, 0);
  s.runPending();
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace hb::test
