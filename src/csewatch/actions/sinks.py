"""Action sinks: where enforcement actions go. ``JsonlSink`` appends to a file; ``WebhookSink``
POSTs JSON signed with HMAC-SHA256 (``X-Csewatch-Signature: sha256=<hex>``) and an
``Idempotency-Key`` header, retrying connection errors and 5xx answers with exponential backoff."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

import msgspec

from csewatch.model import Action


class DeliveryError(RuntimeError):
    """A sink refused an action or stayed unreachable after its retries."""


class ActionSink(Protocol):
    name: str

    def deliver(self, action: Action) -> int:
        """Deliver one action; returns the attempts it took; raises DeliveryError."""
        ...


class JsonlSink:
    """Appends each action to a JSONL file, once per idempotency key (an action whose key the file already
    holds, from this run or an earlier one, is not written again)."""

    name = "jsonl"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._keys: set[str] | None = None

    def _known_keys(self) -> set[str]:
        if self._keys is None:
            self._keys = set()
            if self.path.is_file():
                with open(self.path, "rb") as fh:
                    for line in fh:
                        try:
                            key = msgspec.json.decode(line).get("key")
                        except (msgspec.DecodeError, AttributeError):
                            continue
                        if key:
                            self._keys.add(key)
        return self._keys

    def deliver(self, action: Action) -> int:
        keys = self._known_keys()
        if action.key and action.key in keys:
            return 1  # delivered before: the same key has the effect of once
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as fh:
            fh.write(msgspec.json.encode(action) + b"\n")
        if action.key:
            keys.add(action.key)
        return 1


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookSink:
    name = "webhook"

    def __init__(self, url: str, secret: str | bytes, retries: int = 4, backoff_s: float = 0.5, timeout_s: float = 10):
        self.url = url
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.retries = retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s

    def deliver(self, action: Action) -> int:
        body = msgspec.json.encode(action)
        headers = {
            "Content-Type": "application/json",
            "X-Csewatch-Signature": sign(self.secret, body),
            "Idempotency-Key": action.key,
        }
        last = ""
        for attempt in range(1, self.retries + 2):
            req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 - operator's URL
                    if 200 <= resp.status < 300:
                        return attempt
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                if 400 <= exc.code < 500 and exc.code != 429:
                    raise DeliveryError(f"{self.url} refused the action: HTTP {exc.code}") from None
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = str(exc)
            if attempt <= self.retries:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
        raise DeliveryError(f"{self.url} unreachable after {self.retries + 1} attempts: {last}")
