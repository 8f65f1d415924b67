// SPDX-License-Identifier: GPL-2.0-or-later
// The one home of hbd's small text helpers: ASCII case folding, splitting, trimming, strict integer
// and IPv4 parsing, typo suggestions and safe echoing. Every parser and tool uses these; none keeps
// a copy of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hb {

/** Blank characters (heartbeat's WHITESPACE). */
inline constexpr std::string_view kBlanks = " \t\n\r\f";

/** ASCII lower-case copy (bytes outside A-Z unchanged, whatever the locale). */
std::string toLower(std::string_view s);
/** ASCII case-insensitive equality. */
bool iequals(std::string_view a, std::string_view b);

/** Splits on any character of `delims`, dropping empty pieces. Views point into `text`. */
std::vector<std::string_view> splitTokens(std::string_view text, std::string_view delims = kBlanks);

/** Splits on every occurrence of `sep`, keeping empty pieces ("a::::b" on "::" is {"a", "", "b"};
 *  "" is {""}). Views point into `text`. */
std::vector<std::string_view> split(std::string_view text, std::string_view sep);

/**
 * The lines of a text, without their '\n' (a final line without one included; no empty line after
 * a final '\n'). Line N of the text is element N-1. Views into `text`.
 */
std::vector<std::string_view> splitLines(std::string_view text);

/** `s` without leading and trailing characters of `blanks`. */
std::string_view trim(std::string_view s, std::string_view blanks = kBlanks);

/** A decimal integer (optional leading '-'), entirely digits, within [min, max]. */
std::optional<std::int64_t> parseInt(std::string_view s, std::int64_t min, std::int64_t max);

/** Booleans, case-insensitive: true on true yes y on 1 / false on false no n off 0. */
std::optional<bool> parseBool(std::string_view s);

/** Dotted-quad IPv4 address (four decimal parts 0..255, no sign, no blank). @return it in host order. */
std::optional<std::uint32_t> parseIpv4(std::string_view s);

/** Levenshtein distance, for "did you mean". */
std::size_t editDistance(std::string_view a, std::string_view b);

/**
 * The candidate closest to `word` if it is close enough to be a likely typo (case differences
 * count as near), else empty.
 */
std::string_view suggest(std::string_view word, std::span<const std::string_view> candidates);

/** `s` safe to echo in a diagnostic: non-printable bytes as \xNN, cut after 64 characters. */
std::string printable(std::string_view s);

}  // namespace hb
