// SPDX-License-Identifier: GPL-2.0-or-later
// ReplayGuard: per-sender generation plus a sliding window of seen sequence numbers.
#include <algorithm>

#include "hbd/message/message.h"

namespace hb::message {

ReplayGuard::Verdict ReplayGuard::check(const Message& m) {
  const std::size_t window = std::max<std::size_t>(window_, 1);
  auto reset = [&](Peer& p) {
    p.generation = m.generation;
    p.ceiling = std::max(p.ceiling, m.generation);
    p.highest = m.seq;
    p.seen.assign(window, false);
    p.seen[m.seq % window] = true;
  };
  auto it = peers_.find(m.from);
  if (it == peers_.end()) {
    reset(peers_[m.from]);
    return Verdict::New;
  }
  Peer& p = it->second;
  if (m.generation > p.ceiling) {
    reset(p);
    return Verdict::Restart;
  }
  // Lower than the current one, or between it and the ceiling after an adopt(): an incarnation
  // the sender has left (or claims to be, unproven).
  if (m.generation != p.generation) return Verdict::Replay;
  if (m.seq > p.highest) {
    // Slide the window: slots for the skipped sequence numbers are now unseen.
    const std::uint64_t gap = m.seq - p.highest;
    if (gap >= window) {
      std::fill(p.seen.begin(), p.seen.end(), false);
    } else {
      for (std::uint64_t s = p.highest + 1; s < m.seq; ++s) p.seen[s % window] = false;
    }
    p.highest = m.seq;
    p.seen[m.seq % window] = true;
    return Verdict::New;
  }
  if (p.highest - m.seq >= window) return Verdict::Replay;
  auto slot = p.seen[m.seq % window];
  if (slot) return Verdict::Duplicate;
  slot = true;
  return Verdict::New;
}

std::optional<std::uint64_t> ReplayGuard::generation(const std::string& node) const {
  auto it = peers_.find(node);
  if (it == peers_.end()) return std::nullopt;
  return it->second.generation;
}

void ReplayGuard::adopt(const Message& m) {
  const std::size_t window = std::max<std::size_t>(window_, 1);
  Peer& p = peers_[m.from];
  p.generation = m.generation;
  p.ceiling = std::max(p.ceiling, m.generation);
  p.highest = m.seq;
  p.seen.assign(window, false);
  p.seen[m.seq % window] = true;
}

}  // namespace hb::message
