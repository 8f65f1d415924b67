// SPDX-License-Identifier: GPL-2.0-or-later
// The claim/grant hand-over protocol, read off the peers' latest statements (see executor.h):
// a group starts on the claimant only after every live peer has stated its copy stopped and
// granted exactly this claim; ties between claimants go to the lower node name.
#include "crm/executor/executor_private.h"

namespace hb::executor {

std::uint64_t firstClaimNumber(WallTime now) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count());
}

bool claimGranted(const Peers& peers, const std::string& self, const std::string& gid, std::uint64_t claim) {
  for (const auto& [name, p] : peers) {
    if (!p.up) continue;  // declared dead: needs no grant
    const GroupReport* g = p.group(gid);
    if (g == nullptr || g->state != policy::GroupState::Stopped) return false;
    if (!g->grant || g->grant->node != self || g->grant->claim != claim) return false;
  }
  return true;
}

bool losesTo(const Peers& peers, const std::string& self, const std::string& gid) {
  for (const auto& [name, p] : peers) {
    if (!p.up || !(name < self)) continue;
    const GroupReport* g = p.group(gid);
    if (g != nullptr && g->claim != 0) return true;
  }
  return false;
}

std::optional<Grant> grantFor(const Peers& peers, const std::string& self, const std::string& gid,
                              bool can_grant, std::uint64_t own_claim, std::uint64_t own_digest) {
  if (!can_grant) return std::nullopt;
  std::optional<Grant> best;
  for (const auto& [name, p] : peers) {  // name order: the first claimant is the lowest name
    if (!p.up) continue;
    const GroupReport* g = p.group(gid);
    if (g == nullptr || g->claim == 0) continue;
    if (g->digest != 0 && g->digest != own_digest) continue;  // another definition: never
    best = Grant{name, g->claim};
    break;
  }
  if (best && own_claim != 0 && self < best->node) return std::nullopt;  // we win the tie
  return best;
}

}  // namespace hb::executor
