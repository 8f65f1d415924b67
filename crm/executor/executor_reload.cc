// SPDX-License-Identifier: GPL-2.0-or-later
// Reload of the resource model: a new CIB is adopted group by group. Groups that did not change
// are not touched (they keep running, their claims and grants stand); groups removed or changed
// are stopped here first, with their old definition; new and changed groups are probed before
// they are stated in a report, so no peer is granted one while it may run here.
#include <algorithm>

#include "crm/executor/executor_private.h"

namespace hb::executor {

using policy::GroupState;

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

const cib::Group* findById(const cib::Cib& c, const std::string& id) {
  for (const auto& g : c.groups) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

}  // namespace

LocalGroup ResourceManager::Impl::freshLocal(const cib::Group& g) const {
  LocalGroup lg;
  lg.digest = cib::definitionDigest(g);
  for (const auto& p : g.primitives) {
    LocalResource rs;
    rs.id = p.id;
    // The agent that really runs: a heartbeat script not found here falls back to ocf:hbd.
    rs.agent = actionFor(p, "start", opts.paths).spec.toString();
    lg.resources.push_back(rs);
  }
  return lg;
}

Result<ResourceManager::Impl::PendingCib> ResourceManager::Impl::planReconfigure(const cib::Cib& next) const {
  if (next.nodes != opts.cib.nodes) return err(Errc::InvalidArgument, "the node list differs (restart hbd for that)");
  if (shutting_down) return err(Errc::Unsupported, "hbd is shutting down");
  if (pending_cib) {
    std::vector<std::string> names;
    for (const auto& [gid, why] : pending_cib->retiring) names.push_back(gid);
    return err(Errc::Unsupported, "the previous reload is still being applied (stopping " + joined(names) +
                                      " here first): reload again once `hbctl status` shows it done");
  }
  PendingCib plan;
  plan.next = next;
  std::vector<std::string> added, removed, changed, placement, blocked_problems;
  for (const auto& g : opts.cib.groups) {
    const cib::Group* ng = findById(next, g.id);
    if (ng != nullptr && ng->sameDefinition(g)) {
      if (ng->preferred_node != g.preferred_node || ng->stickiness != g.stickiness) placement.push_back(g.id);
      continue;
    }
    plan.retiring[g.id] = ng == nullptr ? "removed" : "changed";
    (ng == nullptr ? removed : changed).push_back(g.id);
    std::set<std::string> on;
    if (auto b = blocked.find(g.id); b != blocked.end()) on = b->second;
    if (local.at(g.id).state == GroupState::FailedStop) on.insert(opts.self);
    if (!on.empty()) {
      std::vector<std::string> nodes(on.begin(), on.end());
      blocked_problems.push_back("group " + g.id + " is blocked by a failed stop on " + joined(nodes) +
                                 ": stop it there by hand and run `hbctl cleanup " + g.id +
                                 "` before a reload removes or changes it");
    }
  }
  for (const auto& g : next.groups) {
    if (group(g.id) == nullptr) added.push_back(g.id);
  }
  if (!blocked_problems.empty()) {
    std::string text = blocked_problems.front();
    for (std::size_t i = 1; i < blocked_problems.size(); ++i) text += "; " + blocked_problems[i];
    return err(Errc::Unsupported, text);
  }
  if (!probed && (!plan.retiring.empty() || !added.empty())) {
    return err(Errc::Unsupported, "the start-up probes are still running: reload again in a moment");
  }
  std::vector<std::string> parts;
  if (!added.empty()) parts.push_back("added " + joined(added));
  if (!removed.empty()) parts.push_back("removed " + joined(removed));
  if (!changed.empty()) parts.push_back("changed " + joined(changed));
  if (!placement.empty()) parts.push_back("placement of " + joined(placement));
  if (next.auto_failback != opts.cib.auto_failback) {
    parts.push_back("auto_failback " + std::string(cib::autoFailbackName(next.auto_failback)));
  }
  if (parts.empty() && !(next == opts.cib)) parts.push_back("group order");
  if (!parts.empty()) {
    plan.summary = "groups (" + parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i) plan.summary += "; " + parts[i];
    plan.summary += ")";
  }
  return plan;
}

