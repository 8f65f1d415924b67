// SPDX-License-Identifier: GPL-2.0-or-later
// hb_message codec: encodes, signs, verifies and decodes the wire layout described in message.h.
#include <limits>

#include "hbd/message/message.h"
#include "hbd/message/message_private.h"

namespace hb::message {
namespace {

constexpr std::uint8_t kMagic0 = 'H';
constexpr std::uint8_t kMagic1 = 'B';
constexpr std::uint8_t kKindU64 = 0;
constexpr std::uint8_t kKindString = 1;
constexpr std::uint8_t kMaxType = static_cast<std::uint8_t>(MsgType::Response);
// magic(2) version(1) type(1) generation(8) seq(8) timestamp(8)
constexpr std::size_t kFixedHeader = 28;

void putU8(Bytes& b, std::uint8_t v) { b.push_back(v); }
void putU16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void putU64(Bytes& b, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}
void putBytes(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }

/** Bounds-checked big-endian reader; every get returns false instead of reading past the end. */
class Reader {
 public:
  explicit Reader(ByteView d) : d_(d) {}
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return d_.size() - pos_; }
  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = d_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (left() < 2) return false;
    v = static_cast<std::uint16_t>((d_[pos_] << 8) | d_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u64(std::uint64_t& v) {
    if (left() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | d_[pos_++];
    return true;
  }
  bool str(std::size_t n, std::string& out) {
    if (left() < n) return false;
    out.assign(reinterpret_cast<const char*>(d_.data() + pos_), n);
    pos_ += n;
    return true;
  }

 private:
  ByteView d_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view msgTypeName(MsgType t) {
  switch (t) {
    case MsgType::Heartbeat: return "heartbeat";
    case MsgType::Shutdown: return "shutdown";
    case MsgType::Cluster: return "cluster";
    case MsgType::Control: return "control";
    case MsgType::Challenge: return "challenge";
    case MsgType::Response: return "response";
  }
  return "unknown";
}

std::string_view dropReasonName(DropReason r) {
  switch (r) {
    case DropReason::Truncated: return "truncated";
    case DropReason::BadMagic: return "bad_magic";
    case DropReason::BadVersion: return "bad_version";
    case DropReason::Malformed: return "malformed";
    case DropReason::UnknownKey: return "unknown_key";
    case DropReason::BadAuth: return "bad_auth";
    case DropReason::UnknownSender: return "unknown_sender";
    case DropReason::Replay: return "replay";
    case DropReason::Oversize: return "oversize";
  }
  return "unknown";
}

std::string Message::str(const std::string& name) const {
  auto it = fields.find(name);
  if (it == fields.end()) return {};
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return {};
}

std::uint64_t Message::num(const std::string& name, std::uint64_t def) const {
  auto it = fields.find(name);
  if (it == fields.end()) return def;
  if (const auto* v = std::get_if<std::uint64_t>(&it->second)) return *v;
  return def;
}

Result<Bytes> encode(const Message& m, const KeyRing& keys) {
  auto kit = keys.keys.find(keys.send_index);
  if (kit == keys.keys.end()) {
    return err(Errc::Auth, "auth key " + std::to_string(keys.send_index) + " not found");
  }
  if (keys.send_index < 0 || keys.send_index > 255) {
    return err(Errc::InvalidArgument, "auth key index out of range 0..255");
  }
  const auto type = static_cast<std::uint8_t>(m.type);
  if (type == 0 || type > kMaxType) return err(Errc::InvalidArgument, "unknown message type");
  if (m.from.empty() || m.from.size() > 255) {
    return err(Errc::InvalidArgument, "sender name must be 1..255 bytes");
  }
  if (m.fields.size() > std::numeric_limits<std::uint16_t>::max()) {
    return err(Errc::InvalidArgument, "too many fields");
  }
  Bytes b;
  b.reserve(256);
  putU8(b, kMagic0);
  putU8(b, kMagic1);
  putU8(b, kWireVersion);
  putU8(b, type);
  putU64(b, m.generation);
  putU64(b, m.seq);
  putU64(b, m.timestamp_ms);
  putU8(b, static_cast<std::uint8_t>(m.from.size()));
  putBytes(b, m.from);
  putU16(b, static_cast<std::uint16_t>(m.fields.size()));
  for (const auto& [name, value] : m.fields) {
    if (name.empty() || name.size() > 255) {
      return err(Errc::InvalidArgument, "field name must be 1..255 bytes");
    }
    putU8(b, static_cast<std::uint8_t>(name.size()));
    putBytes(b, name);
    if (const auto* v = std::get_if<std::uint64_t>(&value)) {
      putU8(b, kKindU64);
      putU64(b, *v);
    } else {
      const auto& s = std::get<std::string>(value);
      if (s.size() > std::numeric_limits<std::uint16_t>::max()) {
        return err(Errc::InvalidArgument, "field '" + name + "' longer than 65535 bytes");
      }
      putU8(b, kKindString);
      putU16(b, static_cast<std::uint16_t>(s.size()));
      putBytes(b, s);
    }
    // Fail early instead of building a huge buffer we will reject anyway.
    if (b.size() > kMaxMessageSize) break;
  }
  putU8(b, static_cast<std::uint8_t>(keys.send_index));
  const std::size_t total = b.size() + authCodeSize(kit->second.method);
  if (total > kMaxMessageSize) {
    return err(Errc::InvalidArgument, "message of " + std::to_string(total) +
                                          "+ bytes exceeds the limit of " +
                                          std::to_string(kMaxMessageSize));
  }
  Bytes code;
  if (!detail::computeAuth(kit->second, b, code)) {
    return err(Errc::Internal, "cannot compute the auth code");
  }
  b.insert(b.end(), code.begin(), code.end());
  return b;
}

std::variant<Message, DropReason> decode(ByteView data, const KeyRing& keys) {
  AuthMethod unused = AuthMethod::Crc;
  return decode(data, keys, unused);
}

std::variant<Message, DropReason> decode(ByteView data, const KeyRing& keys, AuthMethod& method) {
  if (data.size() > kMaxMessageSize) return DropReason::Oversize;
  if (data.size() < 2) return DropReason::Truncated;
  if (data[0] != kMagic0 || data[1] != kMagic1) return DropReason::BadMagic;
  if (data.size() < 3) return DropReason::Truncated;
  if (data[2] != kWireVersion) return DropReason::BadVersion;
  if (data.size() < kFixedHeader) return DropReason::Truncated;

  Reader r(data.subspan(3));
  Message m;
  std::uint8_t type = 0;
  r.u8(type);
  r.u64(m.generation);
  r.u64(m.seq);
  r.u64(m.timestamp_ms);
  if (type == 0 || type > kMaxType) return DropReason::Malformed;
  m.type = static_cast<MsgType>(type);

  std::uint8_t from_len = 0;
  if (!r.u8(from_len) || !r.str(from_len, m.from)) return DropReason::Truncated;
  if (m.from.empty()) return DropReason::Malformed;
  std::uint16_t count = 0;
  if (!r.u16(count)) return DropReason::Truncated;
  const std::string* prev = nullptr;
  for (std::uint16_t i = 0; i < count; ++i) {
    std::uint8_t name_len = 0;
    std::string name;
    if (!r.u8(name_len) || !r.str(name_len, name)) return DropReason::Truncated;
    if (name.empty()) return DropReason::Malformed;
    // encode() writes fields in std::map order; anything else (including a repeated
    // name) is not a message we built, and accepting it would make decoding ambiguous.
    if (prev != nullptr && !(*prev < name)) return DropReason::Malformed;
    std::uint8_t kind = 0;
    if (!r.u8(kind)) return DropReason::Truncated;
    FieldValue value;
    if (kind == kKindU64) {
      std::uint64_t v = 0;
      if (!r.u64(v)) return DropReason::Truncated;
      value = v;
    } else if (kind == kKindString) {
      std::uint16_t len = 0;
      std::string s;
      if (!r.u16(len) || !r.str(len, s)) return DropReason::Truncated;
      value = std::move(s);
    } else {
      return DropReason::Malformed;
    }
    prev = &m.fields.emplace(std::move(name), std::move(value)).first->first;
  }
  std::uint8_t key_index = 0;
  if (!r.u8(key_index)) return DropReason::Truncated;
  auto kit = keys.keys.find(key_index);
  if (kit == keys.keys.end()) return DropReason::UnknownKey;
  const std::size_t code_size = authCodeSize(kit->second.method);
  if (r.left() < code_size) return DropReason::Truncated;
  if (r.left() > code_size) return DropReason::Malformed;
  const std::size_t signed_len = 3 + r.pos();
  Bytes expected;
  if (!detail::computeAuth(kit->second, data.first(signed_len), expected) ||
      !detail::authEqual(expected, data.subspan(signed_len))) {
    return DropReason::BadAuth;
  }
  method = kit->second.method;
  return m;
}

}  // namespace hb::message
