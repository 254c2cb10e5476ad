"""Text messages through 46elks' HTTP API (https://46elks.com/docs/send-sms).

    POST {SMS_API_URL}/a1/sms, HTTP Basic auth (API username and password),
    form fields from, to (E.164) and message; 200 with JSON {"status": "created", "id": …}.

The outbox (core/outbox.py) queues, retries and backs off; this module only hands one
message to the gateway. Nothing here logs a phone number or a message: an error carries
the HTTP status or the exception's class name, no more (the gateway's error text may
repeat the number it refused).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app

# The answer is a small JSON object; more than this is not read.
MAX_ANSWER_BYTES = 64 * 1024


class GatewayError(Exception):
    """The gateway answered with an error status; `reason` is "HTTP <status>"."""

    def __init__(self, status: int):
        self.status = status
        self.reason = f"HTTP {status}"
        super().__init__(self.reason)


class NotConfigured(Exception):
    """No SMS_API_URL: there is no gateway to send to."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would send the credentials (and the message) to
    wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def configured() -> bool:
    return bool(current_app.config.get("SMS_API_URL"))


def send(to: str, message: str) -> str:
    """Hand one message to the gateway; the gateway's id of it. GatewayError when the
    gateway answers with an error status; OSError (URLError, TimeoutError) when it cannot
    be reached, which the outbox takes to mean that the rest of the batch would fail too;
    NotConfigured without SMS_API_URL."""
    config = current_app.config
    if not config.get("SMS_API_URL"):
        raise NotConfigured
    credentials = f"{config['SMS_USERNAME']}:{config['SMS_PASSWORD']}".encode()
    # The URL comes from the settings (http or https, checked at start), never from a user.
    request = urllib.request.Request(  # noqa: S310
        config["SMS_API_URL"].rstrip("/") + "/a1/sms",
        data=urllib.parse.urlencode({"from": config["SMS_SENDER"], "to": to,
                                     "message": message}).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                 "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/json"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=config["SMS_TIMEOUT"]) as answer:  # noqa: S310
            raw = answer.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise GatewayError(exc.code) from None
    # A 2xx answer means the gateway has the message: it is not sent again (a retry could
    # text the person twice), even when the answer cannot be read.
    try:
        return str(json.loads(raw).get("id", ""))[:64]
    except (ValueError, AttributeError):
        return ""
