// SPDX-License-Identifier: GPL-2.0-or-later
// VRRP (RFC 3768 v2, RFC 5798 v3, IPv4) interoperable with keepalived: vrrp.conf parser, packet
// codec, the per-instance state machine, the I/O seam and the router that runs instances over it.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/diagnostic.h"
#include "resources/base/log.h"
#include "resources/base/result.h"
#include "resources/base/scheduler.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace hb::resources {
class ProcessLauncher;
}  // namespace hb::resources

namespace hb::vrrp {

using Micros = std::chrono::microseconds;

// ------------------------------------------------------------------------------------------------
// Addresses
// ------------------------------------------------------------------------------------------------

/** An IPv4 address in network byte order; ordering is numeric (as RFC 3768 compares sources). */
struct Ipv4Address {
  std::array<std::uint8_t, 4> bytes{};

  /** Parses dotted-quad text ("10.0.0.1"); nullopt on anything else. */
  static std::optional<Ipv4Address> parse(std::string_view text);
  /** Host-order 32-bit value (10.0.0.1 -> 0x0a000001). */
  std::uint32_t toUint() const;
  /** From a host-order 32-bit value. */
  static Ipv4Address fromUint(std::uint32_t v);
  /** Dotted-quad text. */
  std::string toString() const;
  auto operator<=>(const Ipv4Address&) const = default;
};

/** The VRRP multicast group 224.0.0.18. */
inline constexpr Ipv4Address kVrrpGroup{{224, 0, 0, 18}};
/** IP protocol number of VRRP. */
inline constexpr std::uint8_t kVrrpProto = 112;

// ------------------------------------------------------------------------------------------------
// Configuration (vrrp.conf, keepalived syntax)
// ------------------------------------------------------------------------------------------------

/** VRRP instance states. Init exists only before start(). */
enum class State { Init, Backup, Master, Fault };

/** "INIT", "BACKUP", "MASTER", "FAULT" (keepalived's words, as notify scripts receive them). */
std::string_view stateName(State s);

/** One `vrrp_script NAME { ... }` block. */
struct ScriptConf {
  std::string name;
  std::string script;                       ///< command line as written (may hold arguments)
  Micros interval = std::chrono::seconds(1);
  Micros timeout{0};                        ///< 0 = keepalived's default: the interval
  int weight = 0;                           ///< -254..254; 0 = failure puts instances in FAULT
  int rise = 1;                             ///< consecutive successes to become OK
  int fall = 1;                             ///< consecutive failures to become failed
  int line = 0;                             ///< where the block starts
};

/** One `virtual_ipaddress` entry: `ADDR[/CIDR] [dev IF] [label L]`. */
struct VirtualAddress {
  Ipv4Address address;
  int prefix_len = 32;
  std::string dev;    ///< empty = the instance's interface
  std::string label;  ///< empty = none
};

/** One `track_interface` entry. A weight of 0 means FAULT while the interface is down. */
struct TrackedInterface {
  std::string name;
  int weight = 0;
};

/** One `track_script` entry; the weight overrides the script's own when given. */
struct TrackedScript {
  std::string name;
  std::optional<int> weight;
};

/** One `vrrp_instance NAME { ... }` block, validated and with keepalived's defaults. */
struct InstanceConf {
  std::string name;
  State initial_state = State::Backup;      ///< `state`; keepalived starts in BACKUP anyway
  std::string interface;
  int vrid = 0;                             ///< 1..255
  int priority = 100;                       ///< 1..255; 255 = address owner
  Micros advert_int = std::chrono::seconds(1);
  int version = 2;                          ///< 2 or 3
  bool preempt = true;                      ///< false with `nopreempt`
  Micros preempt_delay{0};
  std::string auth_pass;                    ///< non-empty = PASS authentication (v2 only)
  std::vector<VirtualAddress> vips;
  std::vector<TrackedInterface> track_interfaces;
  std::vector<TrackedScript> track_scripts;
  std::optional<Ipv4Address> unicast_src;
  std::vector<Ipv4Address> unicast_peers;   ///< non-empty = unicast instead of 224.0.0.18
  std::string notify_master, notify_backup, notify_fault, notify;
  Micros garp_master_delay = std::chrono::seconds(5);  ///< 0 = no second GARP burst
  int line = 0;
};

/** The whole vrrp.conf. */
struct VrrpConfig {
  std::string router_id;
  std::vector<ScriptConf> scripts;
  std::vector<InstanceConf> instances;

