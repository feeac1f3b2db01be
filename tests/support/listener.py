"""A loopback HTTP server that records every request: what a converter would fetch if it could."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Listener:
    port: int
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@contextmanager
def listening() -> Iterator[Listener]:
    """A server on a free loopback port for the block; `requests` lists the paths asked for."""
    listener = Listener(0)

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            listener.requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"td { color: red }")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    listener.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()


def html_form_linking(listener: Listener, unit: str) -> bytes:
    """An HTML page saved as "申报表.doc" (as WPS and web forms produce them) with a remote
    stylesheet, image and frame: a converter that follows links fetches them."""
    return f'''<html><head><meta charset="utf-8">
<link rel="stylesheet" href="{listener.url('style.css')}"></head><body>
<img src="{listener.url('logo.png')}"><iframe src="{listener.url('frame.html')}"></iframe>
<table border="1"><tr><td>单位名称</td><td>{unit}</td></tr></table></body></html>'''.encode()
