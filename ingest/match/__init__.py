"""Matching Last.fm tracks to AOTY albums and tracks.

Public API (what other packages call):

    from ingest.match.normalize import normalize_name, artist_key, parse_artist, parse_album, parse_track, is_placeholder
    from ingest.match.catalog import Catalog            # .from_rows(rows), .from_world(world), .from_warehouse(settings)
    from ingest.match.matcher import Matcher, LastfmTrackRef, MatchResult, MATCHER_VERSION
    Matcher(catalog, thresholds=None).match(refs, progress=None, processes=1) -> list[MatchResult]
    from ingest.match.table import write_matches        # write_matches(settings, *, progress=None) -> MatchSummary
    from ingest.match.thresholds import Thresholds      # Thresholds.load(path=None), .save(path=None)

Command line: `python -m ingest.match --scrobbles S.csv --catalog C.csv --out O.csv` (file interface),
`python -m ingest.match warehouse` (raw tables -> raw_matching), `python -m ingest.match calibrate`.
"""
