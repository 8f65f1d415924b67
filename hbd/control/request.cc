// SPDX-License-Identifier: GPL-2.0-or-later
// Control request parsing: JSON line -> typed Request, every hostile input an error, never a throw.
#include "hbd/control/request.h"

#include <fmt/format.h>

#include <optional>

#include "hbd/control/control.h"

namespace hb::control {

namespace {

// The wire names, each written once.
constexpr std::string_view kCmd = "cmd";
constexpr std::string_view kName = "name";
constexpr std::string_view kWhat = "what";
constexpr std::string_view kWait = "wait";
constexpr std::string_view kWaitMs = "wait_ms";

constexpr std::string_view cmdName(const StatusRequest&) { return "status"; }
constexpr std::string_view cmdName(const ParameterRequest&) { return "parameter"; }
constexpr std::string_view cmdName(const CibRequest&) { return "cib"; }
constexpr std::string_view cmdName(const VrrpRequest&) { return "vrrp"; }
constexpr std::string_view cmdName(const HistoryRequest&) { return "history"; }
constexpr std::string_view cmdName(const MoveRequest& m) {
  return m.kind == MoveRequest::Kind::Standby ? "standby" : "takeover";
}
constexpr std::string_view cmdName(const ShutdownRequest&) { return "shutdown"; }
constexpr std::string_view cmdName(const CleanupRequest&) { return "cleanup"; }
constexpr std::string_view cmdName(const ReloadRequest&) { return "reload"; }

// Which requests change state (changesState). One overload per alternative, no catch-all: adding a
// Request kind without deciding here is a compile error, not a silently read-only command.
constexpr bool mutates(const StatusRequest&) { return false; }
constexpr bool mutates(const ParameterRequest&) { return false; }
constexpr bool mutates(const CibRequest&) { return false; }
constexpr bool mutates(const VrrpRequest&) { return false; }
constexpr bool mutates(const HistoryRequest&) { return false; }
constexpr bool mutates(const MoveRequest&) { return true; }  // standby and takeover move groups
constexpr bool mutates(const ShutdownRequest&) { return true; }
constexpr bool mutates(const CleanupRequest&) { return true; }  // lifts blocks: groups may start
constexpr bool mutates(const ReloadRequest&) { return true; }   // new keys and timings

MoveRequest takeoverRequest() {
  MoveRequest m;
  m.kind = MoveRequest::Kind::Takeover;
  return m;
}

/** The default-constructed request whose cmd is `cmd` (the names live in cmdName only). */
template <std::size_t I = 0>
std::optional<Request> byName(std::string_view cmd) {
  if constexpr (I < std::variant_size_v<Request>) {
    using T = std::variant_alternative_t<I, Request>;
    if (cmd == cmdName(T{})) return Request{T{}};
    return byName<I + 1>(cmd);
  } else {
    if (cmd == cmdName(takeoverRequest())) return Request{takeoverRequest()};
    return std::nullopt;
  }
}

Error bad(std::string msg) { return Error{Errc::InvalidArgument, std::move(msg)}; }

/** The member `key` of `j` when present; an error when present with another type. */
template <class T>
Result<std::optional<T>> member(const Json& j, std::string_view key, Json::value_t want, const char* type_word) {
  auto it = j.find(key);
  if (it == j.end()) return std::optional<T>{};
  // Integers: JSON numbers without a fraction, signed or not.
  const bool ok = want == Json::value_t::number_integer ? it->is_number_integer() : it->type() == want;
  if (!ok) return bad(fmt::format("malformed request: \"{}\" must be {}", key, type_word));
  return std::optional<T>{it->get<T>()};
}

}  // namespace

Result<Request> parseRequest(const Json& j) {
  if (!j.is_object()) return bad("malformed request: not a JSON object");
  auto cmd_it = j.find(kCmd);
  if (cmd_it == j.end() || !cmd_it->is_string()) return bad("malformed request: \"cmd\" must be a string");
  const std::string& cmd = cmd_it->get_ref<const std::string&>();
  auto req = byName(cmd);
  if (!req) return bad(fmt::format("unknown command '{}'", cmd));
  if (auto* p = std::get_if<ParameterRequest>(&*req)) {
    auto name = member<std::string>(j, kName, Json::value_t::string, "a string");
    if (!name) return name.error();
    if (!*name) return bad("malformed request: \"parameter\" needs \"name\"");
    p->name = std::move(**name);
  }
  if (auto* c = std::get_if<CleanupRequest>(&*req)) {
    auto name = member<std::string>(j, kName, Json::value_t::string, "a string");
    if (!name) return name.error();
    if (!*name || (*name)->empty()) return bad("malformed request: \"cleanup\" needs \"name\"");
    c->name = std::move(**name);
  }
  if (auto* m = std::get_if<MoveRequest>(&*req)) {
    auto what = member<std::string>(j, kWhat, Json::value_t::string, "a string");
    if (!what) return what.error();
    if (*what) m->what = std::move(**what);
    auto wait = member<bool>(j, kWait, Json::value_t::boolean, "true or false");
    if (!wait) return wait.error();
    if (*wait) m->wait = **wait;
    auto wait_it = j.find(kWaitMs);
    if (wait_it != j.end()) {
      const bool in_range =
          (wait_it->is_number_unsigned() && wait_it->get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxWait.count())) ||
          (wait_it->is_number_integer() && !wait_it->is_number_unsigned() && wait_it->get<std::int64_t>() >= 0 &&
           wait_it->get<std::int64_t>() <= kMaxWait.count());
      if (!in_range) {
        return bad(fmt::format("malformed request: \"wait_ms\" must be an integer from 0 to {}", kMaxWait.count()));
      }
      m->wait_ms = std::chrono::milliseconds(wait_it->get<std::int64_t>());
    }
  }
  return *req;
}

