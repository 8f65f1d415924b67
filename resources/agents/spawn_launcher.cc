// SPDX-License-Identifier: GPL-2.0-or-later
// The production ProcessLauncher: vfork + exec into a per-action cgroup, pidfd + non-blocking
// output pipes on the loop.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "resources/agents/agent_cgroup_private.h"
#include "resources/agents/agents.h"

namespace hb::resources {
namespace {

namespace asio = boost::asio;

// Per wake-up we read at most this much from one pipe, so one chatty agent cannot starve the
// loop; at exit we drain at most kDrainLimit more (a grandchild may keep writing forever).
constexpr std::size_t kReadBuf = 16 * 1024;
constexpr std::size_t kReadPerWake = 64 * 1024;
constexpr std::size_t kDrainLimit = 1024 * 1024;

int pidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Both pipe ends: [0] read, [1] write.
struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() { closeAll(); }
  void closeAll() {
    for (int& f : fd) {
      if (f >= 0) ::close(f);
      f = -1;
    }
  }
};


// Action cgroups after their leader was reaped: what is left is killed (the action timed out or
// was cancelled) or moved to our own cgroup (a daemon the action started: the resource itself),
// then the cgroup is removed, at once or when cgroup.events says it has emptied. Shared by the
// launcher and its processes; the last owner removes what is still pending (bounded wait).
class CgroupSupervisor : public std::enable_shared_from_this<CgroupSupervisor> {
 public:
  CgroupSupervisor(asio::io_context& io, std::unique_ptr<cgroup::AgentCgroups> root)
      : io_(io), root_(std::move(root)) {}

  ~CgroupSupervisor() {
    // Teardown only: killed processes leave within milliseconds; wait at most ~1 s for each.
    for (auto& [id, p] : pending_) {
      for (int i = 0; i < 100 && !tryRemove(p); ++i) ::usleep(10'000);
    }
  }

  cgroup::AgentCgroups& root() { return *root_; }

  void retire(cgroup::ActionCgroup cg, bool kill) {
    Pending p{std::move(cg), kill, nullptr};
    // Watch before trying: an emptying between the try and the watch would be missed.
    auto watch = p.cg.watchEvents();
    if (tryRemove(p)) return;
    const std::uint64_t id = nextId_++;
    if (watch) {
      p.watch = std::make_unique<asio::posix::stream_descriptor>(io_, watch->release());
    }
    auto& slot = pending_.emplace(id, std::move(p)).first->second;
    if (slot.watch) waitEvents(id);
  }

 private:
  struct Pending {
    cgroup::ActionCgroup cg;
    bool kill;
    std::unique_ptr<asio::posix::stream_descriptor> watch;
  };

  bool tryRemove(Pending& p) {
    if (p.kill) {
      p.cg.killAll();
    } else {
      p.cg.moveAllTo(root_->ownDir());
    }
    return p.cg.remove();
  }

  void waitEvents(std::uint64_t id) {
    std::weak_ptr<CgroupSupervisor> weak = shared_from_this();
    pending_.at(id).watch->async_wait(
        asio::posix::stream_descriptor::wait_read, [weak, id](const boost::system::error_code& ec) {
          auto self = weak.lock();
          if (!self || ec) return;
          auto it = self->pending_.find(id);
          if (it == self->pending_.end()) return;
          std::array<char, 4096> drain{};
          while (::read(it->second.watch->native_handle(), drain.data(), drain.size()) > 0) {
          }
          if (self->tryRemove(it->second)) {
            self->pending_.erase(it);
          } else {
            self->waitEvents(id);
          }
        });
  }

  asio::io_context& io_;
  std::unique_ptr<cgroup::AgentCgroups> root_;
  std::map<std::uint64_t, Pending> pending_;
  std::uint64_t nextId_ = 1;
};

// State shared by the Process handle and the loop handlers (weak_ptr in handlers).
class SpawnedState : public std::enable_shared_from_this<SpawnedState> {
 public:
  SpawnedState(asio::io_context& io, pid_t pid, int pidfd, int outFd, int errFd,
               ProcessCallbacks cb, std::optional<cgroup::ActionCgroup> cg,
               std::shared_ptr<CgroupSupervisor> sup)
      : pid_(pid), pidfd_(io, pidfd), out_(io, outFd), err_(io, errFd), cb_(std::move(cb)),
        cg_(std::move(cg)), sup_(std::move(sup)) {}

