"""`intake browse`'s gate in front of Datasette, in plain ASGI: it answers only requests naming
this machine as Host, from a browser that opened the address with the secret token printed at
start, and its CSV downloads carry no formula a spreadsheet would run.

Why each: a web page the secretariat visits can point its own host name at 127.0.0.1 (DNS
rebinding) and read the answers, as from any local server; its requests name the attacker's
host, so a Host allow-list stops them. The token stops what the Host check cannot see (another
user of the machine, a page guessing the port): it is asked once, traded for a cookie that is
HttpOnly and SameSite=Strict, and dropped from the address by a redirect, so it stays out of
the history and Referer headers. CSV cells are neutralised (pipeline/exports/csvcells.py)
rather than CSV turned off: the download is what people take to Excel, and Datasette 0.65 has
no setting to remove it, only one to stop streaming every row (turned off in datasette.py, so
one page, at most max_returned_rows rows, is buffered here).
"""
from __future__ import annotations

import csv
import hmac
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Awaitable, Callable, MutableMapping
from urllib.parse import parse_qsl, quote, unquote_plus

from pipeline.exports.csvcells import neutral_csv

Scope = MutableMapping[str, object]
Message = MutableMapping[str, object]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_PARAM = "intake_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# A wildcard address has no name a browser would send; only the loopback names reach it.
_WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})
_CSV_TYPES = (b"text/plain", b"text/csv")


@dataclass(frozen=True)
class Gate:
    """What a request must show: one of `hosts` as its Host header, and `token` (in the URL
    once, then in the cookie named `cookie`)."""

    hosts: frozenset[str]
    token: str
    cookie: str

    @classmethod
    def for_address(cls, host: str, port: int, token: str) -> "Gate":
        """The loopback names (and the address listened on, when it is one) with the port;
        without it too on port 80, where browsers leave it out."""
        names = {*LOOPBACK_NAMES}
        if host.lower() not in _WILDCARDS:
            names.add(f"[{host}]" if ":" in host and not host.startswith("[") else host.lower())
        hosts = {f"{name}:{port}" for name in names} | (names if port == 80 else set())
        # Per port: two browse commands on one machine do not overwrite each other's cookie.
        return cls(frozenset(hosts), token, f"intake_browse_{port}")

    def host_ok(self, host: str) -> bool:
        return host.lower() in self.hosts

    def token_ok(self, value: str) -> bool:
        return hmac.compare_digest(value.encode(), self.token.encode())

    def cookie_ok(self, header: str) -> bool:
        try:
            morsel = SimpleCookie(header).get(self.cookie)
        except CookieError:
            return False
        return morsel is not None and self.token_ok(morsel.value)


def _header(scope: Scope, name: bytes) -> str:
    values = [v for k, v in scope.get("headers", ()) if k.lower() == name]  # type: ignore[union-attr]
    return values[0].decode("latin-1") if len(values) == 1 else ""  # two Hosts: none


async def _answer(send: Send, status: int, text: str,
                  headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store"),
        *headers]})
    await send({"type": "http.response.body", "body": body})


def _without_token(scope: Scope) -> str:
    """The request's path and query without the token, as the browser sent them."""
    path = scope.get("raw_path") or quote(str(scope["path"])).encode()
    kept = [part for part in bytes(scope.get("query_string", b"")).split(b"&")  # type: ignore[arg-type]
            if part and unquote_plus(part.split(b"=", 1)[0].decode("latin-1")) != TOKEN_PARAM]
    return (path + (b"?" + b"&".join(kept) if kept else b"")).decode("latin-1")  # type: ignore[operator]


def _query(scope: Scope) -> dict[str, str]:
    raw = bytes(scope.get("query_string", b"")).decode("latin-1")  # type: ignore[arg-type]
    return dict(parse_qsl(raw, keep_blank_values=True))


def is_csv_request(scope: Scope) -> bool:
    return str(scope["path"]).endswith(".csv") or _query(scope).get("_format") == "csv"


def guarded(app: App, gate: Gate) -> App:
    """`app` behind the gate: wrong Host 421, wrong token 403, no token nor cookie 401."""

    async def gatekeeper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await app(scope, receive, send)
        if scope["type"] != "http":  # Datasette speaks no websocket; nothing else gets in
            return None
        if not gate.host_ok(_header(scope, b"host")):
            return await _answer(send, 421, "421 Misdirected Request: this server answers only "
                                            "to 127.0.0.1, localhost and [::1].\n")
        token = _query(scope).get(TOKEN_PARAM)
        if token is not None:
            if not gate.token_ok(token):
                return await _answer(send, 403, "403 Forbidden: wrong token.\n")
            cookie = (f"{gate.cookie}={gate.token}; Path=/; HttpOnly; SameSite=Strict").encode()
            return await _answer(send, 303, "", ((b"location", _without_token(scope).encode()),
                                                 (b"set-cookie", cookie)))
        if not gate.cookie_ok(_header(scope, b"cookie")):
            return await _answer(send, 401, "401: 请打开 intake browse 启动时显示的网址（含 "
                                            f"{TOKEN_PARAM}）。Open the address intake browse "
                                            "printed when it started.\n")
        if is_csv_request(scope):
            return await app(scope, receive, _neutralising(send))
        return await app(scope, receive, send)

    return gatekeeper


def _neutralising(send: Send) -> Send:
    """A `send` that holds a CSV response back until its last byte, then sends it with every
    cell neutralised; an answer that is not CSV (an error page, a redirect) goes as it came."""
    start: Message = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            return await send(message)
        chunks.append(bytes(message.get("body", b"")))  # type: ignore[arg-type]
        if not message.get("more_body", False):
            await _send_neutral(send, start, b"".join(chunks))

    return capture


async def _send_neutral(send: Send, start: Message, body: bytes) -> None:
    headers = [(k, v) for k, v in start.get("headers", ())  # type: ignore[attr-defined]
               if k.lower() != b"content-length"]
    kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if kind.startswith(_CSV_TYPES):
        try:
            body = neutral_csv(body.decode("utf-8")).encode("utf-8")
        except (UnicodeDecodeError, csv.Error):
            # Fail closed: a CSV that cannot be checked is not handed to a spreadsheet.
            return await _answer(send, 500, "500: CSV 无法检查，未发送。\n")
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
