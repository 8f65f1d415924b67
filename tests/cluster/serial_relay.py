#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A noisy serial line between two hbd nodes, for the serial link tests.

Topology (each socat pair is a "cable" of two pty slave ends; the relay sits in the middle):

    hbd alpha -- ttyA ==socat== relayA -- serial_relay.py -- relayB ==socat== ttyB -- hbd beta

The relay opens --a and --b (the inner ends), copies bytes both ways and, with a seeded random
generator per direction, damages the stream frame by frame. hbd frames are
``0x00 COBS(payload || CRC-32) 0x00``; the relay splits the stream at 0x00 and decides for every
non-empty segment (a frame) what to do with it:

  --drop P     the frame is not forwarded (a lost frame: the receiver sees nothing bad)
  --garble P   one byte is replaced by a different non-zero byte, or (a third of the time) the
               frame is cut short: one bad frame at the receiver (CRC or COBS error)
  --dup P      a forwarded frame is sent twice (message layer: a duplicate)
  --inject P   before the frame, a delimited run of 1..40 random non-zero bytes: one bad frame
  --inject-long P  before the frame, a delimited run of 1500..3000 random non-zero bytes, longer
               than any frame can be (the reader must skip it with bounded memory): one bad frame
  --forge P    before the frame, a well-formed serial frame (valid COBS and CRC) carrying random
               bytes that are not an hbd message: one message-layer drop at the receiver

Because injected garbage never contains 0x00 and every damaged frame stays one segment, the
receiver's bad_frames must equal garbled + injected + injected_long exactly, its message-layer drops must equal
forged, and its duplicates must equal dup (once the line is quiet).

Modes (the word in --control FILE, re-read every 100 ms; default "pass"):
  pass        as above
  noise-only  every real frame is dropped, but garbage/forged frames are still injected at the
              same rates: the receiver hears noise only and must declare its peer dead
  silent      nothing at all is forwarded or injected

