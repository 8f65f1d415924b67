// SPDX-License-Identifier: GPL-2.0-or-later
// CIB primitive -> agent request (actionFor), VIP helpers, and the executor's name tables.
#include "crm/executor/executor_private.h"

namespace hb::executor {

std::string_view resourceStateName(ResourceState s) {
  switch (s) {
    case ResourceState::Started: return "started";
    case ResourceState::Stopped: return "stopped";
    case ResourceState::Starting: return "starting";
    case ResourceState::Stopping: return "stopping";
    case ResourceState::Failed: return "failed";
    case ResourceState::Unknown: break;
  }
  return "unknown";
}

std::string_view outcomeName(Outcome o) {
  switch (o) {
    case Outcome::Started: return "started";
    case Outcome::Stopped: return "stopped";
    case Outcome::FailedStart: return "failed-start";
    case Outcome::Unmanaged: return "unmanaged";
    case Outcome::InProgress: break;
  }
  return "in-progress";
}

resources::ActionRequest actionFor(const cib::Primitive& p, const std::string& action,
                                   const resources::AgentPaths& paths) {
  resources::ActionRequest r;
  r.resource = p.id;
  r.action = action;
  std::map<std::string, std::string> params;
  for (const auto& kv : p.params) params[kv.name] = kv.value;
  if (p.cls == "ocf") {
    r.spec = resources::AgentSpec{resources::AgentClass::Ocf, p.provider, p.type};
    r.params = params;
  } else if (p.cls == "lsb") {
    r.spec = resources::AgentSpec{resources::AgentClass::Lsb, "", p.type};
  } else {
    r.spec = resources::AgentSpec{resources::AgentClass::Heartbeat, "", p.type};
    r.args = p.positionalArgs();
    if (p.ocf_fallback && !resources::resolveAgentPath(r.spec, paths).ok()) {
      r.spec = resources::AgentSpec{resources::AgentClass::Ocf, p.ocf_fallback->provider, p.ocf_fallback->type};
      r.args.clear();
      r.params.clear();
      for (const auto& kv : p.ocf_fallback->params) r.params[kv.name] = kv.value;
    }
  }
  if (action == "monitor") r.interval = std::chrono::milliseconds(0);  // a probe
  return r;
}

bool isIpResource(const cib::Primitive& p) { return p.type == "IPaddr" || p.type == "IPaddr2"; }

std::string vipOf(const cib::Primitive& p) {
  for (const auto& kv : p.params) {
    // "ip", or heartbeat's positional "10.0.0.5/24/eth0": the address is the part before '/'.
    if (kv.name == "ip" || kv.name == "1") return kv.value.substr(0, kv.value.find('/'));
  }
  if (p.ocf_fallback) {
    for (const auto& kv : p.ocf_fallback->params) {
      if (kv.name == "ip") return kv.value;
    }
  }
  return p.id;
}

}  // namespace hb::executor
