// SPDX-License-Identifier: GPL-2.0-or-later
// TestLinkHub: joins N Membership instances over named in-memory links with fault knobs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hbd/membership/membership.h"
#include "tests/fakes/fake_scheduler.h"

namespace hb::test {

/**
 * An in-memory broadcast medium per link name. Each attached node's frames go to every other node
 * attached to the same link, delivered through the FakeScheduler (never synchronously, so a
 * receive() never re-enters the sender). Knobs apply per direction and link; "" matches any.
 */
class TestLinkHub {
 public:
  explicit TestLinkHub(FakeScheduler& s) : sched_(s) {}

  /** Joins `m` (named `node`) to `links`; installs m's sender. */
  void attach(const std::string& node, membership::Membership& m,
              const std::vector<std::string>& links);

  /** Drops frames from `from` to `to` on `link` while `on` ("" = any). */
  void drop(const std::string& from, const std::string& to, const std::string& link, bool on = true);
  /** Drops every frame between the two groups, both ways, on every link. */
  void partition(const std::set<std::string>& a, const std::set<std::string>& b);
  /** A whole link fails (every direction) or comes back. */
  void cut(const std::string& link, bool on = true);
  /** Removes every drop rule, cut and partition. */
  void heal();
  /** Flips one bit in every frame sent on `link` from now on ("" = any link). */
  void corrupt(const std::string& link, bool on = true);
  /** Delays delivery on `link` by `d` ("" = default for every link). */
  void delay(const std::string& link, std::chrono::milliseconds d);

  /** Delivers raw bytes to `to` as if received on `link` (after the link's delay). */
  void inject(const std::string& to, const std::string& link, const message::Bytes& frame);

  /** Every frame each node sent, in order (for replay tests). */
  const std::vector<message::Bytes>& sent(const std::string& node) { return sent_[node]; }
  /** Frames delivered to receive() so far. */
  std::uint64_t delivered() const { return delivered_; }

 private:
  struct Node {
    membership::Membership* m;
    std::vector<std::string> links;
  };
  bool blocked(const std::string& from, const std::string& to, const std::string& link) const;
  std::chrono::milliseconds delayOf(const std::string& link) const;
  void deliver(const std::string& to, const std::string& link, message::Bytes frame);
  void broadcast(const std::string& from, const message::Bytes& frame);

  FakeScheduler& sched_;
  std::map<std::string, Node> nodes_;
  std::set<std::tuple<std::string, std::string, std::string>> drops_;
  std::set<std::string> corrupt_;
  std::map<std::string, std::chrono::milliseconds> delay_;
  std::map<std::string, std::vector<message::Bytes>> sent_;
  std::uint64_t delivered_ = 0;
};

}  // namespace hb::test
