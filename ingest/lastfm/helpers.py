"""The Last.fm HTTP client: a requests/s cap, retries with backoff and jitter on transient
failures, typed fatal errors, and an API key that never leaves this module in clear text.

The key travels in the query string (Last.fm reads it nowhere else), so it is scrubbed from
everything that can show a URL: our exceptions, requests' exceptions, and urllib3's debug log.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter
from typing import Any

import requests

from . import settings as S

log = logging.getLogger(__name__)
REDACTED = "***"


# --- errors ---------------------------------------------------------------------------------
class LastfmError(Exception):
    """Base of every error the Last.fm source raises."""


class LastfmFatalError(LastfmError):
    """Retrying cannot help; nothing is written for the user (or for anyone, for key errors)."""

    code: int | None = None


class InvalidUsernameError(LastfmFatalError, ValueError):
    def __init__(self, user: str):
        super().__init__(
            f"invalid Last.fm username {user!r}: a username is 2-15 characters, starting with a letter, "
            "then letters, digits, '_', '-' or '.'; pass it as --user name[,name2]"
        )
        self.user = user


class UserNotFoundError(LastfmFatalError):
    code = 6

    def __init__(self, user: str, detail: str):
        super().__init__(f"Last.fm user {user!r} not found (error 6: {detail}); check the spelling of the username")
        self.user = user


class PrivateUserError(LastfmFatalError):
    code = 17

    def __init__(self, user: str):
        super().__init__(
            f"Last.fm user {user!r} keeps their listening history private (error 17); they can make it public "
            "at last.fm/settings/privacy, or load an export file with `python -m ingest.lastfm.importer`"
        )
        self.user = user


class InvalidApiKeyError(LastfmFatalError):
    code = 10

    def __init__(self) -> None:
        super().__init__(
            "Last.fm rejected the API key (error 10: invalid API key); set LASTFM_API_KEY to a valid key "
            "from https://www.last.fm/api/account/create"
        )


class SuspendedApiKeyError(LastfmFatalError):
    code = 26

    def __init__(self) -> None:
        super().__init__(
            "Last.fm has suspended the API key (error 26: suspended API key); contact Last.fm or set "
            "LASTFM_API_KEY to another key, and keep LASTFM_RPS at 5 or below"
        )


class LastfmApiError(LastfmError):
    """An API error that is neither transient nor about the user or key (e.g. 6 for an unknown track)."""

    def __init__(self, code: int, message: str, method: str):
        super().__init__(f"Last.fm {method} failed with error {code}: {message}")
        self.code = code
        self.api_message = message
        self.method = method


class LastfmUnavailableError(LastfmError):
    """Transient failures that outlasted every retry."""


class _Transient(Exception):
    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.code = code


# --- keeping the key out of logs ------------------------------------------------------------
class _RedactFilter(logging.Filter):
    """Rewrites log records that would show a secret (urllib3 logs request URLs at DEBUG)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            clean = scrub(text, self.secrets)
            if clean != text:
                record.msg, record.args = clean, None
        return True


_REDACT = _RedactFilter()
for _name in ("urllib3.connectionpool", "urllib3", "requests", __name__):
    logging.getLogger(_name).addFilter(_REDACT)


def scrub(text: str, secrets: set[str] | str) -> str:
    for secret in [secrets] if isinstance(secrets, str) else secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


# --- the client -------------------------------------------------------------------------------
class RateLimiter:
    """At most `per_second` calls per second across threads (0 = no cap)."""

    def __init__(self, per_second: float):
        self.interval = 1.0 / per_second if per_second and per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next)
            self._next = at + self.interval
        if at > now:
            time.sleep(at - now)


