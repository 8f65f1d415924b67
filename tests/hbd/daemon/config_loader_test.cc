// SPDX-License-Identifier: GPL-2.0-or-later
// loadConfig over real temporary config dirs.
#include "hbd/daemon/config_loader.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace hb::daemon {
namespace {

constexpr const char* kHaCf =
    "keepalive 1\ndeadtime 10\nwarntime 5\ninitdead 20\nudpport 694\n"
    "ucast lo 127.0.0.2\nauto_failback off\nnode alpha\nnode beta\n";
constexpr const char* kAuthKeys = "auth 1\n1 sha1 TestSecret\n";
constexpr const char* kHaresources = "alpha 10.0.0.10 Dummy::web\n";
constexpr const char* kVrrp =
    "vrrp_instance VI_1 {\n  state BACKUP\n  interface lo\n  virtual_router_id 51\n  priority 100\n"
    "  advert_int 1\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n";

class ConfigLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hb_config_loader.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    opts_.config_dir = dir_;
    opts_.node = "alpha";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    const std::string path = dir_ + "/" + name;
    { std::ofstream(path) << text; }
    ::chmod(path.c_str(), mode);
  }
  std::optional<LoadedConfig> load() {
    diags_.clear();
    return loadConfig(opts_, diags_);
  }
  std::string errors() const {
    std::string out;
    for (const auto& d : diags_) {
      if (d.severity == Severity::Error) out += d.format() + "\n";
    }
    return out;
  }

  std::string dir_;
  DaemonOptions opts_;
  std::vector<Diagnostic> diags_;
};

TEST_F(ConfigLoaderTest, GoodDirWithResources) {
  write("ha.cf", kHaCf);
  write("authkeys", kAuthKeys);
  write("haresources", kHaresources);
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  EXPECT_TRUE(cfg->has_hacf);
  EXPECT_TRUE(cfg->has_resources);
  EXPECT_FALSE(cfg->vrrp);
  EXPECT_EQ(cfg->hacf.nodes, (std::vector<std::string>{"alpha", "beta"}));
  ASSERT_EQ(cfg->links.size(), 1u);
  EXPECT_EQ(cfg->links[0].kind, link::LinkOptions::Kind::Ucast);
  EXPECT_EQ(cfg->links[0].interface, "lo");
  EXPECT_EQ(cfg->links[0].peers, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(cfg->keys.send_index, 1);
  ASSERT_EQ(cfg->cib.groups.size(), 1u);
  EXPECT_EQ(cfg->cib.groups[0].preferred_node, "alpha");
  EXPECT_EQ(cfg->cib.nodes, cfg->hacf.nodes);
}

TEST_F(ConfigLoaderTest, GoodDirWithoutHaresourcesIsMembershipOnly) {
  write("ha.cf", kHaCf);
  write("authkeys", kAuthKeys);
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  EXPECT_FALSE(cfg->has_resources);
  EXPECT_TRUE(cfg->cib.groups.empty());
}

TEST_F(ConfigLoaderTest, UcastLinesOfOneInterfaceShareOneLink) {
  write("ha.cf", std::string(kHaCf) + "ucast lo 127.0.0.3\n");
  write("authkeys", kAuthKeys);
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  ASSERT_EQ(cfg->links.size(), 1u);
  EXPECT_EQ(cfg->links[0].peers, (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
}

TEST_F(ConfigLoaderTest, MissingHaCf) {
  write("authkeys", kAuthKeys);
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find(dir_ + "/ha.cf"), std::string::npos) << errors();
}

TEST_F(ConfigLoaderTest, MissingAuthKeys) {
  write("ha.cf", kHaCf);
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find(dir_ + "/authkeys"), std::string::npos) << errors();
}

TEST_F(ConfigLoaderTest, EmptyDirIsAnError) {
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("ha.cf"), std::string::npos) << errors();
}

TEST_F(ConfigLoaderTest, AuthKeysReadableByOthersIsRefused) {
  write("ha.cf", kHaCf);
  write("authkeys", kAuthKeys, 0644);
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("bad permissions 0644 on authkeys"), std::string::npos) << errors();
  ::chmod((dir_ + "/authkeys").c_str(), 0600);
  EXPECT_TRUE(load()) << errors();
}

