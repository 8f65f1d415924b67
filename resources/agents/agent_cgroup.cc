// SPDX-License-Identifier: GPL-2.0-or-later
// cgroup v2 containment of agent actions: probing our cgroup, per-action cgroups, kill-all, removal.
#include "resources/agents/agent_cgroup_private.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "resources/base/text.h"

namespace hb::resources::cgroup {
namespace {

// Rounds of kill/move before giving up for now; each round is a few syscalls, never a wait (the
// caller retries when cgroup.events changes).
constexpr int kRounds = 8;

// Small kernfs and procfs files: read whole, or nullopt.
std::optional<std::string> readFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  std::array<char, 4096> buf{};
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
  return text;
}

// Writes `text` in one write(2) (cgroupfs takes one value per write); 0 or errno.
int writeFile(const std::string& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  ssize_t n;
  do {
    n = ::write(fd.get(), text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  return n < 0 ? errno : 0;
}

bool isOctal(char c) { return c >= '0' && c <= '7'; }

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeMountField(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && isOctal(s[i + 1]) && isOctal(s[i + 2]) &&
        isOctal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string errnoText(int e) { return std::strerror(e); }

// Directories `hbd-<pid>-<n>` of processes that died without cleaning up (SIGKILL, crash): their
// empty action cgroups and themselves are removed. rmdir never removes a cgroup with processes,
// so leftovers of such a process are left alone, as is anything of a live pid.
void removeStale(const std::string& own) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(own, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("hbd-", 0) != 0) continue;
    const auto dash = name.find('-', 4);
    auto pid = parseInt(std::string_view(name).substr(4, dash == std::string::npos ? 0 : dash - 4),
                        1, 0x7fffffff);
    if (!pid || ::kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ec2;
    for (const auto& a : std::filesystem::directory_iterator(e.path(), ec2)) {
      if (a.is_directory(ec2)) ::rmdir(a.path().c_str());
    }
    ::rmdir(e.path().c_str());
  }
}

}  // namespace

// ------------------------------------------------------------------------------- pure parts

std::optional<std::string> parseUnifiedPath(std::string_view procCgroup) {
  for (std::string_view line : splitLines(procCgroup)) {
    if (line.substr(0, 3) != "0::") continue;
    std::string_view path = trim(line.substr(3));
    if (path.empty() || path[0] != '/') return std::nullopt;
    return std::string(path);
  }
  return std::nullopt;
}

std::optional<Mount> findCgroup2Mount(std::string_view mountinfo) {
  std::optional<Mount> found;
  for (std::string_view line : splitLines(mountinfo)) {
    // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
    auto sep = line.find(" - ");
    if (sep == std::string_view::npos) continue;
    auto after = splitTokens(line.substr(sep + 3));
    if (after.empty() || after[0] != "cgroup2") continue;
    auto before = splitTokens(line.substr(0, sep));
    if (before.size() < 5) continue;
    Mount m{unescapeMountField(before[4]), unescapeMountField(before[3])};
    if (!found || m.point == "/sys/fs/cgroup") found = std::move(m);
  }
  return found;
}

std::optional<std::string> cgroupDir(const Mount& mount, std::string_view path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::string_view root = mount.root;
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  std::string_view rel = path;
  if (root != "/") {
    // A bind mount of a subtree (a container without a cgroup namespace): only cgroups below
    // its root are visible.
    if (rel.substr(0, root.size()) != root) return std::nullopt;
    rel.remove_prefix(root.size());
    if (!rel.empty() && rel[0] != '/') return std::nullopt;  // "/ab" is not below "/a"
  }
  while (!rel.empty() && rel.back() == '/') rel.remove_suffix(1);
  std::string dir = mount.point;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  dir += rel;
  return dir;
}

std::vector<int> parsePids(std::string_view procs) {
  std::vector<int> pids;
  for (std::string_view line : splitLines(procs)) {
    if (auto n = parseInt(trim(line), 1, 0x7fffffff)) pids.push_back(static_cast<int>(*n));
  }
  return pids;
}

bool parsePopulated(std::string_view events) {
  for (std::string_view line : splitLines(events)) {
    auto t = splitTokens(line);
    if (t.size() == 2 && t[0] == "populated") return t[1] != "0";
  }
  return false;
}

// ------------------------------------------------------------------------------- ActionCgroup

ActionCgroup::ActionCgroup(std::string dir, bool hasKillFile)
    : dir_(std::move(dir)), hasKillFile_(hasKillFile) {}

Result<UniqueFd> ActionCgroup::openProcs() const {
  UniqueFd fd(::open((dir_ + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return err(Errc::Io, "open " + dir_ + "/cgroup.procs: " + errnoText(errno));
  return fd;
}

Result<UniqueFd> ActionCgroup::watchEvents() const {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return err(Errc::Io, std::string("inotify_init1: ") + errnoText(errno));
  if (::inotify_add_watch(fd.get(), (dir_ + "/cgroup.events").c_str(), IN_MODIFY) < 0) {
    return err(Errc::Io, "inotify_add_watch " + dir_ + "/cgroup.events: " + errnoText(errno));
  }
  return fd;
}

std::vector<int> ActionCgroup::pids() const {
  auto text = readFile(dir_ + "/cgroup.procs");
  return text ? parsePids(*text) : std::vector<int>{};
}

bool ActionCgroup::populated() const {
  auto text = readFile(dir_ + "/cgroup.events");
  return text && parsePopulated(*text);
}

void ActionCgroup::signalAll(int signo) const {
  if (signo == SIGKILL) {
    killAll();
    return;
  }
  // Only this action's processes are listed; one that exits between the read and the kill
  // leaves a pid that the kernel does not hand out again at once (pids are allocated cyclically).
  for (int pid : pids()) ::kill(pid, signo);
}

void ActionCgroup::killAll() const {
  if (hasKillFile_ && writeFile(dir_ + "/cgroup.kill", "1") == 0) return;
  killAllByFreezing();
}

void ActionCgroup::killAllByFreezing() const {
  for (int round = 0; round < kRounds; ++round) {
    writeFile(dir_ + "/cgroup.freeze", "1");
    const auto now = pids();
    for (int pid : now) ::kill(pid, SIGKILL);
    writeFile(dir_ + "/cgroup.freeze", "0");
    if (now.empty()) return;
  }
}

void ActionCgroup::moveAllTo(const std::string& to) const {
  for (int round = 0; round < kRounds; ++round) {
    const auto now = pids();
    if (now.empty()) return;
    for (int pid : now) writeFile(to + "/cgroup.procs", std::to_string(pid));
  }
}

bool ActionCgroup::remove() const { return ::rmdir(dir_.c_str()) == 0 || errno == ENOENT; }

// ------------------------------------------------------------------------------- AgentCgroups

Result<std::unique_ptr<AgentCgroups>> AgentCgroups::create(const ProbeOptions& o) {
  auto procText = readFile(o.procCgroupPath);
  if (!procText) return err(Errc::Unsupported, "cannot read " + o.procCgroupPath);
  auto path = parseUnifiedPath(*procText);
  if (!path) return err(Errc::Unsupported, "no cgroup v2 entry (0::) in " + o.procCgroupPath);
  Mount mount{o.mount, "/"};
  if (mount.point.empty()) {
    auto info = readFile(o.mountinfoPath);
    auto found = info ? findCgroup2Mount(*info) : std::nullopt;
    if (!found) return err(Errc::Unsupported, "no cgroup2 filesystem mounted");
    mount = *found;
  }
  struct statfs fs {};
  if (::statfs(mount.point.c_str(), &fs) != 0) {
    return err(Errc::Unsupported, mount.point + ": " + errnoText(errno));
  }
  if (fs.f_type != CGROUP2_SUPER_MAGIC) {
    return err(Errc::Unsupported, mount.point + " is not a cgroup2 filesystem");
  }
  auto own = cgroupDir(mount, *path);
  if (!own) {
    return err(Errc::Unsupported, "own cgroup " + *path + " is not visible under " + mount.point);
  }
  // Threaded cgroups cannot have domain children (the root cgroup has no cgroup.type).
  if (auto type = readFile(*own + "/cgroup.type"); type && trim(*type) != "domain") {
    return err(Errc::Unsupported,
               "own cgroup " + *own + " is of type " + std::string(trim(*type)));
  }
  removeStale(*own);
  // Unique per process and launcher: several hbd processes (and several launchers in one) may
  // share a cgroup, e.g. the root cgroup of a container.
  static std::atomic<unsigned> launchers{0};
  std::string dir;
  for (int attempt = 0;; ++attempt) {
    dir = *own + "/hbd-" + std::to_string(::getpid()) + "-" + std::to_string(++launchers);
    if (::mkdir(dir.c_str(), 0755) == 0) break;
    const int e = errno;
    // EEXIST: left by an earlier process with our pid (it crashed); take the next number.
    if (e == EEXIST && attempt < 100) continue;
    return err(e == EACCES || e == EPERM || e == EROFS ? Errc::Permission : Errc::Io,
               "cannot create " + dir + ": " + errnoText(e));
  }
  // Moving a process needs write access to the target's cgroup.procs and, under delegation, to
  // the common ancestor's: our own cgroup's.
  for (const std::string& d : {*own, dir}) {
    if (::access((d + "/cgroup.procs").c_str(), W_OK) != 0) {
      const int e = errno;
      ::rmdir(dir.c_str());
      return err(Errc::Permission, "cannot write " + d + "/cgroup.procs: " + errnoText(e));
    }
  }
  const bool hasKill = ::access((dir + "/cgroup.kill").c_str(), F_OK) == 0;
  return std::unique_ptr<AgentCgroups>(new AgentCgroups(std::move(*own), std::move(dir), hasKill));
}

AgentCgroups::~AgentCgroups() { ::rmdir(dir_.c_str()); }

Result<ActionCgroup> AgentCgroups::createAction() {
  for (int attempt = 0;; ++attempt) {
    std::string d = dir_ + "/a" + std::to_string(nextAction_++);
    if (::mkdir(d.c_str(), 0755) == 0) return ActionCgroup(std::move(d), hasKill_);
    const int e = errno;
    if (e == EEXIST && attempt < 100) continue;  // an earlier action's, not removed yet
    return err(Errc::Io, "cannot create " + d + ": " + errnoText(e));
  }
}

}  // namespace hb::resources::cgroup
