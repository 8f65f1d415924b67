// SPDX-License-Identifier: GPL-2.0-or-later
// hb_node: one cluster node without the process around it: membership + resource manager + link
// fan-out, built from injected links, a Scheduler and a ProcessLauncher.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/executor/executor.h"
#include "hbd/link/link.h"
#include "hbd/membership/membership.h"
#include "resources/agents/agents.h"
#include "resources/base/log.h"
#include "resources/base/scheduler.h"

namespace hb::node {

/** Everything a Node needs, mapped from the config by the daemon (or written by a test). */
struct NodeOptions {
  membership::Options membership;        ///< links: the names of the injected links, in order
  resources::AgentRunnerOptions runner;  ///< the AgentRunner's options (it runs on the launcher)
  /** The resource manager's options; none: membership only (no haresources). `self` is forced
   *  to membership.self. */
  std::optional<executor::Options> resources;
};

/**
 * One cluster node: a Membership fed by every injected link (each frame membership sends goes out
 * on all of them), an AgentRunner on the injected launcher, and a ResourceManager driven by
 * membership's changes (mapChange) and carried in Cluster messages. Opens no socket and starts no
 * process itself: the daemon injects the real links and the spawn launcher, the tests fakes.
 * Loop thread only. Lifecycle: construct -> (links opened by the owner) -> start() -> ... ->
 * shutdown(done) -> announceShutdown() -> stop().
 */
class Node {
 public:
  /** `links`, `sched`, `launcher` and `log` are not owned and must outlive the Node. */
  Node(NodeOptions o, std::vector<link::Link*> links, Scheduler& sched, resources::ProcessLauncher& launcher,
       LogSink& log);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /** Starts membership (heartbeats, timers) and the resource manager (probes). */
  void start();
  /** Orderly: stops every local group right to left, then calls done (at once without groups). */
  void shutdown(std::function<void()> done);
  /** Cancels every agent action still running, tells the peers we leave, stops heartbeats. */
  void announceShutdown();
  /** Cancels membership's timers (call after announceShutdown()). */
  void stop();

  /**
   * Reload: `l` (opened by the owner, not owned) carries our frames from now on and feeds
   * membership under its name (Membership::addLink; its open state from stats().device_ok).
   * Add a replacement before removing the link it replaces, so membership keeps the name's state.
   */
  void addLink(link::Link& l);
  /** Reload: `l` no longer carries frames; its callbacks are cleared, so the owner may close and
   *  destroy it. Membership forgets the name unless another link of ours has it. */
  void removeLink(link::Link& l);

  membership::Membership& membership() { return *membership_; }
  const membership::Membership& membership() const { return *membership_; }
  /** The resource manager; nullptr without resources. */
  executor::ResourceManager* resources() { return rm_.get(); }
  const executor::ResourceManager* resources() const { return rm_.get(); }
  resources::AgentRunner& runner() { return *runner_; }
  const std::string& self() const { return self_; }

 private:
  void onMessage(const message::Message& m);
  void wire(link::Link& l);

  std::string self_;
  LogSink& log_;
  std::vector<link::Link*> links_;
  // Never run: the AgentRunner wants a loop for its default launcher, which the injected one replaces.
  boost::asio::io_context unused_io_;
  std::unique_ptr<membership::Membership> membership_;
  std::unique_ptr<resources::AgentRunner> runner_;
  std::unique_ptr<executor::ResourceManager> rm_;
};

/**
 * The bridge from membership to the resource manager, a plain mapping of what membership reports:
 * our own comms up -> setCommsUp(true); a peer dead -> nodeDead (why "shut down" for a Shutdown
 * notice, else "declared dead"); a peer alive after init/dead, or restarted -> nodeUp with the
 * generation the change carries. Link changes and state changes between alive states map to nothing.
 */
void mapChange(const membership::Change& c, const std::string& self, executor::ResourceManager& rm);

}  // namespace hb::node