  /** The script named `name`, or nullptr. */
  const ScriptConf* findScript(std::string_view name) const;
};

/** How deep vrrp.conf blocks may nest (keepalived's own configs use 3 levels, e.g.
 *  vrrp_instance > authentication, or virtual_server > real_server > TCP_CHECK). A deeper `{` is an
 *  error, so hostile input cannot exhaust the stack. */
inline constexpr int kMaxVrrpConfNesting = 32;

/**
 * Parses vrrp.conf text (keepalived syntax: `!`/`#` comments, braces, quoted strings). Pure: no
 * file access, no globals; time and memory linear in the text. Every problem is a diagnostic
 * naming `path:LINE`; unknown keywords and keywords hbd does not implement are warnings (as
 * keepalived does), values that make an instance unusable are errors. The value is present unless
 * the braces do not balance or nest deeper than kMaxVrrpConfNesting.
 * @param text the file content
 * @param path the file name used in diagnostics
 */
ParseResult<VrrpConfig> parseVrrpConf(std::string_view text, std::string_view path);

// ---- Script command lines (vrrp_script `script`, notify_*): keepalived's reading, no shell ----

/** The PATH scripts are looked up in and run with. */
inline constexpr std::string_view kScriptPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A command line made ready to run. */
struct ScriptCommand {
  std::string program;            ///< what execve runs: the first word, found in PATH unless it holds a '/'
  std::vector<std::string> argv;  ///< the words; argv[0] as written
};

/**
 * Splits a command line into words as keepalived 2.2.7 does, without a shell: blanks separate
 * words; '...' and "..." quote (the quotes are removed); a backslash escapes the next character
 * everywhere, single quotes included, with C's escapes (\n, \t, \x41, \101, \cX, ...). Nothing is
 * expanded: `$VAR`, `*`, `&&`, `[[` are plain words. Error: an unterminated quote, no word.
 */
Result<std::vector<std::string>> splitScriptWords(std::string_view line);

/** The first word that only means something to a shell (`[[`, `&&`, `||`, `;`, `|`, `>`, `$(...)`,
 *  `$VAR`, a builtin such as `exit` as the program), or nullopt. For `--check` warnings. */
std::optional<std::string> shellSyntaxWord(const std::vector<std::string>& words);

/**
 * splitScriptWords, then the program: a first word with a '/' must be an executable regular file;
 * any other is searched in `path` (keepalived's rule). The error says why the command cannot run
 * ("'[[' is not found in PATH (...)", "/x is not an executable file"); keepalived disables such
 * a script, and so does VrrpRouter::start.
 */
Result<ScriptCommand> prepareScriptCommand(std::string_view line, std::string_view path = kScriptPath);

// ------------------------------------------------------------------------------------------------
// Packets
// ------------------------------------------------------------------------------------------------

/** Why a received packet was dropped. Ok = accepted. */
enum class DropReason {
  Ok,
  Truncated,        ///< shorter than its headers or its address count says
  BadIpHeader,      ///< not IPv4, bad IHL, total length mismatch, fragment
  BadProtocol,      ///< IP protocol is not 112
  BadTtl,           ///< TTL is not 255
  BadVersion,       ///< VRRP version not 2 or 3
  BadType,          ///< VRRP type is not 1 (Advertisement)
  BadChecksum,      ///< VRRP checksum (v3: with the IPv4 pseudo-header) wrong
  VridMismatch,     ///< no instance with this VRID on this interface
  VersionMismatch,  ///< valid packet of the other VRRP version
  AuthMismatch,     ///< v2 auth type or password differs
  AdvertMismatch,   ///< v2 advert interval differs from ours
  AddressMismatch,  ///< address list differs from our VIPs (keepalived drops these too)
};

/** Number of DropReason values (for counter arrays). */
inline constexpr std::size_t kDropReasonCount = 13;

/** Stable lower-case name of a reason ("bad_checksum"), for logs and hbctl. */
std::string_view dropReasonName(DropReason r);

/** A decoded VRRP advertisement (version 2 or 3, IPv4). */
struct Advert {
  int version = 2;
  std::uint8_t vrid = 0;
  std::uint8_t priority = 0;
  /** v2: whole seconds; v3: centiseconds (12 bits). */
  Micros interval = std::chrono::seconds(1);
  std::vector<Ipv4Address> addresses;
  std::uint8_t auth_type = 0;               ///< v2 only: 0 none, 1 PASS, 2 AH
  std::array<std::uint8_t, 8> auth_data{};  ///< v2 only: NUL-padded password
  std::uint16_t checksum = 0;               ///< as found on the wire (decode) / computed (encode)
};

/** The IP envelope of a received advertisement. */
struct Envelope {
  Ipv4Address src;
  Ipv4Address dst;
  std::uint8_t ttl = 0;
};

/** Outcome of decoding: the advert and envelope when reason == Ok. */
struct Decoded {
  DropReason reason = DropReason::Ok;
  Advert advert;
  Envelope envelope;
  /** The VRID byte if the packet was long enough to hold one (to attribute the drop). */
  std::optional<std::uint8_t> vrid;
};

/** The RFC 1071 Internet checksum (one's complement of the one's-complement sum). */
std::uint16_t internetChecksum(std::span<const std::uint8_t> data, std::uint32_t initial_sum = 0);

/** The advertisement an instance configured as `c` sends with priority `prio` (addresses, advert
 *  interval, and PASS authentication for VRRPv2). */
Advert advertFor(const InstanceConf& c, std::uint8_t prio);

/**
 * Encodes the VRRP message (no IP header), computing the checksum. v3 needs the IP source and
 * destination for its pseudo-header; v2 ignores them. The interval is rounded down to whole
 * seconds (v2) or centiseconds (v3). PASS data is taken from `advert.auth_data`.
 */
std::vector<std::uint8_t> encodeVrrp(const Advert& advert, Ipv4Address src, Ipv4Address dst);

/**
 * Encodes a complete IPv4 packet as keepalived sends it (TOS 0xc0, TTL 255, no DF, protocol
 * 112) around encodeVrrp(); for tests, fuzzing and transports that write the IP header.
 */
std::vector<std::uint8_t> encodeIpv4Packet(const Advert& advert, Ipv4Address src,
                                           Ipv4Address dst, std::uint16_t ip_id);

/**
 * Decodes a received IPv4 packet (IP header included, as raw sockets deliver it) structurally:
 * IP header, protocol, TTL 255, VRRP version/type, lengths, checksum. Never throws, never reads
 * outside `packet`.
 */
Decoded decodePacket(std::span<const std::uint8_t> packet);

/** What a receiving instance expects of an advertisement. */
struct Expectation {
  int version = 2;
  std::uint8_t vrid = 0;
  std::string auth_pass;                   ///< empty = no authentication (v2 auth type 0)
  Micros advert_int = std::chrono::seconds(1);
  std::vector<Ipv4Address> addresses;      ///< our VIPs (address check; empty = skip)
};

/** Checks a structurally valid advert against an instance's expectation (VRID, version, v2 auth,
 *  v2 advert interval, address list). */
DropReason checkAdvert(const Advert& advert, const Expectation& expect);

/** decodePacket() then checkAdvert(); the first failing reason wins. */
Decoded decodePacket(std::span<const std::uint8_t> packet, const Expectation& expect);

// ------------------------------------------------------------------------------------------------
// Instance state machine
// ------------------------------------------------------------------------------------------------

/**
 * The outputs of an Instance. Each may be empty. Called on the loop thread from inside Instance
 * methods and timer handlers; they must not destroy the Instance.
 */
struct InstanceCallbacks {
  /** Send one advertisement with this priority (0 = resigning). */
  std::function<void(std::uint8_t priority)> sendAdvert;
  /** Plumb the VIPs (entering MASTER). */
  std::function<void()> becomeMaster;
  /** Remove the VIPs (leaving MASTER). */
  std::function<void()> leaveMaster;
  /** Send gratuitous ARPs for the VIPs: on entering MASTER, again after garp_master_delay. */
  std::function<void()> sendGarp;
  /** After every state change, for notify scripts: old state, new state, effective priority. */
  std::function<void(State old_state, State new_state, int priority)> stateChanged;
  /** After the effective priority changed (old, new). */
  std::function<void(int old_priority, int new_priority)> priorityChanged;
};

/** What hbctl shows about one instance. */
struct InstanceStatus {
  std::string name;
  int vrid = 0;
  State state = State::Init;
  int base_priority = 0;
  int effective_priority = 0;
  Micros advert_int{0};
  Micros master_down_interval{0};  ///< 3 x master advert interval + skew (effective priority)
  std::optional<Ipv4Address> master;  ///< source of the last accepted advert while BACKUP
  std::uint64_t adverts_sent = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t become_master = 0;  ///< number of transitions to MASTER
  std::array<std::uint64_t, kDropReasonCount> dropped{};  ///< indexed by DropReason

