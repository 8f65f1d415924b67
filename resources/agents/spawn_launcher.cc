// SPDX-License-Identifier: GPL-2.0-or-later
// The production ProcessLauncher: posix_spawn + pidfd + non-blocking output pipes on the loop.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>

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

// State shared by the Process handle and the loop handlers (weak_ptr in handlers).
class SpawnedState : public std::enable_shared_from_this<SpawnedState> {
 public:
  SpawnedState(asio::io_context& io, pid_t pid, int pidfd, int outFd, int errFd,
               ProcessCallbacks cb)
      : pid_(pid), pidfd_(io, pidfd), out_(io, outFd), err_(io, errFd), cb_(std::move(cb)) {}

  ~SpawnedState() {
    if (!reaped_) {
      // Last resort (runner destroyed with children alive): the group dies now. A SIGKILLed
      // child is reaped promptly, so this short blocking wait is acceptable at teardown only.
      ::kill(-pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
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
    if (!reaped_) ::kill(-pid_, signo);
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
    if (killGroupOnExit_) ::kill(-pid_, SIGKILL);
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
    auto keep = shared_from_this();  // onExit may destroy the Process handle
    if (cb_.onExit) {
      auto onExit = std::move(cb_.onExit);
      cb_ = {};
      onExit(st);
    }
  }

  pid_t pid_;
  asio::posix::stream_descriptor pidfd_;
  asio::posix::stream_descriptor out_;
  asio::posix::stream_descriptor err_;
  ProcessCallbacks cb_;
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

// Owns posix_spawn attribute objects for the duration of one launch.
struct SpawnSetup {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

class SpawnLauncher final : public ProcessLauncher {
 public:
  explicit SpawnLauncher(asio::io_context& io) : io_(io) {}

  Result<ProcessPtr> launch(const ProcessSpec& spec, ProcessCallbacks cb) override {
    Pipe out, errp;
    if (::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(errp.fd, O_CLOEXEC) != 0) {
      return err(Errc::Io, std::string("pipe: ") + std::strerror(errno));
    }
    SpawnSetup s;
    // Child setup order (style.md §3): own process group, signals default + empty mask, stdout
    // and stderr to the pipes, stdin /dev/null, everything above 2 closed, cwd /, exec.
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    sigset_t all, none;
    // All bits, not sigfillset(): glibc's sigfillset leaves out its two internal signals, and
    // posix_spawn would then hand them to the agent as SIG_IGN (a fork+exec child has none).
    std::memset(&all, 0xff, sizeof all);
    sigemptyset(&none);
    if (posix_spawnattr_setflags(&s.attr, flags) != 0 || posix_spawnattr_setpgroup(&s.attr, 0) != 0 ||
        posix_spawnattr_setsigdefault(&s.attr, &all) != 0 ||
        posix_spawnattr_setsigmask(&s.attr, &none) != 0 ||
        posix_spawn_file_actions_adddup2(&s.fa, out.fd[1], 1) != 0 ||
        posix_spawn_file_actions_adddup2(&s.fa, errp.fd[1], 2) != 0 ||
        posix_spawn_file_actions_addopen(&s.fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addclosefrom_np(&s.fa, 3) != 0 ||
        posix_spawn_file_actions_addchdir_np(&s.fa, "/") != 0) {
      return err(Errc::Internal, "posix_spawn setup failed");
    }
    std::vector<char*> argv, envp;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, spec.path.c_str(), &s.fa, &s.attr, argv.data(), envp.data());
    if (rc != 0) {
      // glibc reports exec failures here (the child never ran the agent).
      return err(rc == ENOENT ? Errc::NotFound : rc == EACCES ? Errc::Permission : Errc::Io,
                 "cannot execute " + spec.path + ": " + std::strerror(rc));
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
      int status = 0;
      ::waitpid(pid, &status, 0);
      return err(Errc::Io, std::string("pidfd_open: ") + std::strerror(e));
    }
    auto state = std::make_shared<SpawnedState>(io_, pid, pidfd, out.fd[0], errp.fd[0], std::move(cb));
    out.fd[0] = -1;  // owned by the descriptors now
    errp.fd[0] = -1;
    state->start();
    return ProcessPtr(std::make_unique<SpawnedProcess>(std::move(state)));
  }

 private:
  asio::io_context& io_;
};

}  // namespace

ProcessLauncherPtr makeSpawnLauncher(asio::io_context& io) { return std::make_unique<SpawnLauncher>(io); }

}  // namespace hb::resources
