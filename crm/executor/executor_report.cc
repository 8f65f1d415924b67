// SPDX-License-Identifier: GPL-2.0-or-later
// The StateReport codec: a typed report <-> self-contained chunks of Fields, each within a byte
// budget; decoding hostile input gives an error, never an exception.
#include <algorithm>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "crm/executor/executor_private.h"

namespace hb::executor {

namespace {

constexpr const char* kReportType = "rsc";
/** "s" is sized as if it had the most digits, so a chunk's size does not depend on the seq. */
constexpr std::size_t kMaxU64Digits = 20;

std::optional<std::uint64_t> parseU64(const std::string& s) {
  if (s.empty() || s.size() > kMaxU64Digits) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::size_t fieldSize(const std::string& name, std::size_t value_size) {
  return name.size() + value_size + kFieldOverhead;
}

/** The fields of one group, in the order they are written. */
Fields groupFields(const std::string& gid, const GroupReport& g) {
  Fields f;
  const auto st = g.state == policy::GroupState::FailedStart ? policy::GroupState::Stopped : g.state;
  f["g:" + gid] = std::string(policy::groupStateName(st));
  if (g.claim != 0) f["c:" + gid] = std::to_string(g.claim);
  if (g.failed || g.state == policy::GroupState::FailedStart) f["f:" + gid] = "1";
  if (g.grant) f["a:" + gid] = g.grant->node + "/" + std::to_string(g.grant->claim);
  if (g.digest != 0) f["d:" + gid] = fmt::format("{:016x}", g.digest);
  return f;
}

Error bad(const std::string& what) { return err(Errc::Malformed, "state report: " + what); }

}  // namespace

std::size_t wireSize(const Fields& f) {
  std::size_t n = 0;
  for (const auto& [k, v] : f) n += fieldSize(k, v.size());
  return n;
}

std::vector<Fields> encodeReport(const StateReport& r, std::size_t max_bytes) {
  Fields header;
  header["t"] = kReportType;
  header["phase"] = r.phase_over ? "1" : "0";
  header["standby"] = std::string(policy::standbyName(r.standby));
  if (!r.vrrp_master.empty()) {
    std::string v;
    for (const auto& i : r.vrrp_master) v += (v.empty() ? "" : ",") + i;
    header["vrrp"] = v;
  }
  const std::size_t header_size = wireSize(header) + fieldSize("s", kMaxU64Digits);
  header["s"] = std::to_string(r.seq);

  std::vector<Fields> out;
  Fields chunk = header;
  std::size_t size = header_size;
  bool has_group = false;
  for (const auto& [gid, g] : r.groups) {
    Fields gf = groupFields(gid, g);
    const std::size_t gs = wireSize(gf);
    if (has_group && size + gs > max_bytes) {
      out.push_back(std::move(chunk));
      chunk = header;
      size = header_size;
    }
    chunk.merge(gf);
    size += gs;
    has_group = true;
  }
  out.push_back(std::move(chunk));
  return out;
}

std::size_t largestChunkFor(const std::string& gid, const std::vector<std::string>& nodes,
                            const std::set<std::string>& vrrp_instances) {
  // The worst case built from the codec itself: every field present at its longest.
  std::string longest_node;
  for (const auto& n : nodes) {
    if (n.size() > longest_node.size()) longest_node = n;
  }
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  std::size_t largest = 0;
  for (auto st : {policy::GroupState::Stopped, policy::GroupState::Starting, policy::GroupState::Started,
                  policy::GroupState::Stopping, policy::GroupState::FailedStop}) {
    for (auto sb : {policy::Standby::None, policy::Standby::Local, policy::Standby::Foreign, policy::Standby::All}) {
      StateReport r;
      r.seq = kMax;
      r.phase_over = true;
      r.standby = sb;
      r.vrrp_master = vrrp_instances;
      r.groups[gid] = GroupReport{st, kMax, true, Grant{longest_node, kMax}, kMax};
      for (const auto& chunk : encodeReport(r, std::numeric_limits<std::size_t>::max())) {
        largest = std::max(largest, wireSize(chunk));
      }
    }
  }
  return largest;
}

Result<StateReport> decodeReport(const Fields& f) {
  StateReport r;
  auto t = f.find("t");
  if (t == f.end() || t->second != kReportType) return bad("not a report");
  if (auto s = f.find("s"); s != f.end()) {
    auto v = parseU64(s->second);
    if (!v) return bad("bad seq");
    r.seq = *v;
  }
  if (auto ph = f.find("phase"); ph != f.end()) {
    if (ph->second != "0" && ph->second != "1") return bad("bad phase");
    r.phase_over = ph->second == "1";
  }
  if (auto sb = f.find("standby"); sb != f.end()) {
    auto v = policy::parseStandbyName(sb->second);
    if (!v) return bad("bad standby");
    r.standby = *v;
  }
  if (auto v = f.find("vrrp"); v != f.end()) {
    std::size_t start = 0;
    while (start <= v->second.size()) {
      const auto comma = v->second.find(',', start);
      const auto name = v->second.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (name.empty()) return bad("empty vrrp instance");
      r.vrrp_master.insert(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  // g: first (std::map order puts a: c: f: before g:, so two passes).
  for (const auto& [k, v] : f) {
    if (k.size() < 2 || k[1] != ':' || k[0] != 'g') continue;
    const std::string gid = k.substr(2);
    if (gid.empty()) return bad("empty group id");
    auto st = policy::parseGroupStateName(v);
    if (!st) return bad("bad state of " + gid);
    auto& g = r.groups[gid];
    // failed-start travels as stopped with the failed mark (canonical form).
    g.state = *st == policy::GroupState::FailedStart ? policy::GroupState::Stopped : *st;
    g.failed = g.failed || *st == policy::GroupState::FailedStart;
  }
  for (const auto& [k, v] : f) {
    if (k.size() < 2 || k[1] != ':' || k[0] == 'g') continue;
    if (k[0] != 'c' && k[0] != 'f' && k[0] != 'a' && k[0] != 'd') continue;  // unknown: a newer peer's
    const std::string gid = k.substr(2);
    auto it = r.groups.find(gid);
    if (it == r.groups.end()) return bad("'" + k + "' without the group's state");
    auto& g = it->second;
    if (k[0] == 'c') {
      auto c = parseU64(v);
      if (!c || *c == 0) return bad("bad claim of " + gid);
      g.claim = *c;
    } else if (k[0] == 'd') {
      std::uint64_t d = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d, 16);
      if (v.size() != 16 || ec != std::errc() || end != v.data() + v.size() || d == 0) {
        return bad("bad definition digest of " + gid);
      }
      g.digest = d;
    } else if (k[0] == 'f') {
      if (v != "1") return bad("bad failed mark of " + gid);
      g.failed = true;
    } else {
      const auto slash = v.rfind('/');
      if (slash == std::string::npos || slash == 0) return bad("bad grant of " + gid);
      auto c = parseU64(v.substr(slash + 1));
      if (!c || *c == 0) return bad("bad grant of " + gid);
      g.grant = Grant{v.substr(0, slash), *c};
    }
  }
  return r;
}

void Peer::apply(const StateReport& r) {
  reported = true;
  if (r.seq >= header_seq) {
    header_seq = r.seq;
    phase_over = r.phase_over;
    standby = r.standby;
    vrrp_master = r.vrrp_master;
  }
  for (const auto& [gid, g] : r.groups) {
    auto& mine = groups[gid];
    if (r.seq < mine.seq) continue;  // a reordered, older statement
    mine.seq = r.seq;
    mine.report = g;
  }
}

}  // namespace hb::executor
