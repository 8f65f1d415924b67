// SPDX-License-Identifier: GPL-2.0-or-later
// ControlServer: a Boost.Asio Unix-socket acceptor speaking one JSON line per request.
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "hbd/control/control.h"

namespace hb::control {

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;

namespace {

// Membership from the group database (the group's member list), as heartbeat's apiauth did:
// SO_PEERCRED carries only the peer's primary gid, not its supplementary groups. getgrouplist()
// would read the same database; SO_PEERGROUPS (Linux 4.13) would give the connecting process's own
// groups instead, but then a user added to the group would have to log in again, unlike every
// other check here. These are NSS lookups on the loop: cheap with files (or a caching sssd), and
// done once per connection (haclient) or per state-changing request (admin_group), not per byte.
bool inGroup(unsigned uid, unsigned gid, const char* group) {
  struct group* g = getgrnam(group);
  if (g == nullptr) return false;
  if (gid == g->gr_gid) return true;
  struct passwd* pw = getpwuid(uid);
  if (pw == nullptr) return false;
  for (char** m = g->gr_mem; m != nullptr && *m != nullptr; ++m) {
    if (std::string(*m) == pw->pw_name) return true;
  }
  return false;
}

PeerCred peerOf(Proto::socket& s) {
  PeerCred who;
  struct ucred uc {};
  socklen_t len = sizeof uc;
  if (getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
    who = PeerCred{uc.pid, uc.uid, uc.gid};
  } else {
    who.uid = ~0u;  // nobody we know: refused below
  }
  return who;
}

}  // namespace

bool peerAllowed(const PeerCred& who) {
  return who.uid == 0 || who.uid == geteuid() || inGroup(who.uid, who.gid, "haclient");
}

bool adminAllowed(const PeerCred& who, const std::string& admin_group) {
  return who.uid == 0 || who.uid == geteuid() ||
         (!admin_group.empty() && inGroup(who.uid, who.gid, admin_group.c_str()));
}

std::string socketPath(const std::string& from_flag) {
  if (!from_flag.empty()) return from_flag;
  if (const char* env = std::getenv("HBD_SOCKET"); env != nullptr && *env != '\0') return env;
  return "/run/hbd/hbd.sock";
}

struct ControlServer::Impl : std::enable_shared_from_this<ControlServer::Impl> {
  Impl(asio::io_context& io_, Handler h, LogSink& l, ControlOptions o)
      : io(io_), acceptor(io_), accept_timer(io_), handler(std::move(h)), log(l), opts(std::move(o)),
        backoff(opts.accept_backoff_min), overload(io_) {}

  struct Conn {
    enum class Phase { Reading, Handling, Writing, Closed };
    Conn(Proto::socket s, std::uint64_t n) : sock(std::move(s)), timer(sock.get_executor()), seq(n) {}
    Proto::socket sock;
    asio::steady_timer timer;  ///< idle_timeout while Reading or Writing
    asio::streambuf buf{kMaxRequestSize};
    std::string out;
    std::uint64_t seq;  ///< accept order: the lowest Reading one is evicted first
    Phase phase = Phase::Reading;
  };
  using ConnPtr = std::shared_ptr<Conn>;

