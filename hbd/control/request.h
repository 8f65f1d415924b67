// SPDX-License-Identifier: GPL-2.0-or-later
// Control requests, typed: one struct per command, parsed from (and written as) one JSON line.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "resources/base/result.h"

namespace hb::control {

using Json = nlohmann::json;

/** `{"cmd":"status"}`: the status document (status.h). */
struct StatusRequest {};
/** `{"cmd":"parameter","name":"deadtime"}`: one ha.cf parameter's value (cl_status hbparameter). */
struct ParameterRequest {
  std::string name;
};
/** `{"cmd":"cib"}`: the live CIB as XML. */
struct CibRequest {};
/** `{"cmd":"vrrp"}`: the VRRP instances. */
struct VrrpRequest {};
/** `{"cmd":"history"}`: recent hand-overs. */
struct HistoryRequest {};
/** `{"cmd":"standby"|"takeover","what":"all","wait":false,"wait_ms":60000}`; every field but cmd
 *  optional with these defaults. */
struct MoveRequest {
  enum class Kind { Standby, Takeover };
  Kind kind = Kind::Standby;
  std::string what = "all";
  bool wait = false;
  std::chrono::milliseconds wait_ms{60000};  ///< 0 .. kMaxWait
};
/** `{"cmd":"shutdown"}`: hbd -k. */
struct ShutdownRequest {};
/** `{"cmd":"cleanup","name":"RSC"}`: hbctl cleanup (forget a group's failures, probe it again). */
struct CleanupRequest {
  std::string name;
};

/** `{"cmd":"reload"}`: hbctl reload (what SIGHUP does, with the outcome as the reply). */
struct ReloadRequest {};

using Request = std::variant<StatusRequest, ParameterRequest, CibRequest, VrrpRequest, HistoryRequest,
                             MoveRequest, ShutdownRequest, CleanupRequest, ReloadRequest>;

/**
 * Whether `r` changes cluster state (standby, takeover, shutdown; and reload, cleanup, fence when
 * they come) rather than only reading it. The control socket lets every `haclient` member read but
 * only root, the daemon's own user and ha.cf's `admin_group` change state (ControlServer). This is
 * the one place the rule lives: it is a set of overloads, one per Request alternative, so a new kind
 * that is not classified does not compile. Pure; never throws.
 */
bool changesState(const Request& r);

/** The request's wire name ("status", "standby", ...), as in `{"cmd":...}`; for messages. */
std::string_view commandName(const Request& r);

/** Largest wait_ms accepted (one day). */
inline constexpr std::chrono::milliseconds kMaxWait{24LL * 3600 * 1000};

/**
 * One request object -> its typed form. Unknown members are ignored (newer tools); a missing or
 * non-string "cmd", an unknown cmd, a missing required member or one of the wrong JSON type, and a
 * wait_ms outside 0..kMaxWait are InvalidArgument errors whose message the reply carries. Never throws.
 */
Result<Request> parseRequest(const Json& j);

/**
 * One request line as read from the socket (with or without its '\n') -> its typed form: longer
 * than kMaxRequestSize, not JSON, not an object: InvalidArgument; otherwise parseRequest. Never throws.
 */
Result<Request> parseRequestLine(std::string_view line);

/** The request's JSON object (what the tools send); parseRequest(toJson(r)) gives r back. */
Json toJson(const Request& r);

/** `{"ok":false,"error":message}`: every refusal. */
Json errorReply(std::string_view message);
/** `{"ok":true}`, plus `key: value` when key is not empty (the one-value replies). */
Json okReply(std::string_view key = {}, Json value = nullptr);
/** Whether a reply says ok. */
bool replyOk(const Json& reply);
/** A refusal's error text, or `fallback` when it has none. */
std::string replyError(const Json& reply, std::string_view fallback);
/** The string member `key` of a one-value reply, or "" (parameter: "value", cib: "xml", moves:
 *  "message"; see kValueKey...). */
std::string replyText(const Json& reply, std::string_view key);

/** Every reply's success flag. */
inline constexpr std::string_view kOkKey = "ok";
/** The keys of the one-value replies, for okReply() and replyText(). */
inline constexpr std::string_view kValueKey = "value";      ///< parameter
inline constexpr std::string_view kXmlKey = "xml";          ///< cib
inline constexpr std::string_view kMessageKey = "message";  ///< standby, takeover

}  // namespace hb::control
