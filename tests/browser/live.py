"""The live server of the browser tests: werkzeug's threaded development server, with a
request handler that always closes the response.

werkzeug's handler (serving.WSGIRequestHandler.run_wsgi, 3.1) closes the response
iterable only after it has drained what is left of the request from the socket. When
the browser resets the connection while a response is under way (Chromium does so when
a test closes its context with the favicon still in flight), that drain raises
ConnectionResetError, the close is skipped, and the file send_file opened for a static
file is left for the garbage collector. Its ResourceWarning then surfaces in whatever
test is running, as a PytestUnraisableExceptionWarning, which filterwarnings=error
turns into a failure. A WSGI server must call close() whatever happens (PEP 3333); this
handler makes sure of it."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

RESPONSE_KEY = "tests.live.response"


class _ClosesOnce:
    """The application's response iterable, closed at most once however often it is
    asked to: werkzeug closes it on the way out, and so does the handler below."""

    def __init__(self, iterable: Iterable[bytes]):
        self._iterable = iterable
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._iterable)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        close = getattr(self._iterable, "close", None)
        if close is not None:
            close()


def _remembering_responses(app):
    """Wrap a WSGI app so that its response is kept in the request's environ, where the
    handler finds it after the request, whatever became of the connection."""

    def wsgi(environ, start_response):
        response = _ClosesOnce(app(environ, start_response))
        environ[RESPONSE_KEY] = response
        return response

    return wsgi


class ClosingRequestHandler(WSGIRequestHandler):
    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            environ = getattr(self, "environ", None) or {}
            response = environ.pop(RESPONSE_KEY, None)
            if response is not None:
                response.close()


@contextmanager
def serving(app, host: str = "127.0.0.1") -> Iterator[BaseWSGIServer]:
    """Serve `app` on a port the system chooses (no gap between finding a free port and
    binding it, for another process to take it in) until the block ends."""
    server = make_server(host, 0, _remembering_responses(app), threaded=True,
                         request_handler=ClosingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
