// SPDX-License-Identifier: GPL-2.0-or-later
// FakeScheduler: time moves only when a test calls advance(); timers fire in deadline order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <tuple>

#include "resources/base/scheduler.h"

namespace hb::test {

/** A Scheduler whose clock starts at an arbitrary fixed point and moves only by advance(). */
class FakeScheduler final : public Scheduler {
 public:
  FakeScheduler();
  ~FakeScheduler() override;
  MonoTime now() const override { return now_; }
  WallTime wallNow() const override;
  TimerPtr createTimer() override;
  void post(std::function<void()> f) override;

  /** Moves time forward by d, firing every due timer (deadline order, ties by arming order)
   *  and every posted function, each with now() equal to its own deadline. */
  void advance(std::chrono::nanoseconds d);
  /** Moves time forward by d without running anything: the simulated machine stalled (paused VM,
   *  CPU starvation). Timers that fell due meanwhile fire late, at the next advance(). */
  void jump(std::chrono::nanoseconds d) { now_ += std::chrono::duration_cast<MonoClock::duration>(d); }
  /** Runs posted functions and timers due now, without moving time. */
  void runPending() { advance(std::chrono::nanoseconds(0)); }
  /** Number of armed timers (for tests that check nothing is left behind). */
  std::size_t armedTimers() const { return queue_.size(); }

  // Internal, used by FakeTimer.
  std::uint64_t schedule(MonoTime when, std::function<void()> f);
  void unschedule(std::uint64_t id);

 private:
  MonoTime now_;
  WallTime wall_epoch_;
  MonoTime mono_epoch_;
  std::uint64_t next_id_ = 1;
  // key: (deadline, id) so equal deadlines fire in arming order.
  std::map<std::pair<MonoTime, std::uint64_t>, std::function<void()>> queue_;
  std::map<std::uint64_t, MonoTime> index_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace hb::test
