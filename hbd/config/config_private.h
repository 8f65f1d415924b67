// SPDX-License-Identifier: GPL-2.0-or-later
// Text helpers shared by the ha.cf and authkeys parsers (private to hb_config).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/text.h"

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

}  // namespace hb::config::detail
