// SPDX-License-Identifier: GPL-2.0-or-later
// hbd: the cluster daemon. Flags, --check, -k, daemonizing and the event loop; logic lives in libraries.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "hb_build_config.h"
#include "hbd/daemon/daemon.h"
#include "resources/base/text.h"

namespace po = boost::program_options;
using namespace hb;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitConfig = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRuntime = 3;

const char* kUsage =
    "Usage: hbd [OPTIONS]\n"
    "The hbd cluster daemon: authenticated heartbeats, membership and resource groups.\n\n"
    "Options:\n"
    "  -c, --config-dir DIR  read DIR/ha.cf, DIR/authkeys, DIR/haresources (default /etc/ha.d)\n"
    "  -n, --node NAME       this node's name; must match a `node` line (default: uname -n)\n"
    "  -r, --run-dir DIR     control socket DIR/hbd.sock, pid file DIR/hbd.pid (default /run/hbd)\n"
    "  -f, --foreground      stay in the foreground; log to stderr too\n"
    "      --check           validate the configuration, print FILE:LINE: problems, exit 0/1\n"
    "  -k, --stop            stop the daemon of this run dir (resources are released first)\n"
    "      --version         print the version\n"
    "  -h, --help            this text\n\n"
    "Exit codes: 0 normal stop, 1 configuration error, 2 usage error, 3 runtime failure.\n"
    "Signals: SIGTERM orderly shutdown, SIGHUP reload configuration.\n";

std::optional<pid_t> readPid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return std::nullopt;
  return static_cast<pid_t>(pid);
}

int stopRunning(const std::string& run_dir) {
  const std::string pidfile = run_dir + "/hbd.pid";
  auto pid = readPid(pidfile);
  if (!pid || ::kill(*pid, 0) != 0) {
    std::cerr << "hbd: not running (no live pid in " << pidfile << ")\n";
    return kExitOk;
  }
  if (::kill(*pid, SIGTERM) != 0) {
    std::cerr << "hbd: cannot signal pid " << *pid << ": " << std::strerror(errno) << "\n";
    return kExitRuntime;
  }
  // Resources are released before the daemon exits; agents have their own timeouts, so wait
  // generously (heartbeat's init script waits too).
  for (int i = 0; i < 6000; ++i) {
    if (::kill(*pid, 0) != 0) return kExitOk;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cerr << "hbd: pid " << *pid << " did not stop within 120 s\n";
  return kExitRuntime;
}

/** Creates the run dir and takes the pid-file lock; the fd stays open for the daemon's life. */
Result<int> lockPidFile(const std::string& run_dir) {
  ::mkdir(run_dir.c_str(), 0755);
  const std::string path = run_dir + "/hbd.pid";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return err(Errc::Io, "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return err(Errc::Io, "another hbd is running with run dir " + run_dir);
  }
  return fd;
}

void writePid(int fd) {
  const std::string s = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, s.data(), s.size(), 0) == static_cast<ssize_t>(s.size())) return;
}

}  // namespace

int main(int argc, char** argv) {
  daemon::DaemonOptions opts;
  bool check = false, stop = false;
  po::options_description desc;
  desc.add_options()("config-dir,c", po::value(&opts.config_dir))("node,n", po::value(&opts.node))(
      "run-dir,r", po::value(&opts.run_dir))("foreground,f", po::bool_switch(&opts.foreground))(
      "check", po::bool_switch(&check))("stop,k", po::bool_switch(&stop))("version", "")("help,h", "");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "hbd: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (vm.count("help") != 0) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (vm.count("version") != 0) {
    std::cout << "hbd " << HB_VERSION << "\n";
    return kExitOk;
  }
  if (stop) return stopRunning(opts.run_dir);

  if (opts.node.empty()) opts.node = daemon::defaultNodeName();
  opts.node = hb::toLower(opts.node);

  std::vector<Diagnostic> diags;
  auto cfg = daemon::loadConfig(opts, diags);
  // In the foreground the log (on stderr) repeats the warnings; print them here only once.
  if (check || !cfg || !opts.foreground) {
    for (const auto& d : diags) std::cerr << d.format() << "\n";
  }
  if (check) return cfg ? kExitOk : kExitConfig;
  if (!cfg) {
    std::cerr << "hbd: configuration error, hbd not started.\n";
    return kExitConfig;
  }

  auto pidfd = lockPidFile(opts.run_dir);
  if (!pidfd) {
    std::cerr << "hbd: " << pidfd.error().message << "\n";
    return kExitRuntime;
  }

  // Daemonize; the parent reports the child's start-up result as its own exit code.
  int ready[2] = {-1, -1};
  if (!opts.foreground) {
    if (::pipe2(ready, O_CLOEXEC) != 0) return kExitRuntime;
    pid_t child = ::fork();
    if (child < 0) return kExitRuntime;
    if (child > 0) {
      ::close(ready[1]);
      char code = kExitRuntime;
      ssize_t n;
      do {
        n = ::read(ready[0], &code, 1);
      } while (n < 0 && errno == EINTR);
      return n == 1 ? code : kExitRuntime;
    }
    ::close(ready[0]);
    ::setsid();
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      if (devnull > 2) ::close(devnull);
    }
    if (::chdir("/") != 0) return kExitRuntime;
  }
  auto signalReady = [&](char code) {
    if (ready[1] >= 0) {
      (void)::write(ready[1], &code, 1);
      ::close(ready[1]);
      ready[1] = -1;
    }
  };
  writePid(*pidfd);
  ::signal(SIGPIPE, SIG_IGN);

  boost::asio::io_context io(1);
  AsioScheduler clock(io);
  const auto& cf = cfg->hacf;
  daemon::DaemonLogSink log(clock, daemon::LogOptions{opts.node, cf.logfile, cf.debugfile, cf.logfacility, cf.debug,
                                                      opts.foreground});
  for (const auto& d : diags) HB_LOG(log, Warning, Config, "{}", d.format());
  daemon::applyRealtime(cf.realtime, log);

  int rc = kExitOk;
  {
    daemon::Daemon d(io, opts, std::move(*cfg), log);
    if (auto r = d.start(); !r) {
      HB_LOG(log, Crit, Daemon, "cannot start: {}", r.error().message);
      if (opts.foreground) std::cerr << "hbd: cannot start: " << r.error().message << "\n";
      signalReady(kExitRuntime);
      rc = kExitRuntime;
    } else {
      signalReady(kExitOk);
      io.run();
      rc = d.exitCode();
    }
  }
  ::unlink((opts.run_dir + "/hbd.pid").c_str());
  return rc;
}
