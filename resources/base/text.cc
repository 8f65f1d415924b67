// SPDX-License-Identifier: GPL-2.0-or-later
// Text helpers (see text.h). Hand-written: the standard library has no ASCII case folding or
// strict integer/IPv4 parsing with ranges, and Boost.Algorithm's versions follow the locale.
#include "resources/base/text.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace hb {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s, std::string_view blanks) {
  const std::size_t b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(blanks);
  return s.substr(b, e - b + 1);
}

std::vector<std::string_view> split(std::string_view text, std::string_view sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = sep.empty() ? std::string_view::npos : text.find(sep, start);
    out.push_back(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + sep.size();
  }
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    out.push_back(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return out;
}

std::vector<std::string_view> splitTokens(std::string_view text, std::string_view delims) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    pos = text.find_first_not_of(delims, pos);
    if (pos == std::string_view::npos) break;
    std::size_t end = text.find_first_of(delims, pos);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<bool> parseBool(std::string_view s) {
  for (std::string_view t : {"true", "on", "yes", "y", "1"}) {
    if (iequals(s, t)) return true;
  }
  for (std::string_view f : {"false", "off", "no", "n", "0"}) {
    if (iequals(s, f)) return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parseInt(std::string_view s, std::int64_t min, std::int64_t max) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  // Two rows of the classic table; on the stack for the short words this is used for.
  constexpr std::size_t kSmall = 64;
  std::array<std::size_t, kSmall + 1> smallPrev{}, smallCur{};
  std::vector<std::size_t> bigPrev, bigCur;
  std::size_t* prev = smallPrev.data();
  std::size_t* cur = smallCur.data();
  if (b.size() > kSmall) {
    bigPrev.resize(b.size() + 1);
    bigCur.resize(b.size() + 1);
    prev = bigPrev.data();
    cur = bigCur.data();
  }
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string_view suggest(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.empty() || word.size() > 64) return {};  // nobody mistypes a directive that badly
  std::string lower = toLower(word);
  // Allow about one typo per three letters, at least one, at most three.
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string_view best;
  std::size_t bestDistance = limit + 1;
  for (std::string_view c : candidates) {
    std::size_t lengthGap =
        c.size() > lower.size() ? c.size() - lower.size() : lower.size() - c.size();
    if (lengthGap >= bestDistance) continue;  // cannot beat the best so far
    std::size_t d = editDistance(lower, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

std::string printable(std::string_view s) {
  constexpr std::size_t kMax = 64;
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7e) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

std::optional<std::uint32_t> parseIpv4(std::string_view s) {
  auto parts = splitTokens(s, ".");
  if (parts.size() != 4 || std::count(s.begin(), s.end(), '.') != 3) return std::nullopt;
  if (s.front() == '.' || s.back() == '.') return std::nullopt;
  std::uint32_t value = 0;
  for (std::string_view p : parts) {
    if (p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    auto v = parseInt(p, 0, 255);
    if (!v) return std::nullopt;
    value = (value << 8) | static_cast<std::uint32_t>(*v);
  }
  return value;
}

}  // namespace hb