  ~SpawnedState() {
    if (!reaped_) {
      // Last resort (runner destroyed with children alive): the group and the cgroup die now. A
      // SIGKILLed child is reaped promptly, so this short blocking wait is acceptable at teardown.
      ::kill(-pid_, SIGKILL);
      if (cg_) cg_->killAll();
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      retireCgroup(true);
    }
  }

  void start() {
    watchPipe(OutputStream::Stdout);
    watchPipe(OutputStream::Stderr);
    std::weak_ptr<SpawnedState> weak = shared_from_this();
    pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                      [weak](const boost::system::error_code& ec) {
                        auto self = weak.lock();
                        if (!self || ec) return;
                        self->onPidfdReadable();
                      });
  }

  int pid() const { return pid_; }
  void killGroupOnExit() { killGroupOnExit_ = true; }
  void signalGroup(int signo) {
    // The leader is not reaped before reaped_ is set, so the group id cannot have been reused.
    if (reaped_) return;
    ::kill(-pid_, signo);
    if (!cg_) return;
    if (signo == SIGKILL) {
      cg_->killAll();
      return;
    }
    // The cgroup's members that left the group (setsid, setpgid) get the signal too; the
    // group's own members got it once already.
    for (int pid : cg_->pids()) {
      if (::getpgid(pid) != pid_) ::kill(pid, signo);
    }
  }

 private:
  asio::posix::stream_descriptor& pipe(OutputStream s) {
    return s == OutputStream::Stdout ? out_ : err_;
  }

  void watchPipe(OutputStream s) {
    std::weak_ptr<SpawnedState> weak = shared_from_this();
    pipe(s).async_wait(asio::posix::stream_descriptor::wait_read,
                       [weak, s](const boost::system::error_code& ec) {
                         auto self = weak.lock();
                         if (!self || ec || self->reaped_) return;
                         if (self->readPipe(s, kReadPerWake)) self->watchPipe(s);
                       });
  }

