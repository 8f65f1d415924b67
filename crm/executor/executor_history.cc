// SPDX-License-Identifier: GPL-2.0-or-later
// Hand-over timelines: the last N, each addressed by a stable id so that dropping the oldest
// never shifts what a running group points at.
#include "crm/executor/executor_private.h"

namespace hb::executor {

History::Id History::open(WallTime wall_at_trigger, MonoTime trigger_at, std::string trigger, std::string group,
                          std::string decision) {
  Item it{next_++, trigger_at, {}};
  it.entry.started = wall_at_trigger;
  it.entry.trigger = std::move(trigger);
  it.entry.group = std::move(group);
  it.entry.decision = std::move(decision);
  it.entry.outcome_enum = Outcome::InProgress;
  it.entry.outcome = std::string(outcomeName(Outcome::InProgress));
  items_.push_back(std::move(it));
  while (items_.size() > capacity_) items_.pop_front();
  return items_.empty() ? 0 : items_.back().id;
}

History::Item* History::find(Id id) {
  if (id == 0 || items_.empty() || id < items_.front().id) return nullptr;
  const auto pos = static_cast<std::size_t>(id - items_.front().id);  // ids are consecutive
  return pos < items_.size() ? &items_[pos] : nullptr;
}

void History::event(Id id, MonoTime now, std::string what) {
  Item* it = find(id);
  if (it == nullptr) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->t0).count();
  it->entry.events.push_back(TimelineEvent{ms, std::move(what)});
}

void History::close(Id id, Outcome outcome) {
  Item* it = find(id);
  if (it == nullptr) return;
  it->entry.outcome_enum = outcome;
  it->entry.outcome = std::string(outcomeName(outcome));
}

std::vector<HistoryEntry> History::entries() const {
  std::vector<HistoryEntry> out;
  out.reserve(items_.size());
  for (const auto& it : items_) out.push_back(it.entry);
  return out;
}

}  // namespace hb::executor
