// SPDX-License-Identifier: GPL-2.0-or-later
// hb_config: pure parsers for heartbeat's ha.cf and authkeys files, turning text into typed
// structs.
//
// Every parser takes the file's text and its name (for messages) and collects every problem as a
// hb::Diagnostic (`FILE:LINE: error|warning: TEXT`); it never stops at the first one and never
// touches the file system. Reading files (and checking authkeys' permissions) are separate helpers
// below.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hbd/message/message.h"
#include "resources/base/diagnostic.h"
#include "resources/base/result.h"

namespace hb::config {

/** One UDP heartbeat medium: a `bcast`, `ucast` or `mcast` line of ha.cf (one per interface). */
struct UdpMedium {
  enum class Kind { Bcast, Ucast, Mcast };
  Kind kind = Kind::Bcast;
  std::string interface;   ///< network interface name, e.g. "eth1" (the link name cl_status shows)
  std::string peer;        ///< ucast only: the peer's IPv4 address as written
  std::string group;       ///< mcast only: the IPv4 multicast group (224.0.0.0 - 239.255.255.255)
  std::uint16_t port = 0;  ///< UDP port: `udpport` for bcast/ucast, the line's own port for mcast
  int ttl = 1;             ///< mcast only: 1..255
  bool loop = false;       ///< mcast only: multicast loopback
  int line = 0;            ///< line of ha.cf that declared it
};

/** One serial heartbeat medium (`serial DEVICE`); its speed is HaCf::baud. */
struct SerialMedium {
  std::string device;  ///< absolute device path, e.g. "/dev/ttyS0" (the link name cl_status shows)
  int line = 0;        ///< line of ha.cf that declared it
};

/** `auto_failback`: on/off select heartbeat's "nice_failback" mode; legacy is the old protocol. */
enum class AutoFailback { On, Off, Legacy };

/**
 * The parsed ha.cf, with heartbeat's defaults and derived values applied (reference 1.3):
 * keepalive 1 s, deadtime 30 s, warntime = deadtime / 2, initdead derived from deadtime.
 */
struct HaCf {
  std::chrono::milliseconds keepalive{1000};
  std::chrono::milliseconds deadtime{30000};
  std::chrono::milliseconds warntime{15000};
  std::chrono::milliseconds initdead{30000};
  std::uint16_t udpport = 694;
  int baud = 19200;
  std::vector<UdpMedium> udp;
  std::vector<SerialMedium> serial;
  std::vector<std::string> nodes;               ///< lower-cased, in file order, without duplicates
  std::string logfile, debugfile, logfacility;  ///< empty when not set; logfacility may be "none"
  int debug = 0;                                ///< 0..255
  AutoFailback auto_failback = AutoFailback::Legacy;
  bool auto_failback_set = false;  ///< true when ha.cf chose (auto_failback or nice_failback)
  bool realtime = true;
  bool auth_insecure_ok = false;  ///< hbd addition: `auth_insecure_ok yes` lets authkeys use crc (test rigs)
  std::string cluster = "linux-ha";
  std::string hbgenmethod = "file";  ///< "file" or "time"
  /** hbd addition: the group (by name) whose members may change state through the control socket
   *  (standby, takeover, shutdown); empty (default): only root and hbd's own user. */
  std::string admin_group;
  /**
   * What `cl_status hbparameter -p NAME` reports: every option directive (not media or whole-line
   * directives) -> its value as written (the last one for single-valued directives, all of them
   * space-separated for `node`); directives with a compiled-in heartbeat default have it when not
   * written, and computed timers are given as "NNNNms" (e.g. warntime "15000ms").
   */
  std::map<std::string, std::string> parameters;
};

/**
 * Parses ha.cf text. Pure: no file system, no environment.
 *
 * Checks every line against the directive table (unknown word: error with a suggestion;
 * heartbeat directive hbd does not implement: warning), every value, heartbeat's ordering rules
 * (udpport before media, baud before serial: warnings, as heartbeat runs; a bcast/ucast line
 * keeps the udpport in force where it is written, the baud applies to every serial line), then
 * applies the timer defaults and checks the
 * timer rules, "at least one medium" and "at least one node".
 * @param text the whole file
 * @param path the file name used in diagnostics
 * @return a value (always present, best effort) and every diagnostic in line order; usable when
 *         ok() (no error).
 */
ParseResult<HaCf> parseHaCf(std::string_view text, std::string_view path);

/**
 * Parses authkeys text: `auth N` (exactly once) and lines `N crc`, `N md5 KEY`, `N sha1 KEY`,
 * `N sha256 KEY` (N in 0..15; 1..15 recommended). Lines starting with `#` and blank lines are
 * ignored. crc (no key: anyone on the network can forge a frame) is an error unless `insecure_ok`
 * (ha.cf `auth_insecure_ok yes`), then a warning; crc beside a keyed method is always an error
 * (every listed key is accepted, so the crc line would make the keys pointless). Diagnostics never
 * contain key material.
 * @return the key ring (send with send_index, accept any listed key) and every diagnostic.
 */
ParseResult<message::KeyRing> parseAuthKeys(std::string_view text, std::string_view path,
                                            bool insecure_ok = false);

/**
 * Sanity rules needing the environment. Adds diagnostics to `out`:
 * an error when `self` (compared lower-cased) is not a `node` of ha.cf, an error when no medium
 * remains. Removes ucast media whose peer is one of `own_addresses`, silently: one identical
 * ha.cf serves every node.
 * @param cf the parsed ha.cf (modified: ucast media to ourselves removed)
 * @param self this node's name (`-n` or `uname -n`); empty skips the check
 * @param own_addresses this host's IP addresses as text (e.g. "10.0.0.1")
 * @param path ha.cf's name for the diagnostics
 */
void validateHaCf(HaCf& cf, std::string_view self, const std::vector<std::string>& own_addresses,
                  std::string_view path, std::vector<Diagnostic>& out);

/** The largest config file hbd reads (16 MiB): anything bigger is not a config file. */
inline constexpr std::size_t kMaxConfigFileBytes = std::size_t{16} * 1024 * 1024;

/** How readFile() opens a config file. */
struct ReadFileOptions {
  /** false: refuse a symbolic link as the file itself (its last path component), as for authkeys.
   *  Links in the directories above it are followed either way. */
  bool follow_symlinks = true;
  /** Larger files are refused (checked with fstat before reading, and again while reading). */
  std::size_t max_bytes = kMaxConfigFileBytes;
};

/**
 * Reads a whole config file through one descriptor, without ever blocking on it: the file is
 * opened `O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC` (plus `O_NOFOLLOW` unless
 * `opts.follow_symlinks`), and fstat(2) on that descriptor must show a regular file of at most
 * `opts.max_bytes`. A FIFO, socket, device or directory is refused at once, so a FIFO without a
 * writer cannot hang `hbd --check` or start-up.
 * @param path the file; messages name it as given
 * @return its bytes, or an Io error whose message names path (cannot open, not a regular file,
 *         a refused symbolic link, too large, read error)
 */
Result<std::string> readFile(const std::string& path, const ReadFileOptions& opts = {});

/**
 * Reads authkeys as readFile() does, refusing a symbolic link, and checks the descriptor it read
 * (fstat, not the path, so the file checked is the file read): unless only its owner may access it
 * (no group/other permission bit: mode 0600 or stricter) it is refused, as heartbeat does.
 * @param path the authkeys file; diagnostics name it (no line)
 * @return value = the text when it could be read; diagnostics = an error (cannot open, symbolic
 *         link, not a regular file, too large, read error: then no value; bad mode: the text is
 *         still there so that its parse problems show in the same run, but ok() is false) or a
 *         warning when the file is owned by another user than the one running us.
 */
ParseResult<std::string> readAuthKeysFile(const std::string& path);

/** One ha.cf directive as the table knows it: for `hbd --help`-style docs and tests. */
struct DirectiveInfo {
  std::string_view name;
  bool implemented;                ///< false: accepted for heartbeat compatibility with a warning
  std::string_view doc;            ///< one-sentence meaning
  std::string_view syntax;         ///< e.g. "mcast IFACE GROUP PORT TTL LOOP"
  std::string_view default_value;  ///< heartbeat's compiled-in default, empty when none
};

/** Every directive heartbeat 3.0.6 accepts (plus the `udp` alias), in table order. */
std::span<const DirectiveInfo> directives();

}  // namespace hb::config
