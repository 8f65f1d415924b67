// SPDX-License-Identifier: GPL-2.0-or-later
// Injected time: every timer and every "now" in hbd goes through hb::Scheduler.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace hb {

using MonoClock = std::chrono::steady_clock;
using MonoTime = MonoClock::time_point;                       ///< intervals and deadlines
using WallTime = std::chrono::system_clock::time_point;       ///< logs and CIB timestamps only
using Millis = std::chrono::milliseconds;

/**
 * A one-shot timer owned by its creator. Loop thread only. Destroying the timer cancels it;
 * a cancelled timer's callback never runs.
 */
class Timer {
 public:
  virtual ~Timer() = default;
  /** Arms (or re-arms, cancelling the previous arming) to fire once after `after`. */
  virtual void arm(std::chrono::nanoseconds after, std::function<void()> on_fire) = 0;
  /** Cancels a pending firing; harmless when not armed. */
  virtual void cancel() = 0;
  /** True between arm() and the firing or cancel(). */
  virtual bool armed() const = 0;
};
using TimerPtr = std::unique_ptr<Timer>;

/**
 * The event loop's clock and timer factory. Production: AsioScheduler over one io_context.
 * Tests: FakeScheduler (tests/fakes), which advances time by hand. Loop thread only.
 */
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual MonoTime now() const = 0;
  virtual WallTime wallNow() const = 0;
  virtual TimerPtr createTimer() = 0;
  /** Runs f on the loop soon, after the current handler returns. */
  virtual void post(std::function<void()> f) = 0;
};

}  // namespace hb
