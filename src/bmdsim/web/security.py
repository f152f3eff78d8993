"""Request guard for a server that listens on the user's machine (pure ASGI middleware).

A server bound to loopback is still reachable from every page the user's browser opens, so:

* **Host** must name this server (``127.0.0.1``, ``localhost``, ``[::1]`` or an explicitly allowed
  name): a DNS-rebinding page (``evil.example`` resolving to 127.0.0.1) sends its own name and is
  refused (400);
* **Origin**, when a browser sends one, must be this server's own (``http://`` + the Host): a
  cross-origin page cannot post here (403); a cross-site ``Sec-Fetch-Site`` on a state-changing request
  is refused too;
* **POST bodies** must be ``application/json`` (415): an HTML form on another site cannot send that
  without a CORS preflight, which this server never grants;
* **size**: a body larger than ``max_body_bytes`` is refused (413) from its ``Content-Length`` or, for
  a chunked body, as soon as the count passes the limit;
* every response carries a Content-Security-Policy (scripts, styles, images, workers and connections only
  from this server, ``data:`` and ``blob:``; CesiumJS needs ``'unsafe-eval'``), ``nosniff``, no framing,
  no referrer.
"""

from __future__ import annotations

import json

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# CesiumJS 1.140 evaluates strings at load (knockout bindings of its widgets; CesiumGS/cesium#13617), so
# 'unsafe-eval' stays, and its workers load their code from blob: URLs; every script still comes from this
# server only.
CSP = ("default-src 'self'; script-src 'self' blob: 'unsafe-eval' 'wasm-unsafe-eval'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' data: blob:; "
       "worker-src 'self' blob:; "
       "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")

SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def split_host(host: str) -> tuple[str, int | None]:
    """``"name:port"`` / ``"[::1]:port"`` / ``"name"`` -> (lower-case name, port or None)."""
    h = host.strip().lower()
    if h.startswith("["):
        end = h.find("]")
        name, rest = h[: end + 1], h[end + 1:]
        port = rest[1:] if rest.startswith(":") else ""
    elif h.count(":") == 1:
        name, port = h.split(":")
    else:
        name, port = h, ""
    if port and not port.isdigit():
        return "", None
    return name, int(port) if port else None


class RequestGuard:
    """ASGI middleware enforcing the rules of the module docstring."""

    def __init__(self, app, *, allowed_hosts, max_body_bytes: int, json_posts=()):
        self.app = app
        self.allowed = frozenset(h.lower() for h in allowed_hosts)
        self.max_body = int(max_body_bytes)
        self.json_posts = frozenset(json_posts)  # paths whose POST takes a JSON body (others: 404/405 as routed)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":  # no websockets here
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        name, _ = split_host(host)
        if name not in self.allowed:
            return await _refuse(send, 400, f"Host {host[:100]!r} is not this server's name; allowed: "
                                            f"{', '.join(sorted(self.allowed))} (DNS-rebinding protection)", "Host")
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host.lower()}":
            return await _refuse(send, 403, f"cross-origin request from {origin[:100]!r} refused; this server "
                                            "answers only its own page", "Origin")
        method = scope.get("method", "GET")
        if method in UNSAFE_METHODS:
            if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return await _refuse(send, 403, "cross-site request refused (Sec-Fetch-Site)", "Origin")
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if method == "POST" and scope.get("path") in self.json_posts and ctype != "application/json":
                return await _refuse(send, 415, f"content type {ctype or 'none'!r}: send application/json",
                                     "Content-Type")
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return await _refuse(send, 400, "Content-Length is not a number", "Content-Length")
            if int(length) > self.max_body:
                return await _refuse(send, 413, f"request body of {int(length):,} bytes is larger than the limit of "
                                                f"{self.max_body:,} bytes", "body")

        started = False
        received = 0
        too_big = False
        replaced = False
        msg413 = f"request body larger than the limit of {self.max_body:,} bytes"

        async def counting_receive():
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    raise BodyTooLarge()
            return message

        async def secured_send(message):
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                if too_big:  # the app answered its own error to the cut-off body: answer 413 instead
                    replaced = True
                    started = True
                    await _refuse(send, 413, msg413, "body")
                    return
                started = True
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, counting_receive, secured_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, 413, msg413, "body")


class BodyTooLarge(Exception):
    pass


async def _refuse(send, status: int, detail: str, field: str) -> None:
    body = json.dumps({"detail": detail, "field": field}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