bool changesState(const Request& r) {
  return std::visit([](const auto& req) { return mutates(req); }, r);
}

std::string_view commandName(const Request& r) {
  return std::visit([](const auto& req) { return cmdName(req); }, r);
}

Result<Request> parseRequestLine(std::string_view line) {
  if (line.size() > kMaxRequestSize) {
    return bad(fmt::format("request too large (more than {} bytes)", kMaxRequestSize));
  }
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("malformed request: not JSON");
  return parseRequest(j);
}

Json toJson(const Request& r) {
  Json j = Json::object();
  std::visit([&](const auto& req) { j[std::string(kCmd)] = std::string(cmdName(req)); }, r);
  if (const auto* p = std::get_if<ParameterRequest>(&r)) j[std::string(kName)] = p->name;
  if (const auto* c = std::get_if<CleanupRequest>(&r)) j[std::string(kName)] = c->name;
  if (const auto* m = std::get_if<MoveRequest>(&r)) {
    j[std::string(kWhat)] = m->what;
    j[std::string(kWait)] = m->wait;
    j[std::string(kWaitMs)] = m->wait_ms.count();
  }
  return j;
}

namespace {
constexpr std::string_view kOk = kOkKey;
constexpr std::string_view kError = "error";
}  // namespace

Json errorReply(std::string_view message) {
  Json j = Json::object();
  j[std::string(kOk)] = false;
  j[std::string(kError)] = std::string(message);
  return j;
}

Json okReply(std::string_view key, Json value) {
  Json j = Json::object();
  j[std::string(kOk)] = true;
  if (!key.empty()) j[std::string(key)] = std::move(value);
  return j;
}

bool replyOk(const Json& reply) {
  if (!reply.is_object()) return false;
  auto it = reply.find(kOk);
  return it != reply.end() && it->is_boolean() && it->get<bool>();
}

std::string replyError(const Json& reply, std::string_view fallback) {
  return replyText(reply, kError).empty() ? std::string(fallback) : replyText(reply, kError);
}

std::string replyText(const Json& reply, std::string_view key) {
  if (!reply.is_object()) return {};
  auto it = reply.find(key);
  return it != reply.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace hb::control
