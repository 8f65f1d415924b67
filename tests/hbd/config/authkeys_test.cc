// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the authkeys parser, the permission check and readFile().
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hbd/config/config.h"

namespace hb::config {
namespace {

using message::AuthMethod;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> formatted(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.format());
  return out;
}

TEST(AuthKeys, EveryMethodAndRotation) {
  auto r = parseAuthKeys(
      "# rotation: key 2 is new, key 1 still accepted\n"
      "auth 2\n"
      "\n"
      "1 md5 oldsecret\n"
      "  2\tsha1   newsecret\n"
      "3 sha256 longersecret\n"
      "   # indented comment\n",
      "authkeys");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_TRUE(r.diagnostics.empty());
  const auto& ring = *r.value;
  EXPECT_EQ(ring.send_index, 2);
  ASSERT_EQ(ring.keys.size(), 3u);
  EXPECT_EQ(ring.keys.at(1).method, AuthMethod::Md5);
  EXPECT_EQ(ring.keys.at(1).secret, "oldsecret");
  EXPECT_EQ(ring.keys.at(2).method, AuthMethod::Sha1);
  EXPECT_EQ(ring.keys.at(2).secret, "newsecret");
  EXPECT_EQ(ring.keys.at(3).method, AuthMethod::Sha256);
  EXPECT_EQ(ring.keys.at(3).secret, "longersecret");
}

// crc has no key: one forged heartbeat with generation 2^64-1 locks the real peer out (its frames
// drop as replays) and the group runs twice. It is refused unless ha.cf opts in for a test rig.
TEST(AuthKeys, CrcIsRefusedUnlessInsecureIsAllowed) {
  auto r = parseAuthKeys("auth 3\n3 crc\n", "authkeys");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(formatted(r.diagnostics),
              Contains("authkeys:2: error: key index 3 uses crc, which only detects corruption: anyone on the "
                       "network can forge packets, lock this node out and run groups twice; use sha1 or "
                       "sha256 (for a test rig only: auth_insecure_ok yes in ha.cf)"));
}

TEST(AuthKeys, CrcIsAcceptedWithAWarningWhenInsecureIsAllowed) {
  auto r = parseAuthKeys("auth 3\n3 crc\n", "authkeys", /*insecure_ok=*/true);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.value->keys.at(3).method, AuthMethod::Crc);
  EXPECT_EQ(r.value->keys.at(3).secret, "");
  EXPECT_THAT(formatted(r.diagnostics),
              Contains("authkeys:2: warning: key index 3 uses crc, which only detects corruption: "
                       "anyone on the network can forge packets (allowed by auth_insecure_ok)"));
}

// Every listed key is accepted on receipt: crc beside an HMAC key makes the key pointless.
TEST(AuthKeys, CrcBesideAKeyedMethodIsAlwaysAnError) {
  for (bool insecure_ok : {false, true}) {
    auto r = parseAuthKeys("auth 1\n1 sha1 secret\n2 crc\n", "authkeys", insecure_ok);
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(formatted(r.diagnostics),
                Contains("authkeys:3: error: crc (line 3) and a keyed method (line 2) in one authkeys: every "
                         "listed key is accepted, so crc would let anyone forge packets; remove the crc line"))
        << insecure_ok;
  }
}

TEST(AuthKeys, KeyWithHashIsKeptWhole) {
  // heartbeat only skips lines that *start* with '#': a key may contain one.
  auto r = parseAuthKeys("auth 1\n1 sha1 abc#def\n", "authkeys");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->keys.at(1).secret, "abc#def");
}

struct BadCase {
  std::string text;
  std::string diagnostic;
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << ::testing::PrintToString(c.text); }

class AuthKeysBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(AuthKeysBad, ReportsFileLineAndMessage) {
  const BadCase& c = GetParam();
  auto r = parseAuthKeys(c.text, "/etc/ha.d/authkeys");
  auto all = formatted(r.diagnostics);
  EXPECT_THAT(all, Contains(c.diagnostic)) << ::testing::PrintToString(all);
  if (c.diagnostic.find(": error: ") != std::string::npos) {
    EXPECT_FALSE(r.ok());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Errors, AuthKeysBad,
    ::testing::Values(
        BadCase{"auth 1\n1 crc somekey\n",
                "/etc/ha.d/authkeys:2: error: auth method crc doesn't use a key (key index 1)"},
        BadCase{"auth 1\n1 md5\n",
                "/etc/ha.d/authkeys:2: error: auth method md5 requires a key (key index 1): 1 md5 "
                "KEY"},
        BadCase{"auth 1\n1 sha1\n",
                "/etc/ha.d/authkeys:2: error: auth method sha1 requires a key (key index 1): 1 "
                "sha1 KEY"},
        BadCase{"1 sha1 secret\n",
                "/etc/ha.d/authkeys: error: missing auth directive: add 'auth N' naming the key "
                "that signs outgoing packets"},
        BadCase{"auth 2\n1 sha1 secret\n",
                "/etc/ha.d/authkeys:1: error: auth 2: key index 2 is not defined in this file"},
        BadCase{"auth 1\n1 sha1 secret\n16 sha1 other\n",
                "/etc/ha.d/authkeys:3: error: invalid key index 16: it must be from 1 to 15"},
        BadCase{"auth 16\n1 sha1 secret\n",
                "/etc/ha.d/authkeys:1: error: invalid key index in auth: expected a number from 1 "
                "to 15"},
        BadCase{"auth\n1 sha1 secret\n",
                "/etc/ha.d/authkeys:1: error: auth needs the index of the key that signs outgoing "
                "packets: auth N"},
        BadCase{"auth 1\nauth 1\n1 sha1 secret\n",
                "/etc/ha.d/authkeys:2: error: auth given twice (first at line 1); keep one 'auth "
                "N' line"},
        BadCase{"auth 1\n1 sha2 secret\n",
                "/etc/ha.d/authkeys:2: error: unknown auth method for key index 1 (did you mean "
                "'sha1'?): expected crc, md5, sha1 or sha256"},
        BadCase{"auth 1\n1 blowfish secret\n",
                "/etc/ha.d/authkeys:2: error: unknown auth method for key index 1: expected crc, "
                "md5, sha1 or sha256"},
        BadCase{"auth 1\n1\n",
                "/etc/ha.d/authkeys:2: error: key index 1 has no method: expected '1 crc', '1 md5 "
                "KEY', '1 sha1 KEY' or '1 sha256 KEY'"},
        BadCase{"auht 1\n1 sha1 secret\n",
                "/etc/ha.d/authkeys:1: error: unrecognised line (did you mean 'auth'?): expected "
                "'auth N' or 'N METHOD [KEY]'"},
        BadCase{"auth 1\n",
                "/etc/ha.d/authkeys: error: no keys defined: add a line such as '1 sha1 SECRET'"},
        BadCase{"auth 1\n1 sha1 two words\n",
                "/etc/ha.d/authkeys:2: warning: text after the key of index 1 is ignored: a key "
                "cannot contain blanks"},
        BadCase{"auth 1\n1 sha1 a\n1 sha1 b\n",
                "/etc/ha.d/authkeys:3: warning: key index 1 defined again (first at line 2); the "
                "last definition wins"},
        BadCase{"auth 0\n0 sha1 a\n",
                "/etc/ha.d/authkeys:2: warning: key index 0 is accepted, but heartbeat documents "
                "1 to 15"}));

TEST(AuthKeys, NeverEchoesKeyMaterial) {
  auto r = parseAuthKeys(
      "auth 1\n1 sha1 s3cr3tA extra\nmys3cr3tB sha1\n2 s3cr3tC sha1\n2 crc s3cr3tD\n", "authkeys");
  EXPECT_TRUE(r.hasErrors());
  for (const auto& line : formatted(r.diagnostics)) {
    EXPECT_THAT(line, Not(HasSubstr("s3cr3t"))) << line;
  }
}

/** A temp file removed at scope exit. */
class TempFile {
 public:
  TempFile(const std::string& content, mode_t mode) {
    std::string tmpl = ::testing::TempDir() + "/hb_authkeys_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    int fd = ::mkstemp(buf.data());
    EXPECT_GE(fd, 0);
    path_ = buf.data();
    EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(fd);
    EXPECT_EQ(::chmod(path_.c_str(), mode), 0);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(AuthKeysPermissions, OwnerOnlyIsAccepted) {
  for (mode_t mode : {0600, 0400, 0700}) {
    TempFile f("auth 1\n1 sha1 x\n", mode);
    EXPECT_EQ(checkAuthKeysPermissions(f.path()), std::nullopt) << std::oct << mode;
  }
}

TEST(AuthKeysPermissions, AnyGroupOrOtherBitIsRefused) {
  struct Case {
    mode_t mode;
    const char* shown;
  };
  for (const Case& c : {Case{0640, "0640"}, Case{0604, "0604"}, Case{0620, "0620"},
                        Case{0602, "0602"}, Case{0644, "0644"}, Case{0610, "0610"}}) {
    TempFile f("auth 1\n1 sha1 x\n", c.mode);
    auto d = checkAuthKeysPermissions(f.path());
    ASSERT_TRUE(d.has_value()) << c.shown;
    EXPECT_EQ(d->severity, Severity::Error);
    EXPECT_EQ(d->format(), f.path() + ": error: bad permissions " + c.shown +
                               " on authkeys: it must be accessible by its owner only (chmod 600 " +
                               f.path() + ")");
  }
}

TEST(AuthKeysPermissions, MissingFileAndDirectoryAreErrors) {
  auto missing = checkAuthKeysPermissions(::testing::TempDir() + "/hb_no_such_authkeys");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->severity, Severity::Error);
  EXPECT_THAT(missing->format(), HasSubstr(": error: cannot read authkeys: No such file"));

  std::string dir = ::testing::TempDir() + "/hb_authkeys_dir_test";
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  auto d = checkAuthKeysPermissions(dir);
  std::filesystem::remove(dir);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->format(), dir + ": error: authkeys is not a regular file");
}

TEST(ReadFile, ReadsWholeFileOrReportsIo) {
  std::string content("line1\nline2\0binary", 18);
  TempFile f(content, 0600);
  auto r = readFile(f.path());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, content);

  auto missing = readFile(::testing::TempDir() + "/hb_no_such_file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::Io);
  EXPECT_THAT(missing.error().message, HasSubstr("hb_no_such_file: No such file or directory"));
}

}  // namespace
}  // namespace hb::config
