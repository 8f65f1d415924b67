// SPDX-License-Identifier: GPL-2.0-or-later
// hbd: the cluster daemon. Flags, --check, -k and the event loop; the process setup is in process.h,
// everything else in libraries.
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "hb_build_config.h"
#include "hbd/daemon/daemon.h"
#include "resources/base/text.h"

namespace po = boost::program_options;
using namespace hb;

namespace {

using daemon::kExitConfig;
using daemon::kExitOk;
using daemon::kExitRuntime;
using daemon::kExitUsage;

const char* kUsage =
    "Usage: hbd [OPTIONS]\n"
    "The hbd cluster daemon: authenticated heartbeats, membership and resource groups.\n\n"
    "Options:\n"
    "  -c, --config-dir DIR  read DIR/ha.cf, DIR/authkeys, DIR/haresources, DIR/vrrp.conf\n"
    "                        (regular files; authkeys not a symlink; default /etc/ha.d)\n"
    "  -n, --node NAME       this node's name; must match a `node` line (default: uname -n)\n"
    "  -r, --run-dir DIR     control socket DIR/hbd.sock, pid file DIR/hbd.pid (default /run/hbd)\n"
    "      --vrrp-conf FILE  read VRRP instances from FILE instead of DIR/vrrp.conf (keepalived\n"
    "                        syntax: /etc/keepalived/keepalived.conf can be used in place)\n"
    "      --state-dir DIR   what survives a reboot: the generation, groups blocked by a failed\n"
    "                        stop (default /var/lib/hbd; one per hbd)\n"
    "  -f, --foreground      stay in the foreground; log to stderr too\n"
    "      --check           validate the configuration, print FILE:LINE: problems, exit 0/1\n"
    "  -k, --stop            stop the daemon of this run dir (resources are released first)\n"
    "      --version         print the version\n"
    "  -h, --help            this text\n\n"
    "Exit codes: 0 normal stop, 1 configuration error, 2 usage error, 3 runtime failure (also:\n"
    "stopped with a group unmanaged because its stop failed; -k then says which).\n"
    "Signals: SIGTERM orderly shutdown, SIGHUP reload configuration.\n";

}  // namespace

int main(int argc, char** argv) {
  daemon::DaemonOptions opts;
  bool check = false, stop = false;
  po::options_description desc;
  desc.add_options()("config-dir,c", po::value(&opts.config_dir))("node,n", po::value(&opts.node))(
      "run-dir,r", po::value(&opts.run_dir))("state-dir", po::value(&opts.state_dir))("vrrp-conf", po::value(&opts.vrrp_conf))("foreground,f", po::bool_switch(&opts.foreground))(
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
  if (stop) return daemon::stopRunning(opts.run_dir, std::cerr);

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

  auto pidfile = daemon::PidFile::lock(opts.run_dir);
  if (!pidfile) {
    std::cerr << "hbd: " << pidfile.error().message << "\n";
    return kExitRuntime;
  }
  // Absolute: the daemon changes to / when it goes to the background.
  opts.state_dir = std::filesystem::absolute(opts.state_dir).lexically_normal().string();
  if (!opts.vrrp_conf.empty()) opts.vrrp_conf = std::filesystem::absolute(opts.vrrp_conf).lexically_normal().string();
  auto state_lock = daemon::lockStateDir(opts.state_dir);
  if (!state_lock) {
    std::cerr << "hbd: " << state_lock.error().message << "\n";
    return kExitRuntime;
  }
  // In the background the parent exits with the child's start-up result.
  daemon::Background background;
  if (!opts.foreground) {
    if (auto parent_rc = background.detach()) return *parent_rc;
  }
  pidfile->writeSelf();
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
      background.ready(kExitRuntime);
      rc = kExitRuntime;
    } else {
      background.ready(kExitOk);
      io.run();
      rc = d.exitCode();
    }
  }
  pidfile->remove();
  return rc;
}
