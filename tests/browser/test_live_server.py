"""The live server itself: a response is closed even when the browser drops the
connection under it, so that no open file is left for the garbage collector to warn
about in some later test."""

from __future__ import annotations

import socket
import struct
import threading

from tests.browser.live import serving


class _Body:
    """A response body that, once its bytes are out, lets the client reset the
    connection and waits until the reset has arrived: the moment at which werkzeug's own
    handler, draining the request from the socket, fails before it closes the body."""

    def __init__(self, client_may_reset: threading.Event, reset_done: threading.Event):
        self.client_may_reset = client_may_reset
        self.reset_done = reset_done
        self.closed = threading.Event()

    def __iter__(self):
        yield b"<svg/>"
        self.client_may_reset.set()
        self.reset_done.wait(5)

    def close(self):
        self.closed.set()


def test_a_response_is_closed_when_the_client_resets_the_connection():
    client_may_reset, reset_done = threading.Event(), threading.Event()
    body = _Body(client_may_reset, reset_done)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "image/svg+xml"), ("Content-Length", "6")])
        return body

    with serving(app) as server:
        client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        client.sendall(b"GET /static/img/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert client_may_reset.wait(5), "the server never sent the body"
        # Closing with unread data and no linger sends RST, as a closed browser context does.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        threading.Event().wait(0.2)  # let the reset reach the server's socket
        reset_done.set()
        assert body.closed.wait(5), "the response was never closed"
