#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Lint: every #include of another library's header is backed by a declared CMake dependency,
and folders depend one way (hbd -> crm -> resources).

Each folder under hbd/, crm/ and resources/ that calls hb_add_library() is one library; a file
belongs to the executable whose SOURCES name it (hb_add_executable), else to its folder's library.
An include "A/B/x.h" of a header owned by another library must name a library reachable through
the including target's DEPS and PRIVATE_DEPS, then the public DEPS of those (CMake's own rule:
PRIVATE deps are not passed on). Headers of a library count as its sources.

Usage: check_deps.py [SOURCE_DIR]    (default: this repository)
       check_deps.py --self-test     (proves on a scratch tree that violations are caught)
Exit 0 clean, 1 violations (each printed as FILE:LINE: error: ...).
"""
import os
import re
import sys
import tempfile

ROOTS = ("resources", "crm", "hbd")
RANK = {"resources": 0, "crm": 1, "hbd": 2}  # a folder may include only its own rank or lower
CALL = re.compile(r"hb_add_(library|executable)\s*\((.*?)\)", re.S)
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)
KEYWORDS = {"NAME", "SOURCES", "DEPS", "PRIVATE_DEPS", "DESTINATION"}


def parse_call(body):
    words = re.sub(r"#[^\n]*", "", body).split()
    out, key = {}, None
    for w in words:
        if w in KEYWORDS:
            key = w
            out.setdefault(key, [])
        elif key:
            out[key].append(w)
    return out


def load_targets(src):
    """-> (libs: name -> {dir, deps, private}, file_owner: relpath -> target dict)"""
    libs, exes = {}, []
    for root in ROOTS:
        for d, _, files in os.walk(os.path.join(src, root)):
            if "CMakeLists.txt" not in files:
                continue
            rel = os.path.relpath(d, src)
            text = open(os.path.join(d, "CMakeLists.txt"), encoding="utf-8").read()
            for kind, body in CALL.findall(text):
                c = parse_call(body)
                t = {"name": c.get("NAME", ["?"])[0], "dir": rel, "deps": c.get("DEPS", []),
                     "private": c.get("PRIVATE_DEPS", []),
                     "sources": [os.path.normpath(os.path.join(rel, s)) for s in c.get("SOURCES", [])
                                 if not s.startswith("$")]}
                (libs.__setitem__(t["name"], t) if kind == "library" else exes.append(t))
    dir_lib = {t["dir"]: t for t in libs.values()}
    owner = {}
    for t in exes:
        for s in t["sources"]:
            owner[s] = t
    return libs, dir_lib, owner


def reachable(target, libs):
    seen = set()
    todo = list(target["deps"]) + list(target["private"])
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in libs:
            todo.extend(libs[n]["deps"])
    return seen


def check_tree(src):
    libs, dir_lib, exe_owner = load_targets(src)
    problems = []
    for root in ROOTS:
        for d, _, files in os.walk(os.path.join(src, root)):
            rel_dir = os.path.relpath(d, src)
            for f in sorted(files):
                if not f.endswith((".h", ".cc")):
                    continue
                rel = os.path.join(rel_dir, f)
                me = exe_owner.get(rel) or dir_lib.get(rel_dir)
                text = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
                for m in INCLUDE.finditer(text):
                    inc = m.group(1)
                    top = inc.split("/", 1)[0]
                    if "/" not in inc or top not in ROOTS:
                        continue
                    line = text.count("\n", 0, m.start()) + 1
                    inc_dir = os.path.dirname(inc)
                    if RANK[top] > RANK[root]:
                        problems.append(f"{rel}:{line}: error: {root}/ may not include {inc} "
                                        f"(folders depend one way: hbd -> crm -> resources)")
                        continue
                    lib = dir_lib.get(inc_dir)
                    if lib is None or me is None or lib is me or lib["name"] == me["name"]:
                        continue
                    if lib["name"] not in reachable(me, libs):
                        problems.append(f"{rel}:{line}: error: includes {inc} of {lib['name']}, but "
                                        f"{me['name']} does not depend on {lib['name']} (add it to DEPS "
                                        f"or PRIVATE_DEPS in {me['dir']}/CMakeLists.txt)")
    return problems


def self_test():
    with tempfile.TemporaryDirectory(prefix="hbdeps.") as t:
        def put(path, text):
            os.makedirs(os.path.dirname(os.path.join(t, path)), exist_ok=True)
            open(os.path.join(t, path), "w", encoding="utf-8").write(text)
        put("resources/base/CMakeLists.txt", "hb_add_library(NAME hb_base SOURCES a.cc)\n")
        put("resources/base/a.h", "")
        put("crm/cib/CMakeLists.txt", "hb_add_library(NAME hb_cib SOURCES c.cc DEPS hb_base)\n")
        put("crm/cib/c.cc", '#include "resources/base/a.h"\n#include "crm/cib/c.h"\n')
        put("crm/cib/c.h", "")
        put("hbd/x/CMakeLists.txt", "hb_add_library(NAME hb_x SOURCES x.cc DEPS hb_cib)\n"
            "hb_add_executable(NAME tool SOURCES tool.cc DEPS hb_x)\n")
        put("hbd/x/x.cc", '#include "resources/base/a.h"\n#include "crm/cib/c.h"\n')
        put("hbd/x/tool.cc", '#include "hbd/x/x.h"\n#include "crm/cib/c.h"\n')
        put("hbd/x/x.h", "")
        got = check_tree(t)
        if got:
            sys.exit("check_deps.py: self-test: false alarm on a clean tree: " + "; ".join(got))
        put("crm/pol/CMakeLists.txt", "hb_add_library(NAME hb_pol SOURCES p.cc PRIVATE_DEPS hb_cib)\n")
        put("crm/pol/p.cc", '#include "hbd/x/x.h"\n#include "crm/cib/c.h"\n')
        put("crm/pol/p.h", '// nothing\n#include "crm/cib/c.h"\n')
        put("hbd/y/CMakeLists.txt", "hb_add_library(NAME hb_y SOURCES y.cc DEPS hb_pol)\n")
        put("hbd/y/y.cc", '\n#include "crm/cib/c.h"\n')  # hb_cib is a PRIVATE dep of hb_pol
        got = check_tree(t)
        want = ["crm/pol/p.cc:1: error: crm/ may not include hbd/x/x.h", "hbd/y/y.cc:2: error: includes crm/cib/c.h"]
        for w in want:
            if not any(g.startswith(w) for g in got):
                sys.exit(f"check_deps.py: self-test: violation {w!r} not reported; got: {got}")
        if len(got) != len(want):
            sys.exit(f"check_deps.py: self-test: want {len(want)} reports, got {got}")
    print("check_deps.py: self-test passed")


def main():
    if sys.argv[1:2] == ["--self-test"]:
        self_test()
        return 0
    src = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../.."))
    problems = check_tree(src)
    for p in problems:
        print(p)
    if problems:
        print("check_deps.py: FAIL: includes not backed by CMake dependencies", file=sys.stderr)
        return 1
    print("check_deps.py: every include is backed by a declared dependency")
    return 0


if __name__ == "__main__":
    sys.exit(main())
