// SPDX-License-Identifier: GPL-2.0-or-later
// Tests for the hb_message codec: layout, auth methods, every DropReason, size limit.
#include "hbd/message/message.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

namespace hb::message {
namespace {

KeyRing ring(AuthMethod m, std::string secret = "s3cret", int index = 1) {
  KeyRing k;
  k.send_index = index;
  k.keys[index] = AuthKey{m, m == AuthMethod::Crc ? std::string() : std::move(secret)};
  return k;
}

Message sample() {
  Message m;
  m.type = MsgType::Cluster;
  m.from = "nodea";
  m.generation = 0x0102030405060708ULL;
  m.seq = 42;
  m.timestamp_ms = 1'800'000'000'123ULL;
  m.fields["st"] = std::string("active");
  m.fields["bin"] = std::string("\0\x01\xff zero", 8);
  m.fields["empty"] = std::string();
  m.fields["n"] = std::uint64_t{0xFFFFFFFFFFFFFFFFULL};
  m.fields["z"] = std::uint64_t{0};
  return m;
}

Bytes mustEncode(const Message& m, const KeyRing& k) {
  auto r = encode(m, k);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Bytes{};
}

std::optional<DropReason> reasonOf(const std::variant<Message, DropReason>& v) {
  if (const auto* r = std::get_if<DropReason>(&v)) return *r;
  return std::nullopt;
}

const AuthMethod kAllMethods[] = {AuthMethod::Crc, AuthMethod::Md5, AuthMethod::Sha1,
                                  AuthMethod::Sha256};

TEST(MessageCodec, RoundTripsEveryAuthMethod) {
  for (AuthMethod method : kAllMethods) {
    SCOPED_TRACE(std::string(authMethodName(method)));
    const KeyRing k = ring(method);
    const Bytes b = mustEncode(sample(), k);
    auto d = decode(b, k);
    ASSERT_TRUE(std::holds_alternative<Message>(d)) << dropReasonName(*reasonOf(d));
    EXPECT_EQ(std::get<Message>(d), sample());
  }
}

TEST(MessageCodec, WireLayoutIsAsDocumented) {
  Message m;
  m.type = MsgType::Heartbeat;
  m.from = "ab";
  m.generation = 1;
  m.seq = 2;
  m.timestamp_ms = 3;
  m.fields["st"] = std::string("up");
  m.fields["x"] = std::uint64_t{5};
  const Bytes b = mustEncode(m, ring(AuthMethod::Crc, "", 7));
  const Bytes expected_prefix = {
      'H', 'B', 1, 1,                         // magic, version, type
      0, 0, 0, 0, 0, 0, 0, 1,                 // generation
      0, 0, 0, 0, 0, 0, 0, 2,                 // seq
      0, 0, 0, 0, 0, 0, 0, 3,                 // timestamp
      2, 'a', 'b',                            // sender
      0, 2,                                   // field count
      2, 's', 't', 1, 0, 2, 'u', 'p',         // "st" string "up"
      1, 'x', 0, 0, 0, 0, 0, 0, 0, 0, 5,      // "x" u64 5
      7};                                     // key index
  ASSERT_EQ(b.size(), expected_prefix.size() + 4);
  EXPECT_TRUE(std::equal(expected_prefix.begin(), expected_prefix.end(), b.begin()));
  // crc32 (zlib) of the signed bytes, big-endian; computed bitwise here as a reference.
  std::uint32_t c = 0xFFFFFFFFU;
  for (std::uint8_t byte : expected_prefix) {
    c ^= byte;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ (0xEDB88320U & (0U - (c & 1U)));
  }
  c ^= 0xFFFFFFFFU;
  const Bytes code(b.end() - 4, b.end());
  EXPECT_EQ(code, (Bytes{static_cast<std::uint8_t>(c >> 24), static_cast<std::uint8_t>(c >> 16),
                         static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c)}));
}

TEST(MessageCodec, HmacMatchesOpenSslReference) {
  const struct {
    AuthMethod method;
    const char* digest;
  } cases[] = {{AuthMethod::Md5, "MD5"}, {AuthMethod::Sha1, "SHA1"}, {AuthMethod::Sha256, "SHA256"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.digest);
    const KeyRing k = ring(c.method, "Jefe");
    const Bytes b = mustEncode(sample(), k);
    const std::size_t n = authCodeSize(c.method);
    ASSERT_GT(b.size(), n);
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t out_len = 0;
    ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, c.digest, nullptr, "Jefe", 4, b.data(),
                        b.size() - n, out, sizeof out, &out_len),
              nullptr);
    ASSERT_EQ(out_len, n);
    EXPECT_TRUE(std::equal(out, out + n, b.end() - static_cast<std::ptrdiff_t>(n)));
  }
}