TEST_F(ConfigLoaderTest, BadHaresourcesIsAnError) {
  write("ha.cf", kHaCf);
  write("authkeys", kAuthKeys);
  write("haresources", "gamma 10.0.0.10\n");  // not a cluster node
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("haresources"), std::string::npos) << errors();
}

TEST_F(ConfigLoaderTest, PureVrrpDir) {
  write("vrrp.conf", kVrrp);
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  EXPECT_FALSE(cfg->has_hacf);
  EXPECT_FALSE(cfg->has_resources);
  ASSERT_TRUE(cfg->vrrp);
  ASSERT_EQ(cfg->vrrp->instances.size(), 1u);
  EXPECT_TRUE(cfg->links.empty());
}

TEST_F(ConfigLoaderTest, BrokenVrrpConfIsAnError) {
  write("vrrp.conf", "vrrp_instance VI_1 {\n  virtual_router_id 999\n}\n");
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("vrrp.conf"), std::string::npos) << errors();
}

// issue 10: a misspelt block is only a warning, so such a file yielded no instance and passed
// `--check`: a router owning nothing. Alone or beside ha.cf, it is an error now.
TEST_F(ConfigLoaderTest, VrrpConfWithoutAnInstanceIsAnError) {
  write("vrrp.conf", "global_defs {\n  router_id x\n}\nvrrp_instanc VI_1 {\n  priority 100\n}\n");
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("vrrp.conf: error: no vrrp_instance"), std::string::npos) << errors();
  write("ha.cf", kHaCf);
  write("authkeys", kAuthKeys);
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("no vrrp_instance"), std::string::npos) << errors();
}

// --vrrp-conf: keepalived's own file read in place, the config dir holding nothing else (a pure
// VRRP router); a file named there that is missing is an error, never a silent "no VRRP".
TEST_F(ConfigLoaderTest, VrrpConfFlagReadsAFileOutsideTheDir) {
  const std::string ka = dir_ + "/keepalived.conf";
  { std::ofstream(ka) << kVrrp; }
  opts_.vrrp_conf = ka;
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  EXPECT_FALSE(cfg->has_hacf);
  ASSERT_TRUE(cfg->vrrp);
  EXPECT_EQ(cfg->vrrp->instances.size(), 1u);
  opts_.vrrp_conf = dir_ + "/nosuch.conf";
  EXPECT_FALSE(load());
  EXPECT_NE(errors().find("nosuch.conf"), std::string::npos) << errors();
}

TEST_F(ConfigLoaderTest, VrrpBesideHaCfNeedsTheWholeHaCfSet) {
  write("vrrp.conf", kVrrp);
  write("ha.cf", kHaCf);  // ha.cf present: not a pure router, so authkeys is required
  EXPECT_FALSE(load());
  write("authkeys", kAuthKeys);
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  EXPECT_TRUE(cfg->has_hacf);
  EXPECT_TRUE(cfg->vrrp);
}

}  // namespace
// Reports of any size travel in chunks; the one limit left is a single group's own state. A group
// whose id (from its first resource) is too long could never be reported, so never start: refused
// at its line, and 200 ordinary groups are fine.
TEST_F(ConfigLoaderTest, GroupTooLongForOneReportIsRefusedAtItsLine) {
  write("ha.cf", kHaCf);
  write("authkeys", kAuthKeys);
  const std::string longdev(300, 'd');
  write("haresources", "# comment\nalpha 10.0.0.10 Dummy::web\nbeta Filesystem::/dev/" + longdev + "::/data::ext4\n");
  EXPECT_FALSE(load());
  const std::string e = errors();
  EXPECT_NE(e.find(dir_ + "/haresources:3: error: group 'group_Filesystem_"), std::string::npos) << e;
  EXPECT_NE(e.find("more than the 1081 one heartbeat message carries"), std::string::npos) << e;
  EXPECT_EQ(e.find("haresources:2:"), std::string::npos) << e;  // the ordinary group is fine

  std::string many;
  for (int i = 0; i < 200; ++i) many += (i % 2 ? "beta" : "alpha") + std::string(" Dummy::g") + std::to_string(i) + "\n";
  write("haresources", many);
  auto cfg = load();
  ASSERT_TRUE(cfg) << errors();
  EXPECT_EQ(cfg->cib.groups.size(), 200u);
}

}  // namespace hb::daemon
