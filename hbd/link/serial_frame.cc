// SPDX-License-Identifier: GPL-2.0-or-later
// Serial framing: COBS + CRC-32 encoder and the resynchronising SerialFrameReader.
#include "hbd/link/serial_frame.h"

#include "resources/base/crc32.h"

#include <array>

namespace hb::link {
namespace {

constexpr std::size_t kCrcSize = 4;
constexpr std::uint8_t kCobsMaxCode = 0xFF;  // a block of 254 non-zero bytes, no implied zero

/** Streaming COBS encoder appending to `out`; finish() closes the last block. */
class CobsEncoder {
 public:
  explicit CobsEncoder(std::vector<std::uint8_t>& out) : out_(out) { openBlock(); }
  void put(std::uint8_t b) {
    if (b == 0) {
      closeBlock();
      openBlock();
      return;
    }
    out_.push_back(b);
    if (++code_ == kCobsMaxCode) {
      closeBlock();
      openBlock();
    }
  }
  void finish() { closeBlock(); }

 private:
  void openBlock() {
    code_pos_ = out_.size();
    out_.push_back(0);  // placeholder for the code byte
    code_ = 1;
  }
  void closeBlock() { out_[code_pos_] = code_; }

  std::vector<std::uint8_t>& out_;
  std::size_t code_pos_ = 0;
  std::uint8_t code_ = 1;
};

/** Decodes one COBS segment (no delimiters inside) into `out`; false if malformed. */
bool cobsDecode(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out) {
  out.clear();
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    const std::uint8_t code = in[i++];
    if (code == 0) return false;  // cannot happen between delimiters; kept for safety
    const std::size_t len = static_cast<std::size_t>(code) - 1;
    if (len > n - i) return false;  // block runs past the segment: truncated frame
    out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(i),
               in.begin() + static_cast<std::ptrdiff_t>(i + len));
    i += len;
    if (code != kCobsMaxCode && i < n) out.push_back(0);
  }
  return true;
}

}  // namespace

std::size_t maxEncodedSerialFrameSize(std::size_t payload_size) {
  const std::size_t raw = payload_size + kCrcSize;
  return raw + raw / 254 + 1 + 2;  // COBS overhead + two delimiters
}

void encodeSerialFrame(ByteView payload, std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + maxEncodedSerialFrameSize(payload.size()));
  out.push_back(kSerialFrameDelimiter);
  CobsEncoder enc(out);
  for (const std::uint8_t b : payload) enc.put(b);
  const std::uint32_t crc = hb::crc32(payload);
  for (std::size_t k = 0; k < kCrcSize; ++k) enc.put(static_cast<std::uint8_t>(crc >> (8 * k)));
  enc.finish();
  out.push_back(kSerialFrameDelimiter);
}

std::vector<std::uint8_t> encodeSerialFrame(ByteView payload) {
  std::vector<std::uint8_t> out;
  encodeSerialFrame(payload, out);
  return out;
}

SerialFrameReader::SerialFrameReader(std::size_t max_payload)
    : max_payload_(max_payload), max_encoded_(maxEncodedSerialFrameSize(max_payload) - 2) {
  segment_.reserve(max_encoded_);
  decoded_.reserve(max_payload + kCrcSize);
}

void SerialFrameReader::reset() {
  segment_.clear();
  discarding_ = false;
  ++epoch_;
}

void SerialFrameReader::feed(ByteView chunk, const std::function<void(ByteView)>& on_frame) {
  const std::uint64_t epoch = epoch_;
  for (const std::uint8_t b : chunk) {
    if (b == kSerialFrameDelimiter) {
      if (discarding_) {
        discarding_ = false;  // the oversize segment was counted when it overflowed
      } else if (!segment_.empty()) {
        finishSegment(on_frame);
        if (epoch != epoch_) return;  // on_frame reset the reader: the rest is stale
      }
      segment_.clear();
      continue;
    }
    if (discarding_) continue;
    if (segment_.size() == max_encoded_) {
      ++bad_;  // longer than any good frame: drop it, keep memory bounded
      discarding_ = true;
      segment_.clear();
      continue;
    }
    segment_.push_back(b);
  }
}

void SerialFrameReader::finishSegment(const std::function<void(ByteView)>& on_frame) {
  if (!cobsDecode(segment_, decoded_) || decoded_.size() < kCrcSize ||
      decoded_.size() - kCrcSize > max_payload_) {
    ++bad_;
    return;
  }
  const std::size_t n = decoded_.size() - kCrcSize;
  std::uint32_t wire_crc = 0;
  for (std::size_t k = 0; k < kCrcSize; ++k) {
    wire_crc |= static_cast<std::uint32_t>(decoded_[n + k]) << (8 * k);
  }
  const ByteView payload(decoded_.data(), n);
  if (hb::crc32(payload) != wire_crc) {
    ++bad_;
    return;
  }
  ++good_;
  on_frame(payload);
}

}  // namespace hb::link
