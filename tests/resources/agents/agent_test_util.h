// SPDX-License-Identifier: GPL-2.0-or-later
// Test helpers: a temporary agent tree (OCF root, init dir, config dir) that cleans up after itself.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "resources/agents/agents.h"

namespace hb::resources::test {

/** mkdtemp-based tree: <root>/ocf/resource.d/test, <root>/init.d, <root>/ha.d/resource.d. */
class AgentTree {
 public:
  AgentTree() {
    std::string tmpl = "/tmp/hb_agents_test.XXXXXX";
    char* d = ::mkdtemp(tmpl.data());
    root_ = d != nullptr ? d : "/tmp/hb_agents_test.failed";
    for (const char* sub : {"/ocf/resource.d/test", "/ocf/resource.d/hbd", "/init.d", "/ha.d/resource.d", "/work"}) {
      std::filesystem::create_directories(root_ + sub);
    }
  }
  ~AgentTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  AgentTree(const AgentTree&) = delete;
  AgentTree& operator=(const AgentTree&) = delete;

  const std::string& root() const { return root_; }
  std::string work() const { return root_ + "/work"; }

  AgentPaths paths() const {
    AgentPaths p;
    p.ocfRoot = root_ + "/ocf";
    p.hbdAgentDir = root_ + "/ocf/resource.d/hbd";
    p.initDir = root_ + "/init.d";
    p.configDir = root_ + "/ha.d";
    return p;
  }

  /** Writes `body` to <root>/<rel> with `mode`; returns the full path. */
  std::string write(const std::string& rel, const std::string& body, mode_t mode = 0755) const {
    std::string path = root_ + "/" + rel;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    {
      std::ofstream f(path, std::ios::trunc);
      f << body;
    }
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::string ocfAgent(const std::string& type, const std::string& body, mode_t mode = 0755) const {
    return write("ocf/resource.d/test/" + type, body, mode);
  }
  std::string read(const std::string& rel) const {
    std::ifstream f(root_ + "/" + rel);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }

 private:
  std::string root_;
};

/** Whether process `pid` has gone, or is a zombie (dead, not yet reaped by its parent). */
inline bool goneOrZombie(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  if (!f) return true;
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  return close != std::string::npos && close + 2 < all.size() && all[close + 2] == 'Z';
}

inline const char* kMetadataTwoParams = R"(<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="Thing" version="1.2">
  <version>1.1</version>
  <longdesc lang="en">A test agent.</longdesc>
  <shortdesc lang="en">Test   agent</shortdesc>
  <parameters>
    <parameter name="ip" unique="1" required="1">
      <shortdesc lang="en">address</shortdesc>
      <content type="string"/>
    </parameter>
    <parameter name="state" required="0">
      <content type="string" default="/run/thing.state"/>
    </parameter>
  </parameters>
  <actions>
    <action name="start" timeout="30s"/>
    <action name="stop" timeout="100ms"/>
    <action name="monitor" timeout="2min" interval="10s" depth="0"/>
    <action name="meta-data" timeout="5"/>
  </actions>
</resource-agent>
)";

}  // namespace hb::resources::test
