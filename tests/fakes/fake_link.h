// SPDX-License-Identifier: GPL-2.0-or-later
// SimWire + FakeLink: real link::Link implementations joined by a simulated medium (loss, delay,
// duplication, reordering, partition) that delivers through the FakeScheduler.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hbd/link/link.h"
#include "tests/fakes/fake_scheduler.h"

namespace hb::test {

class FakeLink;

/**
 * The simulated media of a test cluster. Each FakeLink belongs to a node and a medium (its name,
 * "eth0"); a frame sent on it reaches every other open link of the same medium, each copy
 * independently: lost with loss_pct, doubled with dup_pct, delayed by delay plus a uniform
 * 0..jitter (so frames overtake each other), never synchronously (always through the scheduler,
 * so a receive never re-enters the sender). Blocks (partition, cut) apply when a frame is sent:
 * frames already in flight still arrive. Seeded: a run is reproducible.
 */
class SimWire {
 public:
  struct Knobs {
    int loss_pct = 0;                     ///< 0..100
    int dup_pct = 0;                      ///< 0..100: a second copy
    std::chrono::milliseconds delay{1};   ///< base latency
    std::chrono::milliseconds jitter{0};  ///< extra 0..jitter (reorders)
  };

  explicit SimWire(FakeScheduler& s, std::uint32_t seed = 1) : sched_(s), rng_(seed) {}
  ~SimWire();
  SimWire(const SimWire&) = delete;
  SimWire& operator=(const SimWire&) = delete;

  /** A link of `node` on `medium` (its name), not open yet. Must not outlive the wire. */
  std::unique_ptr<FakeLink> makeLink(const std::string& node, const std::string& medium);

  /** Knobs of `medium`; "" sets the default for every medium without its own. */
  void setKnobs(const std::string& medium, Knobs k) { knobs_[medium] = k; }
  /** No frame between a node of `a` and one of `b`, either way, on any medium. */
  void partition(const std::set<std::string>& a, const std::set<std::string>& b);
  /** Frames from `from` to `to` (one way) on `medium` ("" = every medium) are dropped while on. */
  void block(const std::string& from, const std::string& to, const std::string& medium = "", bool on = true);
  /** A whole medium fails (or comes back). */
  void cut(const std::string& medium, bool on = true);
  /** Removes every partition, block and cut (knobs stay). */
  void heal();

  /** Copies delivered to an open link / lost (loss, block, cut) / extra copies made. */
  std::uint64_t delivered = 0, lost = 0, duplicated = 0;

  // Internal (FakeLink).
  void transmit(const FakeLink& from, link::ByteView frame);
  void detach(const FakeLink* l);

 private:
  const Knobs& knobsOf(const std::string& medium) const;
  bool blocked(const std::string& from, const std::string& to, const std::string& medium) const;

  FakeScheduler& sched_;
  std::mt19937 rng_;
  std::map<std::uint64_t, FakeLink*> links_;  // by id: a frame in flight to a destroyed link is lost
  std::uint64_t next_id_ = 1;
  std::map<std::string, Knobs> knobs_;
  std::set<std::tuple<std::string, std::string, std::string>> blocks_;  // from, to, medium ("" any)
  std::set<std::string> cut_;
};

/** One node's end of a medium: a link::Link whose frames travel on a SimWire. */
class FakeLink final : public link::Link {
 public:
  FakeLink(SimWire& w, std::uint64_t id, std::string node, std::string medium)
      : wire_(w), id_(id), node_(std::move(node)), medium_(std::move(medium)) {}
  ~FakeLink() override { wire_.detach(this); }

  std::string_view name() const override { return medium_; }
  std::size_t maxFrameSize() const override { return link::kMaxUdpFrameSize; }
  Result<void> open() override {
    open_ = true;
    return {};
  }
  void close() override { open_ = false; }
  Result<void> send(link::ByteView frame) override;
  void onFrame(std::function<void(link::ByteView, const link::PeerHint&)> deliver) override {
    deliver_ = std::move(deliver);
  }
  const link::LinkStats& stats() const override { return stats_; }

  bool isOpen() const { return open_; }
  const std::string& node() const { return node_; }
  std::uint64_t id() const { return id_; }
  // Internal (SimWire).
  void receive(const std::vector<std::uint8_t>& frame, const std::string& from);

 private:
  SimWire& wire_;
  std::uint64_t id_;
  std::string node_, medium_;
  bool open_ = false;
  link::LinkStats stats_;
  std::function<void(link::ByteView, const link::PeerHint&)> deliver_;
};

}  // namespace hb::test
