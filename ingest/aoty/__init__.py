"""albumoftheyear.org: pure parsers, the Playwright fetcher with its disk cache, discovery, and
the dlt load into raw_aoty. The pipeline calls `scrape_aoty(settings, progress=...)`."""
from __future__ import annotations

from typing import Any

__all__ = ["AotyScrapeSummary", "scrape_aoty"]


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m ingest.aoty.parse` does not import the fetcher and dlt first.
    if name in __all__:
        from . import scrape

        return getattr(scrape, name)
    raise AttributeError(name)
