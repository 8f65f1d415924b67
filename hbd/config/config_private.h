// SPDX-License-Identifier: GPL-2.0-or-later
// Text helpers shared by the ha.cf and authkeys parsers (private to hb_config).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hb::config::detail {

/** heartbeat's WHITESPACE: separates a directive name from its values, and whole-line values. */
inline constexpr std::string_view kWhitespace = " \t\n\r\f";
/** heartbeat's DELIMS: separates the values of option directives. */
inline constexpr std::string_view kDelims = ", \t\n\r\f";

/** Splits on any character of `delims`, dropping empty pieces. Views point into `text`. */
std::vector<std::string_view> splitTokens(std::string_view text, std::string_view delims);

/** ASCII lower-case copy. */
std::string toLower(std::string_view s);

/** heartbeat's booleans, case-insensitive: true on yes y 1 / false off no n 0. */
std::optional<bool> parseBool(std::string_view s);

/** A decimal integer (optional leading '-'), entirely digits, within [min, max]. */
std::optional<std::int64_t> parseInt(std::string_view s, std::int64_t min, std::int64_t max);

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

/** Levenshtein distance, for "did you mean". */
std::size_t editDistance(std::string_view a, std::string_view b);

/**
 * The candidate closest to `word` if it is close enough to be a likely typo (case differences
 * count as near), else empty.
 */
std::string_view suggest(std::string_view word, std::span<const std::string_view> candidates);

/** `s` safe to echo in a diagnostic: non-printable bytes as \xNN, cut after 64 characters. */
std::string printable(std::string_view s);

/** Dotted-quad IPv4 address (four decimal parts 0..255, no leading '+'/' '). @return its value. */
std::optional<std::uint32_t> parseIpv4(std::string_view s);

/** A plausible network interface name: 1..15 characters, no '/', no blank, not "." or "..". */
bool isInterfaceName(std::string_view s);

}  // namespace hb::config::detail