  // Reads up to `limit` bytes; returns false at EOF/error (pipe closed then).
  bool readPipe(OutputStream s, std::size_t limit) {
    auto& d = pipe(s);
    if (!d.is_open()) return false;
    std::size_t total = 0;
    while (total < limit) {
      ssize_t n = ::read(d.native_handle(), buf_.data(), buf_.size());
      if (n > 0) {
        total += static_cast<std::size_t>(n);
        if (cb_.onOutput) cb_.onOutput(s, std::string_view(buf_.data(), static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      boost::system::error_code ignored;
      d.close(ignored);
      return false;
    }
    return true;
  }

  void onPidfdReadable() {
    // The leader is a zombie now and still holds the group id: the kill cannot hit a stranger.
    if (killGroupOnExit_) {
      ::kill(-pid_, SIGKILL);
      if (cg_) cg_->killAll();
    }
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {  // spurious: wait again
      start();
      return;
    }
    reaped_ = true;
    ExitStatus st;
    if (r < 0) {
      st.signaled = false;
      st.code = -1;  // someone else reaped it (a waitpid(-1) elsewhere): status lost
    } else if (WIFSIGNALED(status)) {
      st.signaled = true;
      st.code = WTERMSIG(status);
    } else {
      st.code = WEXITSTATUS(status);
    }
    // Whatever the agent wrote before exiting is in the pipes now: drain it (bounded), then
    // stop listening; leftover grandchildren may still hold the write ends.
    readPipe(OutputStream::Stdout, kDrainLimit);
    readPipe(OutputStream::Stderr, kDrainLimit);
    boost::system::error_code ignored;
    out_.close(ignored);
    err_.close(ignored);
    pidfd_.close(ignored);
    retireCgroup(killGroupOnExit_);
    auto keep = shared_from_this();  // onExit may destroy the Process handle
    if (cb_.onExit) {
      auto onExit = std::move(cb_.onExit);
      cb_ = {};
      onExit(st);
    }
  }

  // After a timeout or cancel what is left dies; after a normal end it stays (moved out).
  void retireCgroup(bool kill) {
    if (!cg_) return;
    sup_->retire(std::move(*cg_), kill);
    cg_.reset();
  }

  pid_t pid_;
  asio::posix::stream_descriptor pidfd_;
  asio::posix::stream_descriptor out_;
  asio::posix::stream_descriptor err_;
  ProcessCallbacks cb_;
  std::optional<cgroup::ActionCgroup> cg_;
  std::shared_ptr<CgroupSupervisor> sup_;
  bool reaped_ = false;
  bool killGroupOnExit_ = false;
  std::array<char, kReadBuf> buf_{};
};

class SpawnedProcess final : public Process {
 public:
  explicit SpawnedProcess(std::shared_ptr<SpawnedState> s) : s_(std::move(s)) {}
  int pid() const override { return s_->pid(); }
  void signalGroup(int signo) override { s_->signalGroup(signo); }
  void killGroupOnExit() override { s_->killGroupOnExit(); }

 private:
  std::shared_ptr<SpawnedState> s_;
};

// What the child needs, prepared before vfork: the child shares our memory until it execs, so it
// touches nothing else and makes async-signal-safe calls only (no allocation, no locks).
struct ChildPlan {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int stdoutFd = -1;
  int stderrFd = -1;
  int cgroupProcsFd = -1;  // the action cgroup's cgroup.procs, or -1 (no cgroup)
};

// Written by the child before it execs or exits, read by the parent once vfork returns.
struct ChildReport {
  volatile int setupErrno = 0;   // a setup step or execve failed: the child exited 127
  volatile int cgroupErrno = 0;  // the child could not enter its cgroup (it runs uncontained)
};

// Child setup, in order (style.md §3): enter the action's cgroup (before anything can fork, so
// nothing the agent starts is outside it), signal dispositions default, own process group,
// stdout/stderr to the pipes, stdin /dev/null, everything above 2 closed, cwd /, empty mask, exec.
[[noreturn]] void runChild(const ChildPlan& p, ChildReport& r) {
  if (p.cgroupProcsFd >= 0 && ::write(p.cgroupProcsFd, "0", 1) != 1) r.cgroupErrno = errno;
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);  // libc-internal: EINVAL
  }
  bool ok = ::setpgid(0, 0) == 0 && ::dup2(p.stdoutFd, 1) == 1 && ::dup2(p.stderrFd, 2) == 2;
  if (ok) {
    ::close(0);
    const int in = ::open("/dev/null", O_RDONLY);
    ok = in == 0 || (in > 0 && ::dup2(in, 0) == 0);
  }
  ok = ok && ::close_range(3, ~0U, 0) == 0 && ::chdir("/") == 0;
  if (ok) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(p.path, p.argv, p.envp);
  }
  r.setupErrno = errno;
  ::_exit(127);
}

class SpawnLauncher final : public ProcessLauncher {
 public:
  SpawnLauncher(asio::io_context& io, LogSink* log, const SpawnLauncherOptions& o)
      : io_(io), log_(log) {
    cgroup::ProbeOptions probe;
    probe.mount = o.cgroupMount;
    auto root = cgroup::AgentCgroups::create(probe);
    if (!root) {
      if (log_ != nullptr) {
        HB_LOG(*log_, Warning, Exec,
               "agents run without a cgroup: a child that calls setsid can outlive its timeout | "
               "reason={}",
               root.error().message);
      }
      return;
    }
    if (log_ != nullptr) {
      HB_LOG(*log_, Info, Exec, "agents run in their own cgroups | cgroup={} kill={}", (*root)->dir(),
             (*root)->hasKillFile() ? "cgroup.kill" : "freeze");
    }
    sup_ = std::make_shared<CgroupSupervisor>(io, std::move(*root));
  }