  /** Dropped packets for one reason. */
  std::uint64_t droppedFor(DropReason r) const { return dropped[static_cast<std::size_t>(r)]; }
};

/**
 * One VRRP instance (RFC 3768/5798 with keepalived 2.2.7's behaviour). Pure: no sockets; time
 * from the Scheduler; outputs through InstanceCallbacks. Loop thread only.
 *
 * ```
 *            start()          master-down timer fires (or priority 255 at start)
 *   INIT ---------------> BACKUP ----------------------------------------> MASTER
 *                          ^  ^   higher-priority advert (or equal from a   |
 *                          |  +-- higher source address), stop() ---------+
 *       tracked interface  |                                              |
 *       up, weight-0       |        tracked interface down,               |
 *       scripts OK         |        weight-0 script failed                v
 *                        FAULT <------------------------------------- (any state)
 * ```
 * Always starts in BACKUP (keepalived ignores `state MASTER`), except an address owner
 * (priority 255) which becomes MASTER at once. Master_Down = 3 x Master_Adver_Interval + Skew,
 * Skew from the effective priority (v2: (256-p)/256 s; v3: (256-p) x interval / 256).
 */
class Instance {
 public:
  /**
   * @param conf the validated instance (only the fields the protocol needs are used)
   * @param scripts the vrrp_script definitions, to resolve track_script weights and rise/fall
   */
  Instance(const InstanceConf& conf, const std::vector<ScriptConf>& scripts, Scheduler& scheduler,
           LogSink& log, InstanceCallbacks callbacks);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  /** Enters BACKUP (or MASTER when owner, or FAULT when a tracked item is down). */
  void start();
  /** Shutdown: a MASTER sends one priority-0 advert and removes its VIPs. Cancels timers. */
  void stop();

