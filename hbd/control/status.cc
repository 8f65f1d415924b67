// SPDX-License-Identifier: GPL-2.0-or-later
// The status schema's JSON: each struct lists its members once (fields()), and one Writer and one
// Reader turn that list into to_json and from_json.
#include "hbd/control/status.h"

#include "hbd/control/request.h"

#include <string_view>
#include <type_traits>

namespace hb::control {

namespace {

/** What an empty std::optional member becomes: a JSON null, or no key at all. */
enum class Empty { Null, Omit };

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

struct Writer {
  Json& j;
  template <class T>
  void operator()(std::string_view key, const T& v, Empty empty = Empty::Null) {
    const std::string k(key);
    if constexpr (IsOptional<T>::value) {
      if (!v) {
        if (empty == Empty::Null) j[k] = nullptr;
        return;
      }
      j[k] = *v;
    } else {
      j[k] = v;
    }
  }
};

struct Reader {
  const Json& j;
  template <class T>
  void operator()(std::string_view key, T& v, Empty = Empty::Null) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if constexpr (IsOptional<T>::value) v.reset();
      return;
    }
    if constexpr (IsOptional<T>::value) {
      v = it->template get<typename T::value_type>();
    } else {
      it->get_to(v);
    }
  }
};

constexpr std::string_view kOk = kOkKey;
constexpr std::string_view kVrrpList = "vrrp";
constexpr std::string_view kHistoryList = "history";

// --- the keys: the only place each is written -------------------------------------------------

template <class S, class F>
void fields(S& s, F&& f) {
  if constexpr (std::is_same_v<std::remove_const_t<S>, NodeLinkStatus>) {
    f("name", s.name);
    f("state", s.state);
    f("last_heard_ms", s.last_heard_ms);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, NodeStatus>) {
    f("name", s.name);
    f("state", s.state);
    f("type", s.type);
    f("self", s.self);
    f("generation", s.generation);
    f("last_heard_ms", s.last_heard_ms);
    f("links", s.links);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, LinkStatus>) {
    f("name", s.name);
    f("frames_sent", s.frames_sent);
    f("frames_received", s.frames_received);
    f("bytes_sent", s.bytes_sent);
    f("bytes_received", s.bytes_received);
    f("send_errors", s.send_errors);
    f("receive_errors", s.receive_errors);
    f("bad_frames", s.bad_frames);
    f("device_ok", s.device_ok);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, CountersStatus>) {
    f("received", s.received, Empty::Omit);
    f("duplicates", s.duplicates, Empty::Omit);
    f("late_heartbeats", s.late_heartbeats, Empty::Omit);
    f("restarts", s.restarts, Empty::Omit);
    f("from_non_member", s.from_non_member, Empty::Omit);
    f("stalls", s.stalls, Empty::Omit);
    f("dropped", s.dropped);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, ResourceStatusJson>) {
    f("id", s.id);
    f("agent", s.agent);
    f("state", s.state);
    f("last_action", s.last_action);
    f("last_rc", s.last_rc);
    f("last_duration_ms", s.last_duration_ms);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, GroupStatusJson>) {
    f("id", s.id);
    f("key", s.key);
    f("preferred", s.preferred);
    f("state", s.state);
    f("owner", s.owner);
    f("local_state", s.local_state);
    f("reason", s.reason);
    f("failed_on", s.failed_on);
    f("resources", s.resources);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, VrrpStatus>) {
    f("name", s.name);
    f("vrid", s.vrid);
    f("state", s.state);
    f("priority", s.priority);
    f("effective_priority", s.effective_priority);
    f("advert_int_ms", s.advert_int_ms);
    f("master_down_interval_ms", s.master_down_interval_ms);
    f("master", s.master);
    f("adverts_sent", s.adverts_sent);
    f("adverts_received", s.adverts_received);
    f("become_master", s.become_master);
    f("dropped", s.dropped);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, Status>) {
    f(kOk, s.ok);
    f("node", s.node);
    f("version", s.version);
    f("cluster", s.cluster, Empty::Omit);
    f("state", s.state);
    f("comms_up", s.comms_up, Empty::Omit);
    f("generation", s.generation, Empty::Omit);
    f("uptime_ms", s.uptime_ms);
    f("managed_by", s.managed_by);
    f("nodes", s.nodes);
    f("links", s.links);
    f("counters", s.counters);
    f("groups", s.groups);
    f("rscstatus", s.rscstatus);
    f(kVrrpList, s.vrrp);
    f("vrrp_unassigned_dropped", s.vrrp_unassigned_dropped);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, HistoryEventStatus>) {
    f("at_ms", s.at_ms);
    f("what", s.what);
  } else if constexpr (std::is_same_v<std::remove_const_t<S>, HistoryStatus>) {
    f("started", s.started);
    f("trigger", s.trigger);
    f("group", s.group);
    f("decision", s.decision);
    f("outcome", s.outcome);
    f("events", s.events);
  } else {
    static_assert(sizeof(S) == 0, "no fields() for this type");
  }
}


template <class T>
Json listReply(std::string_view key, const std::vector<T>& v) {
  return okReply(key, Json(v));
}

template <class T>
Result<T> typed(const Json& j) {
  try {
    return j.get<T>();
  } catch (const Json::exception& e) {
    return err(Errc::Internal, std::string("reply does not fit the status schema: ") + e.what());
  }
}

template <class T>
Result<std::vector<T>> listFromReply(const Json& reply, std::string_view key) {
  if (!reply.is_object()) return err(Errc::Internal, "reply is not a JSON object");
  auto it = reply.find(key);
  if (it == reply.end()) return std::vector<T>{};
  return typed<std::vector<T>>(*it);
}

}  // namespace

#define HB_STATUS_JSON(T)                                   \
  void to_json(Json& j, const T& v) {                       \
    j = Json::object();                                     \
    fields(v, Writer{j});                                   \
  }                                                         \
  void from_json(const Json& j, T& v) {                     \
    if (!j.is_object()) throw Json::type_error::create(302, "not an object", &j); \
    fields(v, Reader{j});                                   \
  }
HB_STATUS_TYPES(HB_STATUS_JSON)
#undef HB_STATUS_JSON
#undef HB_STATUS_TYPES

Json vrrpReply(const std::vector<VrrpStatus>& v) { return listReply(kVrrpList, v); }
Json historyReply(const std::vector<HistoryStatus>& h) { return listReply(kHistoryList, h); }
Result<std::vector<VrrpStatus>> vrrpFromReply(const Json& reply) { return listFromReply<VrrpStatus>(reply, kVrrpList); }
Result<std::vector<HistoryStatus>> historyFromReply(const Json& reply) {
  return listFromReply<HistoryStatus>(reply, kHistoryList);
}
Result<Status> statusFromReply(const Json& reply) { return typed<Status>(reply); }

}  // namespace hb::control
