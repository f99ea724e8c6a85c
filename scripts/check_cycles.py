#!/usr/bin/env python3
"""Fails when modules of a crate import each other in a cycle.

    python3 scripts/check_cycles.py [CRATE_SRC ...]   (default: crates/core/src crates/sim/src src)

For each crate root it builds two kinds of graph from `crate::…` and `super::…` paths (in `use`
lines and in code; comments and string literals are ignored, and so is test code — a
`#[cfg(test)]` inline module or a file declared under `#[cfg(test)]`: a unit test may drive its
module through the whole crate (the simulation's tests run the whole `Sim`), product code may
not):

* the top-level modules (`foo.rs` or `foo/` next to `lib.rs`), an edge `a → b` when a file of
  `a` names `crate::b…` (or, at the top level, `super::b…`); a name the crate root re-exports
  (`pub use b::Item;` in `lib.rs`) counts as `b`;
* inside each folder module, its files one level down (`mod.rs` and each `child.rs`/`child/`),
  an edge when one names another through `super::…` or `crate::folder::…`. What `mod.rs`
  re-exports (`pub use child::…`) is the folder's face, not a dependency of `mod.rs`; a name
  `mod.rs` re-exports resolves to the child that defines it.

Prints one line per crate ("core: 14 modules, no cycle") and every cycle found; exits 1 if any.
`src/bin/` (separate crates) and `main.rs` are skipped.
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments_and_strings(text):
    """Source without comments, string and char literals (kept line structure)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    out.append("\n" if text[i] == "\n" else "")
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 8]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^'\\])'", text[i:i + 12]):
            m = re.match(r"'(\\[^']*|[^'\\])'", text[i:])
            out.append("' '")
            i += len(m.group(0)) if m else 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_tree(s, i):
    """Parses a use tree at s[i:] (after `prefix::`): returns (list of segment lists, end)."""
    paths = []
    if i < len(s) and s[i] == "{":
        i += 1
        while True:
            while i < len(s) and s[i] in " \t\n,":
                i += 1
            if i >= len(s) or s[i] == "}":
                return paths, i + 1
            sub, i = parse_tree(s, i)
            paths.extend(sub)
    if s.startswith("*", i):
        return [["*"]], i + 1
    m = re.match(IDENT, s[i:])
    if not m:
        return [[]], i
    seg = m.group(0)
    i += len(seg)
    if s.startswith("::", i):
        subs, i = parse_tree(s, i + 2)
        return [[seg] + p for p in subs], i
    m = re.match(r"\s+as\s+" + IDENT, s[i:])
    if m:
        i += len(m.group(0))
    return [[seg]], i


def references(text):
    """(kind, segments, line) for each `crate::…` / `super::…` path in code."""
    refs = []
    for m in re.finditer(r"(?<![\w:])((?:super::)+|crate::)", text):
        kind = "crate" if m.group(1) == "crate::" else m.group(1).count("super::")
        paths, _ = parse_tree(text, m.end())
        line = text.count("\n", 0, m.start())
        for p in paths:
            refs.append((kind, [x for x in p if x not in ("self", "*")], line, "*" in p))
    return refs


def module_of(rel):
    """Module path of a file relative to the crate root: a/b.rs -> [a, b]; a/mod.rs -> [a]."""
    parts = rel[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def inline_depth_lines(text):
    """For each line, whether it sits inside an inline `mod name {` block."""
    inside, depth, stack = [], 0, []
    for line in text.split("\n"):
        if re.match(r"\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", line):
            stack.append(depth)
        inside.append(bool(stack))
        depth += line.count("{") - line.count("}")
        while stack and depth <= stack[-1]:
            stack.pop()
    return inside


DEF = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+|const\s+|unsafe\s+)*(?:fn|struct|enum|const|type|trait|static|mod)\s+(" + IDENT + ")", re.M)
REEXPORT = re.compile(r"^\s*pub(?:\([^)]*\))?\s+use\s+(?!crate::|super::)(" + IDENT + r")::", re.M)


