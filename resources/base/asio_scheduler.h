// SPDX-License-Identifier: GPL-2.0-or-later
// hb::Scheduler over a Boost.Asio io_context: the production clock.
#pragma once

#include <boost/asio/io_context.hpp>

#include "resources/base/scheduler.h"

namespace hb {

/** The only place that reads the real clocks. Loop thread only. */
class AsioScheduler final : public Scheduler {
 public:
  explicit AsioScheduler(boost::asio::io_context& io) : io_(io) {}
  MonoTime now() const override;
  WallTime wallNow() const override;
  TimerPtr createTimer() override;
  void post(std::function<void()> f) override;
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context& io_;
};

}  // namespace hb
