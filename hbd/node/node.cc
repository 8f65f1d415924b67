// SPDX-License-Identifier: GPL-2.0-or-later
// Node: wires injected links, membership and the resource manager on one Scheduler.
#include "hbd/node/node.h"

#include <algorithm>

namespace hb::node {

void mapChange(const membership::Change& c, const std::string& self, executor::ResourceManager& rm) {
  using membership::ChangeKind;
  using membership::NodeState;
  if (c.node == self) {
    if (c.kind == ChangeKind::NodeState && c.new_state == NodeState::Active) rm.setCommsUp(true);
    return;
  }
  switch (c.kind) {
    case ChangeKind::NodeState:
      if (c.new_state == NodeState::Dead) {
        rm.nodeDead(c.node, c.reason == membership::ChangeReason::Shutdown ? "shut down" : "declared dead");
      } else if (c.old_state == NodeState::Dead || c.old_state == NodeState::Init) {
        rm.nodeUp(c.node, c.generation);
      }
      return;
    case ChangeKind::Restart:
      // A new incarnation of a member. One of a node that is not a member (dead, shut down) becomes
      // one with its first heartbeat: the NodeState change above calls nodeUp then.
      if (c.new_state != NodeState::Dead && c.new_state != NodeState::Init) rm.nodeUp(c.node, c.generation);
      return;
    case ChangeKind::LinkState:
      return;
  }
}

Node::Node(NodeOptions o, std::vector<link::Link*> links, Scheduler& sched, resources::ProcessLauncher& launcher,
           LogSink& log)
    : self_(o.membership.self), log_(log), links_(std::move(links)) {
  membership_ = std::make_unique<membership::Membership>(o.membership, sched, log);
  runner_ = std::make_unique<resources::AgentRunner>(sched, unused_io_, log, o.runner, &launcher);
  if (o.resources) {
    o.resources->self = self_;
    rm_ = std::make_unique<executor::ResourceManager>(*o.resources, sched, log, *runner_);
    rm_->setSender([this](const executor::Fields& f) {
      message::Message m;
      m.type = message::MsgType::Cluster;
      for (const auto& [k, v] : f) m.fields[k] = v;
      if (auto r = membership_->send(std::move(m)); !r) {
        HB_LOG(log_, Error, Crm, "cannot send a cluster message: {}", r.error().message);
      }
    });
  }
  membership_->onChange([this](const membership::Change& c) {
    if (rm_) mapChange(c, self_, *rm_);
  });
  membership_->onMessage([this](const message::Message& m) { onMessage(m); });
  membership_->setSender([this](const message::Bytes& frame) {
    for (auto* l : links_) (void)l->send(link::ByteView(frame.data(), frame.size()));
  });
  for (auto* l : links_) wire(*l);
}

void Node::wire(link::Link& l) {
  std::string name(l.name());
  l.onFrame([this, name](link::ByteView bytes, const link::PeerHint&) {
    membership_->receive(name, message::ByteView(bytes.data(), bytes.size()));
  });
  // A link that is not open cannot testify: membership counts no silence on it (initdead).
  l.onStatus([this, name](bool device_ok) { membership_->setLinkOpen(name, device_ok); });
}

void Node::addLink(link::Link& l) {
  if (std::find(links_.begin(), links_.end(), &l) != links_.end()) return;
  links_.push_back(&l);
  wire(l);
  membership_->addLink(std::string(l.name()));
  membership_->setLinkOpen(l.name(), l.stats().device_ok);
}

void Node::removeLink(link::Link& l) {
  auto it = std::find(links_.begin(), links_.end(), &l);
  if (it == links_.end()) return;
  links_.erase(it);
  l.onFrame(nullptr);
  l.onStatus(nullptr);
  // A link with the same name that replaced this one keeps the name's state in membership.
  const bool name_kept =
      std::any_of(links_.begin(), links_.end(), [&](const link::Link* o) { return o->name() == l.name(); });
  if (!name_kept) membership_->removeLink(l.name());
}

Node::~Node() {
  // The links outlive us: leave no callback into a destroyed Node behind.
  for (auto* l : links_) {
    l->onFrame(nullptr);
    l->onStatus(nullptr);
  }
}

void Node::onMessage(const message::Message& m) {
  if (m.type != message::MsgType::Cluster || !rm_) return;
  executor::Fields f;
  for (const auto& [k, v] : m.fields) {
    if (const auto* str = std::get_if<std::string>(&v)) {
      f[k] = *str;
    } else {
      f[k] = std::to_string(std::get<std::uint64_t>(v));
    }
  }
  rm_->receive(m.from, m.generation, f);
}

void Node::start() {
  membership_->start();
  if (rm_) rm_->start();
}

void Node::shutdown(std::function<void()> done) {
  if (rm_) {
    rm_->shutdown(std::move(done));
    return;
  }
  if (done) done();
}

void Node::announceShutdown() {
  runner_->cancelAll();
  membership_->announceShutdown();
}

void Node::stop() { membership_->stop(); }

}  // namespace hb::node
