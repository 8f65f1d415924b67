// SPDX-License-Identifier: GPL-2.0-or-later
// The resource model: a subset of the Pacemaker CIB (primitives, groups, a preferred-node location,
// stickiness from auto_failback), and its XML form (what haresources2cib and `hbctl cib` print).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/diagnostic.h"

namespace hb::cib {

/** Pacemaker's INFINITY score; any score at or above it is printed as "INFINITY". */
inline constexpr int kInfinityScore = 1000000;

/** Location score of a group's preferred node (a preference, not a pin, as haresources2cib). */
inline constexpr int kPreferredNodeScore = 100;

/** heartbeat's `auto_failback` (ha.cf): on, off, or legacy (the default when absent). */
enum class AutoFailback { Legacy, On, Off };

/** "on", "off", "legacy". */
std::string_view autoFailbackName(AutoFailback a);

/**
 * Parses `auto_failback` values: heartbeat booleans (on/yes/true/y/1, off/no/false/n/0, any case)
 * or "legacy". @return nullopt for anything else.
 */
std::optional<AutoFailback> parseAutoFailback(std::string_view text);

/**
 * Resource stickiness that auto_failback implies: off -> INFINITY (a group stays where it runs),
 * on and legacy -> 0 (it returns to its preferred node).
 */
int stickinessFor(AutoFailback a);

/** One instance attribute (OCF parameter, or positional argument "1", "2", ... for heartbeat). */
struct Param {
  std::string name;
  std::string value;
  bool operator==(const Param&) const = default;
};

/**
 * What a heartbeat-class resource becomes when its resource.d script is not installed: one of our
 * ocf:hbd agents with heartbeat's positional arguments mapped to OCF parameters.
 */
struct OcfFallback {
  std::string provider;  ///< "hbd"
  std::string type;      ///< "IPaddr" or "Filesystem"
  std::vector<Param> params;
  bool operator==(const OcfFallback&) const = default;
};

/** One resource (Pacemaker `<primitive>`). */
struct Primitive {
  std::string id;        ///< unique in the Cib, a valid XML id (e.g. "IPaddr_10.0.0.5")
  std::string cls;       ///< "ocf", "lsb" or "heartbeat"
  std::string provider;  ///< OCF provider ("heartbeat", "hbd"); empty for other classes
  std::string type;      ///< agent/script name ("IPaddr", "Filesystem", "httpd")
  /** Ordered parameters; heartbeat-class positional arguments are named "1", "2", ... */
  std::vector<Param> params;
  /** The resource as written in haresources ("10.0.0.5/24", "Filesystem::/dev/sda1::/data"). */
  std::string source;
  /** For heartbeat-class IPaddr, IPaddr2, Filesystem: the ocf:hbd fallback; else nullopt. */
  std::optional<OcfFallback> ocf_fallback;

  /** Positional arguments (values of params "1", "2", ... in order). */
  std::vector<std::string> positionalArgs() const;
  /** "ocf:heartbeat:IPaddr2", "lsb:nginx", "heartbeat:httpd". */
  std::string agentName() const;
  bool operator==(const Primitive&) const = default;
};

/** One resource group: started left to right, stopped right to left, on one node at a time. */
struct Group {
  std::string id;  ///< unique XML id ("group_IPaddr_10.0.0.5")
  std::vector<Primitive> primitives;
  /** Preferred node, lower-cased; empty when the group follows a VRRP instance. */
  std::string preferred_node;
  /** VRRP instance whose MASTER runs the group (haresources `vrrp:INSTANCE`); empty if none. */
  std::string follows_vrrp;
  /** resource-stickiness score (kInfinityScore = INFINITY). */
  int stickiness = 0;

  /** heartbeat's group key: the first resource as written in haresources. */
  std::string key() const;
  /**
   * What the group runs: its primitives (ids, agents, parameters, in order) and the VRRP instance
   * it follows; not where it prefers to run. Two nodes hand a group over only when their
   * definitions agree (the executor compares definitionDigest()), so a node that has reloaded a
   * changed haresources never starts a group against a peer that still runs the old one.
   */
  bool sameDefinition(const Group& other) const {
    return primitives == other.primitives && follows_vrrp == other.follows_vrrp;
  }
  bool operator==(const Group&) const = default;
};

/**
 * A stable 64-bit digest of Group::sameDefinition's fields (FNV-1a over a canonical,
 * length-prefixed form), the same on every build and host; never 0 (0 means "not sent").
 */
std::uint64_t definitionDigest(const Group& g);

/** The whole model. */
struct Cib {
  std::vector<std::string> nodes;  ///< cluster nodes, lower-cased, in configuration order
  std::vector<Group> groups;       ///< in file order
  AutoFailback auto_failback = AutoFailback::Legacy;

  /** The group with this id or this heartbeat key, or nullptr. */
  const Group* findGroup(std::string_view id_or_key) const;
  bool operator==(const Cib&) const = default;
};

/** Sets `auto_failback` and every group's stickiness from it (stickinessFor). */
void setAutoFailback(Cib& cib, AutoFailback a);

/**
 * Maps a heartbeat resource.d resource to our ocf:hbd agent, as heartbeat's own resource.d
 * wrappers map positional arguments (resource-agents-reference §3):
 * `IPaddr|IPaddr2 ip[/cidr[/nic][/bcast]]` -> ip, cidr_netmask, nic, broadcast (a third field
 * starting with a digit is the broadcast); `Filesystem device dir [fstype [options]]` -> device,
 * directory, fstype, options. ocf:hbd:IPaddr serves both IPaddr and IPaddr2.
 * @return nullopt for other scripts or when the arguments do not fit.
 */
std::optional<OcfFallback> heartbeatToOcf(std::string_view type,
                                          const std::vector<std::string>& args);

/**
 * Turns any text into a valid XML id (NCName): characters other than letters, digits, '.', '-',
 * '_' become '_'; a leading character that cannot start an id gets a '_' prefix.
 */
std::string sanitizeId(std::string_view text);

/**
 * Pacemaker-style CIB XML: `<cib><configuration><crm_config/><nodes/><resources/>
 * <constraints/></configuration><status/></cib>`, groups with `resource-stickiness` meta
 * attributes, primitives with `<instance_attributes>`, `rsc_location` (score 100) for each
 * preferred node. hbd-specific facts (auto_failback, the haresources text, a followed VRRP
 * instance) are kept in crm_config nvpairs, `description` attributes and meta attributes so
 * fromXml() reads back the same model.
 */
std::string toXml(const Cib& cib);

/**
 * Reads what toXml() writes (and hand-written CIBs of that subset). Pure; collects every problem
 * as `FILE:LINE: error: TEXT`. @param path the file name used in diagnostics.
 */
ParseResult<Cib> fromXml(std::string_view text, std::string_view path);

}  // namespace hb::cib