--stats FILE gets a JSON object {"a2b": {...}, "b2a": {...}, "mode": ...}, rewritten (atomically)
every 100 ms and at exit. The relay exits 0 on SIGTERM, 1 when an end goes away (EIO/EOF).
"""
import argparse
import json
import os
import random
import select
import signal
import sys
import termios
import time
import tty
import zlib

MAX_SEGMENT = 4096      # longer runs without a delimiter are forwarded as they are (not frames)
MAX_BACKLOG = 256 * 1024  # bytes waiting for a slow reader, per direction


def cobs_encode(data: bytes) -> bytes:
    out = bytearray()
    block = bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def serial_frame(payload: bytes) -> bytes:
    crc = zlib.crc32(payload) & 0xFFFFFFFF
    return b"\x00" + cobs_encode(payload + crc.to_bytes(4, "little")) + b"\x00"


class Direction:
    def __init__(self, name, src, dst, rng, args):
        self.name, self.src, self.dst, self.rng, self.args = name, src, dst, rng, args
        self.segment = bytearray()
        self.out = bytearray()
        self.stats = dict(bytes_in=0, bytes_out=0, frames_in=0, passed=0, dropped=0, garbled=0,
                          truncated=0, duplicated=0, injected=0, injected_long=0, forged=0,
                          overflow=0)

    def noise(self, mode):
        """Garbage/forged frames inserted before a real frame (also in noise-only mode)."""
        a, r = self.args, self.rng
        if r.random() < a.inject:
            junk = bytes(r.randint(1, 255) for _ in range(r.randint(1, 40)))
            self.emit(b"\x00" + junk + b"\x00")
            self.stats["injected"] += 1
        if r.random() < a.inject_long:
            junk = bytes(r.randint(1, 255) for _ in range(r.randint(1500, 3000)))
            self.emit(b"\x00" + junk + b"\x00")
            self.stats["injected_long"] += 1
        if r.random() < a.forge:
            # Random bytes that cannot be an hbd message: it starts with "HB", we never do.
            payload = bytes([r.randint(0x80, 0xFF)]) + bytes(r.randint(0, 255) for _ in range(r.randint(3, 120)))
            self.emit(serial_frame(payload))
            self.stats["forged"] += 1

    def frame(self, seg: bytes, mode):
        """One complete non-empty segment (without its delimiter) from the source."""
        a, r, s = self.args, self.rng, self.stats
        s["frames_in"] += 1
        if mode == "silent":
            s["dropped"] += 1
            return
        self.noise(mode)
        if mode == "noise-only" or r.random() < a.drop:
            s["dropped"] += 1
            self.emit(b"\x00")
            return
        if r.random() < a.garble:
            seg = bytearray(seg)
            if r.random() < 1 / 3 and len(seg) > 1:
                del seg[r.randint(1, len(seg) - 1):]
                s["truncated"] += 1
            else:
                i = r.randrange(len(seg))
                seg[i] = r.choice([v for v in range(1, 256) if v != seg[i]])
            s["garbled"] += 1
            self.emit(b"\x00" + bytes(seg) + b"\x00")
            return
        s["passed"] += 1
        self.emit(b"\x00" + seg + b"\x00")
        if r.random() < a.dup:
            s["duplicated"] += 1
            self.emit(b"\x00" + seg + b"\x00")

    def feed(self, data: bytes, mode):
        self.stats["bytes_in"] += len(data)
        for b in data:
            if b == 0:
                if self.segment:
                    self.frame(bytes(self.segment), mode)
                    self.segment.clear()
            else:
                self.segment.append(b)
                if len(self.segment) > MAX_SEGMENT:  # not our framing: pass it on untouched
                    if mode != "silent":
                        self.emit(bytes(self.segment))
                    self.segment.clear()

    def emit(self, data: bytes):
        if len(self.out) + len(data) > MAX_BACKLOG:
            self.stats["overflow"] += 1
            return
        self.out += data

    def flush(self):
        if not self.out:
            return
        try:
            n = os.write(self.dst, self.out)
        except BlockingIOError:
            return
        self.stats["bytes_out"] += n
        del self.out[:n]


def open_end(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        tty.setraw(fd, termios.TCSANOW)
        attrs = termios.tcgetattr(fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error:
        pass
    return fd


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="inner end of alpha's cable (pty path)")
    p.add_argument("--b", required=True, help="inner end of beta's cable (pty path)")
    p.add_argument("--seed", type=int, default=1)
    for k in ("drop", "garble", "dup", "inject", "inject-long", "forge"):
        p.add_argument("--" + k, type=float, default=0.0, metavar="P")
    p.add_argument("--control", help="file holding the mode: pass | noise-only | silent")
    p.add_argument("--stats", help="JSON statistics, rewritten every 100 ms")
    args = p.parse_args()

    fa, fb = open_end(args.a), open_end(args.b)
    a2b = Direction("a2b", fa, fb, random.Random(args.seed * 2 + 1), args)
    b2a = Direction("b2a", fb, fa, random.Random(args.seed * 2 + 2), args)
    dirs = {fa: a2b, fb: b2a}
    mode = "pass"
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(0))
    signal.signal(signal.SIGINT, lambda *_: stop.append(0))

    def write_stats():
        if not args.stats:
            return
        tmp = args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"mode": mode, "a2b": a2b.stats, "b2a": b2a.stats}, f)
        os.replace(tmp, args.stats)

    rc = 0
    next_tick = 0.0
    while not stop:
        now = time.monotonic()
        if now >= next_tick:
            next_tick = now + 0.1
            if args.control:
                try:
                    with open(args.control) as f:
                        word = f.read().strip()
                    if word in ("pass", "noise-only", "silent"):
                        mode = word
                except FileNotFoundError:
                    pass
            write_stats()
        wants_write = [d.dst for d in dirs.values() if d.out]
        try:
            r, w, _ = select.select([fa, fb], wants_write, [], 0.1)
        except InterruptedError:
            continue
        for fd in r:
            try:
                data = os.read(fd, 4096)
            except BlockingIOError:
                continue
            except OSError as e:  # EIO: the socat behind this end is gone
                print(f"serial_relay: {dirs[fd].name} source closed: {e}", file=sys.stderr)
                stop.append(1)
                break
            if not data:
                stop.append(1)
                break
            dirs[fd].feed(data, mode)
        for d in dirs.values():
            try:
                d.flush()
            except OSError as e:
                print(f"serial_relay: {d.name} destination closed: {e}", file=sys.stderr)
                stop.append(1)
        if stop and stop[0] == 1:
            rc = 1
    write_stats()
    return rc


if __name__ == "__main__":
    sys.exit(main())
