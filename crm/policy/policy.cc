// SPDX-License-Identifier: GPL-2.0-or-later
// The placement decision itself (pure: no I/O, no clock, no Asio).
#include "crm/policy/policy.h"

#include <algorithm>
#include <map>

namespace hb::policy {

namespace {

bool isHolding(GroupState s) {
  return s == GroupState::Starting || s == GroupState::Started || s == GroupState::Stopping;
}

/** Everything place() needs about one group, computed once. */
class GroupDecision {
 public:
  /** `by_name`: each GroupView by its name, the last one when a name is given twice. */
  GroupDecision(const cib::Cib& cib, const ClusterView& view, const cib::Group& g,
                const std::vector<std::string>& order, const std::map<std::string, const GroupView*>& by_name,
                const std::map<std::string, const GroupView*>& first_by_name)
      : cib_(cib), view_(view), group_(g), order_(order) {
    // The view names the group by id, else (heartbeat) by its key.
    if (auto it = by_name.find(g.id); it != by_name.end()) {
      gv_ = it->second;
    } else if (auto k = first_by_name.find(g.key()); k != first_by_name.end()) {
      gv_ = k->second;
    }
    legacy_ = cib.auto_failback == cib::AutoFailback::Legacy;
    if (!g.follows_vrrp.empty()) {
      auto it = view.vrrp_master.find(g.follows_vrrp);
      if (it != view.vrrp_master.end()) preferred_ = it->second;
    } else {
      preferred_ = g.preferred_node;
    }
  }

  Placement decide() {
    Placement out;
    out.group = group_.id;

    // A failed stop pins the group where it happened until that node is fenced.
    for (const auto& n : order_) {
      const NodeView* nv = node(n);
      if (state(n) == GroupState::FailedStop && ((nv && nv->up) || !(nv && nv->fenced))) {
        out.target = n;
        out.reason = Reason::Unmanaged;
        out.status = Status::Unmanaged;
        return out;
      }
    }

    std::vector<std::string> holders;
    for (const auto& n : order_) {
      if (up(n) && isHolding(state(n))) holders.push_back(n);
    }
    desire(holders);

    if (holders.empty()) {
      out.target = desired_;
      if (desired_) out.status = Status::Starting;
      else out.status = anyFailed() ? Status::Failed : Status::Stopped;
    } else if (holders.size() == 1) {
      const std::string& h = holders.front();
      if (desired_ == h) {
        out.target = h;
        switch (state(h)) {
          case GroupState::Started: out.status = Status::Started; break;
          case GroupState::Stopping: out.status = Status::Stopping; break;
          default: out.status = Status::Starting; break;
        }
      } else {
        // Safety: nobody else is named while the holder is up; it stops first.
        out.next = desired_;
        out.status = desired_ ? Status::Moving : Status::Stopping;
      }
    } else {
      // Several nodes claim the group (after a partition): keep one holder, the others stop.
      out.target = std::find(holders.begin(), holders.end(), preferred_) != holders.end()
                       ? preferred_
                       : holders.front();
      reason_ = Reason::MultipleHolders;
      out.status = Status::Moving;
    }
    out.reason = reason_;
    return out;
  }

 private:
  const NodeView* node(const std::string& n) const {
    for (const auto& nv : view_.nodes) {
      if (nv.name == n) return &nv;
    }
    return nullptr;
  }
  bool up(const std::string& n) const {
    const NodeView* nv = node(n);
    return nv && nv->up;
  }
  GroupState state(const std::string& n) const {
    if (!gv_) return GroupState::Stopped;
    auto it = gv_->state.find(n);
    return it == gv_->state.end() ? GroupState::Stopped : it->second;
  }
  bool failed(const std::string& n) const {
    return gv_ && std::find(gv_->failed_on.begin(), gv_->failed_on.end(), n) != gv_->failed_on.end();
  }
  bool anyFailed() const { return gv_ && !gv_->failed_on.empty(); }
  bool canRun(const std::string& n) const {
    const NodeView* nv = node(n);
    return nv && nv->up && nv->initial_phase_over && !failed(n);
  }
  /** Node n asked to give this group away (heartbeat's local/foreign is relative to n). */
  bool standbyCovers(const std::string& n) const {
    const NodeView* nv = node(n);
    if (!nv || legacy_ || !group_.follows_vrrp.empty()) return false;
    switch (nv->standby) {
      case Standby::All: return true;
      case Standby::Local: return group_.preferred_node == n;
      case Standby::Foreign: return group_.preferred_node != n;
      case Standby::None: break;
    }
    return false;
  }
  /** Candidates: the preferred node first, then the others in configuration order. */
  std::vector<std::string> candidates() const {
    std::vector<std::string> out;
    if (!preferred_.empty() && std::find(order_.begin(), order_.end(), preferred_) != order_.end()) {
      out.push_back(preferred_);
    }
    for (const auto& n : order_) {
      if (n != preferred_) out.push_back(n);
    }
    return out;
  }
  /** The best node other than `except`: one not in standby for the group, else any. */
  std::optional<std::string> pick(const std::string& except) const {
    for (const auto& n : candidates()) {
      if (n != except && canRun(n) && !standbyCovers(n)) return n;
    }
    for (const auto& n : candidates()) {
      if (n != except && canRun(n)) return n;
    }
    return std::nullopt;
  }
  bool someoneElseCanTake(const std::string& h) const {
    for (const auto& n : order_) {
      if (n != h && canRun(n) && !standbyCovers(n)) return true;
    }
    return false;
  }
  /** Why the group is not (going) on its preferred node. */
  Reason whyNotPreferred() const {
    if (preferred_.empty() || !up(preferred_)) return Reason::Failover;
    if (failed(preferred_)) return Reason::FailedStart;
    if (standbyCovers(preferred_)) return Reason::Standby;
    return Reason::Failover;
  }
  bool failedEverywhere() const {
    if (!anyFailed() || order_.empty()) return false;
    return std::all_of(order_.begin(), order_.end(), [&](const std::string& n) { return failed(n); });
  }
  bool someoneStillStarting() const {
    return std::any_of(order_.begin(), order_.end(), [&](const std::string& n) {
      const NodeView* nv = node(n);
      return nv && nv->up && !nv->initial_phase_over && !failed(n);
    });
  }

