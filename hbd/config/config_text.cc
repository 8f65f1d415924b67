// SPDX-License-Identifier: GPL-2.0-or-later
// Shared text helpers of hb_config (tokens, booleans, times, suggestions) and readFile().
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
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

Result<std::string> readFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Error{Errc::Io, "cannot open " + path + ": " + std::strerror(errno), std::nullopt};
  }
  constexpr std::size_t kMaxConfigSize = 16 * 1024 * 1024;
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Error{Errc::Io, "cannot read " + path + ": " + std::strerror(e), std::nullopt};
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxConfigSize) {
      ::close(fd);
      return Error{Errc::Io, "cannot read " + path + ": larger than 16 MiB, not a config file",
                   std::nullopt};
    }
  }
  ::close(fd);
  return out;
}

}  // namespace hb::config
