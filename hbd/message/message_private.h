// SPDX-License-Identifier: GPL-2.0-or-later
// Internals shared by the hb_message sources: auth-code computation and comparison.
#pragma once

#include <cstdint>

#include "hbd/message/message.h"

namespace hb::message::detail {


/**
 * Computes the auth code of `data` with `key` into `out` (resized to authCodeSize(key.method)).
 * @return false when OpenSSL fails (never expected; the caller treats it as a failure to sign/verify).
 */
bool computeAuth(const AuthKey& key, ByteView data, Bytes& out);

/** Constant-time comparison of two equally sized codes (CRYPTO_memcmp). */
bool authEqual(ByteView a, ByteView b);

}  // namespace hb::message::detail
