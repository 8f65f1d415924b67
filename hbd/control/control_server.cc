// SPDX-License-Identifier: GPL-2.0-or-later
// ControlServer: a Boost.Asio Unix-socket acceptor speaking one JSON line per request.
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "hbd/control/control.h"

namespace hb::control {

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;

namespace {

bool inGroup(unsigned uid, unsigned gid, const char* group) {
  struct group* g = getgrnam(group);
  if (g == nullptr) return false;
  if (gid == g->gr_gid) return true;
  // Supplementary membership: the peer's groups are not in SO_PEERCRED, so look the user up.
  struct passwd* pw = getpwuid(uid);
  if (pw == nullptr) return false;
  for (char** m = g->gr_mem; m != nullptr && *m != nullptr; ++m) {
    if (std::string(*m) == pw->pw_name) return true;
  }
  return false;
}

}  // namespace

bool peerAllowed(const PeerCred& who) {
  return who.uid == 0 || who.uid == geteuid() || inGroup(who.uid, who.gid, "haclient");
}

std::string socketPath(const std::string& from_flag) {
  if (!from_flag.empty()) return from_flag;
  if (const char* env = std::getenv("HBD_SOCKET"); env != nullptr && *env != '\0') return env;
  return "/run/hbd/hbd.sock";
}

struct ControlServer::Impl : std::enable_shared_from_this<ControlServer::Impl> {
  Impl(asio::io_context& io_, Handler h, LogSink& l) : io(io_), acceptor(io_), handler(std::move(h)), log(l) {}

  struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(Proto::socket s) : sock(std::move(s)) {}
    Proto::socket sock;
    asio::streambuf buf{kMaxRequestSize};
    std::string out;
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, Proto::socket s) {
      if (ec == asio::error::operation_aborted || self->stopped) return;
      if (!ec) self->serve(std::make_shared<Conn>(std::move(s)));
      self->accept();
    });
  }

  void serve(const std::shared_ptr<Conn>& c) {
    PeerCred who;
    struct ucred uc {};
    socklen_t len = sizeof uc;
    if (getsockopt(c->sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
      who = PeerCred{uc.pid, uc.uid, uc.gid};
    } else {
      who.uid = ~0u;
    }
    if (!peerAllowed(who)) {
      HB_LOG(log, Warning, Control, "refused control connection | uid={} gid={} pid={}", who.uid, who.gid,
             who.pid);
      respond(c, errorReply("permission denied"));
      return;
    }
    conns.insert(c);
    asio::async_read_until(c->sock, c->buf, '\n',
                           [self = shared_from_this(), c, who](const boost::system::error_code& ec, std::size_t n) {
                             if (self->stopped) return;
                             self->onLine(c, who, ec, n);
                           });
  }

  void onLine(const std::shared_ptr<Conn>& c, const PeerCred& who, const boost::system::error_code& ec,
              std::size_t n) {
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
      conns.erase(c);
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

  void respond(const std::shared_ptr<Conn>& c, Json reply) {
    c->out = reply.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    asio::async_write(c->sock, asio::buffer(c->out),
                      [self = shared_from_this(), c](const boost::system::error_code&, std::size_t) {
                        boost::system::error_code ignored;
                        c->sock.shutdown(Proto::socket::shutdown_both, ignored);
                        c->sock.close(ignored);
                        self->conns.erase(c);
                      });
  }

  asio::io_context& io;
  Proto::acceptor acceptor;
  Handler handler;
  LogSink& log;
  std::set<std::shared_ptr<Conn>> conns;
  bool stopped = false;
};

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler, LogSink& log)
    : impl_(std::make_shared<Impl>(io, std::move(handler), log)), path_(std::move(path)) {}

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
  impl_->accept();
  return {};
}

void ControlServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  for (const auto& c : impl_->conns) c->sock.close(ec);
  impl_->conns.clear();
  ::unlink(path_.c_str());
}

}  // namespace hb::control
