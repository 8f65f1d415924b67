// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon process: pid file, background start with a reported result, -k, generation, realtime.
#include "hbd/daemon/process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

namespace hb::daemon {

Result<PidFile> PidFile::lock(const std::string& run_dir) {
  ::mkdir(run_dir.c_str(), 0755);
  std::string path = run_dir + "/hbd.pid";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return err(Errc::Io, "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return err(Errc::Io, "another hbd is running with run dir " + run_dir);
  return PidFile(std::move(path), std::move(fd));
}

Result<UniqueFd> lockStateDir(const std::string& state_dir) {
  if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return err(Errc::Io, "cannot create state dir " + state_dir + ": " + std::strerror(errno));
  }
  const std::string path = state_dir + "/hbd.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return err(Errc::Io, "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    return err(Errc::Io, "state dir " + state_dir + " is in use by another hbd (give each hbd its own --state-dir)");
  }
  return fd;
}

void PidFile::writeSelf() {
  const std::string s = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_.get(), 0) != 0) return;
  (void)!::pwrite(fd_.get(), s.data(), s.size(), 0);
}

void PidFile::remove() { ::unlink(path_.c_str()); }

std::optional<pid_t> readPid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return std::nullopt;
  return static_cast<pid_t>(pid);
}

namespace {

Error ioError(const std::string& what_file, const std::string& what, const std::string& path) {
  return err(Errc::Io, "cannot write " + what_file + ": " + what + " " + path + ": " + std::strerror(errno));
}

/**
 * Replaces `path` (in directory `dir`) with `text` so that after a crash it holds either the old or
 * the new text: a temp file, fsync, rename, fsync of the directory. Errors say "cannot write
 * WHAT_FILE: STEP PATH: REASON".
 */
Result<void> writeDurably(const std::string& dir, const std::string& path, const std::string& text,
                          const std::string& what_file) {
  const std::string tmp = path + ".tmp";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return ioError(what_file, "cannot create", tmp);
    for (std::size_t off = 0; off < text.size();) {
      const ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ioError(what_file, "cannot write", tmp);
      off += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return ioError(what_file, "cannot fsync", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = ioError(what_file, "cannot rename to", path);
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename is durable only once the directory entry is.
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d || ::fsync(d.get()) != 0) return ioError(what_file, "cannot fsync", dir);
  return {};
}

}  // namespace

std::vector<BlockedLine> readBlocked(const std::string& state_dir, std::vector<std::string>& problems) {
  std::vector<BlockedLine> out;
  const std::string path = state_dir + "/blocked";
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream words(line);
    BlockedLine b;
    std::string extra;
    if (!(words >> b.group) || b.group[0] == '#') continue;
    if (!(words >> b.node) || (words >> extra)) {
      problems.push_back(path + ":" + std::to_string(n) + ": not GROUP NODE, ignored");
      continue;
    }
    out.push_back(std::move(b));
  }
  return out;
}

Result<void> writeBlocked(const std::string& state_dir, const std::vector<BlockedLine>& lines) {
  std::string text = "# hbd: groups whose stop failed (GROUP NODE); `hbctl cleanup GROUP` clears them\n";
  for (const auto& b : lines) text += b.group + " " + b.node + "\n";
  return writeDurably(state_dir, state_dir + "/blocked", text, "the blocked groups");
}

std::string uncleanPath(const std::string& run_dir) { return run_dir + "/hbd.unclean"; }

