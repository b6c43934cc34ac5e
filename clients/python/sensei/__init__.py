"""A Python client for the Sensei REST API v1, standard library only (Python 3.9+).

    from sensei import Sensei

    client = Sensei(api_key="sk_...", base_url="http://localhost:8080")
    migration = client.migrations.create(
        source={"type": "postgresql", "connection_string": "..."},
        target={"type": "postgresql", "connection_string": "..."},
        strategy="balanced",
    )
    migration.start()
    status = migration.wait_for("completed")

Errors the API answers are SenseiApiError (its error body: code, message, details, HTTP status).
verify_webhook_signature() checks the Sensei-Signature header of a webhook delivery.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Iterable, Optional, Union

__all__ = ["Sensei", "Migration", "SenseiApiError", "SenseiTimeoutError", "WebhookSignatureError", "verify_webhook_signature", "sign_webhook_payload"]

TERMINAL = ("completed", "failed", "cancelled")


class SenseiApiError(Exception):
    """The API answered with an error body: {"error": {"code", "message", "details", "request_id"}}."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, request_id: Optional[str] = None):
        super().__init__(f"{code} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id


class SenseiTimeoutError(Exception):
    """wait_for gave up, or the migration ended in another state; .status holds the last status seen."""

    def __init__(self, message: str, status: Optional[dict] = None):
        super().__init__(message)
        self.status = status


class WebhookSignatureError(Exception):
    pass


class _Transport:
    def __init__(self, api_key: str, base_url: str, timeout: float):
        if not api_key:
            raise ValueError("api_key is required")
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Any]] = None, idempotency_key: Optional[str] = None) -> Any:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["X-Idempotency-Key"] = idempotency_key
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                text = res.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            try:
                e = json.loads(text).get("error", {})
            except ValueError:
                e = {}
            raise SenseiApiError(err.code, e.get("code", "http_error"), e.get("message", text[:200]), e.get("details"), e.get("request_id")) from None


class Migration:
    """One migration: its last known resource in .data, and the actions on it."""

    def __init__(self, migrations: "Migrations", data: dict):
        self._migrations = migrations
        self.data = data
        self.id = data["id"]

    def __repr__(self) -> str:
        return f"Migration({self.id!r}, status={self.data.get('status')!r})"

    def start(self) -> dict:
        return self._migrations.start(self.id)

    def pause(self) -> dict:
        return self._migrations.pause(self.id)

    def resume(self) -> dict:
        return self._migrations.resume(self.id)

    def cancel(self) -> dict:
        return self._migrations.cancel(self.id)

    def approve(self, comment: Optional[str] = None) -> dict:
        return self._migrations.approve(self.id, comment)

    def reject(self, comment: Optional[str] = None) -> dict:
        return self._migrations.reject(self.id, comment)

    def status(self) -> dict:
        return self._migrations.status(self.id)

    def wait_for(self, until: Union[str, Iterable[str], Callable[[dict], bool]] = "completed", timeout: float = 600, interval: float = 0.5) -> dict:
        return self._migrations.wait_for(self.id, until, timeout, interval)


