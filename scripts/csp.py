#!/usr/bin/env python3
"""Trunk post-build hook: give release builds a strict Content-Security-Policy.

The policy allows this origin's own files, the portal's BX24 library, WebAssembly compilation,
and exactly the inline scripts in index.html (by their SHA-256), nothing else. Debug builds
(`trunk serve`) are left alone: the dev server injects its own reload script.
"""
import base64
import hashlib
import os
import re
import sys

if os.environ.get("TRUNK_PROFILE") != "release":
    sys.exit(0)

staging = os.environ.get("TRUNK_STAGING_DIR", "dist")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()

hashes = []
for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
    body = m.group(1)
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
    hashes.append(f"'sha256-{digest}'")

policy = "; ".join([
    "default-src 'none'",
    "script-src 'self' https://api.bitrix24.com 'wasm-unsafe-eval' " + " ".join(hashes),
    "style-src 'self'",
    # The demo portal's simulation runs in a same-origin module worker.
    "worker-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    # The BX24 library talks to the portal's own domain, which can be any https host (on-premise).
    "connect-src 'self' https:",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
])
meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
html = re.sub(r'<meta http-equiv="?Content-Security-Policy"?[^>]*>', "", html)
# Right after the charset declaration (quoted or, after minification, not).
html, n = re.subn(r'(<meta charset="?utf-8"?>)', lambda m: m.group(1) + meta, html, count=1, flags=re.I)
if n != 1:
    sys.exit("csp.py: no <meta charset> in index.html to put the policy after")
open(path, "w", encoding="utf-8").write(html)
print(f"csp.py: {len(hashes)} inline script(s) hashed")