TEST(MessageCodec, AuthCodeSizesAndNames) {
  EXPECT_EQ(authCodeSize(AuthMethod::Crc), 4u);
  EXPECT_EQ(authCodeSize(AuthMethod::Md5), 16u);
  EXPECT_EQ(authCodeSize(AuthMethod::Sha1), 20u);
  EXPECT_EQ(authCodeSize(AuthMethod::Sha256), 32u);
  EXPECT_EQ(authMethodName(AuthMethod::Crc), "crc");
  EXPECT_EQ(authMethodName(AuthMethod::Md5), "md5");
  EXPECT_EQ(authMethodName(AuthMethod::Sha1), "sha1");
  EXPECT_EQ(authMethodName(AuthMethod::Sha256), "sha256");
  EXPECT_EQ(msgTypeName(MsgType::Heartbeat), "heartbeat");
  EXPECT_EQ(msgTypeName(MsgType::Shutdown), "shutdown");
  EXPECT_EQ(msgTypeName(MsgType::Cluster), "cluster");
  EXPECT_EQ(msgTypeName(MsgType::Control), "control");
  EXPECT_EQ(msgTypeName(MsgType::Challenge), "challenge");
  EXPECT_EQ(msgTypeName(MsgType::Response), "response");
  std::set<std::string_view> names;
  for (int i = 0; i < kDropReasonCount; ++i) names.insert(dropReasonName(static_cast<DropReason>(i)));
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kDropReasonCount));
  EXPECT_EQ(names.count("unknown"), 0u);
  EXPECT_EQ(dropReasonName(DropReason::BadAuth), "bad_auth");
}

TEST(MessageCodec, ChallengeAndResponseRoundTripAndReportTheVerifyingMethod) {
  for (auto type : {MsgType::Challenge, MsgType::Response}) {
    for (auto method : {AuthMethod::Crc, AuthMethod::Md5, AuthMethod::Sha1, AuthMethod::Sha256}) {
      Message m = sample();
      m.type = type;
      m.fields = {{"nonce", std::string("\x00\xff nonce \x01", 10)}, {"to", std::string("b")}};
      const KeyRing k = ring(method);
      const Bytes b = mustEncode(m, k);
      AuthMethod got = method == AuthMethod::Crc ? AuthMethod::Sha1 : AuthMethod::Crc;
      auto d = decode(b, k, got);
      ASSERT_TRUE(std::holds_alternative<Message>(d)) << authMethodName(method);
      EXPECT_EQ(std::get<Message>(d), m);
      EXPECT_EQ(got, method);
      EXPECT_EQ(isKeyed(method), method != AuthMethod::Crc);
    }
  }
  // One past the last type is still unknown (an older hbd sees 5 and 6 this way: Malformed).
  Bytes b = mustEncode(sample(), ring(AuthMethod::Crc));
  b[3] = static_cast<std::uint8_t>(MsgType::Response) + 1;
  EXPECT_EQ(reasonOf(decode(b, ring(AuthMethod::Crc))), DropReason::Malformed);
}

TEST(MessageCodec, RandomNoncesHaveTheSizeAskedAndDiffer) {
  auto a = randomNonce(16), b = randomNonce(16);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), 16u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(randomNonce(0)->size(), 0u);
}

TEST(MessageCodec, FieldAccessors) {
  const Message m = sample();
  EXPECT_EQ(m.str("st"), "active");
  EXPECT_EQ(m.str("n"), "");        // not a string
  EXPECT_EQ(m.str("missing"), "");
  EXPECT_EQ(m.num("n"), 0xFFFFFFFFFFFFFFFFULL);
  EXPECT_EQ(m.num("st", 9), 9u);    // not an integer
  EXPECT_EQ(m.num("missing", 7), 7u);
  EXPECT_EQ(m.num("z", 7), 0u);
}

TEST(MessageCodec, EveryFlippedBitIsRejected) {
  for (AuthMethod method : kAllMethods) {
    SCOPED_TRACE(std::string(authMethodName(method)));
    const KeyRing k = ring(method);
    const Bytes good = mustEncode(sample(), k);
    std::size_t bad_auth = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes b = good;
        b[i] ^= static_cast<std::uint8_t>(1U << bit);
        auto d = decode(b, k);
        ASSERT_TRUE(reasonOf(d).has_value()) << "byte " << i << " bit " << bit << " accepted";
        bad_auth += *reasonOf(d) == DropReason::BadAuth;
      }
    }
    // Flips in the generation/seq/timestamp/values can only be caught by the auth code.
    EXPECT_GT(bad_auth, 8u * 24u);
  }
}

