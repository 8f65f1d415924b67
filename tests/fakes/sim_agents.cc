// SPDX-License-Identifier: GPL-2.0-or-later
// SimAgents: scripted children on the FakeScheduler; a signal ends a child on the next turn.
#include "tests/fakes/sim_agents.h"

#include <signal.h>

namespace hb::test {

struct SimAgents::Child {
  std::string rsc, action;
  resources::ProcessCallbacks cb;
  TimerPtr timer;
  bool exited = false;
  int pid = 0;
  void exit(int code, bool signaled) {
    if (exited) return;
    exited = true;
    if (timer) timer->cancel();
    auto on_exit = std::move(cb.onExit);
    cb = {};
    if (on_exit) on_exit(resources::ExitStatus{signaled, code});
  }
};

namespace {

class SimProcess final : public resources::Process {
 public:
  SimProcess(std::weak_ptr<void> child, int pid, std::function<void(int)> signal)
      : child_(std::move(child)), pid_(pid), signal_(std::move(signal)) {}
  int pid() const override { return pid_; }
  void killGroupOnExit() override {}
  void signalGroup(int signo) override {
    if (!child_.expired()) signal_(signo);
  }

 private:
  std::weak_ptr<void> child_;
  int pid_;
  std::function<void(int)> signal_;
};

}  // namespace

class SimAgents::Launcher final : public resources::ProcessLauncher {
 public:
  Launcher(SimAgents& a, std::string node) : agents_(a), node_(std::move(node)) {}
  Result<resources::ProcessPtr> launch(const resources::ProcessSpec& spec, resources::ProcessCallbacks cb) override {
    auto c = std::make_shared<Child>();
    c->action = spec.argv.size() > 1 ? spec.argv[1] : "";
    for (const auto& e : spec.env) {
      if (e.rfind("OCF_RESOURCE_INSTANCE=", 0) == 0) c->rsc = e.substr(22);
    }
    c->cb = std::move(cb);
    c->pid = next_pid_++;
    children_.push_back(c);
    if (c->action == "start" || c->action == "stop") agents_.journal.push_back(node_ + " " + c->action + " " + c->rsc);
    if (c->action == "start") {
      if (agents_.onStart) agents_.onStart(node_, c->rsc);
      agents_.active_[node_].insert(c->rsc);
    }
    const Behaviour b = agents_.behaviourFor(node_, c->rsc, c->action);
    std::weak_ptr<Child> weak = c;
    if (!b.hang) {
      c->timer = agents_.sched_.createTimer();
      c->timer->arm(b.delay, [this, weak, rc = b.rc] {
        auto self = weak.lock();
        if (!self || self->exited) return;
        agents_.exited(node_, self->rsc, self->action, rc, false);
        self->exit(rc, false);
      });
    }
    FakeScheduler& sched = agents_.sched_;
    auto signal = [weak, &sched](int signo) {
      if (signo != SIGTERM && signo != SIGKILL) return;
      sched.post([weak, signo] {
        if (auto self = weak.lock()) self->exit(signo, true);
      });
    };
    return resources::ProcessPtr(std::make_unique<SimProcess>(c, c->pid, signal));
  }

 private:
  SimAgents& agents_;
  std::string node_;
  std::vector<std::shared_ptr<Child>> children_;
  int next_pid_ = 100;
};

SimAgents::SimAgents(FakeScheduler& s) : sched_(s) {}
SimAgents::~SimAgents() = default;

resources::ProcessLauncher& SimAgents::launcher(const std::string& node) {
  auto& l = launchers_[node];
  if (!l) l = std::make_unique<Launcher>(*this, node);
  return *l;
}

void SimAgents::script(const std::string& node, const std::string& rsc, const std::string& action, Behaviour b) {
  script_[{node, rsc, action}] = b;
}

void SimAgents::powerOff(const std::string& node) {
  launchers_.erase(node);  // children gone: no exit is ever reported
  active_[node].clear();
}

void SimAgents::daemonGone(const std::string& node) { launchers_.erase(node); }

SimAgents::Behaviour SimAgents::behaviourFor(const std::string& node, const std::string& rsc,
                                             const std::string& action) {
  for (const auto& key : {std::make_tuple(node, rsc, action), std::make_tuple(std::string("*"), rsc, action)}) {
    auto it = script_.find(key);
    if (it == script_.end() || it->second.times == 0) continue;
    Behaviour b = it->second;
    if (it->second.times > 0) --it->second.times;
    return b;
  }
  Behaviour b;
  if (action == "monitor") {
    b.rc = active_[node].count(rsc) != 0 ? 0 : 7;
    b.delay = std::chrono::milliseconds(1);
  } else if (action == "stop") {
    b.delay = std::chrono::milliseconds(10);
  }
  return b;
}

void SimAgents::exited(const std::string& node, const std::string& rsc, const std::string& action, int rc,
                       bool signaled) {
  if (action == "stop" && !signaled && (rc == 0 || rc == 7)) active_[node].erase(rsc);
}

}  // namespace hb::test
