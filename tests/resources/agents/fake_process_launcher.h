// SPDX-License-Identifier: GPL-2.0-or-later
// FakeProcessLauncher: scripted children (output, exit codes, hangs) for fast AgentRunner tests.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "resources/agents/agents.h"

namespace hb::resources::test {

/**
 * Records every launch; a test drives each child by hand. Signals are recorded; by default
 * SIGTERM and SIGKILL end the child (signaled), posted through the Scheduler so the runner is
 * never re-entered from inside its own signalGroup() call. Loop thread only.
 */
class FakeProcessLauncher final : public ProcessLauncher {
 public:
  /** One launched child. */
  struct Child {
    ProcessSpec spec;
    ProcessCallbacks callbacks;
    int pid = 0;
    std::vector<int> signals;       ///< signals sent to the group, in order
    bool killGroupOnExit = false;
    bool ignoreTerm = false;        ///< SIGTERM does nothing
    bool ignoreKill = false;        ///< SIGKILL does nothing ("will not die")
    bool exited = false;
    bool handleAlive = false;       ///< the runner still holds the Process

    /** Delivers a chunk of output. */
    void output(OutputStream s, std::string_view chunk);
    /** Exits with `code` (or by `signal` when signaled). */
    void exit(int code, bool signaled = false);
    /** The agent's argument list without argv[0]. */
    std::vector<std::string> args() const;
    /** Value of environment variable `name`, if set. */
    std::optional<std::string> env(std::string_view name) const;
  };

  explicit FakeProcessLauncher(Scheduler& scheduler) : scheduler_(scheduler) {}

  Result<ProcessPtr> launch(const ProcessSpec& spec, ProcessCallbacks callbacks) override;

  /** The next launch fails with this error (once). */
  void failNextLaunch(Error e) { failNext_ = std::move(e); }
  /** When set, every new child runs this right after launch (e.g. print and exit), posted. */
  std::function<void(Child&)> autoRun;

  std::vector<std::shared_ptr<Child>> children;

 private:
  Scheduler& scheduler_;
  std::optional<Error> failNext_;
  int nextPid_ = 1000;
};

}  // namespace hb::resources::test