class Migrations:
    def __init__(self, t: _Transport):
        self._t = t

    def create(self, source: dict, target: dict, strategy: str = "balanced", name: Optional[str] = None, options: Optional[dict] = None, idempotency_key: Optional[str] = None) -> Migration:
        body: Dict[str, Any] = {"name": name or f"{source.get('type')} to {target.get('type')}", "source": source, "target": target, "strategy": strategy}
        if options is not None:
            body["options"] = options
        return Migration(self, self._t.request("POST", "/v1/migrations", body, idempotency_key=idempotency_key))

    def get(self, migration_id: str) -> Migration:
        return Migration(self, self._t.request("GET", f"/v1/migrations/{_seg(migration_id)}"))

    def list(self, status: Optional[str] = None, limit: int = 20, offset: int = 0) -> dict:
        return self._t.request("GET", "/v1/migrations", query={"status": status, "limit": limit, "offset": offset})

    def status(self, migration_id: str) -> dict:
        return self._t.request("GET", f"/v1/migrations/{_seg(migration_id)}/status")

    def start(self, migration_id: str) -> dict:
        return self._t.request("POST", f"/v1/migrations/{_seg(migration_id)}/start")

    def pause(self, migration_id: str) -> dict:
        return self._t.request("POST", f"/v1/migrations/{_seg(migration_id)}/pause")

    def resume(self, migration_id: str) -> dict:
        return self._t.request("POST", f"/v1/migrations/{_seg(migration_id)}/resume")

    def cancel(self, migration_id: str) -> dict:
        return self._t.request("DELETE", f"/v1/migrations/{_seg(migration_id)}")

    def approve(self, migration_id: str, comment: Optional[str] = None) -> dict:
        return self._t.request("POST", f"/v1/migrations/{_seg(migration_id)}/approve", {"comment": comment} if comment else {})

    def reject(self, migration_id: str, comment: Optional[str] = None) -> dict:
        return self._t.request("POST", f"/v1/migrations/{_seg(migration_id)}/reject", {"comment": comment} if comment else {})

    def wait_for(self, migration_id: str, until: Union[str, Iterable[str], Callable[[dict], bool]] = "completed", timeout: float = 600, interval: float = 0.5) -> dict:
        """Polls the status until `until` holds (a status, several, or a predicate); a 503 (no worker yet) is waited out."""
        if callable(until):
            done = until
        else:
            wanted = (until,) if isinstance(until, str) else tuple(until)
            done = lambda s: s.get("status") in wanted  # noqa: E731
        deadline = time.monotonic() + timeout
        last: Optional[dict] = None
        while True:
            try:
                last = self.status(migration_id)
                if done(last):
                    return last
                if last.get("status") in TERMINAL:
                    failure = last.get("failure") or {}
                    raise SenseiTimeoutError(f"migration {migration_id} ended {last['status']} {failure.get('code', '')}".strip(), last)
            except SenseiApiError as err:
                if err.status != 503:
                    raise
            if time.monotonic() > deadline:
                raise SenseiTimeoutError(f"migration {migration_id} did not reach the awaited state in {timeout} s", last)
            time.sleep(interval)


class Sensei:
    """The client: Sensei(api_key=..., base_url=...). Defaults: SENSEI_API_KEY, SENSEI_API_URL, http://localhost:8080."""

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, timeout: float = 30):
        self._t = _Transport(api_key or os.environ.get("SENSEI_API_KEY", ""), base_url or os.environ.get("SENSEI_API_URL", "http://localhost:8080"), timeout)
        self.migrations = Migrations(self._t)


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def sign_webhook_payload(payload: Union[str, bytes], secret: str, timestamp: Optional[int] = None) -> str:
    """The Sensei-Signature header value Sensei sends: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">."""
    t = int(time.time()) if timestamp is None else timestamp
    body = payload.encode("utf-8") if isinstance(payload, str) else payload
    mac = hmac.new(secret.encode("utf-8"), str(t).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_webhook_signature(payload: Union[str, bytes], header: str, secret: str, tolerance_seconds: int = 300, now: Optional[int] = None) -> int:
    """Checks a delivery against its header (raw body as received); returns its timestamp or raises WebhookSignatureError."""
    parts: Dict[str, list] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        t = int(parts["t"][0])
    except (KeyError, ValueError, IndexError):
        raise WebhookSignatureError("the signature header has no timestamp") from None
    current = int(time.time()) if now is None else now
    if abs(current - t) > tolerance_seconds:
        raise WebhookSignatureError("the signature's timestamp is outside the tolerance (a replay, or a clock off)")
    expected = sign_webhook_payload(payload, secret, t).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise WebhookSignatureError("no v1 signature matches this payload and secret")
    return t