void ResourceManager::Impl::tryAdopt() {
  if (!pending_cib) return;
  for (const auto& [gid, why] : pending_cib->retiring) {
    const auto& lg = local.at(gid);
    if (lg.busy || holding(lg.state) || lg.probes_pending > 0) return;  // still stopping (or probing)
  }
  PendingCib plan = std::move(*pending_cib);
  pending_cib.reset();
  cib::Cib next = std::move(plan.next);
  // A group whose stop failed while the reload was applied keeps its old definition: its
  // resources may still run here, and only the old definition knows how to stop them.
  for (const auto& [gid, why] : plan.retiring) {
    if (local.at(gid).state != GroupState::FailedStop) continue;
    const cib::Group& old = *group(gid);
    auto it = std::find_if(next.groups.begin(), next.groups.end(), [&, &id = gid](const cib::Group& g) { return g.id == id; });
    if (it != next.groups.end()) {
      *it = old;
    } else {
      next.groups.push_back(old);
    }
    HB_LOG(log, Crit, Crm,
           "reload: group {} could not be stopped: it keeps its old definition (unmanaged) until `hbctl cleanup "
           "{}`; reload again afterwards",
           gid, gid);
  }
  std::map<std::string, LocalGroup> fresh;
  std::vector<std::string> to_probe;
  for (const auto& g : next.groups) {
    const cib::Group* was = group(g.id);
    auto old = local.find(g.id);
    if (was != nullptr && old != local.end() && was->sameDefinition(g)) {
      fresh[g.id] = std::move(old->second);  // untouched: keeps its state, claim and actions
    } else {
      fresh[g.id] = freshLocal(g);
      to_probe.push_back(g.id);
    }
  }
  local = std::move(fresh);
  opts.cib = std::move(next);
  index.clear();
  for (std::size_t i = 0; i < opts.cib.groups.size(); ++i) index.emplace(opts.cib.groups[i].id, i);

  bool blocks_changed = false;
  for (auto it = blocked.begin(); it != blocked.end();) {
    if (group(it->first) == nullptr) {
      it = blocked.erase(it);
      blocks_changed = true;
    } else {
      ++it;
    }
  }
  if (blocks_changed) saveBlocked();
  for (auto& [name, p] : peers) {
    for (auto it = p.groups.begin(); it != p.groups.end();) it = group(it->first) == nullptr ? p.groups.erase(it) : std::next(it);
  }
  for (auto it = warned_definition.begin(); it != warned_definition.end();) {
    it = group(it->first.second) == nullptr ? warned_definition.erase(it) : std::next(it);
  }
  vrrp_masters.clear();
  for (const auto& inst : all_vrrp_masters) {
    if (std::any_of(opts.cib.groups.begin(), opts.cib.groups.end(),
                    [&](const cib::Group& g) { return g.follows_vrrp == inst; })) {
      vrrp_masters.insert(inst);
    }
  }
  trigger("reload");
  HB_LOG(log, Notice, Crm, "reload applied: {} | probing={}", plan.summary.empty() ? "groups unchanged" : plan.summary,
         joined(to_probe));
  for (const auto& gid : to_probe) probeGroup(gid, /*initial=*/false);
  last_chunks.clear();
  sendReport(true);
  scheduleReconcile();
}

void ResourceManager::Impl::warnDefinition(const std::string& peer, const std::string& gid, std::uint64_t digest) {
  auto& seen = warned_definition[{peer, gid}];
  if (seen == digest) return;
  seen = digest;
  HB_LOG(log, Warning, Crm,
         "group {} is defined otherwise on {} (other resources or parameters: its haresources differs from ours): "
         "the group is not handed over between the two nodes until both have the same definition (reload there)",
         gid, peer);
}

Result<std::string> ResourceManager::checkReconfigure(const cib::Cib& next) const {
  if (impl_->pending_cib && next == impl_->pending_cib->next) return std::string("groups being changed (as asked)");
  auto plan = impl_->planReconfigure(next);
  if (!plan) return plan.error();
  return plan->summary;
}

Result<std::string> ResourceManager::reconfigure(cib::Cib next) {
  if (impl_->pending_cib && next == impl_->pending_cib->next) return std::string("groups being changed (as asked)");
  auto plan = impl_->planReconfigure(next);
  if (!plan) return plan.error();
  if (plan->summary.empty()) return std::string();
  std::vector<std::string> stopping;
  for (const auto& [gid, why] : plan->retiring) {
    if (Impl::holding(impl_->local.at(gid).state) || impl_->local.at(gid).busy) stopping.push_back(gid);
  }
  std::string summary = plan->summary;
  HB_LOG(impl_->log, Notice, Crm, "reload: {}{}", summary, stopping.empty() ? "" : "; stopping " + joined(stopping) + " here first");
  if (!stopping.empty()) summary += ", stopping " + joined(stopping) + " here first";
  impl_->pending_cib = std::move(*plan);
  impl_->trigger("reload");
  impl_->reconcile();  // stops what must stop, or adopts at once
  return summary;
}

bool ResourceManager::reconfiguring() const { return impl_->pending_cib.has_value(); }

}  // namespace hb::executor
