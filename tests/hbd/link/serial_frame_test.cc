// SPDX-License-Identifier: GPL-2.0-or-later
// Serial framing: round trips, resynchronisation after garbage, chunking, corruption, oversize.
#include "hbd/link/serial_frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace hb::link {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
ByteView v(const Bytes& x) { return ByteView(x.data(), x.size()); }

/** Feeds `stream` in chunks of `chunk` bytes; returns every delivered payload. */
std::vector<Bytes> feedAll(SerialFrameReader& r, const Bytes& stream, std::size_t chunk) {
  std::vector<Bytes> got;
  for (std::size_t i = 0; i < stream.size(); i += chunk) {
    const std::size_t n = std::min(chunk, stream.size() - i);
    r.feed(ByteView(stream.data() + i, n),
           [&](ByteView f) { got.emplace_back(f.begin(), f.end()); });
  }
  return got;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(SerialFrame, EncodedFrameHasDelimitersOnlyAtTheEnds) {
  const Bytes payload = {0, 0, 1, 0, 2, 0, 0};
  const Bytes wire = encodeSerialFrame(v(payload));
  ASSERT_GE(wire.size(), payload.size() + 4 + 2);
  EXPECT_EQ(wire.front(), kSerialFrameDelimiter);
  EXPECT_EQ(wire.back(), kSerialFrameDelimiter);
  EXPECT_EQ(std::count(wire.begin() + 1, wire.end() - 1, 0), 0);
  EXPECT_LE(wire.size(), maxEncodedSerialFrameSize(payload.size()));
}

TEST(SerialFrame, RoundTripsEveryInterestingShape) {
  std::mt19937 rng(4242);  // seeded: the test is deterministic
  std::vector<Bytes> payloads = {Bytes{}, Bytes{0}, Bytes{1}, Bytes(253, 7), Bytes(254, 7),
                                 Bytes(255, 7), Bytes(508, 9), Bytes(300, 0),
                                 Bytes(kMaxSerialFrameSize, 0xFF)};
  for (int i = 0; i < 200; ++i) {
    Bytes p(rng() % (kMaxSerialFrameSize + 1));
    for (auto& x : p) x = static_cast<std::uint8_t>(rng() % 4 == 0 ? 0 : rng());
    payloads.push_back(std::move(p));
  }
  Bytes stream;
  for (const auto& p : payloads) {
    const Bytes one = encodeSerialFrame(v(p));
    EXPECT_LE(one.size(), maxEncodedSerialFrameSize(p.size())) << p.size();
    encodeSerialFrame(v(p), stream);  // appending form
  }
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{64}, stream.size()}) {
    SerialFrameReader r;
    const auto got = feedAll(r, stream, chunk);
    // The empty payload is a frame too (its segment is the CRC alone).
    ASSERT_EQ(got.size(), payloads.size()) << "chunk " << chunk;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], payloads[i]) << i;
    EXPECT_EQ(r.badFrames(), 0u);
    EXPECT_EQ(r.goodFrames(), payloads.size());
  }
}

TEST(SerialFrame, ResynchronisesAfterGarbageBeforeAndBetweenFrames) {
  const Bytes f1 = encodeSerialFrame(v(b("first")));
  const Bytes f2 = encodeSerialFrame(v(b("second")));
  // Start-up garbage without delimiters, then a frame; garbage ending in a delimiter between
  // frames; idle delimiters.
  const Bytes stream = cat({b("\x13\x37 line noise"), f1, b("junk"), Bytes{0, 0, 0},
                            b("more junk \x01\x02"), f2, Bytes{0, 0}});
  SerialFrameReader r;
  const auto got = feedAll(r, stream, 5);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], b("first"));
  EXPECT_EQ(got[1], b("second"));
  // One bad segment per garbage run; idle delimiters are not counted.
  EXPECT_EQ(r.badFrames(), 3u);
}

TEST(SerialFrame, FrameSplitAcrossChunksAtEveryPosition) {
  const Bytes payload = b("split me anywhere, even inside the CRC");
  const Bytes wire = encodeSerialFrame(v(payload));
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    SerialFrameReader r;
    std::vector<Bytes> got;
    const auto collect = [&](ByteView f) { got.emplace_back(f.begin(), f.end()); };
    r.feed(ByteView(wire.data(), cut), collect);
    r.feed(ByteView(wire.data() + cut, wire.size() - cut), collect);
    ASSERT_EQ(got.size(), 1u) << cut;
    EXPECT_EQ(got[0], payload);
  }
}

