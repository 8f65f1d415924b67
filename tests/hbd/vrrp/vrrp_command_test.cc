// SPDX-License-Identifier: GPL-2.0-or-later
// Script command lines read as keepalived reads them (no shell), and their program found in PATH.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {
namespace {

using Words = std::vector<std::string>;

Words split(const char* line) {
  auto r = splitScriptWords(line);
  EXPECT_TRUE(r.ok()) << line << ": " << r.error().message;
  return r ? *r : Words{};
}

TEST(ScriptWords, BlanksSeparateAndQuotesGroup) {
  EXPECT_EQ(split("/usr/bin/test ! -e /etc/keepalived/down"),
            (Words{"/usr/bin/test", "!", "-e", "/etc/keepalived/down"}));
  EXPECT_EQ(split("  a\tb  "), (Words{"a", "b"}));
  EXPECT_EQ(split("/bin/sh -c '[ -f /x ] && exit 1'"), (Words{"/bin/sh", "-c", "[ -f /x ] && exit 1"}));
  EXPECT_EQ(split("say \"two words\" x'y z'w"), (Words{"say", "two words", "xy zw"}));
  EXPECT_EQ(split("a '' b"), (Words{"a", "", "b"}));
}

TEST(ScriptWords, NothingIsExpanded) {
  EXPECT_EQ(split("[[ -f $HOME/x ]] && exit 1 || exit 0"),
            (Words{"[[", "-f", "$HOME/x", "]]", "&&", "exit", "1", "||", "exit", "0"}));
  EXPECT_EQ(split("ls *.conf ~"), (Words{"ls", "*.conf", "~"}));
}

TEST(ScriptWords, BackslashEscapesAsKeepalivedDoes) {
  EXPECT_EQ(split(R"(a\ b)"), (Words{"a b"}));
  EXPECT_EQ(split(R"('it\'s' "say \"hi\"")"), (Words{"it's", "say \"hi\""}));  // in single quotes too
  EXPECT_EQ(split(R"(x\ty \x41\102\cA)"), (Words{"x\ty", std::string("AB\x01")}));
  EXPECT_EQ(split(R"(tail\)"), (Words{"tail\\"}));
}

TEST(ScriptWords, UnterminatedQuoteOrNothingIsAnError) {
  auto r = splitScriptWords("/bin/echo 'half");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing terminating '"), std::string::npos) << r.error().message;
  EXPECT_FALSE(splitScriptWords("say \"x").ok());
  EXPECT_FALSE(splitScriptWords("").ok());
  EXPECT_FALSE(splitScriptWords(" \t ").ok());
}

TEST(ScriptWords, ShellSyntaxIsNamed) {
  EXPECT_EQ(shellSyntaxWord(split("[[ -f /x ]] && exit 1 || exit 0")), "[[");
  EXPECT_EQ(shellSyntaxWord(split("exit 0")), "exit");
  EXPECT_EQ(shellSyntaxWord(split("/bin/check >/dev/null")), ">/dev/null");
  EXPECT_EQ(shellSyntaxWord(split("/bin/check $(cat /x)")), "$(cat");
  EXPECT_EQ(shellSyntaxWord(split("/bin/check $PORT")), "$PORT");
  EXPECT_EQ(shellSyntaxWord(split("pidof nginx | wc -l")), "|");
  EXPECT_EQ(shellSyntaxWord(split("killall -0 nginx;")), "nginx;");
  EXPECT_EQ(shellSyntaxWord(split("test ! -e /etc/keepalived/down")), std::nullopt);
  EXPECT_EQ(shellSyntaxWord(split("/bin/sh -c '[ -f /x ] && exit 1'")), std::nullopt);
  EXPECT_EQ(shellSyntaxWord(split("/usr/bin/curl -s http://10.0.0.1/$")), std::nullopt);
}

TEST(ScriptCommand, ProgramIsFoundInPath) {
  auto c = prepareScriptCommand("test ! -e /nonexistent");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->program == "/usr/bin/test" || c->program == "/bin/test") << c->program;
  EXPECT_EQ(c->argv, (Words{"test", "!", "-e", "/nonexistent"}));
  auto abs = prepareScriptCommand("/bin/true x");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->program, "/bin/true");
}

TEST(ScriptCommand, WhatCannotRunSaysWhy) {
  auto brackets = prepareScriptCommand("[[ -f /etc/keepalived/down ]] && exit 1 || exit 0");
  ASSERT_FALSE(brackets.ok());
  EXPECT_NE(brackets.error().message.find("'[[' is not found in PATH"), std::string::npos)
      << brackets.error().message;
  auto builtin = prepareScriptCommand("exit 0");
  ASSERT_FALSE(builtin.ok());
  EXPECT_NE(builtin.error().message.find("'exit' is not found"), std::string::npos);
  auto missing = prepareScriptCommand("/nonexistent/check.sh");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/check.sh: No such file"), std::string::npos)
      << missing.error().message;
  char file[] = "/tmp/hbcmdXXXXXX";  // mode 0600: not executable
  const int fd = ::mkstemp(file);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto plain = prepareScriptCommand(file);
  ::unlink(file);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().message.find(std::string(file) + " is not an executable file"), std::string::npos)
      << plain.error().message;
  auto dir = prepareScriptCommand("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("not an executable file"), std::string::npos);
}

TEST(ScriptCommand, ANonExecutableInPathIsNamedWhenNothingElseMatches) {
  char tmpl[] = "/tmp/hbcmdXXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  { std::ofstream(dir + "/chk") << "#!/bin/sh\nexit 0\n"; }
  ::chmod((dir + "/chk").c_str(), 0644);
  auto c = prepareScriptCommand("chk", "/nonexistent:" + dir);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(dir + "/chk is not an executable file"), std::string::npos) << c.error().message;
  ::chmod((dir + "/chk").c_str(), 0755);
  auto ok = prepareScriptCommand("chk", "/nonexistent:" + dir);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->program, dir + "/chk");
  ::unlink((dir + "/chk").c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace hb::vrrp
