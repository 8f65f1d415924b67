#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Samples whether addresses are held by two network namespaces at once (rule 7: dual ownership).

Usage: dual_sampler.py LOG SAMPLES NS_A NS_B ADDR...

Every ~5 ms, for each ADDR: is it a local address in NS_A, then in NS_B, then in NS_A again? Only
when all three hold is a line "EPOCH_NS ADDR" appended to LOG: both namespaces held it at the
moment NS_B was read. (The namespaces cannot be read at the same instant; one A-then-B read reports
a clean hand-over as dual when the reads are slow.) SAMPLES gets the number of rounds so far.

The addresses are read from /proc/thread-self/net/fib_trie by one thread per namespace, which
setns(2)-ed into it: no process per read, so a round takes well under a millisecond. Python 3.11 has no os.setns, hence
the ctypes call (written here on purpose: no Debian package offers it).
"""
import ctypes
import os
import queue
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def enter(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def local_addresses():
    """The IPv4 addresses local to the current namespace ("/32 host LOCAL" entries of fib_trie)."""
    out, prev = set(), None
    with open("/proc/thread-self/net/fib_trie") as f:
        for line in f:
            s = line.strip()
            if s.startswith("|--"):
                prev = s[3:].strip()
            elif prev and s.startswith("/32 host LOCAL"):
                out.add(prev)
    return out


class NamespaceReader:
    """A thread that lives in one namespace and reads its addresses on request.

    Only this thread enters the namespace: the process's main thread stays where it was, so
    `ip netns pids` (which the tests use to kill everything of a "crashed" node) never lists us.
    """

    def __init__(self, name):
        self.fd = os.open("/run/netns/" + name, os.O_RDONLY | os.O_CLOEXEC)
        self.requests, self.answers = queue.Queue(), queue.Queue()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            enter(self.fd)
            while True:
                self.requests.get()
                self.answers.put(local_addresses())
        except OSError as e:
            self.answers.put(e)

    def read(self):
        self.requests.put(None)
        r = self.answers.get()
        if isinstance(r, Exception):
            raise r
        return r


def main():
    log, samples, ns_a, ns_b, *addrs = sys.argv[1:]
    a, b = NamespaceReader(ns_a), NamespaceReader(ns_b)
    n = 0
    while True:
        a1 = a.read()
        bb = b.read()
        a2 = a.read()
        now = time.time_ns()
        dual = [x for x in addrs if x in a1 and x in bb and x in a2]
        if dual:
            with open(log, "a") as f:
                for x in dual:
                    f.write("%d %s\n" % (now, x))
        n += 1
        if n < 20 or n % 20 == 0:
            with open(samples + ".tmp", "w") as f:
                f.write("%d\n" % n)
            os.replace(samples + ".tmp", samples)
        time.sleep(0.005)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:  # a namespace removed under us: the test is over
        sys.exit("dual_sampler: %s" % e)
