// SPDX-License-Identifier: GPL-2.0-or-later
// Private to hb_link: the per-kind constructors link_factory.cc chooses between.
#pragma once

#include <memory>
#include <utility>

#include "hbd/link/link.h"

namespace hb::link {

/**
 * The Link the daemon owns, forwarding to a shared actor (`Core`) whose async handlers keep it
 * alive with shared_ptr after the Link is gone. Core provides name(), start(), stop(),
 * send(ByteView), setDeliver(cb), setStatus(cb) and stats(). Loop thread only.
 */
template <class Core>
class ForwardingLink final : public Link {
 public:
  ForwardingLink(std::shared_ptr<Core> core, std::size_t max_frame)
      : core_(std::move(core)), max_frame_(max_frame) {}
  ~ForwardingLink() override { core_->stop(); }
  ForwardingLink(const ForwardingLink&) = delete;
  ForwardingLink& operator=(const ForwardingLink&) = delete;

  std::string_view name() const override { return core_->name(); }
  std::size_t maxFrameSize() const override { return max_frame_; }
  Result<void> open() override { return core_->start(); }
  void close() override { core_->stop(); }
  Result<void> send(ByteView frame) override { return core_->send(frame); }
  void onFrame(std::function<void(ByteView, const PeerHint&)> deliver) override {
    core_->setDeliver(std::move(deliver));
  }
  const LinkStats& stats() const override { return core_->stats(); }
  void onStatus(std::function<void(bool)> changed) override {
    core_->setStatus(std::move(changed));
  }

 private:
  std::shared_ptr<Core> core_;
  std::size_t max_frame_;
};

/** A UDP link for Kind::Ucast, Kind::Bcast or Kind::Mcast (udp_link.cc). Validates `o`. */
Result<LinkPtr> makeUdpLink(const LinkOptions& o, boost::asio::io_context& io, Scheduler& sched,
                            LogSink& log);

/** A serial link (serial_link.cc), or Unsupported (serial_link_disabled.cc) when the build has
 *  no serial support. */
Result<LinkPtr> makeSerialLink(const LinkOptions& o, boost::asio::io_context& io,
                               Scheduler& sched, LogSink& log);

}  // namespace hb::link