TEST(SerialFrame, CorruptedByteIsCountedAndTheNextFrameStillDecodes) {
  const Bytes f1 = encodeSerialFrame(v(b("will be corrupted")));
  const Bytes f2 = encodeSerialFrame(v(b("intact")));
  // Flip each byte of f1's body in turn (never into a delimiter: that is truncation, below).
  for (std::size_t i = 1; i + 1 < f1.size(); ++i) {
    Bytes bad = f1;
    bad[i] ^= 0x5A;
    if (bad[i] == 0) bad[i] = 0x01;
    SerialFrameReader r;
    const auto got = feedAll(r, cat({bad, f2}), 7);
    ASSERT_EQ(got.size(), 1u) << i;
    EXPECT_EQ(got[0], b("intact"));
    EXPECT_EQ(r.badFrames(), 1u) << i;
  }
}

TEST(SerialFrame, TruncatedFrameIsDroppedAndTheNextDecodes) {
  const Bytes f1 = encodeSerialFrame(v(b("cut short by a reset")));
  const Bytes f2 = encodeSerialFrame(v(b("next")));
  const Bytes truncated(f1.begin(), f1.begin() + static_cast<std::ptrdiff_t>(f1.size() / 2));
  SerialFrameReader r;
  const auto got = feedAll(r, cat({truncated, f2}), 4);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], b("next"));
  EXPECT_EQ(r.badFrames(), 1u);
}

TEST(SerialFrame, OversizeFrameIsDroppedWithBoundedMemory) {
  SerialFrameReader r(100);
  const Bytes big = encodeSerialFrame(v(Bytes(101, 'x')));  // one byte over the limit
  const Bytes ok = encodeSerialFrame(v(Bytes(100, 'y')));   // exactly the limit
  Bytes endless(100000, 0x42);                                // no delimiter for 100 kB
  const auto got = feedAll(r, cat({big, ok, endless, Bytes{0}, ok}), 1000);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], Bytes(100, 'y'));
  EXPECT_EQ(got[1], Bytes(100, 'y'));
  EXPECT_EQ(r.badFrames(), 2u);  // the 101-byte frame and the endless run, once each
}

TEST(SerialFrame, ResetDropsAPartialFrame) {
  const Bytes f = encodeSerialFrame(v(b("whole")));
  SerialFrameReader r;
  std::vector<Bytes> got;
  const auto collect = [&](ByteView x) { got.emplace_back(x.begin(), x.end()); };
  r.feed(ByteView(f.data(), f.size() - 3), collect);
  r.reset();
  r.feed(ByteView(f.data() + f.size() - 3, 3), collect);  // a tail without its start: bad
  r.feed(v(f), collect);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], b("whole"));
  EXPECT_EQ(r.badFrames(), 1u);
}

TEST(SerialFrame, ResetFromInsideTheCallbackEndsTheChunk) {
  const Bytes stream = cat({encodeSerialFrame(v(b("one"))), encodeSerialFrame(v(b("two"))),
                            Bytes{'p', 'a', 'r', 't'}});
  SerialFrameReader r;
  std::vector<Bytes> got;
  r.feed(v(stream), [&](ByteView f) {
    got.emplace_back(f.begin(), f.end());
    r.reset();  // e.g. the link was closed and reopened by the callback
  });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], b("one"));
  // Nothing of the old chunk leaks into the new stream: the next frame decodes cleanly.
  const Bytes fresh = encodeSerialFrame(v(b("fresh")));
  r.feed(v(fresh), [&](ByteView f) { got.emplace_back(f.begin(), f.end()); });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], b("fresh"));
  EXPECT_EQ(r.badFrames(), 0u);
}

TEST(SerialFrame, RandomNoiseNeverProducesAFrame) {
  std::mt19937 rng(99);
  Bytes noise(200000);
  for (auto& x : noise) x = static_cast<std::uint8_t>(rng());
  SerialFrameReader r;
  const auto got = feedAll(r, noise, 333);
  // A random segment passes CRC-32 with probability 2^-32; with this seed none does.
  EXPECT_TRUE(got.empty());
  EXPECT_GT(r.badFrames(), 100u);
}

}  // namespace
}  // namespace hb::link
