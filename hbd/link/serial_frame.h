// SPDX-License-Identifier: GPL-2.0-or-later
// Serial framing: COBS-encoded payload + CRC-32 between 0x00 delimiters, and a resynchronising
// reader. Pure (no I/O); used by serial_link.cc and exposed to tests and the fuzz target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "hbd/link/link.h"

namespace hb::link {

/**
 * Wire format of one frame on a serial byte stream:
 *
 *     0x00  COBS( payload || CRC-32(payload), little endian )  0x00
 *
 * COBS (Consistent Overhead Byte Stuffing) removes every 0x00 from the encoded bytes, so 0x00
 * only ever delimits frames: a reader that starts mid-frame, or after noise, resynchronises at
 * the next 0x00. The leading delimiter terminates whatever garbage came before. CRC-32 (IEEE
 * 802.3, as zlib) rejects corrupted frames. Empty segments (two delimiters in a row) are idle
 * fill and are ignored.
 */
inline constexpr std::uint8_t kSerialFrameDelimiter = 0x00;

/** Largest number of bytes encodeSerialFrame() appends for a payload of `payload_size` bytes. */
std::size_t maxEncodedSerialFrameSize(std::size_t payload_size);

/**
 * Appends the complete frame for `payload` (both delimiters included) to `out`.
 * Never fails; the caller enforces its payload limit.
 */
void encodeSerialFrame(ByteView payload, std::vector<std::uint8_t>& out);

/** Convenience: the complete frame for `payload` as a new vector. */
std::vector<std::uint8_t> encodeSerialFrame(ByteView payload);

/**
 * Splits a byte stream into verified frames. Feed it whatever read() returned, in any chunking;
 * it keeps at most one partial frame (bounded by the payload limit) between calls.
 *
 * Bad frames, each counted once in badFrames() and dropped:
 *  - a segment that is not valid COBS, or shorter than the CRC;
 *  - a CRC mismatch (noise, a truncated frame joined to the next, garbage at start-up);
 *  - an oversize segment (longer than an encoded frame of `max_payload` can be): the reader
 *    discards bytes until the next delimiter, so memory stays bounded.
 *
 * Not thread-safe; one reader per byte stream.
 */
class SerialFrameReader {
 public:
  /** @param max_payload the largest payload accepted; longer frames are counted as bad. */
  explicit SerialFrameReader(std::size_t max_payload = kMaxSerialFrameSize);

  /**
   * Consumes `chunk`; calls `on_frame` once for each complete verified payload, in stream
   * order. The view passed to `on_frame` is valid only during that call.
   */
  void feed(ByteView chunk, const std::function<void(ByteView)>& on_frame);

  /** Drops a partial frame (e.g. after the device was reopened); counters are kept. Called
   *  from inside `on_frame`, it also ends the current feed(): the rest of that chunk belongs
   *  to the old stream. */
  void reset();

  /** Frames delivered so far. */
  std::uint64_t goodFrames() const { return good_; }
  /** Frames dropped so far (bad COBS, bad CRC, too short, oversize). */
  std::uint64_t badFrames() const { return bad_; }

 private:
  void finishSegment(const std::function<void(ByteView)>& on_frame);

  std::size_t max_payload_;
  std::size_t max_encoded_;           // longest segment (between delimiters) a good frame has
  std::vector<std::uint8_t> segment_;  // encoded bytes since the last delimiter
  std::vector<std::uint8_t> decoded_;
  bool discarding_ = false;           // inside an oversize segment: skip to the next delimiter
  std::uint64_t epoch_ = 0;           // bumped by reset(): feed() stops if on_frame reset us
  std::uint64_t good_ = 0;
  std::uint64_t bad_ = 0;
};

}  // namespace hb::link
