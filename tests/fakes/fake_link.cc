// SPDX-License-Identifier: GPL-2.0-or-later
// SimWire: per-copy loss, duplication and delay drawn from one seeded generator.
#include "tests/fakes/fake_link.h"

namespace hb::test {

SimWire::~SimWire() = default;

std::unique_ptr<FakeLink> SimWire::makeLink(const std::string& node, const std::string& medium) {
  const std::uint64_t id = next_id_++;
  auto l = std::make_unique<FakeLink>(*this, id, node, medium);
  links_[id] = l.get();
  return l;
}

void SimWire::detach(const FakeLink* l) { links_.erase(l->id()); }

void SimWire::partition(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      block(x, y);
      block(y, x);
    }
  }
}

void SimWire::block(const std::string& from, const std::string& to, const std::string& medium, bool on) {
  if (on) {
    blocks_.emplace(from, to, medium);
  } else {
    blocks_.erase({from, to, medium});
  }
}

void SimWire::cut(const std::string& medium, bool on) {
  if (on) {
    cut_.insert(medium);
  } else {
    cut_.erase(medium);
  }
}

void SimWire::heal() {
  blocks_.clear();
  cut_.clear();
}

const SimWire::Knobs& SimWire::knobsOf(const std::string& medium) const {
  if (auto it = knobs_.find(medium); it != knobs_.end()) return it->second;
  static const Knobs kDefault{};
  if (auto it = knobs_.find(""); it != knobs_.end()) return it->second;
  return kDefault;
}

bool SimWire::blocked(const std::string& from, const std::string& to, const std::string& medium) const {
  return cut_.count(medium) != 0 || blocks_.count({from, to, medium}) != 0 || blocks_.count({from, to, ""}) != 0;
}

void SimWire::transmit(const FakeLink& from, link::ByteView frame) {
  const std::string medium(from.name());
  const Knobs& k = knobsOf(medium);
  std::uniform_int_distribution<int> pct(0, 99);
  for (auto& [id, to] : links_) {
    if (to == &from || to->name() != from.name() || to->node() == from.node()) continue;
    if (blocked(from.node(), to->node(), medium)) {
      ++lost;
      continue;
    }
    int copies = 1;
    if (k.dup_pct > 0 && pct(rng_) < k.dup_pct) {
      copies = 2;
      ++duplicated;
    }
    for (int c = 0; c < copies; ++c) {
      if (k.loss_pct > 0 && pct(rng_) < k.loss_pct) {
        ++lost;
        continue;
      }
      auto delay = k.delay;
      if (k.jitter.count() > 0) {
        delay += std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(0, k.jitter.count())(rng_));
      }
      std::vector<std::uint8_t> bytes(frame.begin(), frame.end());
      const std::uint64_t dest = id;
      const std::string sender = from.node();
      sched_.schedule(sched_.now() + delay, [this, dest, sender, bytes = std::move(bytes)] {
        auto it = links_.find(dest);
        if (it == links_.end() || !it->second->isOpen()) {
          ++lost;
          return;
        }
        ++delivered;
        it->second->receive(bytes, sender);
      });
    }
  }
}

Result<void> FakeLink::send(link::ByteView frame) {
  if (frame.size() > maxFrameSize()) {
    ++stats_.send_errors;
    return err(Errc::InvalidArgument, "frame too large");
  }
  if (!open_) {
    ++stats_.send_errors;
    return err(Errc::Io, "link " + medium_ + " is closed");
  }
  ++stats_.frames_sent;
  stats_.bytes_sent += frame.size();
  wire_.transmit(*this, frame);
  return {};
}

void FakeLink::receive(const std::vector<std::uint8_t>& frame, const std::string& from) {
  ++stats_.frames_received;
  stats_.bytes_received += frame.size();
  if (deliver_) deliver_(link::ByteView(frame.data(), frame.size()), link::PeerHint{from});
}

}  // namespace hb::test