TEST(MessageCodec, WrongSecretIsBadAuth) {
  for (AuthMethod method : {AuthMethod::Md5, AuthMethod::Sha1, AuthMethod::Sha256}) {
    const Bytes b = mustEncode(sample(), ring(method, "right"));
    EXPECT_EQ(reasonOf(decode(b, ring(method, "wrong"))), DropReason::BadAuth);
    // Same index, different method: the code length differs, so the layout breaks.
    EXPECT_TRUE(reasonOf(decode(b, ring(method == AuthMethod::Md5 ? AuthMethod::Sha1 : AuthMethod::Md5,
                                        "right")))
                    .has_value());
  }
}

TEST(MessageCodec, KeyRotationAcceptsEveryListedKey) {
  KeyRing sender;
  sender.send_index = 2;
  sender.keys[2] = {AuthMethod::Sha1, "new"};
  KeyRing receiver;
  receiver.send_index = 1;
  receiver.keys[1] = {AuthMethod::Md5, "old"};
  receiver.keys[2] = {AuthMethod::Sha1, "new"};
  const Bytes b = mustEncode(sample(), sender);
  EXPECT_FALSE(reasonOf(decode(b, receiver)).has_value());
  EXPECT_EQ(b[b.size() - 21], 2);  // key index precedes the 20-byte sha1 code
  // A receiver that only knows key 1 does not know index 2.
  KeyRing old_only;
  old_only.keys[1] = {AuthMethod::Md5, "old"};
  EXPECT_EQ(reasonOf(decode(b, old_only)), DropReason::UnknownKey);
}

TEST(MessageCodec, EncodeErrors) {
  KeyRing k = ring(AuthMethod::Sha1);
  k.send_index = 3;  // not in the ring
  EXPECT_FALSE(encode(sample(), k).ok());
  k = ring(AuthMethod::Sha1, "x", 300);
  EXPECT_FALSE(encode(sample(), k).ok());
  k = ring(AuthMethod::Sha1);
  Message m = sample();
  m.from = "";
  EXPECT_FALSE(encode(m, k).ok());
  m.from = std::string(256, 'a');
  EXPECT_FALSE(encode(m, k).ok());
  m = sample();
  m.fields[""] = std::uint64_t{1};
  EXPECT_FALSE(encode(m, k).ok());
  m = sample();
  m.fields[std::string(256, 'f')] = std::uint64_t{1};
  EXPECT_FALSE(encode(m, k).ok());
  m = sample();
  m.type = static_cast<MsgType>(0);
  EXPECT_FALSE(encode(m, k).ok());
  m = sample();
  m.fields["big"] = std::string(70000, 'x');
  EXPECT_FALSE(encode(m, k).ok());
}

TEST(MessageCodec, SizeLimit) {
  for (AuthMethod method : kAllMethods) {
    SCOPED_TRACE(std::string(authMethodName(method)));
    const KeyRing k = ring(method);
    Message m = sample();
    m.fields["pad"] = std::string();
    const std::size_t base = mustEncode(m, k).size();
    m.fields["pad"] = std::string(kMaxMessageSize - base, 'p');
    const Bytes exact = mustEncode(m, k);
    EXPECT_EQ(exact.size(), kMaxMessageSize);
    EXPECT_FALSE(reasonOf(decode(exact, k)).has_value());
    std::get<std::string>(m.fields["pad"]) += "p";
    auto r = encode(m, k);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("exceeds"), std::string::npos);
    // A frame over the limit is refused before anything else is looked at.
    Bytes big = exact;
    big.push_back(0);
    EXPECT_EQ(reasonOf(decode(big, k)), DropReason::Oversize);
  }
}

TEST(MessageCodec, EveryPrefixIsTruncated) {
  for (AuthMethod method : kAllMethods) {
    const KeyRing k = ring(method);
    const Bytes b = mustEncode(sample(), k);
    for (std::size_t n = 0; n < b.size(); ++n) {
      EXPECT_EQ(reasonOf(decode(ByteView(b).first(n), k)), DropReason::Truncated) << n;
    }
  }
}

