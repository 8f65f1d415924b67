// SPDX-License-Identifier: GPL-2.0-or-later
// hb_control: the daemon's control socket (server) and the tools' client.
//
// Protocol: a Unix stream socket (default /run/hbd/hbd.sock). A client writes one request, a JSON
// object on one line (`{"cmd":"status"}`), and reads one JSON object on one line back. Every reply has
// "ok": true|false; failures carry "error": "text". The socket is owned by root, group `haclient`
// when that group exists, mode 0660; the server also checks the peer's credentials (SO_PEERCRED)
// and refuses anyone who is neither root, the daemon's own user, nor a member of `haclient`.
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

/**
 * Accepts connections on a Unix socket and dispatches requests to a Handler, all on the loop.
 * A request that does not parse (parseRequestLine: not JSON, wrong types, unknown cmd, missing
 * member, more than kMaxRequestSize bytes, no '\n' before the client closed) is answered with
 * errorReply() and never reaches the handler; a handler that throws gets the client an
 * "internal error" reply and is logged; neither stops the server.
 * Lifecycle: construct -> start() -> ... -> stop() (closes the listener and all connections,
 * removes the socket file).
 */
class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, std::string path, Handler handler, LogSink& log);
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

/** The socket path a tool should use: --socket, else $HBD_SOCKET, else /run/hbd/hbd.sock. */
std::string socketPath(const std::string& from_flag);

/** Client side: sends one request and waits for the reply (blocking; for the tools only).
 *  @return the reply object, or an Io error when the daemon is not running or did not answer. */
Result<Json> request(const std::string& socket_path, const Json& req,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace hb::control
