"""albumoftheyear.org: pure parsers, the Playwright fetcher with its disk cache, discovery, and
the dlt load into raw_aoty. The pipeline calls `scrape_aoty(settings, progress=...)`."""
from __future__ import annotations

from .scrape import AotyScrapeSummary, scrape_aoty

__all__ = ["AotyScrapeSummary", "scrape_aoty"]
