// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: hb::message::decode on hostile bytes, then ReplayGuard and a re-encode check.
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "hbd/message/message.h"

namespace {

using namespace hb::message;

// Keep in sync with MessageCodec.DecodesTheFuzzSeedCorpus (tests/hbd/message/message_test.cc).
// crc at index 1 lets the fuzzer reach the layout checks and the replay guard past the auth code.
const KeyRing& fuzzKeys() {
  static const KeyRing k = [] {
    KeyRing r;
    r.send_index = 1;
    r.keys[1] = {AuthMethod::Crc, ""};
    r.keys[2] = {AuthMethod::Md5, "fuzz-md5"};
    r.keys[3] = {AuthMethod::Sha1, "fuzz-sha1"};
    r.keys[4] = {AuthMethod::Sha256, "fuzz-sha256"};
    return r;
  }();
  return k;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto decoded = decode(ByteView(data, size), fuzzKeys());
  const auto* m = std::get_if<Message>(&decoded);
  if (m == nullptr) return 0;  // dropped: the reason is all there is to check (no crash, no OOB)
  check(size <= kMaxMessageSize);
  // A fresh guard sees each accepted message as new once, then as a duplicate.
  ReplayGuard guard(16);
  check(guard.check(*m) == ReplayGuard::Verdict::New);
  check(guard.check(*m) == ReplayGuard::Verdict::Duplicate);
  Message older = *m;
  if (older.generation > 0) {
    --older.generation;
    check(guard.check(older) == ReplayGuard::Verdict::Replay);
    // Adopted back (a proven lower generation), the generation it left stays a replay.
    guard.adopt(older);
    check(guard.generation(older.from) == older.generation);
    check(guard.check(older) == ReplayGuard::Verdict::Duplicate);
    check(guard.check(*m) == ReplayGuard::Verdict::Replay);
  }
  // Whatever decodes re-encodes (with crc) to a message that decodes to the same value.
  auto again = encode(*m, fuzzKeys());
  check(again.ok());
  const auto redecoded = decode(*again, fuzzKeys());
  check(std::holds_alternative<Message>(redecoded) && std::get<Message>(redecoded) == *m);
  return 0;
}