  /**
   * A received advertisement that passed decodePacket() for this VRID. Checks it against this
   * instance (auth, version, v2 interval) itself, counting drops.
   */
  void receive(const Advert& advert, const Envelope& envelope);
  /** Counts a packet dropped before it reached receive() (e.g. bad checksum with our VRID). */
  void countDrop(DropReason reason);

  /** This router's primary address on the instance's interface (the IP source of its adverts),
   *  used to break priority ties: the higher address wins. Defaults to unicast_src_ip, else 0. */
  void setLocalAddress(Ipv4Address address) { local_address_ = address; }

  /** Reports a tracked interface's link state (names not tracked are ignored). The instance's
   *  own interface is always tracked with weight 0, as keepalived does. */
  void setInterfaceUp(std::string_view ifname, bool up);
  /** Reports one run of a tracked script (rise/fall hysteresis applies; the first result decides). */
  void scriptResult(std::string_view script, bool success);

  /** The current status (counters, priorities, state). */
  InstanceStatus status() const;
  State state() const { return state_; }
  int effectivePriority() const { return effective_priority_; }
  /** 3 x advert interval + skew for the current effective priority. */
  Micros masterDownInterval() const;
  /** The expectation receive() applies (for transports that pre-filter). */
  const Expectation& expectation() const { return expect_; }
  const std::string& name() const { return name_; }
  std::uint8_t vrid() const { return static_cast<std::uint8_t>(vrid_); }

 private:
  struct TrackedScriptState {
    std::string name;
    int weight = 0;
    int rise = 1;
    int fall = 1;
    int counter = 0;     // keepalived's result counter: OK when counter >= rise
    bool known = false;  // false until the first result
    bool ok = false;
  };
  struct TrackedIfState {
    std::string name;
    int weight = 0;
    bool up = true;
  };

