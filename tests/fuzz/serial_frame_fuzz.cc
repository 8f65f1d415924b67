// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: SerialFrameReader on arbitrary bytes and chunkings, and an encode/decode round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "hbd/link/serial_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hb::link::ByteView;
  if (size == 0) return 0;
  // 1. The raw input as a byte stream, chunked by its first byte: never crash, stay bounded,
  //    and every delivered frame fits the limit.
  const std::size_t chunk = static_cast<std::size_t>(data[0] % 17) + 1;
  hb::link::SerialFrameReader reader(256);
  std::uint64_t delivered = 0;
  for (std::size_t i = 1; i < size; i += chunk) {
    const std::size_t n = size - i < chunk ? size - i : chunk;
    reader.feed(ByteView(data + i, n), [&](ByteView f) {
      if (f.size() > 256) std::abort();
      ++delivered;
    });
  }
  if (delivered != reader.goodFrames()) std::abort();

  // 2. The input as a payload: encode, then decode behind noise, split in two at data[0].
  const ByteView payload(data, size > hb::link::kMaxSerialFrameSize ? hb::link::kMaxSerialFrameSize
                                                                    : size);
  std::vector<std::uint8_t> wire = {0x55, 0xAA, 0x01};  // start-up garbage
  hb::link::encodeSerialFrame(payload, wire);
  const std::size_t cut = data[0] % wire.size();
  hb::link::SerialFrameReader r2;
  std::vector<std::vector<std::uint8_t>> got;
  const auto collect = [&](ByteView f) { got.emplace_back(f.begin(), f.end()); };
  r2.feed(ByteView(wire.data(), cut), collect);
  r2.feed(ByteView(wire.data() + cut, wire.size() - cut), collect);
  if (got.size() != 1 || got[0].size() != payload.size()) std::abort();
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (got[0][i] != payload[i]) std::abort();
  }
  return 0;
}