  /** Sets desired_ and reason_, ignoring the hand-over safety (decide() applies it). */
  void desire(const std::vector<std::string>& holders) {
    if (failedEverywhere()) {
      reason_ = Reason::FailedEverywhere;
      return;
    }
    if (!group_.follows_vrrp.empty()) {
      // The VRRP instance decides; standby and auto_failback do not apply.
      if (preferred_.empty()) {
        reason_ = Reason::NoMaster;
      } else if (canRun(preferred_)) {
        desired_ = preferred_;
        reason_ = Reason::Vrrp;
      } else {
        reason_ = failed(preferred_) ? Reason::FailedStart : Reason::NoNode;
      }
      return;
    }
    if (holders.size() == 1) {
      const std::string& h = holders.front();
      const bool keepable = !failed(h) && !(standbyCovers(h) && someoneElseCanTake(h));
      if (keepable) {
        // Pacemaker's rule on the model: the preferred location (score 100) pulls the group back
        // only when its stickiness is lower; auto_failback off also forbids it outright.
        const bool failback = cib_.auto_failback != cib::AutoFailback::Off &&
                              group_.stickiness < cib::kPreferredNodeScore;
        if (h == preferred_) {
          desired_ = h;
          reason_ = Reason::Preferred;
        } else if (failback && !preferred_.empty() && canRun(preferred_) &&
                   !standbyCovers(preferred_)) {
          desired_ = preferred_;
          reason_ = Reason::Failback;
        } else {
          desired_ = h;
          if (preferred_.empty() || !up(preferred_) || failed(preferred_) ||
              standbyCovers(preferred_)) {
            reason_ = whyNotPreferred();
          } else {
            // The preferred node is up: off keeps the group here, on waits for its start-up.
            reason_ = failback ? Reason::Waiting : Reason::Sticky;
          }
        }
        return;
      }
      desired_ = pick(h);
      reason_ = failed(h) ? Reason::FailedStart : Reason::Standby;
      return;
    }
    if (!holders.empty()) {
      desired_ = pick("");
      return;
    }
    // Nobody holds it: the preferred node if it can, after its start-up if it is still starting.
    const NodeView* p = preferred_.empty() ? nullptr : node(preferred_);
    if (p && p->up && !p->initial_phase_over && !failed(preferred_)) {
      reason_ = Reason::Waiting;
      return;
    }
    desired_ = pick("");
    if (desired_) {
      reason_ = *desired_ == preferred_ ? Reason::Preferred : whyNotPreferred();
    } else if (someoneStillStarting()) {
      reason_ = Reason::Waiting;
    } else {
      reason_ = anyFailed() ? Reason::FailedStart : Reason::NoNode;
    }
  }

  const cib::Cib& cib_;
  const ClusterView& view_;
  const cib::Group& group_;
  const std::vector<std::string>& order_;
  const GroupView* gv_ = nullptr;
  bool legacy_ = false;
  std::string preferred_;
  std::optional<std::string> desired_;
  Reason reason_ = Reason::NoNode;
};

}  // namespace

std::vector<Placement> place(const cib::Cib& cib, const ClusterView& view) {
  // Configuration order first, then nodes only the view knows (e.g. a CIB without <nodes>).
  std::vector<std::string> order = cib.nodes;
  for (const auto& n : view.nodes) {
    if (std::find(order.begin(), order.end(), n.name) == order.end()) order.push_back(n.name);
  }
  std::vector<Placement> out;
  out.reserve(cib.groups.size());
  std::map<std::string, const GroupView*> by_name, first_by_name;
  for (const auto& gv : view.groups) {
    by_name[gv.group] = &gv;
    first_by_name.emplace(gv.group, &gv);
  }
  for (const auto& g : cib.groups) {
    out.push_back(GroupDecision(cib, view, g, order, by_name, first_by_name).decide());
  }
  return out;
}

}  // namespace hb::policy
