#!/usr/bin/env python3
"""Fails when a source file has more than 800 lines before its tests.

    python3 scripts/check_sizes.py [LIMIT]   (default 800)

Counts, for every `.rs` file under `src/` and `crates/*/src/`, the lines before its first
top-level `#[cfg(test)]` (the whole file when it has none). Test suites (`tests/`) are not
counted: they are all tests. Prints the largest files and one summary line.
"""

import pathlib
import sys


def code_lines(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("#[cfg(test)]"):
            return i
    return len(lines)


def main(argv):
    limit = int(argv[0]) if argv else 800
    roots = [pathlib.Path("src")] + sorted(pathlib.Path("crates").glob("*/src"))
    sizes = sorted(
        ((code_lines(p), str(p)) for r in roots for p in r.rglob("*.rs")), reverse=True
    )
    over = [(n, p) for n, p in sizes if n > limit]
    for n, p in sizes[:5]:
        print(f"  {n:5} {p}")
    for n, p in over:
        print(f"OVER  {n:5} {p} (more than {limit} lines before its tests)")
    print(f"sizes: {len(sizes)} files, the largest {sizes[0][0]} lines before its tests, "
          f"{len(over)} over {limit}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
