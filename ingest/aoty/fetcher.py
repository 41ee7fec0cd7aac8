"""Fetching AOTY pages with a real browser: one Chromium, a small pool of pages, a per-host
politeness limit, retries with backoff, a circuit breaker, and the disk cache in front.

    async with PageFetcher(FetchPolicy.from_settings(settings), PageCache(dir), run_id="...") as f:
        results = await f.fetch_many([(url, "album"), ...])

Every attempt (and every cache hit) becomes a `FetchAttempt`, the row of raw_aoty.fetch_log.
The same URL is never requested twice in one fetcher's life: a second ask gets the first answer.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urlparse

from .cache import CachedPage, PageCache
from .parse import is_challenge

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Error classes that mean "the site is refusing us" (they feed the circuit breaker).
REFUSALS = {"http_429", "http_403", "http_5xx", "challenge", "timeout", "network"}
# Worth another attempt after a pause.
RETRYABLE = REFUSALS | {"truncated"}
_CHALLENGE_GONE_JS = "() => !/just a moment|attention required|checking your browser|please wait/i.test(document.title)"


@dataclass(frozen=True)
class FetchPolicy:
    max_concurrent: int = 3
    requests_per_second: float = 1.0  # per host; 0 turns politeness off
    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0  # a longer Retry-After means "come back later": give up on this page
    timeout_s: float = 30.0
    challenge_wait_s: float = 8.0  # how long a challenge page may take to clear itself in the browser
    breaker_threshold: int = 8  # consecutive refused attempts (any page) that open the circuit
    block_assets: bool = True  # images, fonts, media and stylesheets are never downloaded

    @classmethod
    def from_settings(cls, settings, **overrides: object) -> "FetchPolicy":
        base = cls(max_concurrent=max(1, settings.aoty_max_concurrent),
                   requests_per_second=max(0.0, settings.aoty_requests_per_second))
        return base if not overrides else cls(**{**base.__dict__, **overrides})  # type: ignore[arg-type]


@dataclass(frozen=True)
class FetchAttempt:
    """One row of raw_aoty.fetch_log."""

    url: str
    page_type: str
    status: int | None
    attempt: int  # 0 for a cache hit
    duration_ms: int
    cache_hit: bool
    error_class: str | None
    fetched_at: datetime
    run_id: str
    error_message: str | None = None  # the browser's or server's words, for diagnosing a class


@dataclass(frozen=True)
class FetchResult:
    url: str
    page_type: str
    status: int | None
    content: str | None
    from_cache: bool
    error_class: str | None  # None: content is the page
    attempts: int
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error_class is None and self.content is not None and self.status == 200


class _Throttle:
    """Per-host minimum spacing between request starts; a Retry-After pushes the whole host back."""

    def __init__(self, rps: float):
        self.interval = 1.0 / rps if rps > 0 else 0.0
        self.next_at: dict[str, float] = {}
        self.lock = asyncio.Lock()

    async def wait(self, host: str) -> None:
        # Spacing is counted from the moment a request is let go, not from a slot booked in
        # advance: booked slots bunch up when a busy event loop wakes sleepers late.
        while True:
            async with self.lock:
                now = time.monotonic()
                at = self.next_at.get(host, 0.0)
                if now >= at:
                    self.next_at[host] = now + self.interval
                    return
            await asyncio.sleep(at - now)

    async def pause(self, host: str, seconds: float) -> None:
        async with self.lock:
            self.next_at[host] = max(self.next_at.get(host, 0.0), time.monotonic() + seconds)


@dataclass
class _Breaker:
    threshold: int
    consecutive: int = 0
    open: bool = False
    reason: str = ""

    def record(self, error_class: str | None) -> None:
        if error_class is None:
            self.consecutive = 0
        elif error_class in REFUSALS:
            self.consecutive += 1
            if self.threshold > 0 and self.consecutive >= self.threshold and not self.open:
                self.open = True
                self.reason = f"{self.consecutive} refused attempts in a row (last: {error_class})"
                log.warning("AOTY circuit breaker open: %s; stopping the stage and keeping what was fetched", self.reason)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


def classify(status: int | None, content: str | None) -> str | None:
    """The error class of one response; None when it is a usable page."""
    if status is None:
        return "network"
    if content is not None and is_challenge(content):
        return "challenge"
    if status == 429:
        return "http_429"
    if status in (403, 401):
        return "http_403"
    if status in (404, 410):
        return "http_404"
    if status >= 500:
        return "http_5xx"
    if status != 200:
        return f"http_{status}"
    if content is None or "</html>" not in content[-4000:].lower():
        return "truncated"
    return None


@dataclass
class FetchStats:
    requests: int = 0  # network attempts
    cache_hits: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # final error class -> pages

    @property
    def cache_hit_rate(self) -> float:
        total = self.requests + self.cache_hits
        return self.cache_hits / total if total else 1.0


class PageFetcher:
    def __init__(self, policy: FetchPolicy, cache: PageCache, *, run_id: str = "",
                 on_attempt: Callable[[FetchAttempt], None] | None = None, seed: int | None = None):
        self.policy = policy
        self.cache = cache
        self.run_id = run_id
        self.on_attempt = on_attempt
        self.attempts: list[FetchAttempt] = []
        self.stats = FetchStats()
        self.breaker = _Breaker(policy.breaker_threshold)
        self._rng = random.Random(seed)
        self._throttle = _Throttle(policy.requests_per_second)
        self._seen: dict[str, asyncio.Task] = {}
        self._pages: asyncio.Queue | None = None
        self._start_lock = asyncio.Lock()
        self._pw = self._browser = self._context = None

    # --- lifecycle: one browser, a pool of pages, started on first network need ------------
    async def __aenter__(self) -> "PageFetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _ensure_browser(self) -> asyncio.Queue:
        if self._pages is not None:
            return self._pages
        async with self._start_lock:  # concurrent first fetches must share one browser
            if self._pages is None:
                self._pages = await self._start_browser()
        return self._pages

    async def _start_browser(self) -> asyncio.Queue:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        try:
            self._browser = await self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            await self._pw.stop()
            self._pw = None
            raise RuntimeError(f"cannot start Chromium at {CHROMIUM}: {exc}; install Debian's chromium package") from exc
        self._context = await self._browser.new_context(locale="en-US")
        if self.policy.block_assets:
            await self._context.route("**/*", _block_assets)
        pages: asyncio.Queue = asyncio.Queue()
        for _ in range(max(1, self.policy.max_concurrent)):
            page = await self._context.new_page()
            page.set_default_timeout(self.policy.timeout_s * 1000)
            pages.put_nowait(page)
        return pages

    async def close(self) -> None:
        for task in self._seen.values():
            if not task.done():
                task.cancel()
        try:
            if self._browser is not None:
                await self._browser.close()
        finally:
            if self._pw is not None:
                await self._pw.stop()
            self._browser = self._pw = self._context = self._pages = None

    # --- fetching ---------------------------------------------------------------------------
    async def fetch_many(self, requests: list[tuple[str, str]]) -> list[FetchResult]:
        return list(await asyncio.gather(*(self.fetch(url, kind) for url, kind in requests)))

    async def fetch(self, url: str, page_type: str = "") -> FetchResult:
        task = self._seen.get(url)
        if task is None:
            task = asyncio.ensure_future(self._fetch(url, page_type))
            self._seen[url] = task
        return await asyncio.shield(task)

    def _record(self, url: str, page_type: str, status: int | None, attempt: int, started: float,
                cache_hit: bool, error_class: str | None, message: str | None = None) -> None:
        row = FetchAttempt(url, page_type, status, attempt, int((time.monotonic() - started) * 1000), cache_hit,
                           error_class, datetime.now(timezone.utc), self.run_id, (message or None) if error_class else None)
        self.attempts.append(row)
        if self.on_attempt is not None:
            self.on_attempt(row)

    async def _fetch(self, url: str, page_type: str) -> FetchResult:
        started = time.monotonic()
        cached = self.cache.get(url)
        if cached is not None:
            self.stats.cache_hits += 1
            self._record(url, page_type, cached.status, 0, started, True, None)
            error = None if cached.status == 200 else classify(cached.status, None)
            return FetchResult(url, page_type, cached.status, cached.content, True, error, 0)
        host = urlparse(url).netloc
        last: tuple[int | None, str | None, str] = (None, "network", "")
        attempt = 0
        for attempt in range(1, self.policy.max_attempts + 1):
            if self.breaker.open:
                last = (last[0], "circuit_open", self.breaker.reason)
                break
            t0 = time.monotonic()
            status, content, error, retry_after, message = await self._attempt(url, host)
            if error == "circuit_open":  # opened while this fetch waited for a page: no request made
                last = (last[0], error, message)
                break
            self.stats.requests += 1
            self.breaker.record(error)
            self._record(url, page_type, status, attempt, t0, False, error, message)
            if error is None or error == "http_404":
                page = CachedPage(url, status or 0, content or "", time.time(), page_type)
                self.cache.put(page)  # 404s too: a re-run need not ask again within the TTL
                return FetchResult(url, page_type, status, content, False, error, attempt)
            last = (status, error, message)
            if error not in RETRYABLE or attempt == self.policy.max_attempts:
                break
            if retry_after is not None and retry_after > self.policy.retry_after_max_s:
                last = (status, error, f"Retry-After {retry_after:.0f}s exceeds {self.policy.retry_after_max_s:.0f}s")
                break
            delay = min(self.policy.backoff_max_s, self.policy.backoff_base_s * 2 ** (attempt - 1))
            delay *= 0.5 + self._rng.random()  # jitter: concurrent retries do not land together
            if retry_after is not None:
                delay = max(delay, retry_after)
                await self._throttle.pause(host, retry_after)
            await asyncio.sleep(delay)
        status, error, message = last
        self.stats.failures[error or "unknown"] = self.stats.failures.get(error or "unknown", 0) + 1
        return FetchResult(url, page_type, status, None, False, error, attempt, message)

    async def _attempt(self, url: str, host: str) -> tuple[int | None, str | None, str | None, float | None, str]:
        """(status, content, error class, Retry-After seconds, message) of one navigation."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        pages = await self._ensure_browser()
        page = await pages.get()
        # Politeness is spaced right before navigating: spacing taken earlier is lost while
        # the browser starts or a page is busy, and the requests then reach the host together.
        await self._throttle.wait(host)
        if self.breaker.open:
            pages.put_nowait(page)
            return None, None, "circuit_open", None, self.breaker.reason
        timeout = self.policy.timeout_s
        poisoned = False
        try:
            response = await page.goto(url, wait_until="commit", timeout=timeout * 1000)
            if response is None:
                return None, None, "network", None, "no response"
            status = response.status
            headers = await response.all_headers()
            content = await asyncio.wait_for(response.text(), timeout)
            error = classify(status, content)
            if error == "challenge" and self.policy.challenge_wait_s > 0:
                cleared = await self._wait_out_challenge(page)
                if cleared is not None:
                    status, content, error = 200, cleared, classify(200, cleared)
            return status, content, error, _retry_after(headers.get("retry-after")), ""
        except (PlaywrightTimeout, asyncio.TimeoutError):
            return None, None, "timeout", None, f"no answer within {timeout:g}s"
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0]
            if "Timeout" in message:
                return None, None, "timeout", None, message
            poisoned = True
            return None, None, "network", None, message
        finally:
            if poisoned:
                page = await self._replace_page(page)
            pages.put_nowait(page)

    async def _replace_page(self, page):
        """A page a navigation failed on may be stuck (a script reloading it, a crashed
        renderer): every later fetch on it would fail too, so swap it for a new one."""
        try:
            await page.close()
        except Exception:  # noqa: BLE001 - it is being thrown away
            pass
        try:
            fresh = await self._context.new_page()
        except Exception:  # noqa: BLE001 - the browser itself is gone: the breaker will open
            return page
        fresh.set_default_timeout(self.policy.timeout_s * 1000)
        return fresh


    async def _wait_out_challenge(self, page) -> str | None:
        """A real challenge clears itself in a real browser (script, cookie, reload): poll the
        page until its title is no longer the interstitial's; its content then, or None."""
        from playwright.async_api import Error as PlaywrightError

        deadline = time.monotonic() + self.policy.challenge_wait_s
        while time.monotonic() < deadline:
            await asyncio.sleep(0.25)
            try:  # the page navigates meanwhile: evaluation may fail, then try again
                if await page.evaluate(_CHALLENGE_GONE_JS):
                    await page.wait_for_load_state("domcontentloaded")
                    content = await page.content()
                    if not is_challenge(content):
                        return content
            except PlaywrightError:
                continue
        return None


async def _block_assets(route) -> None:
    if route.request.resource_type in ("image", "media", "font", "stylesheet"):
        await route.abort()
    else:
        await route.continue_()
