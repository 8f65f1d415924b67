// SPDX-License-Identifier: GPL-2.0-or-later
// hb_control: the daemon's control socket (server) and the tools' client.
//
// Protocol: a Unix stream socket (default /run/hbd/hbd.sock). A client writes one request, a JSON
// object on one line (`{"cmd":"status"}`), and reads one JSON object on one line back. Every reply has
// "ok": true|false; failures carry "error": "text". The socket is owned by root, group `haclient`
// when that group exists, mode 0660; the server also checks the peer's credentials (SO_PEERCRED)
// and refuses anyone who is neither root, the daemon's own user, nor a member of `haclient`.
// Requests that change state (changesState(): standby, takeover, shutdown) need more: root, the
// daemon's own user, or a member of ha.cf's `admin_group` (ControlOptions::admin_group).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hbd/control/request.h"
#include "resources/base/log.h"
#include "resources/base/result.h"

namespace hb::control {

using Json = nlohmann::json;

/** Who is on the other end of a control connection. */
struct PeerCred {
  int pid = -1;
  unsigned uid = 0;
  unsigned gid = 0;
};

/** Replies to one request; may be called later (e.g. hb_standby --wait), exactly once. */
using Reply = std::function<void(Json)>;
/** Handles one request, already parsed and validated (request.h). Loop thread. */
using Handler = std::function<void(const Request& request, const PeerCred& who, Reply reply)>;

/** Largest request line accepted (bytes); longer requests get an error reply. */
inline constexpr std::size_t kMaxRequestSize = 64 * 1024;

/** The server's limits and who may change state. Defaults are the daemon's; tests shorten the times. */
struct ControlOptions {
  /** Group (by name) whose members may send state-changing requests (changesState()) besides root
   *  and the daemon's own user; empty: nobody else (ha.cf `admin_group`, default none). */
  std::string admin_group;
  /** A connection that has not sent a complete request line (or does not read its reply) within
   *  this time is closed. A connection whose request the handler is working on (hb_standby --wait)
   *  is not idle and is never timed out here: the handler's own deadline applies. */
  std::chrono::milliseconds idle_timeout{10000};
  /** Most connections open at once. At the cap a new connection evicts the oldest one still waiting
   *  for its request line; when every open connection is being handled, the new one gets an error
   *  reply and is closed. */
  std::size_t max_connections = 64;
  /** accept() failures (EMFILE, ENFILE, ENOBUFS, anything) pause accepting: first for the minimum,
   *  doubling per failure up to the maximum, back to the minimum after a success. */
  std::chrono::milliseconds accept_backoff_min{100};
  std::chrono::milliseconds accept_backoff_max{1000};
  /** Overload warnings (evictions, refusals at the cap) are logged once, then summed up at most
   *  once per this interval. */
  std::chrono::milliseconds overload_log_interval{10000};
};

/**
 * Accepts connections on a Unix socket and dispatches requests to a Handler, all on the loop.
 * A request that does not parse (parseRequestLine: not JSON, wrong types, unknown cmd, missing
 * member, more than kMaxRequestSize bytes, no '\n' before the client closed) is answered with
 * errorReply() and never reaches the handler; a handler that throws gets the client an
 * "internal error" reply and is logged; neither stops the server. A state-changing request from a
 * peer that is not adminAllowed() gets `permission denied: CMD needs root [or group G]`, is logged,
 * and never reaches the handler either. Idle connections, the connection cap and accept failures
 * are handled as ControlOptions describes, so no client can pin the loop or the daemon's fds.
 *
 * One connection, one request:
 *
 *   accepted --(peer not allowed)--> error reply, closed
 *      |  (idle_timeout armed)
 *      v
 *   Reading --(complete line)--> Handling --(handler replies)--> Writing --> closed
 *      |  (idle_timeout, or evicted at the cap)       (no timer)         | (idle_timeout: reader stuck)
 *      v                                                                 v
 *    closed                                                            closed
 *
 * Lifecycle: construct -> start() -> ... -> stop() (closes the listener and all connections,
 * removes the socket file). Loop thread only.
 */
class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, std::string path, Handler handler, LogSink& log,
                ControlOptions options = {});
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /** Binds (replacing a stale socket file), sets owner/group/mode, starts accepting. */
  Result<void> start();
  void stop();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::string path_;
};

/** Is `who` allowed to talk to the daemon (root, our own uid, or a member of haclient)? */
bool peerAllowed(const PeerCred& who);

/** May `who` send state-changing requests (changesState())? Root, our own effective uid, or a
 *  member (primary or supplementary, from the group database) of `admin_group` when not empty. */
bool adminAllowed(const PeerCred& who, const std::string& admin_group);

/** The socket path a tool should use: --socket, else $HBD_SOCKET, else /run/hbd/hbd.sock. */
std::string socketPath(const std::string& from_flag);

/** Client side: sends one request and waits for the reply (blocking; for the tools only).
 *  @return the reply object, or an Io error when the daemon is not running or did not answer. */
Result<Json> request(const std::string& socket_path, const Json& req,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace hb::control
