// SPDX-License-Identifier: GPL-2.0-or-later
// SerialLink: heartbeat's serial medium; libserial sets the port up, Boost.Asio does the I/O.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <libserial/SerialPort.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <optional>
#include <utility>

#include "hbd/link/link_private.h"
#include "hbd/link/serial_frame.h"

namespace hb::link {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Unix98 pty slaves (/dev/pts/N) have majors 136..143: tolerate termios refusals there.
constexpr unsigned kPtySlaveMajorFirst = 136;
constexpr unsigned kPtySlaveMajorLast = 143;
// The send queue holds at least this much, or two seconds of line time if that is more.
constexpr std::size_t kMinQueueBytes = 16 * 1024;

std::optional<LibSerial::BaudRate> toBaudRate(int baud) {
  switch (baud) {
    case 1200: return LibSerial::BaudRate::BAUD_1200;
    case 2400: return LibSerial::BaudRate::BAUD_2400;
    case 4800: return LibSerial::BaudRate::BAUD_4800;
    case 9600: return LibSerial::BaudRate::BAUD_9600;
    case 19200: return LibSerial::BaudRate::BAUD_19200;
    case 38400: return LibSerial::BaudRate::BAUD_38400;
    case 57600: return LibSerial::BaudRate::BAUD_57600;
    case 115200: return LibSerial::BaudRate::BAUD_115200;
    case 230400: return LibSerial::BaudRate::BAUD_230400;
    case 460800: return LibSerial::BaudRate::BAUD_460800;
    default: return std::nullopt;
  }
}

bool isPty(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return false;
  const unsigned maj = major(st.st_rdev);
  return maj >= kPtySlaveMajorFirst && maj <= kPtySlaveMajorLast;
}

/**
 * Opens and configures `device` with libserial and returns our own non-blocking duplicate of its
 * descriptor. libserial's SerialPort is closed before returning, while the device is healthy:
 * its Close() throws when the device has vanished (leaking the descriptor), and its destructor
 * would then call std::terminate. Closing restores the settings found at open, so the
 * configured settings are read back first and applied again on our descriptor.
 * `warned_pty_baud` limits the "pty refuses the baud rate" warning to once per link.
 */
Result<int> openConfigured(const std::string& device, LibSerial::BaudRate baud, LogSink& log,
                           bool& warned_pty_baud) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0) {
    return err(Errc::NotFound, fmt::format("serial {}: {}", device, std::strerror(errno)));
  }
  auto port = std::make_unique<LibSerial::SerialPort>();
  // Closes (or, if even that throws, deliberately leaks) the libserial object without letting
  // an exception escape a destructor.
  const auto discard = [&port] {
    try {
      if (port->IsOpen()) port->Close();
    } catch (const std::exception&) {
      // Close() threw before closing its descriptor: close it ourselves, then leak the object
      // (a few bytes beat std::terminate from ~SerialPort calling Close() again).
      try {
        ::close(port->GetFileDescriptor());
      } catch (const std::exception&) {
      }
      (void)port.release();
      return;
    }
    port.reset();
  };
  try {
    port->Open(device, std::ios_base::in | std::ios_base::out);
  } catch (const std::exception& e) {
    // (libserial's message may not match the real errno: it calls close() before strerror.)
    discard();
    return err(Errc::Io, fmt::format("serial {}: open: {}", device, e.what()));
  }
  const int fd = port->GetFileDescriptor();
  const bool pty = isPty(fd);
  try {
    port->SetBaudRate(baud);
  } catch (const std::exception& e) {
    if (!pty) {
      discard();
      return err(Errc::Io, fmt::format("serial {}: cannot set baud rate: {}", device, e.what()));
    }
    if (!warned_pty_baud) {
      warned_pty_baud = true;
      HB_LOG(log, Warning, Link, "serial {} is a pty that refuses the baud rate; ignored | {}",
             device, e.what());
    }
  }
  try {
    port->SetCharacterSize(LibSerial::CharacterSize::CHAR_SIZE_8);
    port->SetParity(LibSerial::Parity::PARITY_NONE);
    port->SetStopBits(LibSerial::StopBits::STOP_BITS_1);
    port->SetFlowControl(LibSerial::FlowControl::FLOW_CONTROL_NONE);
  } catch (const std::exception& e) {
    discard();
    return err(Errc::Io, fmt::format("serial {}: cannot set 8N1 without flow control: {}", device,
                                     e.what()));
  }
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) {
    const int saved = errno;
    discard();
    return err(Errc::Io, fmt::format("serial {}: tcgetattr: {}", device, std::strerror(saved)));
  }
  // Raw bytes both ways, modem control lines ignored (a heartbeat cable has no carrier).
  const speed_t ispeed = ::cfgetispeed(&tio);
  const speed_t ospeed = ::cfgetospeed(&tio);
  ::cfmakeraw(&tio);
  (void)::cfsetispeed(&tio, ispeed);
  (void)::cfsetospeed(&tio, ospeed);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS | CSTOPB | PARENB);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;

  const int mine = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (mine < 0) {
    const int saved = errno;
    discard();
    return err(Errc::Io, fmt::format("serial {}: dup: {}", device, std::strerror(saved)));
  }
  discard();  // libserial's descriptor; ours keeps the device open
  if (::tcsetattr(mine, TCSANOW, &tio) != 0 && !pty) {
    const int saved = errno;
    ::close(mine);
    return err(Errc::Io, fmt::format("serial {}: tcsetattr: {}", device, std::strerror(saved)));
  }
  const int flags = ::fcntl(mine, F_GETFL);
  if (flags < 0 || ::fcntl(mine, F_SETFL, flags | O_NONBLOCK) != 0) {
    const int saved = errno;
    ::close(mine);
    return err(Errc::Io, fmt::format("serial {}: O_NONBLOCK: {}", device, std::strerror(saved)));
  }
  return mine;
}