int stopRunning(const std::string& run_dir, std::ostream& err) {
  const std::string pidfile = run_dir + "/hbd.pid";
  auto pid = readPid(pidfile);
  if (!pid || ::kill(*pid, 0) != 0) {
    err << "hbd: not running (no live pid in " << pidfile << ")\n";
    return kExitOk;
  }
  if (::kill(*pid, SIGTERM) != 0) {
    err << "hbd: cannot signal pid " << *pid << ": " << std::strerror(errno) << "\n";
    return kExitRuntime;
  }
  // Resources are released before the daemon exits; agents have their own timeouts, so wait
  // generously (heartbeat's init script waits too). Another process's exit cannot be awaited
  // other than by polling (a pidfd would, but only for our own children on older kernels' rules).
  for (int i = 0; i < 6000; ++i) {
    if (::kill(*pid, 0) != 0) {
      std::ifstream unclean(uncleanPath(run_dir));
      std::string why;
      if (unclean && std::getline(unclean, why)) {
        err << "hbd: stopped, but " << why << "\n";
        return kExitRuntime;
      }
      return kExitOk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  err << "hbd: pid " << *pid << " did not stop within 120 s\n";
  return kExitRuntime;
}

std::optional<int> Background::detach() {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC) != 0) return kExitRuntime;
  UniqueFd rd(fds[0]), wr(fds[1]);
  const pid_t child = ::fork();
  if (child < 0) return kExitRuntime;
  if (child > 0) {
    wr.reset();
    char code = kExitRuntime;
    ssize_t n;
    do {
      n = ::read(rd.get(), &code, 1);
    } while (n < 0 && errno == EINTR);
    return n == 1 ? code : kExitRuntime;  // EOF: the child died before reporting
  }
  rd.reset();
  report_ = std::move(wr);
  ::setsid();
  if (UniqueFd devnull(::open("/dev/null", O_RDWR)); devnull) {
    ::dup2(devnull.get(), 0);
    ::dup2(devnull.get(), 1);
    ::dup2(devnull.get(), 2);
    if (devnull.get() <= 2) devnull.release();
  }
  if (::chdir("/") != 0) {
    ready(kExitRuntime);
    ::_exit(kExitRuntime);
  }
  return std::nullopt;
}

void Background::ready(int code) {
  if (!report_) return;
  const char c = static_cast<char>(code);
  (void)!::write(report_.get(), &c, 1);
  report_.reset();
}

namespace {

/** The number in a generation file: decimal digits and an optional newline, nothing else. */
std::optional<std::uint64_t> readGeneration(const std::string& path) {
  // POSIX reads: whatever sits at the path (a directory, a huge file) is an unreadable value, never
  // an exception.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  char buf[32];
  const ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  std::string text(buf, static_cast<std::size_t>(n));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoull(text);
}

}  // namespace

Result<Generation> nextGeneration(const std::string& state_dir, const std::string& run_dir,
                                  GenMethod method, std::uint64_t wall_ms) {
  const std::string path = state_dir + "/generation";
  Generation g;
  if (const auto prev = readGeneration(path)) {
    if (method == GenMethod::File || *prev + 1 >= wall_ms) {
      g = {*prev + 1, "counter"};
    } else {
      g = {wall_ms, "clock"};
    }
  } else {
    const std::uint64_t legacy = readGeneration(run_dir + "/generation").value_or(0);
    g = legacy + 1 > wall_ms ? Generation{legacy + 1, "counter"}
                             : Generation{wall_ms, "clock (no previous generation)"};
  }
  if (auto w = writeDurably(state_dir, path, std::to_string(g.value) + "\n", "the generation"); !w) {
    return w.error();
  }
  return g;
}

void applyRealtime(bool on, LogSink& log) {
  if (!on) return;
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  constexpr bool kSanitized = true;
#else
  constexpr bool kSanitized = false;
#endif
#else
  constexpr bool kSanitized = false;
#endif
  // ASan reserves terabytes of shadow address space: locking it would exhaust memory.
  if (kSanitized) {
    HB_LOG(log, Info, Daemon, "realtime: not locking memory in a sanitizer build");
  } else if (::mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 &&
             ::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    // MCL_ONFAULT (Linux 4.4+) locks each page when it is first touched: everything the
    // heartbeat path uses stays in memory, without faulting in every page of every shared
    // library up front (which would triple the resident size). Older kernels lock everything.
    HB_LOG(log, Warning, Daemon, "realtime: cannot lock memory: {}", std::strerror(errno));
  }
  struct sched_param sp {};
  // A middle real-time priority, like heartbeat's default: above every normal task, below the
  // kernel's own threads.
  sp.sched_priority = std::min(sched_get_priority_max(SCHED_FIFO), 50);
  if (::sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) != 0) {
    HB_LOG(log, Warning, Daemon, "realtime: cannot set SCHED_FIFO: {}", std::strerror(errno));
  } else {
    HB_LOG(log, Info, Daemon, "realtime: SCHED_FIFO priority {}", sp.sched_priority);
  }
}

}  // namespace hb::daemon