  /** A warning that a flood could repeat thousands of times: logged once, then summed up. */
  struct Throttled {
    explicit Throttled(asio::io_context& io_) : timer(io_) {}
    asio::steady_timer timer;
    bool quiet = false;
    std::uint64_t suppressed = 0;
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, Proto::socket s) {
      if (ec == asio::error::operation_aborted || self->stopped) return;
      if (ec) {
        self->pauseAccepting(ec);
        return;
      }
      self->acceptedAgain();
      self->admit(std::move(s));
      self->accept();
    });
  }

  // A failed accept leaves the connection in the backlog, so the listener stays readable: retrying
  // at once (as this code did) spins the loop at full CPU for as long as the fds are gone (EMFILE,
  // ENFILE), starving heartbeats and agent spawns. Pause instead, longer while it keeps failing.
  // Every error is treated so: one that cannot clear (a broken listener) then costs a wake-up per
  // second, not a core.
  void pauseAccepting(const boost::system::error_code& ec) {
    const auto delay = backoff;
    if (accept_failures++ == 0) {
      HB_LOG(log, Warning, Control, "control socket cannot accept connections: {}; pausing | retry_ms={} open={}",
             ec.message(), delay.count(), conns.size());
    }
    backoff = std::min(backoff * 2, opts.accept_backoff_max);
    accept_timer.expires_after(delay);
    accept_timer.async_wait([self = shared_from_this()](const boost::system::error_code& tec) {
      if (tec || self->stopped) return;
      self->accept();
    });
  }

  void acceptedAgain() {
    if (accept_failures == 0) return;
    HB_LOG(log, Notice, Control, "control socket accepting again | failed_accepts={}", accept_failures);
    accept_failures = 0;
    backoff = opts.accept_backoff_min;
  }

  void admit(Proto::socket s) {
    const PeerCred who = peerOf(s);
    if (!peerAllowed(who)) {
      // Before the cap: a stranger must not evict a member's connection.
      warnThrottled(refused_peer, fmt::format("refused control connection | uid={} gid={} pid={}", who.uid,
                                              who.gid, who.pid));
      refuseNow(s, errorReply("permission denied"));
      return;
    }
    if (conns.size() >= opts.max_connections && !evictIdle()) {
      warnThrottled(overload, fmt::format("refused control connection: all {} connections are busy | uid={} pid={}",
                                          opts.max_connections, who.uid, who.pid));
      refuseNow(s, errorReply(fmt::format("too many control connections (limit {})", opts.max_connections)));
      return;
    }
    auto c = std::make_shared<Conn>(std::move(s), next_seq++);
    conns.insert(c);
    armIdle(c);
    asio::async_read_until(c->sock, c->buf, '\n',
                           [self = shared_from_this(), c, who](const boost::system::error_code& ec, std::size_t n) {
                             if (self->stopped) return;
                             self->onLine(c, who, ec, n);
                           });
  }

  // At the cap the connection that has waited longest without sending a request goes: a client
  // holding idle connections cannot lock others out, and a busy one (hb_standby --wait) is kept.
  bool evictIdle() {
    ConnPtr oldest;
    for (const auto& c : conns) {
      if (c->phase == Conn::Phase::Reading && (!oldest || c->seq < oldest->seq)) oldest = c;
    }
    if (!oldest) return false;
    warnThrottled(overload, fmt::format("control connections at the limit ({}): closing the oldest idle one",
                                        opts.max_connections));
    close(oldest);
    return true;
  }

  // A refusal before the connection is ours: one small reply into an empty socket buffer (never
  // blocks; if it fails the client just sees the close), then close.
  static void refuseNow(Proto::socket& s, const Json& reply) {
    const std::string line = reply.dump() + "\n";
    [[maybe_unused]] ssize_t n = ::send(s.native_handle(), line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    boost::system::error_code ignored;
    s.close(ignored);
  }

  void armIdle(const ConnPtr& c) {
    c->timer.expires_after(opts.idle_timeout);
    c->timer.async_wait([weak = weak_from_this(), wc = std::weak_ptr<Conn>(c)](const boost::system::error_code& ec) {
      auto self = weak.lock();
      auto conn = wc.lock();
      if (ec || !self || !conn || self->stopped) return;
      if (conn->phase != Conn::Phase::Reading && conn->phase != Conn::Phase::Writing) return;
      HB_LOG(self->log, Debug, Control, "closing idle control connection | timeout_ms={}",
             self->opts.idle_timeout.count());
      self->close(conn);
    });
  }

  void onLine(const ConnPtr& c, const PeerCred& who, const boost::system::error_code& ec, std::size_t n) {
    if (c->phase != Conn::Phase::Reading) return;  // evicted or timed out meanwhile
    if (ec == asio::error::not_found) {
      // The buffer filled up (kMaxRequestSize) without a newline.
      respond(c, errorReply(fmt::format("request too large (more than {} bytes)", kMaxRequestSize)));
      return;
    }
    if (ec == asio::error::eof && c->buf.size() > 0) {
      respond(c, errorReply("malformed request: truncated (no newline before the end)"));
      return;
    }
    if (ec) {
      close(c);
      return;
    }
    std::string line(asio::buffers_begin(c->buf.data()),
                     asio::buffers_begin(c->buf.data()) + static_cast<std::ptrdiff_t>(n));
    c->buf.consume(n);
    auto req = parseRequestLine(line);
    if (!req) {
      HB_LOG(log, Info, Control, "refused control request | pid={} error={}", who.pid, req.error().message);
      respond(c, errorReply(req.error().message));
      return;
    }
    if (changesState(*req) && !adminAllowed(who, opts.admin_group)) {
      const std::string why =
          fmt::format("permission denied: {} needs root{}", commandName(*req),
                      opts.admin_group.empty() ? std::string() : " or group " + opts.admin_group);
      HB_LOG(log, Warning, Control, "refused control request: {} | uid={} gid={} pid={}", why, who.uid, who.gid,
             who.pid);
      respond(c, errorReply(why));
      return;
    }
    // From here the daemon is the one working (a --wait move may take minutes): not idle.
    c->phase = Conn::Phase::Handling;
    c->timer.cancel();
    std::weak_ptr<Impl> weak = shared_from_this();
    auto answered = std::make_shared<bool>(false);
    try {
      handler(*req, who, [weak, c, answered](Json reply) {
        *answered = true;
        if (auto s = weak.lock()) s->respond(c, std::move(reply));
      });
    } catch (const std::exception& e) {
      HB_LOG(log, Error, Control, "control request failed: {}", e.what());
      if (!*answered) respond(c, errorReply("internal error"));
    }
  }

  void respond(const ConnPtr& c, Json reply) {
    if (stopped || c->phase == Conn::Phase::Closed || c->phase == Conn::Phase::Writing) return;
    c->phase = Conn::Phase::Writing;
    // A client that never reads a large reply must not hold the connection either.
    armIdle(c);
    c->out = reply.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    asio::async_write(c->sock, asio::buffer(c->out),
                      [self = shared_from_this(), c](const boost::system::error_code&, std::size_t) {
                        self->close(c);
                      });
  }

  void close(const ConnPtr& c) {
    if (c->phase == Conn::Phase::Closed) return;
    c->phase = Conn::Phase::Closed;
    boost::system::error_code ignored;
    c->timer.cancel();
    c->sock.shutdown(Proto::socket::shutdown_both, ignored);
    c->sock.close(ignored);
    conns.erase(c);
  }

  void warnThrottled(Throttled& t, std::string text) {
    if (t.quiet) {
      ++t.suppressed;
      return;
    }
    HB_LOG(log, Warning, Control, "{}", text);
    t.quiet = true;
    t.timer.expires_after(opts.overload_log_interval);
    t.timer.async_wait([self = shared_from_this(), &t](const boost::system::error_code& ec) {
      if (ec || self->stopped) return;
      if (t.suppressed > 0) {
        HB_LOG(self->log, Warning, Control, "control socket: {} more refused or evicted connections | interval_ms={}",
               t.suppressed, self->opts.overload_log_interval.count());
      }
      t.quiet = false;
      t.suppressed = 0;
    });
  }

  asio::io_context& io;
  Proto::acceptor acceptor;
  asio::steady_timer accept_timer;
  Handler handler;
  LogSink& log;
  ControlOptions opts;
  std::chrono::milliseconds backoff;
  std::uint64_t accept_failures = 0;  ///< in a row; 0 = accepting normally
  Throttled overload;                 ///< evictions and refusals at the cap
  Throttled refused_peer{io};         ///< peers that are neither root nor haclient
  std::set<ConnPtr> conns;
  std::uint64_t next_seq = 0;
  bool stopped = false;
};

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler, LogSink& log,
                             ControlOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(handler), log, std::move(options))), path_(std::move(path)) {}

