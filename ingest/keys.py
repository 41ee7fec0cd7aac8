"""Keys shared by the loaders, the matcher and dbt. dbt recomputes none of them:
they are stored with the rows, so every engine sees the same value."""
from __future__ import annotations

import hashlib

_SEP = "\x1f"  # unit separator: cannot occur in names typed by people


def track_key(artist: str | None, album: str | None, track: str | None) -> str:
    """Identity of a distinct Last.fm (artist, album, track) as scrobbled, byte for byte."""
    raw = _SEP.join((artist or "", album or "", track or ""))
    return hashlib.md5(raw.encode("utf-8")).hexdigest()


def scrobble_id(user: str, uts: int, artist: str | None, track: str | None) -> str:
    """Scrobble identity: timestamps repeat per user (imports), so artist and track join the key."""
    raw = _SEP.join((user, str(int(uts)), artist or "", track or ""))
    return hashlib.md5(raw.encode("utf-8")).hexdigest()
