// SPDX-License-Identifier: GPL-2.0-or-later
// Agent names (`ocf:heartbeat:Dummy`, `lsb:nginx`, `IPaddr`) and where their files live.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "resources/agents/agents.h"

namespace hb::resources {
namespace {

bool plainFileName(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos &&
         s.find('\0') == std::string_view::npos;
}

// A regular, executable file (as heartbeat's ResourceManager demands).
Result<std::string> checkExecutable(const std::string& path, const AgentSpec& spec) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return err(Errc::NotFound,
               "agent " + spec.toString() + ": not found (" + path + ": " + std::strerror(errno) + ")");
  }
  if (!S_ISREG(st.st_mode)) {
    return err(Errc::NotFound, "agent " + spec.toString() + ": " + path + " is not a regular file");
  }
  if (::access(path.c_str(), X_OK) != 0) {
    return err(Errc::Permission,
               "agent " + spec.toString() + ": " + path + " is not executable");
  }
  return path;
}

bool isRegular(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool isDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string_view agentClassName(AgentClass c) {
  switch (c) {
    case AgentClass::Ocf: return "ocf";
    case AgentClass::Lsb: return "lsb";
    case AgentClass::Heartbeat: return "heartbeat";
  }
  return "?";
}

std::string AgentSpec::toString() const {
  switch (cls) {
    case AgentClass::Ocf: return "ocf:" + provider + ":" + type;
    case AgentClass::Lsb: return "lsb:" + type;
    case AgentClass::Heartbeat: return type;
  }
  return type;
}

Result<AgentSpec> parseAgentSpec(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? text.npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  const std::string quoted = "'" + std::string(text) + "'";
  AgentSpec spec;
  if (parts.size() == 1) {
    spec.cls = AgentClass::Heartbeat;
    spec.type = std::string(parts[0]);
  } else if (parts.size() == 2) {
    if (parts[0] == "lsb") {
      spec.cls = AgentClass::Lsb;
    } else if (parts[0] == "heartbeat") {
      spec.cls = AgentClass::Heartbeat;
    } else if (parts[0] == "ocf") {
      return err(Errc::InvalidArgument,
                 "agent " + quoted + ": ocf agents need a provider (ocf:PROVIDER:TYPE)");
    } else {
      return err(Errc::InvalidArgument, "agent " + quoted + ": unknown agent class '" +
                                            std::string(parts[0]) + "' (expected ocf, lsb or heartbeat)");
    }
    spec.type = std::string(parts[1]);
  } else if (parts.size() == 3) {
    if (parts[0] != "ocf") {
      return err(Errc::InvalidArgument, "agent " + quoted + ": unknown agent class '" +
                                            std::string(parts[0]) + "' (only ocf has a provider)");
    }
    spec.cls = AgentClass::Ocf;
    spec.provider = std::string(parts[1]);
    spec.type = std::string(parts[2]);
    if (!plainFileName(spec.provider)) {
      return err(Errc::InvalidArgument, "agent " + quoted + ": bad provider name");
    }
  } else {
    return err(Errc::InvalidArgument, "agent " + quoted + ": too many ':' (expected CLASS:[PROVIDER:]TYPE)");
  }
  if (!plainFileName(spec.type)) {
    return err(Errc::InvalidArgument, "agent " + quoted + ": bad agent type name");
  }
  return spec;
}

Result<std::string> resolveAgentPath(const AgentSpec& spec, const AgentPaths& paths) {
  switch (spec.cls) {
    case AgentClass::Ocf: {
      const std::string dir = spec.provider == "hbd"
                                  ? paths.hbdAgentDir
                                  : paths.ocfRoot + "/resource.d/" + spec.provider;
      if (!isDirectory(dir)) {
        return err(Errc::NotFound, "agent " + spec.toString() + ": unknown OCF provider '" +
                                       spec.provider + "' (no directory " + dir + ")");
      }
      return checkExecutable(dir + "/" + spec.type, spec);
    }
    case AgentClass::Lsb:
      return checkExecutable(paths.initDir + "/" + spec.type, spec);
    case AgentClass::Heartbeat: {
      // heartbeat's lookup order: resource.d first, then the init scripts.
      const std::string first = paths.configDir + "/resource.d/" + spec.type;
      if (isRegular(first)) return checkExecutable(first, spec);
      const std::string second = paths.initDir + "/" + spec.type;
      if (isRegular(second)) return checkExecutable(second, spec);
      return err(Errc::NotFound, "agent " + spec.toString() + ": cannot locate resource script (looked in " +
                                     paths.configDir + "/resource.d and " + paths.initDir + ")");
    }
  }
  return err(Errc::Internal, "bad agent class");
}

}  // namespace hb::resources