TEST(MessageCodec, HeaderDropReasons) {
  const KeyRing k = ring(AuthMethod::Sha256);
  const Bytes good = mustEncode(sample(), k);
  Bytes b = good;
  b[0] = 'X';
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::BadMagic);
  b = good;
  b[1] = 'b';
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::BadMagic);
  EXPECT_EQ(reasonOf(decode(Bytes{'G'}, k)), DropReason::Truncated);
  EXPECT_EQ(reasonOf(decode(Bytes{'G', 'X'}, k)), DropReason::BadMagic);
  b = good;
  b[2] = 2;
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::BadVersion);
  EXPECT_EQ(reasonOf(decode(Bytes{'H', 'B', 9}, k)), DropReason::BadVersion);
}

/** Byte offset of the first field's kind byte in sample() encoded ("bin" sorts first). */
constexpr std::size_t kFirstFieldKind = 28 + 1 + 5 + 2 + 1 + 3;

TEST(MessageCodec, MalformedLayouts) {
  const KeyRing k = ring(AuthMethod::Sha1);
  const Bytes good = mustEncode(sample(), k);
  Bytes b = good;
  b[3] = 0;  // type 0
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::Malformed);
  b[3] = 99;  // unknown type
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::Malformed);
  b = good;
  b.push_back(0);  // trailing byte after the code
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::Malformed);
  b = good;
  ASSERT_EQ(b[kFirstFieldKind], 1);
  b[kFirstFieldKind] = 7;  // unknown field kind
  EXPECT_EQ(reasonOf(decode(b, k)), DropReason::Malformed);

  // Empty sender, empty field name, unsorted and repeated field names: build by hand.
  auto frame = [&](std::initializer_list<std::uint8_t> body) {
    Bytes f = {'H', 'B', 1, 1};
    f.resize(28, 0);
    f.insert(f.end(), body);
    f.push_back(1);                      // key index
    f.resize(f.size() + 20, 0);          // sha1-sized code (never reached)
    return f;
  };
  EXPECT_EQ(reasonOf(decode(frame({0, 0, 0}), k)), DropReason::Malformed);   // empty sender
  EXPECT_EQ(reasonOf(decode(frame({1, 'a', 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), k)),
            DropReason::Malformed);  // empty field name
  EXPECT_EQ(reasonOf(decode(frame({1, 'a', 0, 2, 1, 'b', 1, 0, 0, 1, 'a', 1, 0, 0}), k)),
            DropReason::Malformed);  // "b" before "a"
  EXPECT_EQ(reasonOf(decode(frame({1, 'a', 0, 2, 1, 'a', 1, 0, 0, 1, 'a', 1, 0, 0}), k)),
            DropReason::Malformed);  // "a" twice
  // The hand-built layout itself is fine: with sorted names it fails only on the zero code.
  EXPECT_EQ(reasonOf(decode(frame({1, 'a', 0, 2, 1, 'a', 1, 0, 0, 1, 'b', 1, 0, 0}), k)),
            DropReason::BadAuth);
  // A field count larger than the fields present (and nothing after them).
  Bytes short_frame = {'H', 'B', 1, 1};
  short_frame.resize(28, 0);
  short_frame.insert(short_frame.end(), {1, 'a', 0, 2, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_EQ(reasonOf(decode(short_frame, k)), DropReason::Truncated);
}

TEST(MessageCodec, UnknownKeyIndex) {
  const Bytes b = mustEncode(sample(), ring(AuthMethod::Sha1, "k", 5));
  EXPECT_EQ(reasonOf(decode(b, ring(AuthMethod::Sha1, "k", 1))), DropReason::UnknownKey);
  EXPECT_EQ(reasonOf(decode(b, KeyRing{})), DropReason::UnknownKey);
}

TEST(MessageCodec, DecodesTheFuzzSeedCorpus) {
  // Same keyring as tests/fuzz/message_decode_fuzz.cc; keeps the seeds from going stale.
  KeyRing k;
  k.keys[1] = {AuthMethod::Crc, ""};
  k.keys[2] = {AuthMethod::Md5, "fuzz-md5"};
  k.keys[3] = {AuthMethod::Sha1, "fuzz-sha1"};
  k.keys[4] = {AuthMethod::Sha256, "fuzz-sha256"};
  const std::filesystem::path dir = HB_MESSAGE_CORPUS_DIR;
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    const Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto d = decode(b, k);
    EXPECT_FALSE(reasonOf(d).has_value()) << e.path() << ": " << dropReasonName(*reasonOf(d));
    ++n;
  }
  EXPECT_GE(n, 6u);  // one per message type
}

}  // namespace
}  // namespace hb::message
