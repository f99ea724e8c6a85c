#!/usr/bin/env python3
"""Prints the release build's transfer size (what a browser downloads: wasm + js + css, brotli -q 11)
and fails when it is over the budget.

Usage: measure_size.py DIST [--budget-kib N]
"""
import argparse
import os
import shutil
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("dist")
ap.add_argument("--budget-kib", type=float, default=None)
args = ap.parse_args()

def brotli_size(path):
    if shutil.which("brotli"):
        out = subprocess.run(["brotli", "-q", "11", "-c", path], capture_output=True, check=True).stdout
        return len(out)
    import brotli  # pragma: no cover - fallback when the CLI is missing
    return len(brotli.compress(open(path, "rb").read(), quality=11))

rows = []
for root, _, files in os.walk(args.dist):
    for f in files:
        if f.endswith((".wasm", ".js", ".css", ".html")):
            p = os.path.join(root, f)
            rows.append((os.path.relpath(p, args.dist), os.path.getsize(p), brotli_size(p)))
rows.sort(key=lambda r: -r[1])
print(f"{'file':48} {'raw':>10} {'brotli':>10}")
for name, raw, br in rows:
    print(f"{name:48} {raw:>10,} {br:>10,}")
# The demo build and its worker (callcard_demo*, demo_worker*) are loaded only when the card runs on
# the demo portal, the settings build (callcard_settings*) only on the app's settings page (placement
# DEFAULT, an administrator's); an operator in Bitrix24 downloads the rest.
demo = [r for r in rows if os.path.basename(r[0]).startswith(("demo_worker", "callcard_demo"))]
settings = [r for r in rows if os.path.basename(r[0]).startswith("callcard_settings")]
counted = [r for r in rows if not r[0].endswith(".html") and r not in demo and r not in settings]
raw = sum(r[1] for r in counted)
br = sum(r[2] for r in counted)
print(f"transfer in Bitrix24 (wasm+js+css): {raw:,} B raw, {br:,} B brotli = {br/1024:.1f} KiB")
if demo:
    dbr = sum(r[2] for r in demo)
    print(f"demo build + worker, loaded only outside Bitrix24: {sum(r[1] for r in demo):,} B raw, {dbr:,} B brotli = {dbr/1024:.1f} KiB")
if settings:
    sbr = sum(r[2] for r in settings)
    print(f"settings build, loaded only on the settings page: {sum(r[1] for r in settings):,} B raw, {sbr:,} B brotli = {sbr/1024:.1f} KiB")
if args.budget_kib is not None:
    ok = br / 1024 <= args.budget_kib
    print(f"budget {args.budget_kib:.0f} KiB: {'within' if ok else 'OVER'}")
    sys.exit(0 if ok else 1)