class LastfmClient:
    """`call(method, **params) -> dict`, with retries, a rate cap and typed errors."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        requests_per_second: float = 5.0,
        *,
        max_retries: int = S.MAX_RETRIES,
        backoff_base: float = S.BACKOFF_BASE_S,
        backoff_cap: float = S.BACKOFF_CAP_S,
        rate_limit_backoff: float = S.RATE_LIMIT_BACKOFF_S,
        timeout: float = S.REQUEST_TIMEOUT_S,
        seed: int | None = None,
    ):
        self._key = api_key
        _REDACT.secrets.add(api_key)
        self.base_url = base_url
        self.limiter = RateLimiter(requests_per_second)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_limit_backoff = rate_limit_backoff
        self.timeout = timeout
        self._rng = random.Random(seed)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "music-warehouse/0.1 (+local)"
        # Read proxy settings once, not on every request (requests re-scans os.environ per call).
        self._session.proxies.update(requests.utils.get_environ_proxies(base_url))
        self._session.trust_env = False
        self.requests_made = 0  # HTTP requests sent, retries included
        self.requests_by_method: Counter[str] = Counter()
        self.retries = 0

    def __repr__(self) -> str:  # the key stays out of reprs (dlt traces, tracebacks with locals)
        return f"LastfmClient(base_url={self.base_url!r}, api_key={REDACTED!r})"

    def close(self) -> None:
        self._session.close()

    def _backoff(self, attempt: int, code: int | None) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2**attempt)
        delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)  # "equal jitter"
        if code == S.RATE_LIMIT_CODE:
            delay = max(delay, self.rate_limit_backoff * self._rng.uniform(1.0, 1.5))
        return delay

    def call(self, method: str, *, user: str | None = None, **params: Any) -> dict[str, Any]:
        """One API call. `user` names the Last.fm user the call is about, so that errors 6 and 17
        become UserNotFoundError / PrivateUserError naming them."""
        query = {k: v for k, v in params.items() if v is not None}
        if user is not None:
            query["user"] = user
        query.update(method=method, format="json")
        last: _Transient | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = self._backoff(attempt - 1, last.code if last else None)
                self.retries += 1
                log.info("Last.fm %s: %s; retry %d/%d in %.2fs", method, last, attempt, self.max_retries, delay)
                time.sleep(delay)
            try:
                return self._once(method, query, user)
            except _Transient as e:
                last = e
        raise LastfmUnavailableError(
            f"Last.fm {method} still failing after {self.max_retries} retries ({last}); "
            "the service may be down, try again later or lower LASTFM_RPS"
        )

    def _once(self, method: str, query: dict[str, Any], user: str | None) -> dict[str, Any]:
        self.limiter.wait()
        self.requests_made += 1
        self.requests_by_method[method] += 1
        try:
            resp = self._session.get(self.base_url, params={**query, "api_key": self._key}, timeout=self.timeout)
        except requests.Timeout:
            raise _Transient(f"timed out after {self.timeout:g}s") from None
        except requests.RequestException as e:
            # requests' messages carry the full URL, key included
            raise _Transient(scrub(f"{type(e).__name__}: {e}", self._key)) from None
        try:
            body = json.loads(resp.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if isinstance(body, dict) and "error" in body:
            self._raise_api_error(method, body, user, resp.status_code)
        if resp.status_code >= 500 or resp.status_code == 429:
            raise _Transient(f"HTTP {resp.status_code}")
        if not isinstance(body, dict):
            raise _Transient(f"malformed JSON (HTTP {resp.status_code})")
        if resp.status_code >= 400:
            raise LastfmApiError(resp.status_code, f"HTTP {resp.status_code}", method)
        return body

    def _raise_api_error(self, method: str, body: dict[str, Any], user: str | None, status: int) -> None:
        try:
            code = int(body["error"])
        except (TypeError, ValueError):
            raise _Transient(f"unreadable error body (HTTP {status})") from None
        message = scrub(str(body.get("message", "")), self._key)
        if code in S.TRANSIENT_CODES:
            raise _Transient(f"error {code}: {message}", code)
        if code == 10:
            raise InvalidApiKeyError()
        if code == 26:
            raise SuspendedApiKeyError()
        if user is not None and code == 6:
            raise UserNotFoundError(user, message)
        if user is not None and code == 17:
            raise PrivateUserError(user)
        raise LastfmApiError(code, message, method)


def as_list(value: Any) -> list[dict[str, Any]]:
    """Last.fm answers a single result as an object and none as a missing key."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return list(value)


def validate_usernames(users: list[str]) -> list[str]:
    """Stripped, de-duplicated usernames; InvalidUsernameError before any request is made."""
    out: list[str] = []
    for raw in users:
        user = raw.strip()
        if not S.USERNAME_RE.match(user):
            raise InvalidUsernameError(user)
        if user.lower() not in {u.lower() for u in out}:
            out.append(user)
    if not out:
        raise InvalidUsernameError("")
    return out
