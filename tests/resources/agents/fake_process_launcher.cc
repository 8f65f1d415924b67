// SPDX-License-Identifier: GPL-2.0-or-later
// FakeProcessLauncher implementation.
#include "tests/resources/agents/fake_process_launcher.h"

#include <signal.h>

namespace hb::resources::test {
namespace {

class FakeProcess final : public Process {
 public:
  FakeProcess(std::shared_ptr<FakeProcessLauncher::Child> c, Scheduler& s)
      : child_(std::move(c)), scheduler_(s) {
    child_->handleAlive = true;
  }
  ~FakeProcess() override { child_->handleAlive = false; }
  int pid() const override { return child_->pid; }
  void killGroupOnExit() override { child_->killGroupOnExit = true; }
  void signalGroup(int signo) override {
    if (child_->exited) return;
    child_->signals.push_back(signo);
    const bool dies = (signo == SIGTERM && !child_->ignoreTerm) ||
                      (signo == SIGKILL && !child_->ignoreKill);
    if (!dies) return;
    std::weak_ptr<FakeProcessLauncher::Child> weak = child_;
    scheduler_.post([weak, signo] {
      if (auto c = weak.lock(); c && !c->exited) c->exit(signo, true);
    });
  }

 private:
  std::shared_ptr<FakeProcessLauncher::Child> child_;
  Scheduler& scheduler_;
};

}  // namespace

void FakeProcessLauncher::Child::output(OutputStream s, std::string_view chunk) {
  if (!exited && callbacks.onOutput) callbacks.onOutput(s, chunk);
}

void FakeProcessLauncher::Child::exit(int code, bool signaled) {
  if (exited) return;
  exited = true;
  auto onExit = std::move(callbacks.onExit);
  callbacks = {};
  if (onExit) onExit(ExitStatus{signaled, code});
}

std::vector<std::string> FakeProcessLauncher::Child::args() const {
  return std::vector<std::string>(spec.argv.begin() + (spec.argv.empty() ? 0 : 1), spec.argv.end());
}

std::optional<std::string> FakeProcessLauncher::Child::env(std::string_view name) const {
  for (const auto& e : spec.env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      return e.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

Result<ProcessPtr> FakeProcessLauncher::launch(const ProcessSpec& spec, ProcessCallbacks cb) {
  if (failNext_) {
    Error e = std::move(*failNext_);
    failNext_.reset();
    return e;
  }
  auto c = std::make_shared<Child>();
  c->spec = spec;
  c->callbacks = std::move(cb);
  c->pid = nextPid_++;
  children.push_back(c);
  if (autoRun) {
    std::weak_ptr<Child> weak = c;
    scheduler_.post([weak, f = autoRun] {
      if (auto child = weak.lock(); child && !child->exited) f(*child);
    });
  }
  return ProcessPtr(std::make_unique<FakeProcess>(c, scheduler_));
}

}  // namespace hb::resources::test
