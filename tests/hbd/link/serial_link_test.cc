// SPDX-License-Identifier: GPL-2.0-or-later
// SerialLink over socat pty pairs: exchange, device loss and return, missing device, noise, queue.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hbd/link/link.h"
#include "hbd/link/serial_frame.h"
#include "resources/base/asio_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/hbd/link/link_test_util.h"

extern char** environ;

namespace hb::link {
namespace {

namespace fs = std::filesystem;
using test::bytes;
using test::runFor;
using test::runUntil;

std::string findSocat() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t pos = 0;
  while (pos <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', pos), dirs.size());
    const std::string cand = dirs.substr(pos, end - pos) + "/socat";
    if (::access(cand.c_str(), X_OK) == 0) return cand;
    pos = end + 1;
  }
  return {};
}

/** A socat process joining two ptys at DIR/a and DIR/b. */
class SocatPair {
 public:
  SocatPair(std::string socat, fs::path dir) : socat_(std::move(socat)), dir_(std::move(dir)) {}
  ~SocatPair() { stop(); }
  std::string a() const { return (dir_ / "a").string(); }
  std::string b() const { return (dir_ / "b").string(); }

  bool start() {
    const std::string left = "pty,raw,echo=0,link=" + a();
    const std::string right = "pty,raw,echo=0,link=" + b();
    const std::string log = (dir_ / "socat.log").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> argv = {const_cast<char*>(socat_.c_str()), const_cast<char*>("-d"),
                               const_cast<char*>("-d"), const_cast<char*>(left.c_str()),
                               const_cast<char*>(right.c_str()), nullptr};
    const int rc = posix_spawn(&pid_, socat_.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      pid_ = -1;
      return false;
    }
    // Wait (bounded) until socat has made both links.
    for (int i = 0; i < 500; ++i) {
      if (fs::exists(a()) && fs::exists(b())) return true;
      ::usleep(10000);
    }
    return false;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::string socat_;
  fs::path dir_;
  pid_t pid_ = -1;
};

struct Inbox {
  std::vector<std::string> frames;
  std::vector<std::string> from;
};

class SerialLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socat_path_ = findSocat();
    if (socat_path_.empty()) {
      if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
        FAIL() << "socat is required in CI";
      }
      GTEST_SKIP() << "socat not installed";
    }
    char tmpl[] = "/tmp/hb-serial-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socat_ = std::make_unique<SocatPair>(socat_path_, dir_);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    socat_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  LinkOptions serial(const std::string& device) {
    LinkOptions o;
    o.kind = LinkOptions::Kind::Serial;
    o.device = device;
    o.baud = 115200;
    o.reopen_interval = std::chrono::milliseconds(100);
    return o;
  }
  LinkPtr make(const std::string& device, Inbox& into) {
    auto l = makeLink(serial(device), io_, sched_, log_);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().describe());
    if (!l.ok()) return nullptr;
    LinkPtr link = std::move(l).value();
    link->onFrame([&into](ByteView f, const PeerHint& h) {
      into.frames.emplace_back(f.begin(), f.end());
      into.from.push_back(h.address);
    });
    return link;
  }
  /** Sends `text` both ways and waits until both arrive. */
  bool exchange(const std::string& text) {
    const std::size_t na = ra_.frames.size();
    const std::size_t nb = rb_.frames.size();
    if (!a_->send(bytes("a:" + text)).ok() || !b_->send(bytes("b:" + text)).ok()) return false;
    return runUntil(io_, [&] { return ra_.frames.size() > na && rb_.frames.size() > nb; }) &&
           ra_.frames.back() == "b:" + text && rb_.frames.back() == "a:" + text;
  }

  boost::asio::io_context io_;
  AsioScheduler sched_{io_};
  hb::test::MemoryLogSink log_;
  std::string socat_path_;
  fs::path dir_;
  std::unique_ptr<SocatPair> socat_;
  Inbox ra_, rb_;
  LinkPtr a_, b_;
};