  Result<ProcessPtr> launch(const ProcessSpec& spec, ProcessCallbacks cb) override {
    Pipe out, errp;
    if (::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(errp.fd, O_CLOEXEC) != 0) {
      return err(Errc::Io, std::string("pipe: ") + std::strerror(errno));
    }
    std::optional<cgroup::ActionCgroup> cg;
    UniqueFd cgProcs;
    if (sup_) {
      // No cgroup for this action (e.g. too many cgroups): it still runs, as without cgroups.
      auto made = sup_->root().createAction();
      auto procs = made ? made->openProcs() : Result<UniqueFd>(made.error());
      if (made && procs) {
        cg = std::move(*made);
        cgProcs = std::move(*procs);
      } else {
        if (made) made->remove();
        warnUncontained(spec, procs.error().message);
      }
    }
    std::vector<char*> argv, envp;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    ChildPlan plan;
    plan.path = spec.path.c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.stdoutFd = out.fd[1];
    plan.stderrFd = errp.fd[1];
    plan.cgroupProcsFd = cgProcs.get();
    ChildReport report;
    // Every signal blocked from before vfork until the child has reset its dispositions: none of
    // our handlers may run in the child, which shares our memory. All bits, not sigfillset().
    sigset_t all, old;
    std::memset(&all, 0xff, sizeof all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    // vfork: the cost does not grow with the daemon's RSS, and we resume once the child has
    // exec'd (or failed), so its report is complete.
    const pid_t pid = ::vfork();
    if (pid == 0) runChild(plan, report);
    const int forkErrno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    cgProcs.reset();
    if (pid < 0) {
      if (cg) cg->remove();
      return err(Errc::Io, std::string("vfork: ") + std::strerror(forkErrno));
    }
    if (report.setupErrno != 0) {
      // The child never ran the agent and has exited.
      const int e = report.setupErrno;
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (cg) sup_->retire(std::move(*cg), true);
      return err(e == ENOENT ? Errc::NotFound : e == EACCES ? Errc::Permission : Errc::Io,
                 "cannot execute " + spec.path + ": " + std::strerror(e));
    }
    if (report.cgroupErrno != 0) {
      warnUncontained(spec, std::string("cannot enter ") + cg->dir() + ": " +
                                std::strerror(report.cgroupErrno));
      cg->remove();
      cg.reset();
    }
    // We read by hand when asio says readable: our ends must never block the loop.
    ::fcntl(out.fd[0], F_SETFL, ::fcntl(out.fd[0], F_GETFL) | O_NONBLOCK);
    ::fcntl(errp.fd[0], F_SETFL, ::fcntl(errp.fd[0], F_GETFL) | O_NONBLOCK);
    ::close(out.fd[1]);
    out.fd[1] = -1;
    ::close(errp.fd[1]);
    errp.fd[1] = -1;
    int pidfd = pidfdOpen(pid);
    if (pidfd < 0) {
      int e = errno;
      ::kill(-pid, SIGKILL);
      if (cg) cg->killAll();
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (cg) sup_->retire(std::move(*cg), true);
      return err(Errc::Io, std::string("pidfd_open: ") + std::strerror(e));
    }
    auto state = std::make_shared<SpawnedState>(io_, pid, pidfd, out.fd[0], errp.fd[0], std::move(cb),
                                                std::move(cg), sup_);
    out.fd[0] = -1;  // owned by the descriptors now
    errp.fd[0] = -1;
    state->start();
    return ProcessPtr(std::make_unique<SpawnedProcess>(std::move(state)));
  }

 private:
  void warnUncontained(const ProcessSpec& spec, const std::string& why) {
    if (log_ == nullptr) return;
    HB_LOG(*log_, Warning, Exec, "{} runs without its own cgroup | path={} reason={}", spec.path,
           spec.path, why);
  }

  asio::io_context& io_;
  LogSink* log_;
  std::shared_ptr<CgroupSupervisor> sup_;  // null: process groups only
};

}  // namespace

ProcessLauncherPtr makeSpawnLauncher(asio::io_context& io) {
  return std::make_unique<SpawnLauncher>(io, nullptr, SpawnLauncherOptions{});
}

ProcessLauncherPtr makeSpawnLauncher(asio::io_context& io, LogSink& log, SpawnLauncherOptions options) {
  return std::make_unique<SpawnLauncher>(io, &log, options);
}

}  // namespace hb::resources
