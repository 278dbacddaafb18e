#!/usr/bin/env python3
"""The input_sha256 of an `homeport audit build` report, recomputed without homeport.

    scripts/tree-sha256.py DIR

SHA-256 over the regular files below DIR (symbolic links and special files are neither
followed nor read), sorted by the bytes of their path relative to DIR ("/" between
components; a DIR that is a file: its file name); for each file: the path, a NUL byte, its
length as decimal digits, a NUL byte, its bytes. See docs/verifier.md, "Provenance".
"""
import hashlib
import os
import stat
import sys


def regular_files(root):
    if not os.path.isdir(root):
        yield os.fsencode(os.path.basename(root)), root
        return
    for directory, dirs, names in os.walk(root):  # os.walk never descends into symlinks
        for name in names:
            path = os.path.join(directory, name)
            if stat.S_ISREG(os.lstat(path).st_mode):
                yield os.fsencode(os.path.relpath(path, root)), path


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tree-sha256.py DIR")
    digest = hashlib.sha256()
    for relative, path in sorted(regular_files(sys.argv[1])):
        with open(path, "rb") as f:
            digest.update(relative + b"\0" + str(os.fstat(f.fileno()).st_size).encode() + b"\0")
            while piece := f.read(1 << 20):
                digest.update(piece)
    print(digest.hexdigest())


if __name__ == "__main__":
    main()
