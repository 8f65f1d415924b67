// SPDX-License-Identifier: GPL-2.0-or-later
// Blocking control-socket client for the command-line tools (never used inside the daemon).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hbd/control/control.h"

namespace hb::control {
namespace {

// The tools are tiny one-shot programs: a plain blocking socket with poll() for the timeout is the
// simplest correct client (an io_context would add nothing but code).
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() < 0) return false;
  struct pollfd p {fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, static_cast<int>(left.count()));
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace

Result<Json> request(const std::string& socket_path, const Json& req, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return err(Errc::Io, std::string("socket: ") + std::strerror(errno));
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) return err(Errc::InvalidArgument, "socket path too long");
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    return err(Errc::Io, "cannot connect to " + socket_path + ": " + std::strerror(errno));
  }
  std::string line = req.dump() + "\n";
  std::size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(fd.get(), line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return err(Errc::Io, std::string("send: ") + std::strerror(errno));
    off += static_cast<std::size_t>(n);
  }
  std::string in;
  char buf[4096];
  while (in.find('\n') == std::string::npos) {
    if (!waitFor(fd.get(), POLLIN, deadline)) return err(Errc::Timeout, "no timely response from hbd");
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return err(Errc::Io, std::string("recv: ") + std::strerror(errno));
    if (n == 0) break;
    in.append(buf, static_cast<std::size_t>(n));
    if (in.size() > 16 * 1024 * 1024) return err(Errc::Malformed, "reply too large");
  }
  Json reply = Json::parse(in, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) return err(Errc::Malformed, "malformed reply from hbd");
  return reply;
}

}  // namespace hb::control