  void enterBackup();
  void enterMaster();
  void enterFault();
  void setState(State s);
  void armMasterDown(Micros after);
  void armAdvert();
  /** Sends one advert with `priority` (counted). */
  void advertise(std::uint8_t priority);
  /** Leaving MASTER: a priority-0 advert, then the VIPs removed. */
  void resign();
  void onMasterDown();
  void onAdvertTimer();
  void recompute();
  bool faulted() const;
  Micros skew() const;

  std::string name_;
  int vrid_;
  int version_;
  int base_priority_;
  int effective_priority_;
  Micros advert_int_;
  Micros master_adver_int_;
  bool preempt_;
  Micros preempt_delay_;
  Micros garp_delay_;
  Expectation expect_;
  std::vector<TrackedScriptState> scripts_;
  std::vector<TrackedIfState> interfaces_;
  Scheduler& sched_;
  LogSink& log_;
  InstanceCallbacks cb_;
  State state_ = State::Init;
  bool running_ = false;
  std::optional<MonoTime> preempt_time_;
  std::optional<Ipv4Address> master_;
  Ipv4Address local_address_;
  TimerPtr master_down_timer_;
  TimerPtr advert_timer_;
  TimerPtr garp_timer_;
  InstanceStatus counters_;
};

// ------------------------------------------------------------------------------------------------
// I/O seam: what the router needs from the host
// ------------------------------------------------------------------------------------------------

/** What the kernel says about one interface. */
struct InterfaceInfo {
  std::string name;
  int index = 0;
  Ipv4Address primary;               ///< first IPv4 address (the advert source)
  std::array<std::uint8_t, 6> mac{};
  bool up = false;                   ///< IFF_UP and IFF_RUNNING
};

/**
 * The host I/O a VrrpRouter drives: advert sockets, VIP changes, gratuitous ARP and interface
 * state. Production: makeLinuxVrrpIo() (raw sockets, rtnetlink, AF_PACKET); tests: a fake that
 * records calls and injects packets. Every method is called on the loop thread and must not block
 * it; callbacks (`Deliver`, `LinkReport`, `Done`) run on the loop, never inside the call that
 * registered them, and never after close().
 */
class VrrpIo {
 public:
  /** One received IPv4 packet (IP header included). */
  using Deliver = std::function<void(std::span<const std::uint8_t> packet)>;
  /** A link state change: interface name, running (IFF_UP and IFF_RUNNING). */
  using LinkReport = std::function<void(const std::string& ifname, bool running)>;
  /** Completion of an asynchronous change (the kernel's ack). */
  using Done = std::function<void(Result<void>)>;

