// SPDX-License-Identifier: GPL-2.0-or-later
// Auth codes for hb_message: crc32 (corruption only) and HMAC-MD5/SHA1/SHA256 over OpenSSL.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <climits>

#include "hbd/message/message_private.h"
#include "resources/base/crc32.h"

namespace hb::message {

std::string_view authMethodName(AuthMethod m) {
  switch (m) {
    case AuthMethod::Crc: return "crc";
    case AuthMethod::Md5: return "md5";
    case AuthMethod::Sha1: return "sha1";
    case AuthMethod::Sha256: return "sha256";
  }
  return "unknown";
}

std::size_t authCodeSize(AuthMethod m) {
  switch (m) {
    case AuthMethod::Crc: return 4;
    case AuthMethod::Md5: return 16;
    case AuthMethod::Sha1: return 20;
    case AuthMethod::Sha256: return 32;
  }
  return 0;
}

bool isKeyed(AuthMethod m) { return m != AuthMethod::Crc; }

Result<std::string> randomNonce(std::size_t n) {
  std::string out(n, '\0');
  if (n > static_cast<std::size_t>(INT_MAX) ||
      RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return err(Errc::Internal, "the random number generator failed (RAND_bytes)");
  }
  return out;
}

namespace detail {
namespace {

const EVP_MD* digestFor(AuthMethod m) {
  switch (m) {
    case AuthMethod::Md5: return EVP_md5();
    case AuthMethod::Sha1: return EVP_sha1();
    case AuthMethod::Sha256: return EVP_sha256();
    case AuthMethod::Crc: break;
  }
  return nullptr;
}

}  // namespace

bool computeAuth(const AuthKey& key, ByteView data, Bytes& out) {
  const std::size_t n = authCodeSize(key.method);
  out.assign(n, 0);
  if (key.method == AuthMethod::Crc) {
    const std::uint32_t c = hb::crc32(data);
    out = {static_cast<std::uint8_t>(c >> 24), static_cast<std::uint8_t>(c >> 16),
           static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c)};
    return true;
  }
  const EVP_MD* md = digestFor(key.method);
  if (md == nullptr || key.secret.size() > static_cast<std::size_t>(INT_MAX)) return false;
  unsigned int len = 0;
  // HMAC() may be handed a null key pointer for an empty key; pass a valid one regardless.
  static const unsigned char kEmpty = 0;
  const void* k = key.secret.empty() ? static_cast<const void*>(&kEmpty) : key.secret.data();
  if (HMAC(md, k, static_cast<int>(key.secret.size()), data.data(), data.size(), out.data(), &len) ==
          nullptr ||
      len != n) {
    return false;
  }
  return true;
}

bool authEqual(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace detail
}  // namespace hb::message
