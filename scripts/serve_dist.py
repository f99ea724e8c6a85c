#!/usr/bin/env python3
"""Serve a built app (Trunk's dist/) on 127.0.0.1 the way Bitrix24 opens it.

    python3 scripts/serve_dist.py PORT DIR [-v]

Bitrix24 opens an application's handler URL with a form POST (PLACEMENT, PLACEMENT_OPTIONS, AUTH_ID...).
`trunk serve` answers POST with 405, so tests and administrators trying a build use this instead:

* GET/HEAD serve files from DIR with correct MIME types (.wasm is application/wasm).
* POST to a directory, to index.html or to any path that is not a file: the form body is read and
  discarded, index.html is served with 200 (what the real handler page does).
* Paths that are not files and have no extension fall back to index.html (GET, HEAD and POST);
  a missing file with an extension (a stale asset) is a 404. POST to an existing asset is a 405.
* Cache-Control: index.html is never cached; hashed Trunk assets (name-<12–16 hex>.js, ..._bg.wasm, .css)
  are `public, max-age=31536000, immutable`; everything else `no-cache`. No X-Frame-Options (the app
  lives in an iframe on the portal's domain).
* Threaded, quiet (no per-request lines unless -v), exits cleanly on SIGTERM/SIGINT.

Python standard library only.
"""
import argparse
import os
import posixpath
import re
import signal
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

MIME = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
}
# Trunk writes the hash as hex without leading zeros: 15 digits as often as not (main-600e4dd7a8aef0c.css).
HASHED = re.compile(r"-[0-9a-f]{12,16}(?:_bg)?\.[A-Za-z0-9]+$")
CHUNK = 64 * 1024


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "serve_dist"
    sys_version = ""
    verbose = False
    root = "."

    # -- logging -------------------------------------------------------------------------------
    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        if self.verbose:
            super().log_request(code, size)

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self):
        """Return (filesystem path, kind) with kind in {'index', 'asset'}, or (None, None) for 404."""
        url_path = unquote(urlsplit(self.path).path)
        fs = self.translate_path(self.path)  # stays inside self.directory ('..' segments are dropped)
        root_index = os.path.join(self.root, "index.html")
        if os.path.isdir(fs):
            idx = os.path.join(fs, "index.html")
            return (idx if os.path.isfile(idx) else root_index), "index"
        if os.path.isfile(fs):
            return fs, ("index" if os.path.basename(fs) == "index.html" else "asset")
        last = "" if url_path.endswith("/") else posixpath.basename(url_path)
        if "." in last:
            return None, None  # a missing asset: never answer it with HTML
        return root_index, "index"

    def send_file(self, fs, kind, head_only):
        if not fs or not os.path.isfile(fs):
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return
        ext = os.path.splitext(fs)[1].lower()
        ctype = MIME.get(ext, "application/octet-stream")
        if kind == "index":
            cache = "no-store, max-age=0"
        elif HASHED.search(os.path.basename(fs)):
            cache = "public, max-age=31536000, immutable"
        else:
            cache = "no-cache"
        try:
            f = open(fs, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return
        with f:
            st = os.fstat(f.fileno())
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(st.st_size))
            self.send_header("Cache-Control", cache)
            self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if head_only:
                return
            while True:
                buf = f.read(CHUNK)
                if not buf:
                    break
                self.wfile.write(buf)

    def discard_body(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                left = int(length)
            except ValueError:
                left = 0
            while left > 0:
                buf = self.rfile.read(min(CHUNK, left))
                if not buf:
                    break
                left -= len(buf)
        elif "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    size = 0
                if size == 0:
                    # trailers until an empty line
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                self.rfile.read(size + 2)

    # -- methods -------------------------------------------------------------------------------
    def do_GET(self):
        fs, kind = self.resolve()
        self.send_file(fs, kind, head_only=False)

    def do_HEAD(self):
        fs, kind = self.resolve()
        self.send_file(fs, kind, head_only=True)

    def do_POST(self):
        self.discard_body()
        fs, kind = self.resolve()
        if kind == "asset":
            self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
            self.send_header("Allow", "GET, HEAD")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_file(fs, kind, head_only=False)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)):
            return
        if Handler.verbose:
            super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Serve a built app like Bitrix24 opens it (GET and POST).")
    ap.add_argument("port", type=int, nargs="?", default=8001)
    ap.add_argument("dir", nargs="?", default="dist")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)

    root = os.path.abspath(args.dir)
    if not os.path.isfile(os.path.join(root, "index.html")):
        print(f"serve_dist: {root}/index.html not found (build first: trunk build --release)", file=sys.stderr)
        return 2

    Handler.verbose = args.verbose
    Handler.root = root

    def make_handler(*a, **kw):
        return Handler(*a, directory=root, **kw)

    try:
        httpd = Server((args.host, args.port), make_handler)
    except OSError as e:
        print(f"serve_dist: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"serve_dist: {root} on http://{args.host}:{args.port}/ (GET, HEAD, POST)", flush=True)
    try:
        httpd.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
