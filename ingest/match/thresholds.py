"""Matcher thresholds and weights: configuration, calibrated on the world's labels
(scripts/evaluate_matcher.py), stored in thresholds.json next to this module."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("thresholds.json")


@dataclass(frozen=True)
class Thresholds:
    # Weights of the component scores in the combined score (renormalized when the album is absent).
    w_artist: float = 0.2
    w_album: float = 0.15
    w_track: float = 0.65
    # track_match: combined score and track score needed per confidence level.
    track_high: float = 0.93
    track_medium: float = 0.85
    track_low: float = 0.75
    track_min_title: float = 0.80  # below this title similarity no track match at any level
    track_high_title: float = 0.92
    # album_match / artist_match
    album_min: float = 0.85  # album title similarity to call the album found
    artist_min: float = 0.80  # fuzzy artist fallback cutoff (exact keys score 1.0)
    artist_high: float = 0.97  # artist similarity needed for a high-confidence track match
    # truncated names: a prefix of at least this many characters counts as the whole name
    prefix_min_chars: int = 20
    version_penalty: float = 0.15  # live vs studio: ranks the same-version candidate first

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Thresholds":
        p = Path(path) if path else DEFAULT_PATH
        if not p.exists():
            return cls()
        try:
            data = json.loads(p.read_text())
        except (OSError, ValueError) as e:
            raise ValueError(f"matcher thresholds file {p} is not valid JSON ({e}); fix or delete it") from None
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known - {"_comment"}
        if unknown:
            raise ValueError(f"matcher thresholds file {p} has unknown keys {sorted(unknown)}; known: {sorted(known)}")
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: str | Path | None = None) -> Path:
        p = Path(path) if path else DEFAULT_PATH
        p.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return p
