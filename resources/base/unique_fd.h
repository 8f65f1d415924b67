// SPDX-License-Identifier: GPL-2.0-or-later
// UniqueFd: owns one file descriptor and closes it when it goes out of scope. The one fd guard of
// the project (Boost.Asio owns the descriptors of sockets and pipes it wraps; this is for the raw
// descriptors that never reach an Asio object: netlink queries, config files, pidfds before wrapping).
#pragma once

#include <unistd.h>

#include <utility>

namespace hb {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  /** Gives the descriptor up without closing it. */
  int release() { return std::exchange(fd_, -1); }
  /** Closes the current descriptor (if any) and takes `fd`. */
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace hb
