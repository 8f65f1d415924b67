// SPDX-License-Identifier: GPL-2.0-or-later
// hbd's wiring: config -> links -> membership -> control socket, all on one io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/executor/executor.h"
#include "hbd/config/config.h"
#include "hbd/control/control.h"
#include "hbd/control/status.h"
#include "hbd/daemon/config_loader.h"
#include "hbd/daemon/log_sinks.h"
#include "hbd/daemon/process.h"
#include "hbd/link/link.h"
#include "hbd/membership/membership.h"
#include "hbd/node/node.h"
#include "hbd/vrrp/vrrp.h"
#include "resources/agents/agents.h"
#include "resources/base/asio_scheduler.h"
#include "resources/base/diagnostic.h"

namespace hb::daemon {

/**
 * The running daemon. Loop thread only. Lifecycle: construct -> start() -> io.run() ->
 * (SIGTERM) shutdown -> io.run() returns.
 */
class Daemon {
 public:
  Daemon(boost::asio::io_context& io, DaemonOptions o, LoadedConfig cfg, DaemonLogSink& log);
  ~Daemon();

  /** Opens links, starts membership and the control socket, installs signal handlers. */
  Result<void> start();
  /** Orderly shutdown: tell peers, close everything; io.run() returns afterwards. */
  void shutdown(const std::string& why);
  /** `hbctl status --json` body. */
  control::Json status() const;
  /** Exit code for main: 0 after a normal stop. */
  int exitCode() const { return exit_code_; }

 private:
  void handleRequest(const control::Request& request, const control::PeerCred& who, control::Reply reply);
  /** hb_standby / hb_takeover, answered at once or (wait) when the groups moved or time ran out. */
  void move(const control::MoveRequest& req, control::Reply reply);
  /** SIGHUP and `hbctl reload`: validate the whole new config; apply keys, timings, links, log
   *  files and resource groups (ResourceManager::reconfigure), or change nothing and say why (errors, or
   *  changes only a restart applies). */
  Result<std::string> reload();
  /** Reload: the links `want` lists that are not running yet, built and opened (each with the
   *  options it was built from); on the first that fails, those opened are closed and its error
   *  returned. Nothing else changes. */
  struct LinkPlan {
    std::vector<std::pair<link::LinkOptions, link::LinkPtr>> added;
  };
  Result<LinkPlan> planLinks(const std::vector<link::LinkOptions>& want);
  /** Reload: the planned links join the node, the running ones `want` no longer lists are closed;
   *  links_ then follows `want`. @return what changed, for the reload's reply. */
  std::string applyLinks(LinkPlan plan, const std::vector<link::LinkOptions>& want);
  void waitSignals();
  void finishShutdown();
  node::NodeOptions nodeOptions();
  /** ha.cf -> the control socket's options (who may change state). */
  control::ControlOptions controlOptions() const;
  Result<void> startControlAndVrrp();
  control::Status statusOf() const;
  std::vector<control::GroupStatusJson> groupsStatus() const;
  std::vector<control::HistoryStatus> historyStatus() const;
  std::vector<control::VrrpStatus> vrrpStatus() const;

  boost::asio::io_context& io_;
  DaemonOptions opts_;
  LoadedConfig cfg_;
  DaemonLogSink& log_;
  AsioScheduler sched_;
  std::vector<link::LinkPtr> links_;
  resources::ProcessLauncherPtr launcher_;  ///< the spawn launcher the node's agents run on
  std::unique_ptr<node::Node> node_;        ///< after links_ and launcher_: destroyed before them
  membership::Membership* membership_ = nullptr;  ///< node_'s; null for a pure VRRP router
  executor::ResourceManager* rm_ = nullptr;       ///< node_'s; null without haresources
  std::unique_ptr<control::ControlServer> control_;
  std::unique_ptr<vrrp::VrrpRouter> vrrp_;
  boost::asio::signal_set signals_;
  TimerPtr exit_timer_;
  TimerPtr grace_timer_;  ///< shutdown with unmanaged groups: the last reports' time
  MonoTime started_at_;
  std::uint64_t generation_ = 0;  ///< this start's, persisted in the state dir (start())
  bool stopping_ = false;
  bool unmanaged_grace_done_ = false;  ///< finishShutdown waited for the last reports once
  std::chrono::milliseconds report_interval_{1000};
  int exit_code_ = 0;
};

/** Where agents are found: provider hbd from the build tree when hbd runs from one (interfaces.md). */
resources::AgentPaths agentPaths(const std::string& config_dir);

}  // namespace hb::daemon
