"""The persistent page cache: one JSON file per URL (content, URL, status, fetched time).

Writes go to a temporary file in the same directory and are renamed into place with
os.replace, so a crash (or SIGKILL) never leaves a half-written entry: a reader sees the
old entry or the new one. Entries older than the TTL are stale (refetched, then replaced).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedPage:
    url: str
    status: int
    content: str
    fetched_at: float  # unix seconds
    page_type: str = ""

    def age_days(self, now: float | None = None) -> float:
        return ((now or time.time()) - self.fetched_at) / 86400


class PageCache:
    def __init__(self, directory: Path | str, ttl_days: float = 30.0):
        self.directory = Path(directory)
        self.ttl_days = ttl_days
        self._sweep()

    def _sweep(self, older_than_s: float = 600) -> None:
        """Temporary files of a writer that was killed before its rename: never entries, just litter."""
        if not self.directory.exists():
            return
        cutoff = time.time() - older_than_s
        for tmp in self.directory.glob("*/.tmp-*"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:
                pass

    def path_for(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, url: str, *, allow_stale: bool = False) -> CachedPage | None:
        """The fresh entry for url (or a stale one when allow_stale), None when there is none.
        An unreadable entry (a file from an older format, a disk error) counts as a miss."""
        path = self.path_for(url)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            page = CachedPage(url=data["url"], status=int(data["status"]), content=data["content"],
                              fetched_at=float(data["fetched_at"]), page_type=data.get("page_type", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if page.url != url:  # a hash collision would be astronomically rare; never serve another URL
            return None
        if not allow_stale and self.ttl_days >= 0 and page.age_days() > self.ttl_days:
            return None
        return page

    def put(self, page: CachedPage) -> Path:
        path = self.path_for(page.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"url": page.url, "status": page.status, "fetched_at": page.fetched_at,
                              "page_type": page.page_type, "content": page.content}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob("*/*.json")) if self.directory.exists() else 0
