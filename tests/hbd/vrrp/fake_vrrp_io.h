// SPDX-License-Identifier: GPL-2.0-or-later
// FakeVrrpIo: a VrrpIo that records what the router asks of the host and lets a test inject
// received packets and link changes; address changes are acknowledged later through the Scheduler.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hbd/vrrp/vrrp.h"
#include "resources/base/scheduler.h"

namespace hb::vrrp::test {

/**
 * Records every call (adverts decoded back through the real codec, address changes, gratuitous
 * ARPs, opens, closes) and keeps the Deliver and LinkReport callbacks for the test to call. As the
 * VrrpIo contract requires, changeAddress's `done` runs later (posted on the Scheduler), never
 * inside the call, and nothing is called back after close(). Loop thread only.
 */
class FakeVrrpIo final : public VrrpIo {
 public:
  /** One sendAdvert() call, with the message decoded (reason Ok unless the router sent garbage). */
  struct SentAdvert {
    std::string ifname;
    Ipv4Address src;
    Ipv4Address dst;
    Decoded decoded;
    MonoTime at{};
  };
  /** One changeAddress() call. */
  struct AddressChange {
    bool add = false;
    int ifindex = 0;
    VirtualAddress vip;
  };
  /** One sendGarp() call. */
  struct GarpSent {
    int ifindex = 0;
    std::array<std::uint8_t, 6> mac{};
    Ipv4Address vip;
    int count = 0;
  };
  /** One openInterface() call. */
  struct Opened {
    InterfaceInfo info;
    bool multicast = false;
  };

  explicit FakeVrrpIo(Scheduler& sched) : sched_(sched) {}
  ~FakeVrrpIo() override { *alive_ = false; }

  /** Adds an interface queryInterface() knows (running unless `up` is false). */
  void addInterface(const std::string& name, int index, const char* primary, bool up = true) {
    InterfaceInfo i;
    i.name = name;
    i.index = index;
    i.primary = *Ipv4Address::parse(primary);
    i.mac = {0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(index)};
    i.up = up;
    interfaces[name] = i;
  }

  // -- VrrpIo --------------------------------------------------------------------------------
  Result<InterfaceInfo> queryInterface(const std::string& name) override {
    noteCall();
    auto it = interfaces.find(name);
    if (it == interfaces.end()) return err(Errc::NotFound, "no interface " + name);
    return it->second;
  }
  bool interfaceRunning(const std::string& name) override {
    noteCall();
    auto it = interfaces.find(name);
    return it != interfaces.end() && it->second.up;
  }
  Result<void> openInterface(const InterfaceInfo& iface, bool multicast, Deliver deliver) override {
    noteCall();
    if (auto it = open_errors.find(iface.name); it != open_errors.end()) return it->second;
    opened.push_back(Opened{iface, multicast});
    delivers_[iface.name] = std::move(deliver);
    return {};
  }
  Result<void> sendAdvert(const std::string& ifname, std::span<const std::uint8_t> vrrp,
                          Ipv4Address src, Ipv4Address dst) override {
    noteCall();
    if (!delivers_.contains(ifname)) return err(Errc::InvalidArgument, ifname + " not opened");
    adverts.push_back(
        SentAdvert{ifname, src, dst, decodePacket(wrapIp(vrrp, src, dst)), sched_.now()});
    return {};
  }
  void changeAddress(bool add, int ifindex, const VirtualAddress& vip, Done done) override {
    noteCall();
    changes.push_back(AddressChange{add, ifindex, vip});
    sched_.post([alive = alive_, this, done = std::move(done)] {
      if (*alive && !closed && done) done(change_result);
    });
  }
  Result<void> sendGarp(int ifindex, const std::array<std::uint8_t, 6>& mac, Ipv4Address vip,
                        int count) override {
    noteCall();
    garps.push_back(GarpSent{ifindex, mac, vip, count});
    return {};
  }
  Result<void> watchLinks(LinkReport report) override {
    noteCall();
    if (watch_error) return *watch_error;
    link_report_ = std::move(report);
    return {};
  }
  void close() override {
    ++closes;
    closed = true;
    delivers_.clear();
    link_report_ = nullptr;
  }

  // -- What a test drives --------------------------------------------------------------------
  /** Delivers one received IPv4 packet on `ifname` as its socket would (false if not open). */
  bool inject(const std::string& ifname, const std::vector<std::uint8_t>& packet) {
    auto it = delivers_.find(ifname);
    if (it == delivers_.end()) return false;
    Deliver d = it->second;  // the router may not erase it, but do not depend on that
    d(packet);
    return true;
  }
  /** Changes the link state of `ifname` and reports it (when watched and not closed). */
  void setLink(const std::string& ifname, bool up) {
    if (auto it = interfaces.find(ifname); it != interfaces.end()) it->second.up = up;
    if (link_report_) {
      LinkReport r = link_report_;
      r(ifname, up);
    }
  }
  /** Whether the Deliver of `ifname` is held (opened and not closed). */
  bool isOpen(const std::string& ifname) const { return delivers_.contains(ifname); }
  /** Forgets the recorded adverts, changes and ARPs (not the opens). */
  void clearRecords() {
    adverts.clear();
    changes.clear();
    garps.clear();
  }

  /** The VIP changes of `add` kind, as "ADDR/LEN@IFINDEX" strings in call order. */
  std::vector<std::string> changed(bool add) const {
    std::vector<std::string> out;
    for (const auto& c : changes) {
      if (c.add == add) {
        out.push_back(c.vip.address.toString() + "/" + std::to_string(c.vip.prefix_len) + "@" +
                      std::to_string(c.ifindex));
      }
    }
    return out;
  }

  std::map<std::string, InterfaceInfo> interfaces;  ///< what queryInterface() answers
  std::map<std::string, Error> open_errors;         ///< openInterface() of these names fails
  std::optional<Error> watch_error;                 ///< watchLinks() fails with this
  Result<void> change_result;                       ///< what every `done` receives
  std::vector<Opened> opened;
  std::vector<SentAdvert> adverts;
  std::vector<AddressChange> changes;
  std::vector<GarpSent> garps;
  int closes = 0;
  bool closed = false;
  int calls_after_close = 0;  ///< any VrrpIo call but close() once closed

 private:
  void noteCall() {
    if (closed) ++calls_after_close;
  }

  // The IPv4 header the kernel would put around `vrrp` (TTL 255, protocol 112), so that the
  // sent message goes through the same decoder as a received one.
  static std::vector<std::uint8_t> wrapIp(std::span<const std::uint8_t> vrrp, Ipv4Address src,
                                          Ipv4Address dst) {
    std::vector<std::uint8_t> p(20 + vrrp.size(), 0);
    p[0] = 0x45;
    p[1] = 0xc0;
    p[2] = static_cast<std::uint8_t>(p.size() >> 8);
    p[3] = static_cast<std::uint8_t>(p.size());
    p[8] = 255;
    p[9] = kVrrpProto;
    std::copy(src.bytes.begin(), src.bytes.end(), p.begin() + 12);
    std::copy(dst.bytes.begin(), dst.bytes.end(), p.begin() + 16);
    const std::uint16_t sum = internetChecksum(std::span<const std::uint8_t>(p.data(), 20));
    p[10] = static_cast<std::uint8_t>(sum >> 8);
    p[11] = static_cast<std::uint8_t>(sum);
    std::copy(vrrp.begin(), vrrp.end(), p.begin() + 20);
    return p;
  }

  Scheduler& sched_;
  std::map<std::string, Deliver> delivers_;
  LinkReport link_report_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace hb::vrrp::test
