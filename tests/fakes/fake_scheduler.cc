// SPDX-License-Identifier: GPL-2.0-or-later
// FakeScheduler implementation.
#include "tests/fakes/fake_scheduler.h"

namespace hb::test {
namespace {

class FakeTimer final : public Timer {
 public:
  FakeTimer(FakeScheduler& s, std::weak_ptr<bool> alive) : s_(s), alive_(std::move(alive)) {}
  ~FakeTimer() override { cancel(); }
  void arm(std::chrono::nanoseconds after, std::function<void()> on_fire) override {
    cancel();
    auto when = s_.now() + std::chrono::duration_cast<MonoClock::duration>(after);
    id_ = s_.schedule(when, [this, f = std::move(on_fire)] {
      id_ = 0;
      f();
    });
  }
  void cancel() override {
    if (id_ != 0 && !alive_.expired()) s_.unschedule(id_);
    id_ = 0;
  }
  bool armed() const override { return id_ != 0; }

 private:
  FakeScheduler& s_;
  std::weak_ptr<bool> alive_;
  std::uint64_t id_ = 0;
};

}  // namespace

FakeScheduler::FakeScheduler()
    : now_(MonoTime(std::chrono::hours(1000))),
      wall_epoch_(WallTime(std::chrono::seconds(1'800'000'000))),
      mono_epoch_(now_) {}

FakeScheduler::~FakeScheduler() = default;

WallTime FakeScheduler::wallNow() const {
  return wall_epoch_ + std::chrono::duration_cast<WallTime::duration>(now_ - mono_epoch_);
}

TimerPtr FakeScheduler::createTimer() { return std::make_unique<FakeTimer>(*this, alive_); }

void FakeScheduler::post(std::function<void()> f) { schedule(now_, std::move(f)); }

std::uint64_t FakeScheduler::schedule(MonoTime when, std::function<void()> f) {
  auto id = next_id_++;
  queue_.emplace(std::make_pair(when, id), std::move(f));
  index_.emplace(id, when);
  return id;
}

void FakeScheduler::unschedule(std::uint64_t id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  queue_.erase(std::make_pair(it->second, id));
  index_.erase(it);
}

void FakeScheduler::advance(std::chrono::nanoseconds d) {
  const MonoTime end = now_ + std::chrono::duration_cast<MonoClock::duration>(d);
  while (!queue_.empty() && queue_.begin()->first.first <= end) {
    auto node = queue_.extract(queue_.begin());
    index_.erase(node.key().second);
    if (node.key().first > now_) now_ = node.key().first;
    node.mapped()();
  }
  now_ = end;
}

}  // namespace hb::test