class Crate:
    def __init__(self, root):
        self.root = root
        self.files = {}  # rel path -> stripped text
        for dirpath, dirs, files in os.walk(root):
            rel_dir = os.path.relpath(dirpath, root)
            if rel_dir == "bin" or rel_dir.startswith("bin" + os.sep):
                continue
            for f in files:
                if f.endswith(".rs") and not (rel_dir == "." and f == "main.rs"):
                    rel = os.path.normpath(os.path.join(rel_dir, f))
                    with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                        self.files[rel] = strip_comments_and_strings(fh.read())
        self.drop_test_code()
        self.top = sorted({module_of(r)[0] for r in self.files if module_of(r)})
        lib = self.files.get("lib.rs", "")
        # Root names re-exported from a module: `pub use sim::{Sim, SimEvent};`.
        self.root_names = self.face(lib, self.top)

    def drop_test_code(self):
        """Blanks `#[cfg(test)]` inline modules and removes files declared under `#[cfg(test)]`."""
        test_files = set()
        for rel, text in list(self.files.items()):
            here = os.path.dirname(rel) if os.path.basename(rel) in ("mod.rs", "lib.rs") else rel[:-3]
            for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", text):
                for cand in (os.path.join(here, m.group(1) + ".rs"), os.path.join(here, m.group(1), "mod.rs")):
                    test_files.add(os.path.normpath(cand))
            lines = text.split("\n")
            out, depth, skip_until, pending = [], 0, None, False
            for line in lines:
                opens = line.count("{") - line.count("}")
                if skip_until is None and (pending or "#[cfg(test)]" in line) and re.search(r"\bmod\s+\w+\s*\{", line):
                    skip_until = depth
                    out.append("")
                    depth += opens
                    pending = False
                    if depth <= skip_until:
                        skip_until = None
                    continue
                pending = skip_until is None and line.strip().startswith("#[cfg(test)]") and not re.search(r"\bmod\b", line)
                if skip_until is not None:
                    out.append("")
                    depth += opens
                    if depth <= skip_until:
                        skip_until = None
                    continue
                out.append(line)
                depth += opens
            self.files[rel] = "\n".join(out)
        for rel in test_files:
            self.files.pop(rel, None)

    def face(self, text, children):
        """Names a module file re-exports or defines, mapped to the child they come from."""
        names = {}
        for m in re.finditer(r"^\s*pub(?:\([^)]*\))?\s+use\s+", text, re.M):
            paths, _ = parse_tree(text, m.end())
            for p in paths:
                if p and p[0] in children:
                    if p[-1] == "*":
                        for n in self.defined(p[0]):
                            names.setdefault(n, p[0])
                    elif len(p) > 1:
                        names[p[-1]] = p[0]
        return names

    def defined(self, child_path):
        """Public names defined in a module given as a path like `campaign/commands`."""
        out = set()
        for rel, text in self.files.items():
            if "/".join(module_of(rel)) == child_path:
                out.update(DEF.findall(text))
        return out

    def edges(self):
        """Top-level edges and, per folder module, its children's edges."""
        top, folders = {}, {}
        for rel, text in self.files.items():
            mod = module_of(rel)
            if not mod:
                continue
            inside = inline_depth_lines(text)
            is_mod_rs = rel.endswith(os.sep + "mod.rs")
            for kind, segs, line, _ in references(text):
                if not segs:
                    continue
                here = list(mod)
                if inside[line] and kind != "crate":
                    kind -= 1  # `super::` inside an inline `mod tests` is the file itself
                if kind == "crate":
                    target = segs
                else:
                    base = here[: len(here) - kind] if kind <= len(here) else []
                    target = base + segs
                if not target:
                    continue
                # Top level.
                head = target[0]
                if head not in self.top:
                    head = self.root_names.get(head)
                if head and head != mod[0]:
                    top.setdefault(mod[0], set()).add(head)
                # One level down, inside the folder `mod[0]`.
                folder = mod[0]
                if head == folder and len(target) >= 2 and os.path.isdir(os.path.join(self.root, folder)):
                    src_child = mod[1] if len(mod) > 1 else "mod"
                    children = self.children(folder)
                    t = target[1]
                    if t in children:
                        dst = t
                    else:
                        dst = self.folder_face(folder).get(t, "mod")
                    if dst != src_child:
                        if is_mod_rs and self.is_facade_line(text, line):
                            continue
                        folders.setdefault(folder, {}).setdefault(src_child, set()).add(dst)
        return top, folders

    def is_facade_line(self, text, line):
        lines = text.split("\n")
        # The statement the reference is in starts at or before `line`.
        j = line
        while j > 0 and not re.match(r"\s*(pub|use|mod|fn|impl|#|let|})", lines[j]):
            j -= 1
        return bool(re.match(r"\s*pub(\([^)]*\))?\s+use\s+", lines[j]))

    def children(self, folder):
        out = set()
        for rel in self.files:
            m = module_of(rel)
            if m and m[0] == folder and len(m) > 1:
                out.add(m[1])
        return out

    def folder_face(self, folder):
        mod_rs = self.files.get(os.path.join(folder, "mod.rs"), "")
        kids = self.children(folder)
        face = {}
        for m in re.finditer(r"^\s*pub(?:\([^)]*\))?\s+use\s+(?:self::)?", mod_rs, re.M):
            paths, _ = parse_tree(mod_rs, m.end())
            for p in paths:
                if p and p[0] in kids:
                    if p[-1] == "*":
                        for n in self.defined(folder + "/" + p[0]):
                            face.setdefault(n, p[0])
                    elif len(p) > 1:
                        face[p[-1]] = p[0]
        return face


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan), each as a cycle path."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    nodes = set(graph) | {d for ds in graph.values() for d in ds}

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def example_cycle(graph, comp):
    """One concrete cycle through the component's first node."""
    start, members = comp[0], set(comp)
    path, seen = [start], {start}

    def walk(v):
        for w in sorted(graph.get(v, ())):
            if w == start and len(path) > 1:
                return True
            if w in members and w not in seen:
                seen.add(w)
                path.append(w)
                if walk(w):
                    return True
                path.pop()
        return False

    walk(start)
    return " → ".join(path + [start])


def label(root):
    """`crates/core/src` -> core, `crates/sim/src` -> sim, the root package's `src` -> app."""
    norm = os.path.abspath(root)
    parent = os.path.dirname(norm)
    if os.path.basename(os.path.dirname(parent)) == "crates":
        return os.path.basename(parent)
    return "app"


def main(argv):
    roots = argv or ["crates/core/src", "crates/sim/src", "src"]
    bad = False
    for root in roots:
        crate = Crate(root)
        top, folders = crate.edges()
        name = label(root)
        found = [("", top, c) for c in cycles(top)]
        for folder, g in sorted(folders.items()):
            found += [(folder + "/", g, c) for c in cycles(g)]
        if found:
            bad = True
            print(f"{name}: {len(crate.top)} modules, {len(found)} cycle(s):")
            for where, g, comp in found:
                print(f"  {where}{example_cycle(g, comp)}   (all of: {', '.join(comp)})")
        else:
            print(f"{name}: {len(crate.top)} modules, no cycle")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
