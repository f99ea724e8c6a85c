#!/usr/bin/env python3
"""Another origin for the browser tests (tests/boundary.rs): the fake BX24 library and a tiny REST host.

    python3 scripts/xorigin_fixture.py PORT

scripts/test.sh starts it on http://localhost:PORT while wasm-bindgen-test-runner serves the tests on
http://127.0.0.1:…, so a script loaded from here is cross-origin and its throws reach the page as
"Script error.", as the real library's do from https://api.bitrix24.com/api/v1/.

* GET  /fake-bx24.js                     tests/support/fake-bx24.js (no CORS headers, like the real library;
                                          CORP cross-origin, since the runner's page has COEP require-corp)
* POST /status/<code>/rest/<method>.json  answers HTTP <code> with a Bitrix-shaped JSON body
                                          (5xx: {"error": "QUERY_LIMIT_EXCEEDED"}, else {"result": …}),
                                          with CORS for the requesting origin
* POST /bare/<code>/rest/<method>.json    HTTP <code> with an HTML body (a proxy's error page)
* POST /drop/rest/<method>.json           closes the connection without an answer (XHR: status 0)
Python standard library only.
"""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FAKE = os.path.join(ROOT, "tests", "support", "fake-bx24.js")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def cors(self):
        # The test runner's page is cross-origin isolated (COEP require-corp): allow embedding.
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        origin = self.headers.get("Origin")
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def answer(self, status, body, ctype, cors=True):
        data = body.encode("utf-8")
        self.send_response(status)
        if cors:
            self.cors()
        else:
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.split("?")[0] == "/fake-bx24.js":
            with open(FAKE, encoding="utf-8") as f:
                self.answer(200, f.read(), "text/javascript; charset=utf-8", cors=False)
        else:
            self.answer(404, "not found", "text/plain")

    def do_OPTIONS(self):
        self.send_response(204)
        self.cors()
        self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?")[0]
        if re.fullmatch(r"/drop/rest/[\w.:-]+\.json", path):
            self.close_connection = True
            self.connection.close()
            return
        m = re.fullmatch(r"/(status|bare)/(\d{3})/rest/([\w.:-]+)\.json", path)
        if not m:
            self.answer(404, "not found", "text/plain")
            return
        kind, code = m.group(1), int(m.group(2))
        if kind == "bare":
            self.answer(code, "<html><body>%d</body></html>" % code, "text/html")
        elif code >= 400:
            body = {"error": "QUERY_LIMIT_EXCEEDED" if code == 503 else "INTERNAL_SERVER_ERROR",
                    "error_description": "fixture"}
            self.answer(code, json.dumps(body), "application/json")
        else:
            self.answer(code, json.dumps({"result": {"ID": "1", "method": m.group(3)}}), "application/json")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8019
    ThreadingHTTPServer(("localhost", port), Handler).serve_forever()
