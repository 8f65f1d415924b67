// SPDX-License-Identifier: GPL-2.0-or-later
// The status schema: what `hbctl status --json`, `cl_status` and `hbctl vrrp|history` read, as the
// daemon writes it. One struct per object and one to_json/from_json each; every JSON key is named
// once, in status.cc (interfaces.md lists them; scripts and the cluster tests parse them).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "resources/base/result.h"

namespace hb::control {

using Json = nlohmann::json;

/** One (peer, link) as membership sees it. */
struct NodeLinkStatus {
  std::string name;
  std::string state = "dead";                ///< up, dead
  std::optional<std::int64_t> last_heard_ms;  ///< age; null: never heard
};

/** One cluster node. */
struct NodeStatus {
  std::string name;
  std::string state = "dead";  ///< init, up, active, dead
  std::string type = "normal";
  bool self = false;
  std::uint64_t generation = 0;
  std::optional<std::int64_t> last_heard_ms;  ///< null: never (and for ourselves)
  std::vector<NodeLinkStatus> links;
};

/** One of our links' counters. */
struct LinkStatus {
  std::string name;
  std::uint64_t frames_sent = 0, frames_received = 0, bytes_sent = 0, bytes_received = 0;
  std::uint64_t send_errors = 0, receive_errors = 0, bad_frames = 0;
  bool device_ok = true;
};

/** Membership's receive counters; a pure VRRP router has only `dropped` (empty). */
struct CountersStatus {
  /// Membership counters (hbd/membership Counters); each omitted when unset.
  std::optional<std::uint64_t> received, duplicates, late_heartbeats, restarts, from_non_member, stalls;
  std::map<std::string, std::uint64_t> dropped;  ///< by drop reason
};

struct ResourceStatusJson {
  std::string id, agent, state, last_action;
  int last_rc = -1;
  std::int64_t last_duration_ms = 0;
};

struct GroupStatusJson {
  std::string id, key, preferred;
  std::string state;                 ///< cluster-wide status
  std::optional<std::string> owner;  ///< null: nobody
  std::string local_state, reason;
  std::vector<std::string> failed_on;
  std::vector<ResourceStatusJson> resources;
};

struct VrrpStatus {
  std::string name;
  int vrid = 0;
  std::string state;
  int priority = 0, effective_priority = 0;
  std::int64_t advert_int_ms = 0, master_down_interval_ms = 0;
  std::optional<std::string> master;  ///< null: none known
  std::uint64_t adverts_sent = 0, adverts_received = 0, become_master = 0;
  std::map<std::string, std::uint64_t> dropped;
};

/** The whole `status` reply. Members marked "omitted" are absent for a pure VRRP router. */
struct Status {
  bool ok = true;
  std::string node, version;
  std::optional<std::string> cluster;        ///< omitted when unset
  std::string state;
  std::optional<bool> comms_up;              ///< omitted when unset
  std::optional<std::uint64_t> generation;   ///< omitted when unset
  std::int64_t uptime_ms = 0;
  std::string managed_by = "haresources";    ///< haresources, vrrp
  std::vector<NodeStatus> nodes;
  std::vector<LinkStatus> links;
  CountersStatus counters;
  std::vector<GroupStatusJson> groups;
  std::string rscstatus = "none";
  std::vector<VrrpStatus> vrrp;
  std::map<std::string, std::uint64_t> vrrp_unassigned_dropped;
};

struct HistoryEventStatus {
  std::int64_t at_ms = 0;
  std::string what;
};
struct HistoryStatus {
  std::string started, trigger, group, decision, outcome;
  std::vector<HistoryEventStatus> events;
};

/** `vrrp` and `history` replies: {"ok":true,"vrrp":[...]} / {"ok":true,"history":[...]}. */
Json vrrpReply(const std::vector<VrrpStatus>& v);
Json historyReply(const std::vector<HistoryStatus>& h);
/** The list out of a vrrp / history reply; Internal error for a reply that does not fit. */
Result<std::vector<VrrpStatus>> vrrpFromReply(const Json& reply);
Result<std::vector<HistoryStatus>> historyFromReply(const Json& reply);
/** A status reply, typed; Internal error for a reply that does not fit the schema. */
Result<Status> statusFromReply(const Json& reply);

// nlohmann-json conversions (found by ADL: Json(status), j.get<Status>()). from_json leaves
// members whose key is absent (or null, for non-optional ones) at their defaults; a present key of
// the wrong type throws nlohmann::json::type_error.
/** Every status type with a JSON form, listed once (X-macro): declared here, defined in status.cc. */
#define HB_STATUS_TYPES(X) X(NodeLinkStatus) X(NodeStatus) X(LinkStatus) X(CountersStatus) X(ResourceStatusJson) X(GroupStatusJson) X(VrrpStatus) X(Status) X(HistoryEventStatus) X(HistoryStatus)
#define HB_STATUS_JSON(T)            \
  void to_json(Json& j, const T& v); \
  void from_json(const Json& j, T& v);
HB_STATUS_TYPES(HB_STATUS_JSON)
#undef HB_STATUS_JSON

}  // namespace hb::control
