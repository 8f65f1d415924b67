// SPDX-License-Identifier: GPL-2.0-or-later
// VrrpScriptRunner: track and notify commands through resources::ProcessLauncher, TERM then KILL.
#include <signal.h>

#include <fmt/ranges.h>

#include "hbd/vrrp/vrrp_script_private.h"

namespace hb::vrrp {

bool VrrpScriptRunner::run(const std::string& label, const ScriptCommand& cmd,
                           const std::vector<std::string>& args, Micros timeout,
                           LogLevel output_level, Done done) {
  resources::ProcessSpec spec;
  spec.path = cmd.program;
  spec.argv = cmd.argv;
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {fmt::format("PATH={}", kScriptPath), "LANG=C"};
  const std::string line = fmt::format("{}", fmt::join(spec.argv, " "));
  const std::uint64_t id = next_id_++;
  std::weak_ptr<VrrpScriptRunner> weak = weak_from_this();
  resources::ProcessCallbacks cb;
  cb.onOutput = [weak, id](resources::OutputStream s, std::string_view chunk) {
    if (auto self = weak.lock()) self->onOutput(id, s, chunk);
  };
  cb.onExit = [weak, id](resources::ExitStatus st) {
    if (auto self = weak.lock()) self->onExit(id, st);
  };
  auto p = launcher_.launch(spec, std::move(cb));
  if (!p) {
    HB_LOG(log_, Error, Vrrp, "Cannot run {}: {} | cmd={}", label, p.error().message, line);
    return false;
  }
  Child c;
  c.label = label;
  c.process = std::move(*p);
  c.timer = sched_.createTimer();
  c.done = std::move(done);
  c.level = output_level;
  const int pid = c.process->pid();
  auto [it, inserted] = children_.emplace(id, std::move(c));
  (void)inserted;
  HB_LOG(log_, Debug, Vrrp, "Running {} | cmd={} pid={}", label, line, pid);
  if (timeout.count() > 0) {
    it->second.timer->arm(std::chrono::duration_cast<std::chrono::milliseconds>(timeout),
                          [weak, id, timeout] {
                            auto self = weak.lock();
                            if (!self) return;
                            auto ch = self->children_.find(id);
                            if (ch == self->children_.end()) return;
                            ch->second.timed_out = true;
                            HB_LOG(self->log_, Warning, Vrrp,
                                   "{} timed out: sending TERM | pid={} timeout_ms={}",
                                   ch->second.label, ch->second.process->pid(),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
                            self->escalate(id);
                          });
  }
  return true;
}

// TERM now and KILL after the grace; a third step only logs that the group will not die.
void VrrpScriptRunner::escalate(std::uint64_t id) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child& c = it->second;
  std::weak_ptr<VrrpScriptRunner> weak = weak_from_this();
  c.process->killGroupOnExit();  // grandchildren die with the leader
  c.process->signalGroup(SIGTERM);
  c.timer->arm(kill_grace_, [weak, id] {
    auto self = weak.lock();
    if (!self) return;
    auto ch = self->children_.find(id);
    if (ch == self->children_.end()) return;
    HB_LOG(self->log_, Warning, Vrrp, "{} ignored TERM: sending KILL | pid={}", ch->second.label,
           ch->second.process->pid());
    ch->second.kill_sent = true;
    ch->second.process->signalGroup(SIGKILL);
    ch->second.timer->arm(self->kill_grace_, [weak, id] {
      auto s = weak.lock();
      if (!s) return;
      auto c2 = s->children_.find(id);
      if (c2 == s->children_.end()) return;
      HB_LOG(s->log_, Error, Vrrp, "{}: child will not die | pid={}", c2->second.label,
             c2->second.process->pid());
    });
  });
}

void VrrpScriptRunner::stopAll() {
  std::vector<std::uint64_t> ids;
  for (auto& [id, c] : children_) {
    c.done = nullptr;
    c.timer->cancel();
    ids.push_back(id);
  }
  for (auto id : ids) escalate(id);
}

void VrrpScriptRunner::onOutput(std::uint64_t id, resources::OutputStream s,
                                std::string_view chunk) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child& c = it->second;
  c.tail.append(chunk);
  if (c.tail.size() > kOutputTailBytes) c.tail.erase(0, c.tail.size() - kOutputTailBytes);
  std::string& part = c.partial[s == resources::OutputStream::Stdout ? 0 : 1];
  part.append(chunk);
  std::size_t nl;
  while ((nl = part.find('\n')) != std::string::npos) {
    onLine(c, std::string_view(part).substr(0, nl));
    part.erase(0, nl + 1);
  }
  // A line longer than the tail is logged in pieces rather than kept growing.
  if (part.size() > kOutputTailBytes) {
    onLine(c, part);
    part.clear();
  }
}

void VrrpScriptRunner::onLine(Child& c, std::string_view line) {
  if (c.logged > kMaxLoggedLines) return;
  if (c.logged++ == kMaxLoggedLines) {
    HB_LOG(log_, Notice, Vrrp, "{}: further output not logged | limit={}", c.label, kMaxLoggedLines);
    return;
  }
  if (!log_.enabled(c.level)) return;
  log_.write(LogRecord{c.level, Subsys::Vrrp, fmt::format("{}: {}", c.label, line), __FILE__,
                       __LINE__});
}

void VrrpScriptRunner::onExit(std::uint64_t id, resources::ExitStatus st) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child& c = it->second;
  for (auto& part : c.partial) {
    if (!part.empty()) onLine(c, part);
  }
  ScriptOutcome out;
  out.timed_out = c.timed_out;
  out.signaled = st.signaled;
  out.code = st.code;
  out.ok = !st.signaled && st.code == 0 && !c.timed_out;
  out.output_tail = std::move(c.tail);
  Done done = std::move(c.done);
  children_.erase(it);  // destroys the Process: allowed inside onExit
  if (done) done(out);
}

}  // namespace hb::vrrp