  virtual ~VrrpIo() = default;
  /** Index, primary IPv4 address, MAC and flags of `name` (a non-blocking query).
   *  Errors: no such interface, no IPv4 address on it. */
  virtual Result<InterfaceInfo> queryInterface(const std::string& name) = 0;
  /** IFF_UP && IFF_RUNNING; false when the interface does not exist. */
  virtual bool interfaceRunning(const std::string& name) = 0;
  /**
   * Opens the advert socket of one interface (joined to 224.0.0.18 when `multicast`) and delivers
   * every packet it receives to `deliver`, from the next loop turn on. Once per interface.
   * Errors: no permission (CAP_NET_RAW), socket options refused.
   */
  virtual Result<void> openInterface(const InterfaceInfo& iface, bool multicast, Deliver deliver) = 0;
  /** Sends one VRRP message (no IP header) from `src` to `dst` on an opened interface. */
  virtual Result<void> sendAdvert(const std::string& ifname, std::span<const std::uint8_t> vrrp,
                                  Ipv4Address src, Ipv4Address dst) = 0;
  /**
   * Adds (`add`) or removes `vip` on interface `ifindex`. Changes are applied in call order;
   * `done` reports the kernel's answer later on the loop (an existing address on add and a
   * missing one on delete count as success). May be dropped without a call after close().
   */
  virtual void changeAddress(bool add, int ifindex, const VirtualAddress& vip, Done done) = 0;
  /** Sends `count` gratuitous ARP requests for `vip` (sender = target = vip) on `ifindex`. */
  virtual Result<void> sendGarp(int ifindex, const std::array<std::uint8_t, 6>& mac,
                                Ipv4Address vip, int count) = 0;
  /** Starts reporting link state changes of every interface to `report`. */
  virtual Result<void> watchLinks(LinkReport report) = 0;
  /** Closes every socket; no callback runs afterwards. Address changes already sent are applied
   *  by the kernel all the same. Idempotent. */
  virtual void close() = 0;
};
using VrrpIoPtr = std::unique_ptr<VrrpIo>;

/** The Linux VrrpIo: raw IP-protocol-112 sockets, rtnetlink (addresses and link events, acks read
 *  on the loop), AF_PACKET for ARP. Needs CAP_NET_RAW and CAP_NET_ADMIN to open sockets and change
 *  addresses. `io` must outlive the object. */
VrrpIoPtr makeLinuxVrrpIo(boost::asio::io_context& io, LogSink& log);

// ------------------------------------------------------------------------------------------------
// Router: instances over a VrrpIo
// ------------------------------------------------------------------------------------------------

/**
 * Runs every instance of a VrrpConfig on this host over a VrrpIo: one advert socket per interface
 * (224.0.0.18 joined, or unicast to the peers); a packet goes to the instance of its interface and
 * VRID (others are counted in unassignedDrops()); entering MASTER adds the VIPs and sends
 * gratuitous ARPs, leaving it removes them; link state of tracked interfaces comes from the I/O.
 * vrrp_script and notify commands run without a shell, as keepalived runs them
 * (prepareScriptCommand at start(); one that cannot run is disabled and logged, and instances
 * tracking it ignore it), through a resources::ProcessLauncher (the agents' spawner): on timeout the group gets SIGTERM, then SIGKILL after 2 s; output lines
 * are logged, a failure is logged with its exit code or signal. Nothing blocks the loop.
 * Loop thread only.
 *
 * Notify commands are called as keepalived calls them: `notify_master` etc. with no arguments
 * added; `notify CMD` with `INSTANCE NAME STATE PRIORITY` appended.
 */
class VrrpRouter {
 public:
  /** Called after every instance state change (also when stop() leaves MASTER). */
  using StateHandler =
      std::function<void(const std::string& instance, State old_state, State new_state, int priority)>;

  /**
   * The production router: makeLinuxVrrpIo(io) and resources::makeSpawnLauncher(io), owned.
   * @param io the loop all sockets and child completions run on
   * @param scheduler timers (normally an AsioScheduler over `io`)
   * @param conf a validated configuration (parseVrrpConf().ok())
   */
  VrrpRouter(boost::asio::io_context& io, Scheduler& scheduler, LogSink& log, VrrpConfig conf);
  /**
   * A router over injected I/O and launcher (not owned; both must outlive the router), e.g. a
   * fake VrrpIo, a FakeProcessLauncher and a FakeScheduler in unit tests.
   */
  VrrpRouter(Scheduler& scheduler, LogSink& log, VrrpConfig conf, VrrpIo& io,
             resources::ProcessLauncher& launcher);
  ~VrrpRouter();
  VrrpRouter(const VrrpRouter&) = delete;
  VrrpRouter& operator=(const VrrpRouter&) = delete;

  /** Opens sockets, removes stale VIPs, starts scripts and instances. Errors: no such interface,
   *  no IPv4 address on it, no permission for raw sockets. Nothing is left running on error.
   *  Call once per object (a reload builds a new router). */
  Result<void> start();
  /** Masters send a priority-0 advert and remove their VIPs; the I/O is closed; running scripts
   *  get SIGTERM (SIGKILL 2 s later if the router still exists; destroying it kills them at
   *  once). No callback runs afterwards. Idempotent. */
  void stop();
  /** Sets the handler for state changes (e.g. the crm, or hbctl's history). */
  void onStateChange(StateHandler handler);
  /** One entry per instance, in configuration order (`hbctl vrrp`). */
  std::vector<InstanceStatus> status() const;
  /** Packets dropped before reaching an instance (no instance for their VRID, or undecodable
   *  without a VRID), by reason. */
  std::array<std::uint64_t, kDropReasonCount> unassignedDrops() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hb::vrrp
