"""Serving an ASGI application on a socket we opened: `intake browse` and `intake console`;
the only importer of uvicorn."""
from __future__ import annotations

import os
import socket

import click
import uvicorn


def listen(host: str, port: int, hint: str) -> socket.socket:
    """A listening socket (port 0: any free one); a refusal says why and `hint`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason} ({hint})") from None


def serve(app, server: socket.socket) -> None:
    """Until interrupted. proxy_headers off: no X-Forwarded-* header from a page may say who
    the client is."""
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                  proxy_headers=False)).run(sockets=[server])