ControlServer::~ControlServer() { stop(); }

Result<void> ControlServer::start() {
  // A socket file left by a daemon that died is stale unless somebody answers on it.
  if (::access(path_.c_str(), F_OK) == 0) {
    Proto::socket probe(impl_->io);
    boost::system::error_code ec;
    probe.connect(Proto::endpoint(path_), ec);
    if (!ec) return err(Errc::Io, "another hbd is already running on " + path_);
    ::unlink(path_.c_str());
  }
  boost::system::error_code ec;
  // Created with no access for others from the first instant; opened up to 0660 below.
  mode_t old = ::umask(0117);
  impl_->acceptor.open(Proto(), ec);
  if (!ec) impl_->acceptor.bind(Proto::endpoint(path_), ec);
  ::umask(old);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return err(Errc::Io, "cannot listen on " + path_ + ": " + ec.message());
  gid_t gid = 0;
  if (struct group* g = getgrnam("haclient"); g != nullptr) gid = g->gr_gid;
  if (::chown(path_.c_str(), geteuid(), gid) != 0) {
    HB_LOG(impl_->log, Warning, Control, "cannot chown {}: {}", path_, std::strerror(errno));
  }
  ::chmod(path_.c_str(), 0660);
  const std::string& admin = impl_->opts.admin_group;
  if (!admin.empty() && getgrnam(admin.c_str()) == nullptr) {
    HB_LOG(impl_->log, Warning, Control, "admin_group '{}' does not exist: only root may change state", admin);
  }
  impl_->accept();
  return {};
}

void ControlServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  impl_->accept_timer.cancel();
  impl_->overload.timer.cancel();
  impl_->refused_peer.timer.cancel();
  for (const auto& c : impl_->conns) {
    c->phase = Impl::Conn::Phase::Closed;
    c->timer.cancel();
    c->sock.close(ec);
  }
  impl_->conns.clear();
  ::unlink(path_.c_str());
}

}  // namespace hb::control
