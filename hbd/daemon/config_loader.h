// SPDX-License-Identifier: GPL-2.0-or-later
// Config loading: the config dir (ha.cf, authkeys, haresources, vrrp.conf) read, validated and
// mapped into each library's options. Reads files; opens no socket, starts nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "hbd/config/config.h"
#include "hbd/link/link.h"
#include "hbd/message/message.h"
#include "hbd/vrrp/vrrp.h"
#include "resources/base/diagnostic.h"

namespace hb::daemon {

/** Command-line settings (interfaces.md). */
struct DaemonOptions {
  std::string config_dir = "/etc/ha.d";
  std::string node;            ///< lower-cased; default uname -n
  std::string run_dir = "/run/hbd";
  std::string state_dir = "/var/lib/hbd";  ///< survives reboots (process.h lockStateDir)
  /** --vrrp-conf: the VRRP file read instead of CONFIG_DIR/vrrp.conf (keepalived's own
   *  /etc/keepalived/keepalived.conf in place); then it must exist. Empty = the default. */
  std::string vrrp_conf;
  bool foreground = false;
};

/** Everything read from the config dir, validated. */
struct LoadedConfig {
  config::HaCf hacf;
  message::KeyRing keys;
  std::vector<link::LinkOptions> links;
  cib::Cib cib;                 ///< resource groups (empty when there is no haresources)
  bool has_resources = false;   ///< DIR/haresources exists
  bool has_hacf = true;         ///< false: a pure VRRP router (DIR holds only vrrp.conf)
  std::optional<vrrp::VrrpConfig> vrrp;  ///< DIR/vrrp.conf, when present
};

/**
 * Reads and validates the whole config dir (ha.cf, authkeys and its permissions, haresources and
 * vrrp.conf when present). Every problem is appended to `diags` in file order.
 * A directory holding vrrp.conf and none of ha.cf, authkeys, haresources is a pure VRRP router
 * (has_hacf false). @return the config when it has no error.
 */
std::optional<LoadedConfig> loadConfig(const DaemonOptions& o, std::vector<Diagnostic>& diags);

/** Default node name: `uname -n`, lower-cased (heartbeat lower-cases node names). */
std::string defaultNodeName();

}  // namespace hb::daemon
