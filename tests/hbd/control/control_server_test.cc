// SPDX-License-Identifier: GPL-2.0-or-later
// ControlServer over a real Unix socket: hostile request lines get an error reply, the server keeps
// serving, and only parsed requests reach the handler.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "hbd/control/control.h"
#include "tests/fakes/memory_log_sink.h"

namespace hb::control {
namespace {

/** A server on a fresh socket path, its loop on a thread of its own. */
class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hb_control_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/hbd.sock";
    server_ = std::make_unique<ControlServer>(
        io_, path_,
        [this](const Request& r, const PeerCred&, Reply reply) {
          ++handled_;
          if (const auto* p = std::get_if<ParameterRequest>(&r); p != nullptr && p->name == "throw") {
            throw std::runtime_error("boom");
          }
          reply(Json{{"ok", true}, {"echo", toJson(r)}});
        },
        log_);
    ASSERT_TRUE(server_->start());
    loop_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    work_.reset();
    io_.stop();
    loop_.join();
    server_.reset();
    ::rmdir(dir_.c_str());
  }

  /** Writes `bytes` (then shuts the write side down when `close_write`) and reads the reply line. */
  std::string raw(const std::string& bytes, bool close_write = false) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return "<connect failed>";
    }
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may answer and close before reading everything
      off += static_cast<std::size_t>(n);
    }
    if (close_write) ::shutdown(fd, SHUT_WR);
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
  }
  static Json parsed(const std::string& line) { return Json::parse(line, nullptr, false); }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  test::MemoryLogSink log_;
  std::string dir_, path_;
  std::unique_ptr<ControlServer> server_;
  std::thread loop_;
  std::atomic<int> handled_{0};
};

TEST_F(ControlServerTest, ParsedRequestReachesTheHandler) {
  auto r = request(path_, Json{{"cmd", "parameter"}, {"name", "deadtime"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["echo"]["name"], "deadtime");
  EXPECT_EQ(handled_, 1);
}

TEST_F(ControlServerTest, HostileLinesGetAnErrorAndTheServerKeepsServing) {
  const std::pair<std::string, std::string> cases[] = {
      {"{\"cmd\":\"parameter\",\"name\":1}\n", "malformed request: \"name\" must be a string"},
      {"{\"cmd\":\"stat\n", "malformed request: not JSON"},
      {"{\"cmd\":\"nope\"}\n", "unknown command 'nope'"},
      {"{\"cmd\":\"parameter\"}\n", "malformed request: \"parameter\" needs \"name\""},
      {"\n", "malformed request: not JSON"},
  };
  for (const auto& [line, error] : cases) {
    const Json reply = parsed(raw(line));
    EXPECT_EQ(reply.value("ok", true), false) << line;
    EXPECT_EQ(reply.value("error", ""), error) << line;
  }
  EXPECT_EQ(handled_, 0);
  EXPECT_TRUE(request(path_, Json{{"cmd", "status"}}));
}

TEST_F(ControlServerTest, TruncatedRequestWithoutNewlineGetsAnError) {
  const Json reply = parsed(raw("{\"cmd\":\"status\"}", /*close_write=*/true));
  EXPECT_EQ(reply.value("error", ""), "malformed request: truncated (no newline before the end)");
  EXPECT_EQ(handled_, 0);
}

TEST_F(ControlServerTest, OversizedRequestGetsAnError) {
  const std::string big = "{\"cmd\":\"parameter\",\"name\":\"" + std::string(200 * 1024, 'x') + "\"}\n";
  const Json reply = parsed(raw(big));
  EXPECT_EQ(reply.value("error", ""), "request too large (more than 65536 bytes)");
  EXPECT_EQ(handled_, 0);
  EXPECT_TRUE(request(path_, Json{{"cmd", "status"}}));
}

TEST_F(ControlServerTest, HandlerThatThrowsGetsInternalError) {
  const Json reply = parsed(raw("{\"cmd\":\"parameter\",\"name\":\"throw\"}\n"));
  EXPECT_EQ(reply.value("error", ""), "internal error");
  EXPECT_TRUE(request(path_, Json{{"cmd", "status"}}));
}

}  // namespace
}  // namespace hb::control
