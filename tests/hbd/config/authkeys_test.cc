// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the authkeys parser, readAuthKeysFile() (permissions on the descriptor) and readFile().
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "hbd/config/config.h"
#include "hbd/config/config_private.h"

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

/** A temp directory removed (with its content) at scope exit. */
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "/hb_readfile_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    EXPECT_NE(::mkdtemp(buf.data()), nullptr);
    path_ = buf.data();
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name, const std::string& content, mode_t mode) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << content;
    EXPECT_EQ(::chmod(p.c_str(), mode), 0);
    return p;
  }

 private:
  std::string path_;
};

TEST(AuthKeysFile, OwnerOnlyIsAccepted) {
  for (mode_t mode : {0600, 0400, 0700}) {
    TempFile f("auth 1\n1 sha1 x\n", mode);
    auto r = readAuthKeysFile(f.path());
    EXPECT_TRUE(r.ok()) << std::oct << mode << ::testing::PrintToString(formatted(r.diagnostics));
    EXPECT_TRUE(r.diagnostics.empty());
    EXPECT_EQ(r.value, "auth 1\n1 sha1 x\n");
  }
}

TEST(AuthKeysFile, AnyGroupOrOtherBitIsRefused) {
  struct Case {
    mode_t mode;
    const char* shown;
  };
  for (const Case& c : {Case{0640, "0640"}, Case{0604, "0604"}, Case{0620, "0620"},
                        Case{0602, "0602"}, Case{0644, "0644"}, Case{0610, "0610"}}) {
    TempFile f("auth 1\n1 sha1 x\n", c.mode);
    auto r = readAuthKeysFile(f.path());
    EXPECT_FALSE(r.ok()) << c.shown;
    ASSERT_EQ(r.diagnostics.size(), 1u) << c.shown;
    EXPECT_EQ(r.diagnostics[0].severity, Severity::Error);
    EXPECT_EQ(r.diagnostics[0].format(),
              f.path() + ": error: bad permissions " + c.shown +
                  " on authkeys: it must be accessible by its owner only (chmod 600 " + f.path() +
                  ")");
    // The text still comes back, so its parse problems show in the same run.
    EXPECT_EQ(r.value, "auth 1\n1 sha1 x\n");
  }
}

TEST(AuthKeysFile, MissingFileDirectoryAndFifoAreErrors) {
  auto missing = readAuthKeysFile(::testing::TempDir() + "/hb_no_such_authkeys");
  EXPECT_FALSE(missing.value);
  EXPECT_THAT(formatted(missing.diagnostics),
              Contains(HasSubstr(": error: cannot open " + ::testing::TempDir() +
                                 "/hb_no_such_authkeys: No such file")));

  TempDir dir;
  const std::string sub = dir.path() + "/authkeys";
  std::filesystem::create_directories(sub);
  ::chmod(sub.c_str(), 0700);
  auto d = readAuthKeysFile(sub);
  EXPECT_FALSE(d.value);
  EXPECT_EQ(
      formatted(d.diagnostics),
      std::vector<std::string>{sub + ": error: authkeys is not a regular file (a directory)"});

  const std::string fifo = dir.path() + "/authkeys.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = readAuthKeysFile(fifo);
  EXPECT_FALSE(f.value);
  EXPECT_EQ(formatted(f.diagnostics),
            std::vector<std::string>{fifo + ": error: authkeys is not a regular file (a FIFO)"});
}

TEST(AuthKeysFile, SymbolicLinkIsRefused) {
  // Even to a good 0600 file: whoever may replace the link chooses the keys.
  TempDir dir;
  const std::string target = dir.file("keys", "auth 1\n1 sha1 x\n", 0600);
  const std::string link = dir.path() + "/authkeys";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto r = readAuthKeysFile(link);
  EXPECT_FALSE(r.value);
  EXPECT_EQ(formatted(r.diagnostics),
            std::vector<std::string>{link +
                                     ": error: authkeys is a symbolic link, which hbd does "
                                     "not follow for this file: put the file itself at " +
                                     link});
}

