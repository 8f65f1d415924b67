// SPDX-License-Identifier: GPL-2.0-or-later
// hb_message: hbd's compact, versioned, authenticated binary message format.
//
// Wire layout (all integers big-endian):
//   magic "HB" (2) | version (1) | type (1) | generation (8) | seq (8) | timestamp_ms (8)
//   | sender name (len u8 + bytes) | field count (u16)
//   | fields: name (len u8 + bytes) | kind (u8: 0 = u64, 1 = string/bytes) | value (u64, or len u16 + bytes)
//   | key index (u8) | auth code (length implied by the key's method: crc32 4, md5 16, sha1 20, sha256 32)
// The auth code covers every byte before it (including the key index).
// Canonical form: fields appear sorted by name with unique, non-empty names (std::map order),
// the sender name is non-empty and the type is a known MsgType; decode() drops anything else as
// Malformed, so decode(encode(m)) == m and every accepted datagram has exactly one meaning.
// sha256 is our addition to heartbeat's crc/md5/sha1; HMACs are keyed with the authkeys secret.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "resources/base/result.h"

namespace hb::message {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline constexpr std::uint8_t kWireVersion = 1;
/** Largest message we ever build: fits one unfragmented UDP datagram on a 1500-byte MTU. */
inline constexpr std::size_t kMaxMessageSize = 1400;

/** What a message is for. Values are on the wire: append only. */
enum class MsgType : std::uint8_t {
  Heartbeat = 1,   ///< periodic status: field "st" = init|up|active
  Shutdown = 2,    ///< the sender is leaving cleanly (peer may act at once)
  Cluster = 3,     ///< resource-manager traffic (crm); fields defined by crm
  Control = 4,     ///< operator requests relayed to peers (standby/takeover)
  /** "prove you are live": field "to" = the node asked, "nonce" = fresh random bytes. Sent by a
   *  node that receives authentic frames from "to" under a generation it cannot accept (lower than
   *  the one it remembers). An older hbd drops the type as Malformed (decode), so it never answers. */
  Challenge = 5,
  /** the answer to a Challenge: field "to" = the challenger, "nonce" = its nonce echoed, sent
   *  under the answering node's current generation. */
  Response = 6,
};
std::string_view msgTypeName(MsgType t);

/** A typed field value: an unsigned integer or a string (may hold binary bytes). */
using FieldValue = std::variant<std::uint64_t, std::string>;

/** A decoded (or to-be-encoded) message. */
struct Message {
  MsgType type = MsgType::Heartbeat;
  std::string from;                ///< sender node name, cluster-unique
  std::uint64_t generation = 0;    ///< per-boot incarnation of the sender; strictly increasing
  std::uint64_t seq = 0;           ///< per-generation sequence number, starts at 1
  std::uint64_t timestamp_ms = 0;  ///< sender's wall clock, ms since the epoch (informational)
  std::map<std::string, FieldValue> fields;

  /** Field as string, or empty when absent or not a string. */
  std::string str(const std::string& name) const;
  /** Field as integer, or `def` when absent or not an integer. */
  std::uint64_t num(const std::string& name, std::uint64_t def = 0) const;
  bool operator==(const Message&) const = default;
};

/** authkeys methods. crc protects against corruption only. */
enum class AuthMethod { Crc, Md5, Sha1, Sha256 };
std::string_view authMethodName(AuthMethod m);
/** Size in bytes of the auth code the method writes. */
std::size_t authCodeSize(AuthMethod m);

struct AuthKey {
  AuthMethod method = AuthMethod::Sha1;
  std::string secret;  ///< empty for crc
  bool operator==(const AuthKey&) const = default;
};

/** The keys from authkeys: send with `send_index`, accept any listed index. */
struct KeyRing {
  int send_index = 1;
  std::map<int, AuthKey> keys;
  bool operator==(const KeyRing&) const = default;
};

/** Why a received message was dropped. Counted per reason; shown by `hbctl status`. */
enum class DropReason {
  Truncated,      ///< shorter than its own layout says
  BadMagic,       ///< not an hbd message
  BadVersion,     ///< unknown wire version
  Malformed,      ///< layout broken (bad lengths, trailing bytes, bad field kind)
  UnknownKey,     ///< key index not in our authkeys
  BadAuth,        ///< auth code does not match
  UnknownSender,  ///< sender not a node of ha.cf
  Replay,         ///< old generation, or a sequence number already seen/too old
  Oversize,       ///< larger than the link's limit
};
inline constexpr int kDropReasonCount = 9;
std::string_view dropReasonName(DropReason r);

/** Encodes and signs with keys.keys[keys.send_index]. Never throws.
 *  @return the datagram, or an error when the key is missing or the result exceeds kMaxMessageSize. */
Result<Bytes> encode(const Message& m, const KeyRing& keys);

/** Verifies and decodes one datagram/frame. Pure: no replay check (see ReplayGuard). */
std::variant<Message, DropReason> decode(ByteView data, const KeyRing& keys);

/** As decode(); on success also sets `method` to the method of the key that verified the frame
 *  (a crc frame proves nothing about who sent it, an HMAC one that the sender holds the key). */
std::variant<Message, DropReason> decode(ByteView data, const KeyRing& keys, AuthMethod& method);

/** Whether the method is a keyed HMAC (md5, sha1, sha256); crc is not. */
bool isKeyed(AuthMethod m);

/**
 * `n` bytes from OpenSSL's CSPRNG (RAND_bytes), as a string (a Message field value).
 * @return an error when the generator fails (not seeded); the caller must not use a weaker source.
 */
Result<std::string> randomNonce(std::size_t n);

/**
 * Replay and duplicate filter, one per receiving daemon. For each sender it remembers the
 * newest generation and a window of recently seen sequence numbers. Loop thread only.
 *
 *   check(m) -> New        first time this (generation, seq) is seen: process it
 *            -> Duplicate  seen already (e.g. the same heartbeat on another link): count the
 *                          link's liveness, do not process again
 *            -> Replay     older generation, or seq older than the window: drop and count
 *            -> Restart    a generation above every one accepted from the sender before: the
 *                          sender restarted; process it
 *
 * A sender that proved it is live under a lower generation (membership's challenge) is moved back
 * with adopt(); the generations between its new one and the highest ever accepted stay refused, so
 * a captured frame of an earlier incarnation cannot pass for a restart afterwards.
 */
class ReplayGuard {
 public:
  enum class Verdict { New, Duplicate, Replay, Restart };
  explicit ReplayGuard(std::size_t window = 1024) : window_(window) {}
  Verdict check(const Message& m);
  /** Forget a sender (e.g. removed from the config). */
  void forget(const std::string& node) { peers_.erase(node); }
  /** The sender's current generation, nullopt if never heard. */
  std::optional<std::uint64_t> generation(const std::string& node) const;
  /**
   * The sender proved `m.generation` is its current one (caller: a verified challenge answer):
   * make it current, even if lower, and restart the window at m.seq. Generations up to the highest
   * ever accepted from the sender keep being answered Replay.
   */
  void adopt(const Message& m);

 private:
  struct Peer {
    std::uint64_t generation = 0;
    std::uint64_t ceiling = 0;  // the highest generation ever accepted: above it is a restart
    std::uint64_t highest = 0;
    std::vector<bool> seen;  // ring over the window, indexed by seq % window
  };
  std::size_t window_;
  std::map<std::string, Peer> peers_;
};

}  // namespace hb::message
