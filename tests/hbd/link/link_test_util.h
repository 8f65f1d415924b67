// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the hb_link tests: run a real io_context until a condition, byte views.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "hbd/link/link.h"

namespace hb::link::test {

/** Runs `io` until `done()` or `limit` (generous: the tests never rely on the limit); returns
 *  done(). */
inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

/** Runs `io` for `d` whatever happens (to show that something does NOT arrive). */
inline void runFor(boost::asio::io_context& io, std::chrono::milliseconds d) {
  runUntil(io, [] { return false; }, d);
}

/** The bytes of a string. */
inline ByteView bytes(const std::string& s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace hb::link::test
