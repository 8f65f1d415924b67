// SPDX-License-Identifier: GPL-2.0-or-later
// The shared text helpers, CRC-32 and UniqueFd.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/crc32.h"
#include "resources/base/text.h"
#include "resources/base/unique_fd.h"

namespace hb {
namespace {

std::vector<std::string> strs(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

TEST(Crc32, MatchesTheStandardCheckValue) {
  const std::string check = "123456789";
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(check.data()), check.size());
  EXPECT_EQ(crc32(bytes), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
}

TEST(Text, CaseFoldingIsAsciiOnly) {
  EXPECT_EQ(toLower("NoDe-A\xC3\x89"), "node-a\xC3\x89");
  EXPECT_TRUE(iequals("Legacy", "LEGACY"));
  EXPECT_FALSE(iequals("legacy", "legac"));
  EXPECT_FALSE(iequals("a", "b"));
}

TEST(Text, SplitTokensDropsEmptyPieces) {
  EXPECT_EQ(strs(splitTokens("  a\tb  c ")), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(strs(splitTokens("a,,b, c", ", ")), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(splitTokens("   ").empty());
}

TEST(Text, SplitLinesKeepsLineNumbers) {
  EXPECT_EQ(strs(splitLines("a\n\nb")), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(strs(splitLines("a\n")), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(splitLines("").empty());
}

TEST(Text, Trim) {
  EXPECT_EQ(trim("  x y\t\n"), "x y");
  EXPECT_EQ(trim(" \t "), "");
}

TEST(Text, ParseIntIsStrictAndRanged) {
  EXPECT_EQ(parseInt("42", 0, 100), 42);
  EXPECT_EQ(parseInt("-3", -5, 5), -3);
  EXPECT_FALSE(parseInt("101", 0, 100));
  EXPECT_FALSE(parseInt("4x", 0, 100));
  EXPECT_FALSE(parseInt("", 0, 100));
  EXPECT_FALSE(parseInt(" 4", 0, 100));
  EXPECT_FALSE(parseInt("99999999999999999999999", 0, INT64_MAX));
}

TEST(Text, ParseBool) {
  EXPECT_EQ(parseBool("Yes"), true);
  EXPECT_EQ(parseBool("off"), false);
  EXPECT_FALSE(parseBool("maybe"));
}

TEST(Text, ParseIpv4) {
  EXPECT_EQ(parseIpv4("10.0.0.1"), 0x0A000001u);
  EXPECT_EQ(parseIpv4("255.255.255.255"), 0xFFFFFFFFu);
  for (const char* bad : {"10.0.0", "10.0.0.256", "10..0.1", ".10.0.0.1", "10.0.0.1.", "10.0.0.+1", "10.0.0.0001", ""}) {
    EXPECT_FALSE(parseIpv4(bad)) << bad;
  }
}

TEST(Text, SuggestAndPrintable) {
  const std::string_view words[] = {"keepalive", "deadtime", "warntime"};
  EXPECT_EQ(suggest("deadtim", words), "deadtime");
  EXPECT_EQ(suggest("DEADTIME", words), "deadtime");
  EXPECT_EQ(suggest("zzz", words), "");
  EXPECT_EQ(printable(std::string_view("a\x01", 2)), "a\\x01");
  EXPECT_EQ(printable(std::string(100, 'x')).size(), 67u);
}

TEST(UniqueFd, ClosesOnceAndMoves) {
  const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd a(raw);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a);
    EXPECT_EQ(b.get(), raw);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed by b
  UniqueFd c(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int kept = c.release();
  EXPECT_FALSE(c);
  EXPECT_GE(::fcntl(kept, F_GETFD), 0);
  ::close(kept);
}

}  // namespace
}  // namespace hb
