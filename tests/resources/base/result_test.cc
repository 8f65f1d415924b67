// SPDX-License-Identifier: GPL-2.0-or-later
// Result, Error and Diagnostic formatting.
#include "resources/base/result.h"

#include <gtest/gtest.h>

#include "resources/base/diagnostic.h"

namespace hb {
namespace {

TEST(Result, HoldsValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = err(Errc::NotFound, "no such node");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::NotFound);
  Result<void> v;
  EXPECT_TRUE(v.ok());
}

TEST(Diagnostic, CompilerFormat) {
  Diagnostic d{Severity::Error, SourceLoc{"ha.cf", 12}, "unknown directive 'deadtim'"};
  EXPECT_EQ(d.format(), "ha.cf:12: error: unknown directive 'deadtim'");
  Diagnostic w{Severity::Warning, SourceLoc{"authkeys", 0}, "crc gives no security"};
  EXPECT_EQ(w.format(), "authkeys: warning: crc gives no security");
  Error e{Errc::Config, "bad", SourceLoc{"x", 3}};
  EXPECT_EQ(e.describe(), "x:3: bad");
}

TEST(SplitLines, LinesWithoutNewlinesAndNoEmptyTail) {
  EXPECT_EQ(splitLines("a\n\nb"), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(splitLines("a\nb\n"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(splitLines("x\r\n"), (std::vector<std::string_view>{"x\r"}));
  EXPECT_TRUE(splitLines("").empty());
}

}  // namespace
}  // namespace hb
