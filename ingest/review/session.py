"""A review session: the sampled items and turning a reviewer's keystroke into a
stored verdict. Shared by the web page and the terminal loop."""
from __future__ import annotations

import getpass
import os
import threading
from dataclasses import dataclass, field

from ingest.config import Settings, connect

from .items import build_items
from .sample import draw_sample, load_matches
from .store import ReviewError, ReviewStore, Verdict, now

KEYSTROKES = {"a": "accept", "r": "reject", "n": "not_on_aoty", "1": "pick", "2": "pick", "3": "pick"}


def default_reviewer() -> str:
    return os.environ.get("REVIEWER") or getpass.getuser() or "unknown"


@dataclass
class ReviewSession:
    settings: Settings
    items: list[dict]
    reviewer: str
    _by_key: dict[str, dict] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {it["key"]: it for it in self.items}

    @classmethod
    def load(cls, settings: Settings, *, size: int = 50, include_reviewed: bool = False, seed: int = 0,
             reviewer: str | None = None, matcher_version: str | None = None,
             include_unmatched: bool = False) -> "ReviewSession":
        """Draw the sample and read everything the page shows, then let the warehouse go
        (a DuckDB file stays free for the pipeline while someone reviews)."""
        conn = connect(settings)
        try:
            store = ReviewStore(settings, conn)
            verdicts = {v.track_key: v for v in store.all()}
            rows = load_matches(conn, matcher_version, matched_only=not include_unmatched)
            picked = draw_sample(rows, size, reviewed=set(verdicts), include_reviewed=include_reviewed, seed=seed)
            items = build_items(conn, picked, settings.aoty_base_url, verdicts)
        finally:
            conn.close()
        return cls(settings=settings, items=items, reviewer=reviewer or default_reviewer())

    def verdict_for(self, key: str, verdict: str, pick: int | None = None) -> Verdict:
        """The Verdict a keystroke means for a sampled key; ReviewError when it means nothing."""
        item = self._by_key.get(key)
        if item is None:
            raise ReviewError(f"track_key {key!r} is not in this review sample; reload the page")
        m = item["match"]
        chosen_album, chosen_track = None, None
        if verdict == "accept":
            chosen_album, chosen_track = m["album_id"], m["track_id"]
        elif verdict == "pick":
            cands = item["candidates"]
            if pick is None or not 1 <= pick <= len(cands):
                raise ReviewError(f"candidate {pick} does not exist for this key (it has {len(cands)})")
            chosen_album, chosen_track = cands[pick - 1]["album_id"], cands[pick - 1]["track_id"]
        return Verdict(
            track_key=key, verdict=verdict, chosen_album_id=chosen_album, chosen_track_id=chosen_track,
            reviewer=self.reviewer, reviewed_at=now(), matcher_version_seen=m["matcher_version"],
            seen_album_id=m["album_id"], seen_track_id=m["track_id"], seen_score=m["score"],
            seen_confidence=m["confidence"],
        )

    def record(self, verdicts: list[Verdict]) -> int:
        """Store a batch in one transaction; a short connection each time keeps the
        warehouse file free between batches."""
        with self._lock, ReviewStore(self.settings) as store:
            n = store.save(verdicts)
        for v in verdicts:
            self._by_key[v.track_key]["verdict"] = {"verdict": v.verdict, "reviewer": v.reviewer,
                                                    "reviewed_at": v.reviewed_at.isoformat()}
        return n
