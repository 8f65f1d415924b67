// SPDX-License-Identifier: GPL-2.0-or-later
// SimAgents: the resource agents of N simulated machines. Each machine's ProcessLauncher runs no
// process: start/stop/monitor results and durations come from a script, and the machine remembers
// which resources may be running (so probes and monitors tell the truth).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "resources/agents/agents.h"
#include "tests/fakes/fake_scheduler.h"

namespace hb::test {

class SimAgents {
 public:
  /** How one agent action behaves. */
  struct Behaviour {
    int rc = 0;
    std::chrono::milliseconds delay{20};
    bool hang = false;  ///< never exits by itself (only a signal from the runner ends it)
    int times = -1;     ///< how many launches this applies to (-1: always)
  };

  explicit SimAgents(FakeScheduler& s);
  ~SimAgents();
  SimAgents(const SimAgents&) = delete;
  SimAgents& operator=(const SimAgents&) = delete;

  /** The launcher of machine `node` (kept by the SimAgents; valid until powerOff or destruction). */
  resources::ProcessLauncher& launcher(const std::string& node);

  /** Scripts `action` of `rsc` on `node` ("*": every node). Unscripted: start 20 ms rc 0; stop
   *  10 ms rc 0; monitor 1 ms, rc 0 while the resource may run on the machine, else 7. */
  void script(const std::string& node, const std::string& rsc, const std::string& action, Behaviour b);

  /** The machine loses power: its children vanish without exiting, its resources stop running. */
  void powerOff(const std::string& node);
  /** hbd dies on `node` but the machine runs on: the launcher and its children are forgotten (no
   *  exit is reported to anyone), what runs keeps running. */
  void daemonGone(const std::string& node);
  /** A resource already runs on `node` (found by the first probe). */
  void preActive(const std::string& node, const std::string& rsc) { active_[node].insert(rsc); }

  /** Resources possibly running on `node`: a start was launched and no stop succeeded since. */
  const std::set<std::string>& active(const std::string& node) { return active_[node]; }
  /** "node action rsc" of every start and stop launched, in order. */
  std::vector<std::string> journal;
  /** Called at every start launch, before the machine counts the resource as running. */
  std::function<void(const std::string& node, const std::string& rsc)> onStart;

 private:
  class Launcher;
  struct Child;
  Behaviour behaviourFor(const std::string& node, const std::string& rsc, const std::string& action);
  void exited(const std::string& node, const std::string& rsc, const std::string& action, int rc, bool signaled);

  FakeScheduler& sched_;
  std::map<std::string, std::unique_ptr<Launcher>> launchers_;
  std::map<std::string, std::set<std::string>> active_;
  std::map<std::tuple<std::string, std::string, std::string>, Behaviour> script_;
};

}  // namespace hb::test
