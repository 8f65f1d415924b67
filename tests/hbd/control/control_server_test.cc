// SPDX-License-Identifier: GPL-2.0-or-later
// ControlServer over a real Unix socket: hostile request lines get an error reply, the server keeps
// serving, and only parsed requests reach the handler.
#include <grp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "hbd/control/control.h"
#include "tests/fakes/memory_log_sink.h"

namespace hb::control {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/** A connected client socket to `path`, or -1. */
int connectTo(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/** Whether the server closed `fd` (EOF or reset) within `limit`; drains whatever it sent. */
bool closedWithin(int fd, std::chrono::milliseconds limit) {
  const auto end = Clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count()))) <= 0) return false;
    char buf[256];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
}

/** A server on a fresh socket path, its loop on a thread of its own. */
class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hb_control_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/hbd.sock";
    server_ = makeServer(ControlOptions{});
    ASSERT_TRUE(server_->start());
    loop_ = std::thread([this] { io_.run(); });
  }

  /** parameter "throw" throws; parameter "slow" is answered after kSlow (a long --wait). */
  static constexpr auto kSlow = 800ms;
  std::unique_ptr<ControlServer> makeServer(ControlOptions o) {
    return std::make_unique<ControlServer>(
        io_, path_,
        [this](const Request& r, const PeerCred&, Reply reply) {
          ++handled_;
          const auto* p = std::get_if<ParameterRequest>(&r);
          if (p != nullptr && p->name == "throw") throw std::runtime_error("boom");
          Json echo{{"ok", true}, {"echo", toJson(r)}};
          if (p != nullptr && p->name == "slow") {
            auto t = std::make_shared<boost::asio::steady_timer>(io_, kSlow);
            t->async_wait([t, reply, echo](const boost::system::error_code&) { reply(echo); });
            return;
          }
          reply(echo);
        },
        log_, std::move(o));
  }

  /** Replaces the server by one with options `o`, on the loop. */
  void restart(ControlOptions o) {
    std::promise<bool> done;
    boost::asio::post(io_, [&] {
      server_->stop();
      server_ = makeServer(std::move(o));
      done.set_value(static_cast<bool>(server_->start()));
    });
    ASSERT_TRUE(done.get_future().get());
  }

  /** Log records containing `needle`, counted on the loop (the sink is the loop's). */
  std::size_t logged(const std::string& needle) {
    std::promise<std::size_t> n;
    boost::asio::post(io_, [&] { n.set_value(log_.count(needle)); });
    return n.get_future().get();
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
  /** The reply object, or {"unparsed": line} (so .value() never throws in a test). */
  static Json parsed(const std::string& line) {
    Json j = Json::parse(line, nullptr, false);
    return j.is_object() ? j : Json{{"unparsed", line}};
  }

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

TEST_F(ControlServerTest, MegabyteRequestGetsAnErrorAndWrongTypesToo) {
  const Json big = parsed(raw(std::string(1024 * 1024, '{') + "\n"));
  EXPECT_EQ(big.value("error", ""), "request too large (more than 65536 bytes)");
  for (const char* line : {"{\"cmd\":7}\n", "[\"status\"]\n", "{\"cmd\":\"standby\",\"wait\":\"yes\"}\n",
                           "{\"cmd\":\"standby\",\"wait_ms\":-1}\n", "{\"cmd\":\"takeover\",\"what\":[]}\n"}) {
    EXPECT_EQ(parsed(raw(line)).value("ok", true), false) << line;
  }
  EXPECT_EQ(handled_, 0);
  EXPECT_TRUE(request(path_, Json{{"cmd", "status"}}));
}

TEST_F(ControlServerTest, IdleConnectionsAreClosedAfterTheTimeout) {
  ControlOptions o;
  o.idle_timeout = 300ms;
  restart(o);
  const int silent = connectTo(path_);
  const int partial = connectTo(path_);
  ASSERT_GE(silent, 0);
  ASSERT_GE(partial, 0);
  ASSERT_EQ(::send(partial, "{\"cmd\":", 7, MSG_NOSIGNAL), 7);
  const auto t0 = Clock::now();
  EXPECT_TRUE(closedWithin(silent, 5s));
  EXPECT_TRUE(closedWithin(partial, 5s));
  EXPECT_GE(Clock::now() - t0, 250ms);
  ::close(silent);
  ::close(partial);
  EXPECT_TRUE(request(path_, Json{{"cmd", "status"}}));
  EXPECT_EQ(handled_, 1);
}

TEST_F(ControlServerTest, ConnectionWaitingForTheHandlerIsNotIdle) {
  ControlOptions o;
  o.idle_timeout = 200ms;
  restart(o);
  const auto t0 = Clock::now();
  const Json reply = parsed(raw("{\"cmd\":\"parameter\",\"name\":\"slow\"}\n"));
  EXPECT_EQ(reply.value("ok", false), true) << reply.dump();
  EXPECT_GE(Clock::now() - t0, kSlow - 50ms);
}

TEST_F(ControlServerTest, AtTheCapTheOldestIdleConnectionMakesRoom) {
  ControlOptions o;
  o.max_connections = 4;
  o.idle_timeout = 30s;
  restart(o);
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(connectTo(path_));
    ASSERT_GE(idle.back(), 0);
    // Accepted in this order: the server sees them one by one.
    pollfd p{idle.back(), POLLIN, 0};
    ::poll(&p, 1, 50);
  }
  auto status = [this] {
    auto r = request(path_, Json{{"cmd", "status"}}, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(replyOk(*r));
    std::this_thread::sleep_for(50ms);  // the server has closed the status connection
  };
  status();
  // The oldest idle connection made room, not the newest.
  EXPECT_TRUE(closedWithin(idle[0], 2s));
  EXPECT_FALSE(closedWithin(idle[1], 100ms));
  idle.push_back(connectTo(path_));  // the cap is full again
  status();
  EXPECT_TRUE(closedWithin(idle[1], 2s));
  for (std::size_t i = 2; i < idle.size(); ++i) EXPECT_FALSE(closedWithin(idle[i], 50ms)) << i;
  for (int fd : idle) ::close(fd);
  EXPECT_EQ(logged("control connections at the limit (4)"), 1u);  // two evictions, logged once
}

TEST_F(ControlServerTest, AtTheCapWithEveryConnectionBusyANewOneIsRefused) {
  ControlOptions o;
  o.max_connections = 2;
  restart(o);
  auto slow = [this] { return parsed(raw("{\"cmd\":\"parameter\",\"name\":\"slow\"}\n")); };
  auto a = std::async(std::launch::async, slow);
  auto b = std::async(std::launch::async, slow);
  const auto end = Clock::now() + 5s;
  while (handled_ < 2 && Clock::now() < end) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(handled_, 2);
  const Json refused = parsed(raw("{\"cmd\":\"status\"}\n"));
  EXPECT_EQ(refused.value("error", ""), "too many control connections (limit 2)");
  EXPECT_EQ(a.get().value("ok", false), true);
  EXPECT_EQ(b.get().value("ok", false), true);
  EXPECT_TRUE(request(path_, Json{{"cmd", "status"}}));
}

/** Runs one request line as uid `uid`, primary group `gid`, no supplementary groups (a forked
 *  child: the peer credentials are the connecting process's). @return the reply line. */
std::string requestAs(const std::string& path, unsigned uid, unsigned gid, const std::string& line) {
  int pfd[2];
  if (::pipe(pfd) != 0) return "<pipe>";
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only system calls from here: the parent has a loop thread.
    ::close(pfd[0]);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0) _exit(2);
    const int fd = connectTo(path);
    if (fd < 0) _exit(3);
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) _exit(4);
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
      if (::write(pfd[1], buf, static_cast<std::size_t>(n)) != n) _exit(5);
    }
    _exit(0);
  }
  ::close(pfd[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pfd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(pfd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "<child failed " + std::to_string(status) + ">";
  return out;
}

TEST_F(ControlServerTest, HaclientMayReadButStateChangesNeedAdminGroup) {
  struct group* hac = getgrnam("haclient");
  if (::geteuid() != 0 || hac == nullptr) GTEST_SKIP() << "needs root and a haclient group";
  const unsigned gid = hac->gr_gid;
  const unsigned nobody = 65534;
  ::chmod(dir_.c_str(), 0755);  // let the child reach the socket (root:haclient 0660)
  EXPECT_EQ(parsed(requestAs(path_, nobody, gid, "{\"cmd\":\"status\"}\n")).value("ok", false), true);
  for (const char* cmd : {"standby", "takeover", "shutdown"}) {
    const Json r = parsed(requestAs(path_, nobody, gid, fmt::format("{{\"cmd\":\"{}\"}}\n", cmd)));
    EXPECT_EQ(r.value("error", ""), fmt::format("permission denied: {} needs root", cmd)) << r.dump();
  }
  EXPECT_EQ(handled_, 1);
  EXPECT_EQ(logged("refused control request: permission denied: standby needs root"), 1u);

  ControlOptions o;
  o.admin_group = "haclient";
  restart(o);
  ::chmod(dir_.c_str(), 0755);
  const Json ok = parsed(requestAs(path_, nobody, gid, "{\"cmd\":\"standby\"}\n"));
  EXPECT_EQ(ok.value("ok", false), true) << ok.dump();
  o.admin_group = "root";
  restart(o);
  EXPECT_EQ(parsed(requestAs(path_, nobody, gid, "{\"cmd\":\"shutdown\"}\n")).value("error", ""),
            "permission denied: shutdown needs root or group root");
}

// EMFILE: a server whose fd limit is reached by idle clients must not spin on accept(), and must
// answer again once they leave. The server runs in a forked child with a low RLIMIT_NOFILE (no
// thread exists yet in this test), the clients here; the child's CPU clock is read from outside.
TEST(ControlServerEmfile, AcceptBacksOffAndRecovers) {
  char tmpl[] = "/tmp/hb_control_emfile.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl, path = dir + "/hbd.sock";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    boost::asio::io_context io;
    test::MemoryLogSink log;
    ControlServer server(io, path, [](const Request&, const PeerCred&, Reply reply) { reply(okReply()); }, log);
    if (!server.start()) _exit(10);
    // UBSan checks a virtual call's dynamic type the first time it sees it, and its memory probe
    // needs a pipe: at EMFILE that check fails spuriously. Make the checks of the calls the
    // failing accept makes (the log sink, the error's message) now.
    HB_LOG(log, Info, Control, "server up: {}", boost::system::error_code(EMFILE, boost::system::system_category()).message());
    std::size_t open = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++open;
    const rlimit lim{open + 12, open + 12};
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(11);
    boost::asio::signal_set term(io, SIGTERM);
    term.async_wait([&](const boost::system::error_code&, int) {
      server.stop();
      io.stop();
    });
    io.run_for(60s);
    // Logged once per episode, not once per failed accept (a second short episode may follow
    // while the departed clients' connections are reaped).
    const std::size_t warned = log.count("cannot accept connections");
    _exit(warned >= 1 && warned <= 3 && log.count("accepting again") >= 1 ? 0 : 12);
  }
  std::vector<int> fds;
  auto cleanup = [&] {
    for (int fd : fds) ::close(fd);
    fds.clear();
  };
  const auto end = Clock::now() + 10s;
  while (::access(path.c_str(), F_OK) != 0 && Clock::now() < end) std::this_thread::sleep_for(10ms);
  // One request and one hang-up while the child still has fds: the code paths it runs at EMFILE
  // (reads, EOF, closes) pass UBSan's first-time type checks now, not when no pipe can be made.
  auto first = request(path, Json{{"cmd", "status"}}, 5s);
  ASSERT_TRUE(first && replyOk(*first));
  ::close(connectTo(path));
  std::this_thread::sleep_for(100ms);
  for (int i = 0; i < 40; ++i) {
    const int fd = connectTo(path);
    if (fd >= 0) fds.push_back(fd);
  }
  EXPECT_EQ(fds.size(), 40u);
  std::this_thread::sleep_for(300ms);  // the child has accepted what it can and hit EMFILE
  clockid_t cpu;
  ASSERT_EQ(::clock_getcpuclockid(child, &cpu), 0);
  auto cpuNow = [&] {
    timespec ts{};
    ::clock_gettime(cpu, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  };
  const auto cpu0 = cpuNow();
  std::this_thread::sleep_for(1s);
  const auto used = std::chrono::duration_cast<std::chrono::milliseconds>(cpuNow() - cpu0);
  EXPECT_LT(used, 200ms) << "the server spins on accept() at EMFILE";
  cleanup();
  bool answered = false;
  while (!answered && Clock::now() < end + 10s) {
    auto r = request(path, Json{{"cmd", "status"}}, 2s);
    answered = r && replyOk(*r);
    if (!answered) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(answered) << "status not answered after the idle clients left";
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace hb::control
