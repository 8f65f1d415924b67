// SPDX-License-Identifier: GPL-2.0-or-later
// Exit-code interpretation for the OCF, LSB and heartbeat classes, in one place.
#include "resources/agents/agents.h"

namespace hb::resources {
namespace {

bool isMonitor(std::string_view action) { return action == "monitor" || action == "status"; }

// LSB codes for actions other than status share their meaning with OCF's 0..7.
OcfStatus lsbStatusFromCode(int code) {
  return code >= 0 && code <= 7 ? static_cast<OcfStatus>(code) : OcfStatus::Unknown;
}

}  // namespace

std::string_view ocfStatusName(OcfStatus s) {
  switch (s) {
    case OcfStatus::Success: return "success";
    case OcfStatus::ErrGeneric: return "generic-error";
    case OcfStatus::ErrArgs: return "invalid-argument";
    case OcfStatus::ErrUnimplemented: return "unimplemented";
    case OcfStatus::ErrPerm: return "insufficient-privilege";
    case OcfStatus::ErrInstalled: return "not-installed";
    case OcfStatus::ErrConfigured: return "not-configured";
    case OcfStatus::NotRunning: return "not-running";
    case OcfStatus::RunningPromoted: return "running-promoted";
    case OcfStatus::FailedPromoted: return "failed-promoted";
    case OcfStatus::Degraded: return "degraded";
    case OcfStatus::DegradedPromoted: return "degraded-promoted";
    case OcfStatus::Unknown: return "unknown";
  }
  return "unknown";
}

OcfStatus ocfStatusFromCode(int code) {
  if ((code >= 0 && code <= 9) || code == 190 || code == 191) return static_cast<OcfStatus>(code);
  return OcfStatus::Unknown;
}

std::string_view outcomeWord(Outcome o) {
  switch (o) {
    case Outcome::Success: return "ok";
    case Outcome::NotRunning: return "not-running";
    case Outcome::Failed: return "error";
    case Outcome::TimedOut: return "timeout";
    case Outcome::Cancelled: return "cancelled";
    case Outcome::Signaled: return "killed";
    case Outcome::ConfigError: return "config-error";
  }
  return "error";
}

bool heartbeatStatusRunning(std::string_view out) {
  // Rule 1: `*[Nn][Oo][Tt]\ *[Rr]unning*` -> not running.
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  for (std::size_t i = 0; i + 4 <= out.size(); ++i) {
    if (lower(out[i]) == 'n' && lower(out[i + 1]) == 'o' && lower(out[i + 2]) == 't' &&
        out[i + 3] == ' ') {
      for (std::size_t j = i + 4; j + 7 <= out.size(); ++j) {
        if ((out[j] == 'R' || out[j] == 'r') && out.substr(j + 1, 6) == "unning") return false;
      }
      break;  // later "not " occurrences can only find a subset of the same "running"s
    }
  }
  // Rule 2: `*[Rr]unning*` or `*OK*` -> running; rule 3: anything else -> not running.
  return out.find("running") != out.npos || out.find("Running") != out.npos ||
         out.find("OK") != out.npos;
}

void interpretExit(AgentClass cls, std::string_view action, bool probe, int code,
                   std::string_view stdoutText, ActionResult& r) {
  r.exitCode = code;
  switch (cls) {
    case AgentClass::Ocf: {
      r.ocfStatus = ocfStatusFromCode(code);
      if (isMonitor(action)) {
        switch (r.ocfStatus) {
          case OcfStatus::Success:
          case OcfStatus::RunningPromoted:
          case OcfStatus::Degraded:
          case OcfStatus::DegradedPromoted: r.outcome = Outcome::Success; break;
          case OcfStatus::NotRunning: r.outcome = Outcome::NotRunning; break;
          case OcfStatus::ErrInstalled:
            // A probe on a node without the software: not running here (Pacemaker does so).
            r.outcome = probe ? Outcome::NotRunning : Outcome::Failed;
            break;
          default: r.outcome = Outcome::Failed; break;
        }
      } else if (action == "stop" && r.ocfStatus == OcfStatus::NotRunning) {
        r.outcome = Outcome::Success;  // stopped is what was asked; ocfStatus keeps the 7
      } else {
        r.outcome = code == 0 ? Outcome::Success : Outcome::Failed;
      }
      return;
    }
    case AgentClass::Lsb: {
      if (isMonitor(action)) {
        if (code == 0) {
          r.ocfStatus = OcfStatus::Success;
          r.outcome = Outcome::Success;
        } else if (code == 1 || code == 2 || code == 3) {
          r.ocfStatus = OcfStatus::NotRunning;
          r.outcome = Outcome::NotRunning;
        } else {
          r.ocfStatus = code == 4 ? OcfStatus::ErrGeneric : OcfStatus::Unknown;
          r.outcome = Outcome::Failed;
        }
        return;
      }
      r.ocfStatus = lsbStatusFromCode(code);
      if (code == 0 || (action == "stop" && code == 7)) {
        r.outcome = Outcome::Success;
      } else {
        r.outcome = Outcome::Failed;
      }
      return;
    }
    case AgentClass::Heartbeat: {
      if (isMonitor(action)) {
        // heartbeat ignores the exit code of status and reads the words.
        const bool running = heartbeatStatusRunning(stdoutText);
        r.ocfStatus = running ? OcfStatus::Success : OcfStatus::NotRunning;
        r.outcome = running ? Outcome::Success : Outcome::NotRunning;
        return;
      }
      r.ocfStatus = code == 0 ? OcfStatus::Success
                              : (code >= 1 && code <= 7 ? static_cast<OcfStatus>(code)
                                                        : OcfStatus::ErrGeneric);
      r.outcome = code == 0 ? Outcome::Success : Outcome::Failed;
      return;
    }
  }
}

}  // namespace hb::resources