/**
 * The device actor, shared with its handlers through weak_ptr.
 *
 *            open()                      read/write error, EOF, hang-up
 *   closed ---------> [try open] --ok--> up ------------------------------> down
 *     ^                   |                                                  |
 *     |                   +--fails--> down --reopen timer (reopen_interval)--+--> [try open]
 *     +---- close() from any state (cancels I/O and the timer)
 *
 * device_ok is true only in `up`. Frames sent while down are refused and counted.
 */
class SerialCore final : public std::enable_shared_from_this<SerialCore> {
 public:
  SerialCore(LinkOptions o, LibSerial::BaudRate baud, asio::io_context& io, Scheduler& sched,
             LogSink& log)
      : o_(std::move(o)), baud_(baud), stream_(io), log_(log), reopen_(sched.createTimer()),
        queue_limit_(std::max(kMinQueueBytes, 2 * serialBytesPerSecond(o_.baud))) {
    stats_.device_ok = false;
  }

  Result<void> start();
  void stop();
  Result<void> send(ByteView frame);
  void setDeliver(std::function<void(ByteView, const PeerHint&)> d) { deliver_ = std::move(d); }
  void setStatus(std::function<void(bool)> s) { status_ = std::move(s); }
  const LinkStats& stats() const { return stats_; }
  const std::string& name() const { return o_.device; }

 private:
  void tryOpen();
  void setDeviceOk(bool ok);
  void deviceLost(std::string_view what, const error_code& ec);
  void closeDevice();
  void scheduleReopen();
  void read();
  void onRead(const error_code& ec, std::size_t n, std::uint64_t gen);
  void write();
  void onWrite(const error_code& ec, std::uint64_t gen);

  struct Pending {
    std::vector<std::uint8_t> wire;
    std::size_t payload_size;
  };

  LinkOptions o_;
  LibSerial::BaudRate baud_;
  asio::posix::stream_descriptor stream_;
  LogSink& log_;
  TimerPtr reopen_;
  std::function<void(ByteView, const PeerHint&)> deliver_;
  std::function<void(bool)> status_;
  LinkStats stats_;
  SerialFrameReader reader_;
  std::array<std::uint8_t, 4096> rx_{};
  std::deque<Pending> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t queue_limit_;
  bool writing_ = false;
  bool stopped_ = true;
  bool up_ = false;
  bool warned_pty_baud_ = false;
  bool logged_down_ = false;      // "still missing" is logged once per outage
  std::uint64_t generation_ = 0;  // bumped per device opening: older handlers are stale
};

Result<void> SerialCore::start() {
  if (!stopped_) return {};
  stopped_ = false;
  logged_down_ = false;
  tryOpen();  // a missing device is not an error: it is retried in the background
  return {};
}

void SerialCore::stop() {
  if (stopped_) return;
  stopped_ = true;
  reopen_->cancel();
  closeDevice();
  stats_.device_ok = false;
}

void SerialCore::tryOpen() {
  auto fd = openConfigured(o_.device, baud_, log_, warned_pty_baud_);
  if (!fd) {
    if (!logged_down_) {
      logged_down_ = true;
      HB_LOG(log_, Warning, Link, "serial link {} is down; retrying every {} ms | {}", o_.device,
             o_.reopen_interval.count(), fd.error().message);
    }
    scheduleReopen();
    return;
  }
  error_code ec;
  stream_.assign(*fd, ec);
  if (ec) {
    ::close(*fd);
    HB_LOG(log_, Error, Link, "serial link {}: cannot watch descriptor: {}", o_.device,
           ec.message());
    scheduleReopen();
    return;
  }
  ++generation_;
  up_ = true;
  logged_down_ = false;
  reader_.reset();
  HB_LOG(log_, Notice, Link, "serial link {} is up | baud={}", o_.device, o_.baud);
  read();
  setDeviceOk(true);
}

void SerialCore::setDeviceOk(bool ok) {
  if (stats_.device_ok == ok) return;
  stats_.device_ok = ok;
  // Last: the callback may close or destroy the link (it holds no reference into us after).
  if (status_) {
    auto keep = shared_from_this();
    auto cb = status_;
    cb(ok);
  }
}

