// SPDX-License-Identifier: GPL-2.0-or-later
// Shared text helpers of hb_config (tokens, booleans, times, suggestions) and readFile().
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

#include "hbd/config/config.h"
#include "hbd/config/config_private.h"

namespace hb::config {
namespace detail {

bool isTimeUnit(std::string_view s) {
  return iequals(s, "ms") || iequals(s, "msec") || iequals(s, "us") ||
         iequals(s, "usec");
}

std::optional<std::int64_t> parseTimeMs(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n\f";
  std::size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return std::nullopt;
  s.remove_prefix(b);
  std::size_t e = s.find_last_not_of(kBlank);
  s = s.substr(0, e + 1);

  std::size_t numLen = s.find_first_not_of("0123456789.");
  if (numLen == std::string_view::npos) numLen = s.size();
  std::string_view num = s.substr(0, numLen);
  std::string_view unit = s.substr(numLen);
  std::size_t u = unit.find_first_not_of(kBlank);
  unit = u == std::string_view::npos ? std::string_view{} : unit.substr(u);

  if (std::count(num.begin(), num.end(), '.') > 1) return std::nullopt;
  if (num.find_first_of("0123456789") == std::string_view::npos) return std::nullopt;

  double value = 0;
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
  if (ec != std::errc() || ptr != num.data() + num.size()) return std::nullopt;

  double ms = 0;
  if (unit.empty()) {
    ms = value * 1000.0;
  } else if (iequals(unit, "ms") || iequals(unit, "msec")) {
    ms = value;
  } else if (iequals(unit, "us") || iequals(unit, "usec")) {
    ms = value / 1000.0;
  } else {
    return std::nullopt;
  }
  ms += 0.5;  // heartbeat rounds to the nearest millisecond
  if (!(ms < static_cast<double>(kMaxTimeMs) + 1.0)) return std::nullopt;
  return static_cast<std::int64_t>(ms);
}

std::string formatMs(std::int64_t ms) { return std::to_string(ms) + "ms"; }

bool isInterfaceName(std::string_view s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  for (char c : s) {
    if (c == '/' || c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x21 ||
        static_cast<unsigned char>(c) > 0x7e) {
      return false;
    }
  }
  return true;
}

}  // namespace detail

namespace {

// What fstat found instead of a regular file, for the message.
std::string_view fileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "of an unknown type";
}

std::string mebibytes(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
  return fmt::format("{} bytes", bytes);
}

}  // namespace

namespace detail {

Result<OpenedFile> openConfigFile(const std::string& path, const ReadFileOptions& opts,
                                  std::string_view what) {
  // O_NONBLOCK: opening a FIFO without a writer (or a serial port waiting for carrier) returns at
  // once instead of hanging; fstat below then refuses it. O_NOCTTY: a terminal named by mistake
  // must not become our controlling terminal.
  int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  if (!opts.follow_symlinks) flags |= O_NOFOLLOW;
  OpenedFile f;
  f.fd.reset(::open(path.c_str(), flags));
  if (!f.fd) {
    const int e = errno;
    // With O_NOFOLLOW, ELOOP means the last component is a symbolic link (open(2)).
    if (e == ELOOP && !opts.follow_symlinks) {
      return Error{Errc::Io,
                   fmt::format("{} is a symbolic link, which hbd does not follow for this file: "
                               "put the file itself at {}",
                               what, path),
                   std::nullopt};
    }
    return Error{Errc::Io, "cannot open " + path + ": " + std::strerror(e), std::nullopt};
  }
  if (::fstat(f.fd.get(), &f.st) != 0) {
    return Error{Errc::Io, "cannot read " + path + ": " + std::strerror(errno), std::nullopt};
  }
  if (!S_ISREG(f.st.st_mode)) {
    return Error{Errc::Io,
                 fmt::format("{} is not a regular file ({})", what, fileKind(f.st.st_mode)),
                 std::nullopt};
  }
  if (static_cast<std::uintmax_t>(f.st.st_size) > opts.max_bytes) {
    return Error{Errc::Io,
                 "cannot read " + path + ": larger than " + mebibytes(opts.max_bytes) +
                     ", not a config file",
                 std::nullopt};
  }
  // Regular files never block, but do not leave a surprising flag on the descriptor.
  if (int fl = ::fcntl(f.fd.get(), F_GETFL);
      fl < 0 || ::fcntl(f.fd.get(), F_SETFL, fl & ~O_NONBLOCK) < 0) {
    return Error{Errc::Io, "cannot read " + path + ": " + std::strerror(errno), std::nullopt};
  }
  return f;
}

Result<std::string> readOpened(const OpenedFile& f, const std::string& path,
                               std::size_t max_bytes) {
  std::string out;
  out.reserve(static_cast<std::size_t>(f.st.st_size));
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(f.fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{Errc::Io, "cannot read " + path + ": " + std::strerror(errno), std::nullopt};
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      return Error{
          Errc::Io,
          "cannot read " + path + ": larger than " + mebibytes(max_bytes) + ", not a config file",
          std::nullopt};
    }
  }
  return out;
}

}  // namespace detail

Result<std::string> readFile(const std::string& path, const ReadFileOptions& opts) {
  auto f = detail::openConfigFile(path, opts, path);
  if (!f) return f.error();
  return detail::readOpened(*f, path, opts.max_bytes);
}

}  // namespace hb::config