TEST_F(SerialLinkTest, TwoLinksExchangeFramesOverAPtyPair) {
  ASSERT_TRUE(socat_->start());
  a_ = make(socat_->a(), ra_);
  b_ = make(socat_->b(), rb_);
  ASSERT_TRUE(a_ && b_);
  EXPECT_EQ(a_->name(), socat_->a());
  EXPECT_EQ(a_->maxFrameSize(), kMaxSerialFrameSize);
  ASSERT_TRUE(a_->open().ok());
  ASSERT_TRUE(b_->open().ok());
  EXPECT_TRUE(a_->stats().device_ok);
  EXPECT_TRUE(b_->stats().device_ok);

  ASSERT_TRUE(exchange("hello"));
  EXPECT_EQ(rb_.from.back(), socat_->b());
  // Payloads with zero bytes and a full-size frame, several in flight at once.
  std::string zeros("\0\0x\0", 4);
  const std::string big(kMaxSerialFrameSize, '\0');
  ASSERT_TRUE(a_->send(bytes(zeros)).ok());
  ASSERT_TRUE(a_->send(bytes(big)).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(a_->send(bytes("seq" + std::to_string(i))).ok());
  ASSERT_TRUE(runUntil(io_, [&] { return rb_.frames.size() == 8; }));
  EXPECT_EQ(rb_.frames[1], zeros);
  EXPECT_EQ(rb_.frames[2], big);
  EXPECT_EQ(rb_.frames[7], "seq4");
  EXPECT_EQ(a_->stats().frames_sent, 8u);
  EXPECT_EQ(b_->stats().frames_received, 8u);
  EXPECT_EQ(b_->stats().bytes_received, a_->stats().bytes_sent);
  EXPECT_EQ(b_->stats().bad_frames, 0u);

  auto over = a_->send(bytes(std::string(kMaxSerialFrameSize + 1, 'x')));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, Errc::InvalidArgument);
}

TEST_F(SerialLinkTest, DeviceLossMarksTheLinkDeadAndItComesBackByItself) {
  ASSERT_TRUE(socat_->start());
  a_ = make(socat_->a(), ra_);
  b_ = make(socat_->b(), rb_);
  std::vector<bool> status;  // what membership is told (Membership::setLinkOpen)
  a_->onStatus([&](bool ok) { status.push_back(ok); });
  ASSERT_TRUE(a_ && b_ && a_->open().ok() && b_->open().ok());
  EXPECT_EQ(status, std::vector<bool>{true});
  ASSERT_TRUE(exchange("before"));

  socat_->stop();  // both ptys vanish
  ASSERT_TRUE(runUntil(io_, [&] { return !a_->stats().device_ok && !b_->stats().device_ok; }));
  auto r = a_->send(bytes("into the void"));
  ASSERT_FALSE(r.ok());
  EXPECT_GE(a_->stats().send_errors, 1u);
  runFor(io_, std::chrono::milliseconds(350));  // several failed reopen attempts
  EXPECT_FALSE(a_->stats().device_ok);

  ASSERT_TRUE(socat_->start());  // same paths, new ptys; the links are not recreated
  ASSERT_TRUE(runUntil(io_, [&] { return a_->stats().device_ok && b_->stats().device_ok; }));
  ASSERT_TRUE(exchange("after"));
  // One report per change, none per failed retry.
  EXPECT_EQ(status, (std::vector<bool>{true, false, true}));
  a_->close();
  EXPECT_EQ(status.size(), 3u);  // close() reports nothing
  // The outage was logged once per link, not once per retry.
  EXPECT_EQ(log_.count("lost"), 2u);
  EXPECT_EQ(log_.count("is up"), 4u);
}