void SerialCore::scheduleReopen() {
  reopen_->arm(o_.reopen_interval, [weak = weak_from_this()] {
    auto self = weak.lock();
    if (self && !self->stopped_ && !self->up_) self->tryOpen();
  });
}

void SerialCore::closeDevice() {
  up_ = false;
  ++generation_;
  error_code ignored;
  stream_.close(ignored);  // cancels the pending read/write (operation_aborted)
  writing_ = false;
  queue_.clear();  // stale heartbeats are worthless once the line was lost
  queued_bytes_ = 0;
  reader_.reset();
}

void SerialCore::deviceLost(std::string_view what, const error_code& ec) {
  ++stats_.receive_errors;
  logged_down_ = true;
  HB_LOG(log_, Warning, Link, "serial link {} lost ({}: {}); retrying every {} ms", o_.device,
         what, ec.message(), o_.reopen_interval.count());
  closeDevice();
  scheduleReopen();
  setDeviceOk(false);
}

Result<void> SerialCore::send(ByteView frame) {
  if (stopped_) {
    ++stats_.send_errors;
    return err(Errc::Io, fmt::format("serial link {} is closed", o_.device));
  }
  if (frame.size() > kMaxSerialFrameSize) {
    ++stats_.send_errors;
    return err(Errc::InvalidArgument, fmt::format("serial link {}: frame of {} bytes exceeds {}",
                                                  o_.device, frame.size(), kMaxSerialFrameSize));
  }
  if (!up_) {
    ++stats_.send_errors;
    return err(Errc::Io, fmt::format("serial link {}: device is down", o_.device));
  }
  Pending p{encodeSerialFrame(frame), frame.size()};
  if (queued_bytes_ + p.wire.size() > queue_limit_) {
    ++stats_.send_errors;  // the line is slower than our sending: drop rather than pile up
    return err(Errc::Io, fmt::format("serial link {}: send queue full", o_.device));
  }
  queued_bytes_ += p.wire.size();
  queue_.push_back(std::move(p));
  if (!writing_) write();
  return {};
}

void SerialCore::write() {
  writing_ = true;
  const auto& front = queue_.front();
  asio::async_write(
      stream_, asio::buffer(front.wire),
      [weak = weak_from_this(), gen = generation_](const error_code& ec, std::size_t) {
        if (auto self = weak.lock()) self->onWrite(ec, gen);
      });
}

void SerialCore::onWrite(const error_code& ec, std::uint64_t gen) {
  if (ec == asio::error::operation_aborted || stopped_ || gen != generation_) return;
  if (ec) {
    ++stats_.send_errors;
    deviceLost("write", ec);
    return;
  }
  const Pending& done = queue_.front();
  ++stats_.frames_sent;
  stats_.bytes_sent += done.payload_size;
  queued_bytes_ -= done.wire.size();
  queue_.pop_front();
  writing_ = false;
  if (!queue_.empty()) write();
}

void SerialCore::read() {
  stream_.async_read_some(
      asio::buffer(rx_), [weak = weak_from_this(), gen = generation_](const error_code& ec,
                                                                         std::size_t n) {
        if (auto self = weak.lock()) self->onRead(ec, n, gen);
      });
}

void SerialCore::onRead(const error_code& ec, std::size_t n, std::uint64_t gen) {
  if (ec == asio::error::operation_aborted || stopped_ || gen != generation_) return;
  if (ec) {
    // EOF or EIO: the device vanished or the other end of a pty went away.
    deviceLost("read", ec);
    return;
  }
  const std::uint64_t bad_before = reader_.badFrames();
  const PeerHint hint{o_.device};
  reader_.feed(ByteView(rx_.data(), n), [&](ByteView frame) {
    // The callback may close the link; later frames of this chunk are then dropped.
    if (stopped_ || gen != generation_) return;
    ++stats_.frames_received;
    stats_.bytes_received += frame.size();
    if (deliver_) deliver_(frame, hint);
  });
  stats_.bad_frames += reader_.badFrames() - bad_before;
  if (!stopped_ && gen == generation_) read();
}


}  // namespace

Result<LinkPtr> makeSerialLink(const LinkOptions& o, asio::io_context& io, Scheduler& sched,
                               LogSink& log) {
  if (o.device.empty()) return err(Errc::InvalidArgument, "serial link needs a device path");
  const auto baud = toBaudRate(o.baud);
  if (!baud) {
    return err(Errc::InvalidArgument,
               fmt::format("serial {}: unsupported baud rate {}", o.device, o.baud));
  }
  if (o.reopen_interval <= std::chrono::milliseconds::zero()) {
    return err(Errc::InvalidArgument, "serial reopen interval must be positive");
  }
  auto core = std::make_shared<SerialCore>(o, *baud, io, sched, log);
  return LinkPtr(std::make_unique<ForwardingLink<SerialCore>>(std::move(core), kMaxSerialFrameSize));
}

}  // namespace hb::link
