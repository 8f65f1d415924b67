// SPDX-License-Identifier: GPL-2.0-or-later
// TestLinkHub implementation.
#include "tests/hbd/membership/test_link_hub.h"

#include <algorithm>

namespace hb::test {

void TestLinkHub::attach(const std::string& node, membership::Membership& m,
                         const std::vector<std::string>& links) {
  nodes_[node] = Node{&m, links};
  m.setSender([this, node](const message::Bytes& frame) { broadcast(node, frame); });
}

void TestLinkHub::drop(const std::string& from, const std::string& to, const std::string& link,
                       bool on) {
  if (on) {
    drops_.emplace(from, to, link);
  } else {
    drops_.erase({from, to, link});
  }
}

void TestLinkHub::partition(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      drop(x, y, "");
      drop(y, x, "");
    }
  }
}

void TestLinkHub::cut(const std::string& link, bool on) { drop("", "", link, on); }

void TestLinkHub::heal() { drops_.clear(); }

void TestLinkHub::corrupt(const std::string& link, bool on) {
  if (on) {
    corrupt_.insert(link);
  } else {
    corrupt_.erase(link);
  }
}

void TestLinkHub::delay(const std::string& link, std::chrono::milliseconds d) { delay_[link] = d; }

bool TestLinkHub::blocked(const std::string& from, const std::string& to,
                          const std::string& link) const {
  for (const auto& f : {from, std::string()}) {
    for (const auto& t : {to, std::string()}) {
      for (const auto& l : {link, std::string()}) {
        if (drops_.count({f, t, l}) != 0) return true;
      }
    }
  }
  return false;
}

std::chrono::milliseconds TestLinkHub::delayOf(const std::string& link) const {
  if (auto it = delay_.find(link); it != delay_.end()) return it->second;
  if (auto it = delay_.find(""); it != delay_.end()) return it->second;
  return std::chrono::milliseconds(0);
}

void TestLinkHub::deliver(const std::string& to, const std::string& link, message::Bytes frame) {
  // Deliveries are scheduled (post or a delay), never run inside the sender's call.
  sched_.schedule(sched_.now() + delayOf(link), [this, to, link, f = std::move(frame)] {
    auto it = nodes_.find(to);
    if (it == nodes_.end()) return;
    ++delivered_;
    it->second.m->receive(link, f);
  });
}

void TestLinkHub::inject(const std::string& to, const std::string& link,
                         const message::Bytes& frame) {
  deliver(to, link, frame);
}

void TestLinkHub::broadcast(const std::string& from, const message::Bytes& frame) {
  sent_[from].push_back(frame);
  const auto& links = nodes_.at(from).links;
  for (const auto& link : links) {
    message::Bytes f = frame;
    if ((corrupt_.count(link) != 0 || corrupt_.count("") != 0) && !f.empty()) {
      f[f.size() / 2] ^= 0x10;
    }
    for (const auto& [to, n] : nodes_) {
      if (to == from) continue;
      if (std::find(n.links.begin(), n.links.end(), link) == n.links.end()) continue;
      if (blocked(from, to, link)) continue;
      deliver(to, link, f);
    }
  }
}

}  // namespace hb::test