TEST_F(SerialLinkTest, MissingDeviceOpensAndComesUpWhenItAppears) {
  a_ = make(socat_->a(), ra_);
  b_ = make(socat_->b(), rb_);
  ASSERT_TRUE(a_ && b_);
  std::vector<bool> status;
  a_->onStatus([&](bool ok) { status.push_back(ok); });
  ASSERT_TRUE(a_->open().ok());  // the device does not exist yet: still opens
  ASSERT_TRUE(b_->open().ok());
  EXPECT_FALSE(a_->stats().device_ok);
  runFor(io_, std::chrono::milliseconds(250));
  EXPECT_FALSE(a_->stats().device_ok);
  ASSERT_TRUE(socat_->start());
  EXPECT_TRUE(status.empty());  // still missing: nothing changed
  ASSERT_TRUE(runUntil(io_, [&] { return a_->stats().device_ok && b_->stats().device_ok; }));
  EXPECT_EQ(status, std::vector<bool>{true});
  ASSERT_TRUE(exchange("late"));
}

TEST_F(SerialLinkTest, NoiseOnTheLineIsCountedAndFramesStillArrive) {
  ASSERT_TRUE(socat_->start());
  a_ = make(socat_->a(), ra_);
  ASSERT_TRUE(a_ && a_->open().ok());
  // Play the other end by hand: garbage, a corrupted frame, then a good one.
  const int fd = ::open(socat_->b().c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(fd, 0);
  std::vector<std::uint8_t> wire = {'n', 'o', 'i', 's', 'e'};
  auto broken = encodeSerialFrame(bytes("broken"));
  broken[3] ^= 0x10;
  wire.insert(wire.end(), broken.begin(), broken.end());
  encodeSerialFrame(bytes("good"), wire);
  ASSERT_EQ(::write(fd, wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  ASSERT_TRUE(runUntil(io_, [&] { return ra_.frames.size() == 1; }));
  EXPECT_EQ(ra_.frames[0], "good");
  EXPECT_EQ(a_->stats().bad_frames, 2u);  // the noise run and the corrupted frame
  ::close(fd);
}

TEST_F(SerialLinkTest, SendNeverBlocksAndDropsWhenTheQueueIsFull) {
  ASSERT_TRUE(socat_->start());
  a_ = make(socat_->a(), ra_);
  ASSERT_TRUE(a_ && a_->open().ok());
  // Without running the loop nothing drains: the bounded queue must refuse, not grow or block.
  const std::string frame(1000, 'q');
  int accepted = 0;
  for (int i = 0; i < 1000; ++i) accepted += a_->send(bytes(frame)).ok() ? 1 : 0;
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 100);
  EXPECT_EQ(a_->stats().send_errors, static_cast<std::uint64_t>(1000 - accepted));
}

TEST_F(SerialLinkTest, CloseStopsEverythingAndReopenWorks) {
  ASSERT_TRUE(socat_->start());
  a_ = make(socat_->a(), ra_);
  b_ = make(socat_->b(), rb_);
  ASSERT_TRUE(a_ && b_ && a_->open().ok() && b_->open().ok());
  ASSERT_TRUE(exchange("one"));
  b_->close();
  EXPECT_FALSE(b_->stats().device_ok);
  EXPECT_FALSE(b_->send(bytes("closed")).ok());
  b_.reset();  // destroyed with nothing pending
  runFor(io_, std::chrono::milliseconds(20));
  a_->close();
  a_->close();
}

TEST(SerialLinkOptions, FactoryRejectsBadOptions) {
  boost::asio::io_context io;
  AsioScheduler sched(io);
  LinkOptions o;
  o.kind = LinkOptions::Kind::Serial;
  o.device = "/dev/ttyS0";
  o.baud = 12345;
  auto r = makeLink(o, io, sched, nullLogSink());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  o.baud = 19200;
  o.device.clear();
  EXPECT_FALSE(makeLink(o, io, sched, nullLogSink()).ok());
  o.device = "/dev/ttyS0";
  o.reopen_interval = std::chrono::milliseconds(0);
  EXPECT_FALSE(makeLink(o, io, sched, nullLogSink()).ok());
  for (int baud : {9600, 19200, 38400, 57600, 115200, 230400, 460800}) {
    o.baud = baud;
    o.reopen_interval = std::chrono::milliseconds(1000);
    EXPECT_TRUE(makeLink(o, io, sched, nullLogSink()).ok()) << baud;
  }
}

}  // namespace
}  // namespace hb::link
