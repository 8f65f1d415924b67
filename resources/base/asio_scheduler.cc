// SPDX-License-Identifier: GPL-2.0-or-later
// hb::AsioScheduler: timers as boost::asio::steady_timer.
#include "resources/base/asio_scheduler.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace hb {
namespace {

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}
  ~AsioTimer() override { cancel(); }

  void arm(std::chrono::nanoseconds after, std::function<void()> on_fire) override {
    // A generation counter makes a cancelled or re-armed wait a no-op even when its completion
    // was already queued before cancel() ran.
    ++generation_;
    armed_ = true;
    timer_.expires_after(after);
    timer_.async_wait([this, gen = generation_, f = std::move(on_fire),
                       alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
      if (ec || alive.expired() || gen != generation_) return;
      armed_ = false;
      f();
    });
  }
  void cancel() override {
    ++generation_;
    armed_ = false;
    timer_.cancel();
  }
  bool armed() const override { return armed_; }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  unsigned long generation_ = 0;
  bool armed_ = false;
};

}  // namespace

MonoTime AsioScheduler::now() const { return MonoClock::now(); }
WallTime AsioScheduler::wallNow() const { return std::chrono::system_clock::now(); }
TimerPtr AsioScheduler::createTimer() { return std::make_unique<AsioTimer>(io_); }
void AsioScheduler::post(std::function<void()> f) { boost::asio::post(io_, std::move(f)); }

}  // namespace hb
