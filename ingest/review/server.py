"""The review page on 127.0.0.1: one HTML page that carries the whole sample, and
one JSON endpoint that stores batches of verdicts.

    GET  /               the page, with the sample inlined (one request for everything)
    GET  /api/sample     the sample as JSON (for scripts)
    POST /api/verdicts   {"verdicts": [{"key": "...", "verdict": "accept|reject|pick|not_on_aoty", "pick": 1}]}
                         -> {"saved": n}; 400 {"error": "..."} names the bad entry, nothing stored
"""
from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .page import render_page
from .session import ReviewSession
from .store import VERDICTS, ReviewError

MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    session: ReviewSession  # set on the subclass made per server
    quiet: bool = True

    def log_message(self, fmt: str, *args) -> None:
        if not self.quiet:
            super().log_message(fmt, *args)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab closed before the answer arrived; the verdicts are stored already

    def _json(self, status: int, obj) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(200, render_page(self.session).encode(), "text/html; charset=utf-8")
        elif path == "/api/sample":
            self._json(200, {"reviewer": self.session.reviewer, "items": self.session.items})
        else:
            self._json(404, {"error": f"no such page {path!r}; open / for the review"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?", 1)[0] != "/api/verdicts":
            self._json(404, {"error": f"no such endpoint {self.path!r}; POST to /api/verdicts"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._json(413, {"error": "request too large"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            entries = body.get("verdicts")
            if not isinstance(entries, list):
                raise ReviewError('body must be {"verdicts": [...]}')
            verdicts = []
            for i, e in enumerate(entries):
                if not isinstance(e, dict) or e.get("verdict") not in VERDICTS:
                    raise ReviewError(f"verdicts[{i}]: verdict must be one of {', '.join(VERDICTS)}")
                try:
                    verdicts.append(self.session.verdict_for(str(e.get("key")), e["verdict"], e.get("pick")))
                except ReviewError as err:
                    raise ReviewError(f"verdicts[{i}]: {err}") from None
            saved = self.session.record(verdicts)
        except (ValueError, ReviewError) as err:  # json errors are ValueErrors too
            self._json(400, {"error": str(err)})
            return
        except Exception as err:  # the warehouse refused: tell the page, which keeps the verdicts queued
            self._json(503, {"error": f"could not store verdicts: {type(err).__name__}: {err}"})
            return
        self._json(200, {"saved": saved})


def make_server(session: ReviewSession, host: str = "127.0.0.1", port: int = 0,
                quiet: bool = True) -> ThreadingHTTPServer:
    handler = type("ReviewHandler", (_Handler,), {"session": session, "quiet": quiet})
    return ThreadingHTTPServer((host, port), handler)


def serve_in_thread(session: ReviewSession, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """For tests and the benchmark: a running server and its URL; call .shutdown() after."""
    server = make_server(session, port=port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def serve_forever(session: ReviewSession, port: int) -> int:
    try:
        server = make_server(session, port=port, quiet=False)
    except OSError as e:
        print(f"error: cannot listen on 127.0.0.1:{port} ({e.strerror}); pass --port 0 for any free port "
              "or another port number", file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"Reviewing {len(session.items)} matches as {session.reviewer!r}: open {url}  (Ctrl-C to stop)",
          file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
