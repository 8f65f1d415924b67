// SPDX-License-Identifier: GPL-2.0-or-later
// Text helpers shared by the ha.cf and authkeys parsers (private to hb_config).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hbd/config/config.h"
#include "resources/base/diagnostic.h"
#include "resources/base/result.h"
#include "resources/base/text.h"
#include "resources/base/unique_fd.h"

namespace hb::config::detail {

// The generic text helpers live in resources/base/text.h; the parsers name them unqualified.
using hb::editDistance;
using hb::parseBool;
using hb::parseInt;
using hb::parseIpv4;
using hb::printable;
using hb::splitTokens;
using hb::suggest;
using hb::toLower;

/** heartbeat's WHITESPACE: separates a directive name from its values, and whole-line values. */
inline constexpr std::string_view kWhitespace = " \t\n\r\f";
/** heartbeat's DELIMS: separates the values of option directives. */
inline constexpr std::string_view kDelims = ", \t\n\r\f";

/** True for heartbeat's time units: ms, msec, us, usec (case-insensitive). */
bool isTimeUnit(std::string_view s);

/**
 * heartbeat's get_msec, strictly: `N` or `N.M` seconds, or with a `ms`/`msec`/`us`/`usec` suffix
 * (case-insensitive, blanks allowed before it); rounded to the nearest millisecond.
 * @return milliseconds, or nothing when the text is not a time or exceeds kMaxTimeMs.
 */
std::optional<std::int64_t> parseTimeMs(std::string_view s);
inline constexpr std::int64_t kMaxTimeMs = 2147483647;

/** "NNNNms", the form heartbeat writes computed times in. */
std::string formatMs(std::int64_t ms);

/** A plausible network interface name: 1..15 characters, no '/', no blank, not "." or "..". */
bool isInterfaceName(std::string_view s);

/** A config file opened by openConfigFile(): the descriptor and what fstat(2) said of it. */
struct OpenedFile {
  UniqueFd fd;
  struct stat st {};
};

/**
 * The first half of readFile(): opens path (flags as readFile() documents), fstats the descriptor,
 * refuses anything but a regular file of at most opts.max_bytes, then clears O_NONBLOCK so reads
 * behave as on any regular file.
 * @param what how messages call the file: the path itself, or a name such as "authkeys"
 */
Result<OpenedFile> openConfigFile(const std::string& path, const ReadFileOptions& opts,
                                  std::string_view what);

/** The second half of readFile(): reads f to its end, refusing more than max_bytes (a file may
 *  grow after the fstat). */
Result<std::string> readOpened(const OpenedFile& f, const std::string& path, std::size_t max_bytes);

/** The second half of readAuthKeysFile(): reads f and checks its mode and owner from f.st (the
 *  descriptor's, never the path's). Same result as readAuthKeysFile(). */
ParseResult<std::string> readAuthKeysOpened(const OpenedFile& f, const std::string& path);

}  // namespace hb::config::detail