TEST(AuthKeysFile, ModeIsTheOpenedFilesNotThePaths) {
  // The path is swapped for another file after the open: the checks still describe the file that
  // was opened and read, so neither a good file swapped for a bad one nor the reverse slips by.
  TempDir dir;
  const std::string path = dir.path() + "/authkeys";
  const std::string good = dir.file("good", "auth 1\n1 sha1 good\n", 0600);
  const std::string bad = dir.file("bad", "auth 1\n1 sha1 bad\n", 0644);

  ASSERT_EQ(::rename(good.c_str(), path.c_str()), 0);
  auto opened =
      detail::openConfigFile(path, ReadFileOptions{false, kMaxConfigFileBytes}, "authkeys");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  ASSERT_EQ(::rename(bad.c_str(), path.c_str()), 0);  // now a 0644 file at the path
  auto r = detail::readAuthKeysOpened(*opened, path);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.value, "auth 1\n1 sha1 good\n");

  auto opened_bad =
      detail::openConfigFile(path, ReadFileOptions{false, kMaxConfigFileBytes}, "authkeys");
  ASSERT_TRUE(opened_bad.ok()) << opened_bad.error().message;
  dir.file("authkeys.new", "auth 1\n1 sha1 other\n", 0600);
  ASSERT_EQ(::rename((dir.path() + "/authkeys.new").c_str(), path.c_str()), 0);
  auto r2 = detail::readAuthKeysOpened(*opened_bad, path);
  EXPECT_FALSE(r2.ok());
  EXPECT_THAT(formatted(r2.diagnostics), Contains(HasSubstr("bad permissions 0644 on authkeys")));
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

TEST(ReadFile, FifoWithoutWriterIsRefusedAtOnce) {
  TempDir dir;
  const std::string fifo = dir.path() + "/ha.cf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto pending = std::async(std::launch::async, [&] { return readFile(fifo); });
  if (pending.wait_for(std::chrono::seconds(1)) != std::future_status::ready) {
    // Blocked in open(2) waiting for a writer: be one, so the test ends instead of hanging.
    int w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (w >= 0) ::close(w);
    pending.wait();
    FAIL() << "readFile blocked on a FIFO without a writer";
  }
  auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Io);
  EXPECT_EQ(r.error().message, fifo + " is not a regular file (a FIFO)");
}

TEST(ReadFile, DirectoryAndDeviceAreRefused) {
  TempDir dir;
  auto d = readFile(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, dir.path() + " is not a regular file (a directory)");

  auto dev = readFile("/dev/null");
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.error().message, "/dev/null is not a regular file (a character device)");
}

TEST(ReadFile, SymbolicLinkIsFollowedUnlessRefusedAndTheTargetIsChecked) {
  TempDir dir;
  const std::string target = dir.file("real.cf", "node a\n", 0644);
  const std::string link = dir.path() + "/ha.cf";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto r = readFile(link);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "node a\n");

  auto refused = readFile(link, ReadFileOptions{false, kMaxConfigFileBytes});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr(link + " is a symbolic link"));

  // A link to a FIFO: followed, then refused by the fstat of what was opened.
  const std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string to_fifo = dir.path() + "/vrrp.conf";
  ASSERT_EQ(::symlink(fifo.c_str(), to_fifo.c_str()), 0);
  auto f = readFile(to_fifo);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, to_fifo + " is not a regular file (a FIFO)");
}

TEST(ReadFile, OversizedFileIsRefusedBeforeReading) {
  TempDir dir;
  // Sparse: refused from its fstat size, without reading (or allocating) 16 MiB.
  const std::string big = dir.file("big", "", 0600);
  ASSERT_EQ(::truncate(big.c_str(), static_cast<off_t>(kMaxConfigFileBytes) + 1), 0);
  auto r = readFile(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot read " + big + ": larger than 16 MiB, not a config file");

  const std::string exact = dir.file("exact", "", 0600);
  ASSERT_EQ(::truncate(exact.c_str(), static_cast<off_t>(kMaxConfigFileBytes)), 0);
  auto ok = readFile(exact);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), kMaxConfigFileBytes);

  const std::string small = dir.file("small", "0123456789", 0600);
  auto capped = readFile(small, ReadFileOptions{true, 9});
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error().message,
            "cannot read " + small + ": larger than 9 bytes, not a config file");
}

}  // namespace
}  // namespace hb::config
