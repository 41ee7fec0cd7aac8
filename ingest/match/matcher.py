"""Match distinct Last.fm (artist, album, track) triples to AOTY albums and tracks.

How one triple is matched:
1. *Probes*: the triple is read in every plausible way — the artist as written, without
   featured names, each name of a collaboration; and, when the title holds a free-standing
   dash, "Artist - Title" with the artist taken from the title. Each probe has one artist key
   and one title form (the parsed title, and without an unrecognized trailing part such as
   "(Album)").
2. *Blocking*: a probe's candidates are the tracks of the albums credited to its artist key;
   artist keys not in the catalog fall back to the nearest catalog artists (fuzzy, cutoff).
3. *Scoring*: every probe is paired with every track and album of its artist block; the pairs of
   many blocks are scored at once (`rapidfuzz.process.cpdist` on flat pair arrays, then numpy
   per-probe segments), and the component scores combine into one weighted score. A version mismatch (live vs studio) is penalized and never becomes a
   track match. Ties prefer the edition the scrobble names, else the original album.
4. *Decision*: thresholds (thresholds.json) turn the best candidate into track/album/artist/no
   match with a confidence and a reason.

Most scrobbles name artist and title exactly as the catalog does once normalized; those are
settled by a dict lookup (the exact path) and skip steps 1-3 unless their named album disagrees.
"""
from __future__ import annotations

import gc
import multiprocessing
from collections import defaultdict
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import chain, repeat
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from .catalog import Catalog, edition_code, gc_paused, version_code
from .normalize import (UNCERTAIN_VERSION, artist_key, artist_variants, is_placeholder, normalize_name,
                        parse_album, parse_artist, parse_track)
from .thresholds import Thresholds

MATCHER_VERSION = "match-1.0"
ALT_FORM_PENALTY = 0.02
PART_ARTIST_SCORE = 0.95  # one name of a collaboration credit matched
PREFIX_ARTIST_SCORE = 0.9  # an artist found at the start of the title, no separator
MATCH_TYPES = ("track_match", "album_match", "artist_match", "no_match")
CONFIDENCES = ("high", "medium", "low")
_BATCH_CELLS = 1_000_000  # (probe, track) pairs scored per batch: bounds the pair arrays' memory


@dataclass(frozen=True)
class LastfmTrackRef:
    track_key: str
    artist: str
    album: str
    track: str


@dataclass(slots=True)
class Candidate:
    album_id: Any
    track_id: Any
    score: float


@dataclass(slots=True)
class MatchResult:
    track_key: str
    artist: str
    album: str
    track: str
    match_type: str
    confidence: str
    score: float
    artist_score: float
    album_score: float | None
    track_score: float | None
    album_id: Any = None
    track_id: Any = None
    reason: str | None = None
    matcher_version: str = MATCHER_VERSION
    candidates: tuple[Candidate, ...] = ()


@dataclass(slots=True)
class _Probe:
    ref: int
    artist_key: str
    artist_score: float
    title: str  # normalized title form
    album: str  # normalized album base ('' when absent)
    edition: str | None
    version: int
    truncated: bool
    uncertain: bool = False  # a truncated suffix that may have named a version
    penalty: float = 0.0  # a less literal reading of the title ranks below the literal one


@dataclass(slots=True)
class _Best:
    """Best reading of one ref so far."""
    rank: float = -1.0
    score: float = 0.0
    track: int = -1
    t: float = 0.0
    b: float | None = None
    a: float = 0.0
    version_ok: bool = False
    album: int = -1  # best album by album score (album-level answer)
    album_score: float = 0.0
    album_rank: float = -1.0
    artist_score: float = 0.0
    uncertain: bool = False
    others: list[tuple[float, int, float]] = field(default_factory=list)  # (rank, track, score)


class Matcher:
    def __init__(self, catalog: Catalog, thresholds: Thresholds | None = None, *, workers: int = -1,
                 version: str = MATCHER_VERSION):
        self.cat = catalog
        self.th = thresholds or Thresholds.load()
        self.workers = workers
        self.version = version
        self._titles: dict[tuple[str, str], list[int]] | None = None
        with gc_paused():  # part of building the index, not of matching
            self._title_index()
            self._starts = _Starts(catalog)
        # Plain-list copies for per-track lookups (indexing numpy arrays one scalar at a time is slow).
        self._track_album: list[int] = catalog.track_album.tolist()
        self._track_version: list[int] = catalog.track_version.tolist()
        self._album_original: list[bool] = catalog.album_is_original.tolist()
        self._block_cache: dict[str, _Block] = {}

    # --- blocking ------------------------------------------------------------------------
    def _block(self, key: str) -> "_Block":
        hit = self._block_cache.get(key)
        if hit is None:
            hit = self._block_cache[key] = _Block.build(self.cat, key, self._starts)
        return hit

    def _fuzzy_artists(self, keys: Iterable[str]) -> dict[str, list[tuple[str, float]]]:
        """Nearest catalog artists for keys the catalog does not have (typos, spelling variants)."""
        keys = [k for k in dict.fromkeys(keys) if len(k) >= 3]
        names = self.cat.artist_names
        if not keys or not names:
            return {}
        cutoff = self.th.artist_min * 100
        scores = process.cdist(keys, names, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8,
                               workers=self.workers)
        out: dict[str, list[tuple[str, float]]] = {}
        for i, k in enumerate(keys):
            row = scores[i]
            idx = np.flatnonzero(row)
            if idx.size:
                top = idx[np.argsort(-row[idx], kind="stable")[:2]]
                out[k] = [(names[j], float(row[j]) / 100) for j in top]
        return out

    # --- exact fast path ---------------------------------------------------------------
    def _title_index(self) -> dict[tuple[str, str], list[int]]:
        if self._titles is None:
            cat = self.cat
            idx: dict[tuple[str, str], list[int]] = defaultdict(list)
            for key, albums in cat.artist_albums.items():
                for a in albums:
                    for j in cat.album_tracks[a].tolist():
                        idx[(key, cat.track_title[j])].append(j)
            self._titles = dict(idx)
        return self._titles

    def _exact(self, keys: Sequence[str], title: str, album: str, edition: str | None, version: int,
               best: _Best) -> bool:
        """Most scrobbles name the artist and title exactly as the catalog does (after normalization):
        settle those with a dict lookup and a few album comparisons instead of a fuzzy block."""
        titles, cat, th = self._title_index(), self.cat, self.th
        track_album, track_version = self._track_album, self._track_version
        hits: list[int] = []
        for k in keys:
            hits.extend(titles.get((k, title), ()))
        hits = [j for j in dict.fromkeys(hits) if track_version[j] == version]
        if not hits:
            return False
        scored = []
        for j in hits:
            a = track_album[j]
            b = fuzz.ratio(album, cat.album_base[a]) / 100 if album else None
            comb = (th.w_track + th.w_album * b + th.w_artist) / (th.w_track + th.w_album + th.w_artist) if album else 1.0
            year = cat.album_year[a] or 3000
            rank = (comb + 0.002 * (cat.album_edition[a] == edition) + 0.001 * self._album_original[a]
                    - 1e-6 * (year - 1900))
            scored.append((rank, j, comb, b, a))
        scored.sort(key=lambda x: -x[0])
        rank, j, comb, b, a = scored[0]
        if album and (b is None or b < th.album_min):
            return False  # the named album is not where this title is: let the fuzzy block look
        best.rank, best.score, best.track, best.t, best.a, best.b = rank, comb, j, 1.0, 1.0, b
        best.version_ok, best.artist_score = True, 1.0
        if album:
            best.album, best.album_score, best.album_rank = a, b or 0.0, rank
        best.others = [(r, jj, c) for r, jj, c, _b, _a in scored[1:]]
        return True

    # --- probes --------------------------------------------------------------------------
    def _probes(self, refs: Sequence[LastfmTrackRef], best: list[_Best]) -> tuple[list[_Probe], list[str | None]]:
        probes: list[_Probe] = []
        reasons: list[str | None] = [None] * len(refs)
        pending: list[tuple[int, list[str], dict]] = []  # refs whose artist needs the fuzzy fallback
        index = self.cat.artist_albums
        for r, ref in enumerate(refs):
            pt = parse_track(ref.track)
            if pt.is_placeholder or not normalize_name(pt.title):
                reasons[r] = "track name is empty or a placeholder"
                continue
            pal = parse_album(ref.album)
            album = "" if pal.is_placeholder else normalize_name(pal.title)
            uncertain = pt.version == UNCERTAIN_VERSION
            version = 0 if uncertain else version_code(pt.version)
            truncated = pt.truncated or pal.truncated
            title = normalize_name(pt.title)
            if not truncated and not uncertain:
                whole = [k for k in _whole_keys(ref.artist) if k in index]
                if whole and self._exact(whole, title, album, pal.edition, version, best[r]):
                    continue
            common = dict(album=album, edition=pal.edition, version=version, truncated=truncated, uncertain=uncertain)
            readings: list[tuple[tuple[str, ...], list[tuple[str, float]]]] = []
            forms = [(title, 0.0)]
            for alt in (pt.title_without_tail, *pt.alt_titles):
                if alt:
                    forms.append((normalize_name(alt), ALT_FORM_PENALTY))
            if album and title.endswith(" " + album) and len(title) > len(album) + 1:
                forms.append((title[: -len(album) - 1], ALT_FORM_PENALTY))  # "Title Album" without separators
            readings.append((ref.artist, forms))
            if pt.embedded_artist and pt.title_after_artist:
                readings.append((pt.embedded_artist, [(normalize_name(pt.title_after_artist), ALT_FORM_PENALTY / 2)]))
            found = False
            for artist, forms in readings:
                forms = [(f, pen) for f, pen in dict(reversed(forms)).items() if f]
                variants = artist_variants(artist)
                whole = _whole_keys(artist)
                hits = [(k, 1.0 if k in whole else PART_ARTIST_SCORE) for k in variants if k in index]
                for k, a in hits:
                    for f, pen in forms:
                        probes.append(_Probe(r, k, a, f, penalty=pen, **common))
                found = found or bool(hits)
                if whole and not any(k in whole for k, _ in hits):  # typo'd artist: nearest catalog names
                    pending.append((r, list(whole), dict(common, forms=forms)))
            if not found:
                # "Artist Title" with the separator lost, under an uploader or empty artist.
                words = title.split()
                for n in range(1, min(6, len(words))):
                    key = " ".join(words[:n])
                    key = key[4:] if key.startswith("the ") and n > 1 else key
                    if key in index:
                        probes.append(_Probe(r, key, PREFIX_ARTIST_SCORE, " ".join(words[n:]),
                                             penalty=ALT_FORM_PENALTY, **common))
                reasons[r] = ("artist is empty or a placeholder" if is_placeholder(ref.artist)
                              else "artist not in the AOTY catalog")
        fuzzy = self._fuzzy_artists(k for _, ks, _ in pending for k in ks)
        for r, keys, info in pending:
            forms = info.pop("forms")
            seen: set[str] = set()
            for k in keys:
                for name, score in fuzzy.get(k, ()):
                    if name in seen:
                        continue
                    seen.add(name)
                    for f, pen in forms:
                        probes.append(_Probe(r, name, score, f, penalty=pen, **info))
        return probes, reasons

    # --- scoring -------------------------------------------------------------------------
    def _score(self, by_key: dict[str, list[_Probe]], best: list[_Best]) -> None:
        """Score probes against their artist blocks, many blocks per batch: per-block numpy and
        rapidfuzz calls cost more than the arithmetic on blocks this small (most hold one probe)."""
        batch: list[tuple[_Block, list[_Probe]]] = []
        cells = 0
        for key, ps in by_key.items():
            blk = self._block(key)
            batch.append((blk, ps))
            cells += len(ps) * (len(blk.tracks) + len(blk.albums))
            if cells >= _BATCH_CELLS:
                self._score_batch(batch, best)
                batch, cells = [], 0
        if batch:
            self._score_batch(batch, best)

    def _score_batch(self, batch: list[tuple[_Block, list[_Probe]]], best: list[_Best]) -> None:
        """Every probe against every track and album of its own block, as flat (probe, track) and
        (probe, album) pair arrays: pairwise scores (`process.cpdist`), then per-probe segments."""
        th = self.th
        probes = [p for _, ps in batch for p in ps]
        n_p = len(probes)
        per_probe = [blk for blk, ps in batch for _ in ps]
        n_trk = np.fromiter((len(b.tracks) for b in per_probe), dtype=np.int64, count=n_p)
        n_alb = np.fromiter((len(b.albums) for b in per_probe), dtype=np.int64, count=n_p)
        has_b = np.fromiter((bool(p.album) for p in probes), dtype=bool, count=n_p)
        a_s = np.fromiter((p.artist_score for p in probes), dtype=np.float32, count=n_p)
        pen = np.fromiter((p.penalty for p in probes), dtype=np.float32, count=n_p)
        ver = np.fromiter((p.version for p in probes), dtype=np.int16, count=n_p)
        p_ed = np.fromiter((edition_code(p.edition) for p in probes), dtype=np.int16, count=n_p)

        # Albums: one segment of pairs per probe, zero scores for probes that name no album.
        a_start = np.zeros(n_p + 1, dtype=np.int64)
        np.cumsum(n_alb, out=a_start[1:])
        a_probe = np.repeat(np.arange(n_p), n_alb)
        a_alb = np.concatenate([b.albums for b in per_probe])  # catalog album index per pair
        B = np.zeros(len(a_probe), dtype=np.float32)
        if has_b.any():
            sel = np.flatnonzero(has_b[a_probe])
            q = [probes[i].album for i in a_probe[sel].tolist()]
            c = [self.cat.album_base[i] for i in a_alb[sel].tolist()]
            B[sel] = process.cpdist(q, c, scorer=fuzz.ratio, dtype=np.float32, workers=self._pair_workers(len(q))) / 100
            # Truncated or near-miss album names may be cut-off prefixes (once per block and name).
            seg_max = np.maximum.reduceat(B, a_start[:-1]) if len(B) else B
            truncated_albums = {(id(blk), p.album) for blk, ps in batch for p in ps if p.truncated}
            for i, (p, blk) in enumerate(zip(probes, per_probe)):
                k = (id(blk), p.album)
                if not p.album:
                    continue
                trunc = k in truncated_albums
                if trunc or seg_max[i] < 0.97:
                    row = B[a_start[i]:a_start[i + 1]]
                    _prefix_boost(row, p.album, blk.album_base, blk.album_pre, blk.album_len, self._starts.code, trunc, th)
        # Tie-breaks between equal scores: the edition the scrobble names, else the original, else the earliest.
        ed_match = (np.concatenate([b.edition_codes for b in per_probe]) == p_ed[a_probe]).astype(np.float32)
        album_tb = 0.002 * ed_match + np.concatenate([b.album_tb for b in per_probe])
        # Album-level answer per probe: the first best album of its segment.
        ar = B + album_tb + (0.05 * a_s)[a_probe]
        ar_best = np.maximum.reduceat(ar, a_start[:-1])
        first = np.where(ar == ar_best[a_probe], np.arange(len(ar)), len(ar))
        k_best = np.minimum.reduceat(first, a_start[:-1])

        wa, wb, wt = th.w_artist, th.w_album, th.w_track
        has_b_l, n_trk_l = has_b.tolist(), n_trk.tolist()
        top_rank = top_comb = top_trk = top_t = top_b = top_v = head_l = k_l = []
        t_start = np.zeros(n_p + 1, dtype=np.int64)
        np.cumsum(n_trk, out=t_start[1:])
        n_pairs = int(t_start[-1])
        if n_pairs:
            t_probe = np.repeat(np.arange(n_p), n_trk)
            pos = np.concatenate([b.pos for b in per_probe])  # album position in the block per pair
            q = list(chain.from_iterable(repeat(p.title, n) for p, n in zip(probes, n_trk_l)))
            c = list(chain.from_iterable(b.choices for b in per_probe))
            T = process.cpdist(q, c, scorer=fuzz.ratio, dtype=np.float32, workers=self._pair_workers(n_pairs)) / 100
            seg_max = np.maximum.reduceat(T, t_start[:-1][n_trk > 0])
            seg_max_of = np.full(n_p, -1.0, dtype=np.float32)
            seg_max_of[n_trk > 0] = seg_max
            truncated = {(id(blk), p.title) for blk, ps in batch for p in ps if p.truncated}
            for i, (p, blk) in enumerate(zip(probes, per_probe)):
                k = (id(blk), p.title)
                if not n_trk_l[i]:
                    continue
                trunc = k in truncated
                if trunc or seg_max_of[i] < 0.97:
                    row = T[t_start[i]:t_start[i + 1]]
                    _prefix_boost(row, p.title, blk.choices, blk.track_pre, blk.track_len, self._starts.code, trunc, th)
            apos = a_start[t_probe] + pos  # each track pair's album pair
            Bt = B[apos]
            a_pair = a_s[t_probe]
            hb = has_b[t_probe]
            comb = np.where(hb, (wt * T + wb * Bt + wa * a_pair) / (wt + wb + wa), (wt * T + wa * a_pair) / (wt + wa))
            versions = np.concatenate([b.versions for b in per_probe])
            live = np.concatenate([b.live_by_album for b in per_probe])
            v = ver[t_probe]
            vmis = versions != v
            # A plain title scrobbled from a live album that is named is that album's (live) track.
            vmis &= ~(live & (v == 0) & (Bt >= th.album_min))
            rank = comb - th.version_penalty * vmis + album_tb[apos] - pen[t_probe]
            # Best four per probe: sort pairs by probe, then rank (best first; ties in block order).
            order = np.lexsort((-rank, t_probe))
            k = np.minimum(n_trk, 4)
            k_start = np.zeros(n_p + 1, dtype=np.int64)
            np.cumsum(k, out=k_start[1:])
            within = np.arange(int(k_start[-1])) - np.repeat(k_start[:-1], k)
            top = order[np.repeat(t_start[:-1], k) + within]
            top_rank, top_comb = rank[top].tolist(), comb[top].tolist()
            tracks = np.concatenate([b.tracks for b in per_probe])
            top_trk = tracks[top].tolist()
            heads = top[k_start[:-1][n_trk > 0]]
            head_of = np.full(n_p, -1, dtype=np.int64)
            head_of[n_trk > 0] = np.arange(len(heads))
            top_t, top_b, top_v = T[heads].tolist(), Bt[heads].tolist(), vmis[heads].tolist()
            head_l = head_of.tolist()
            k_l = k_start.tolist()
        a_alb_l = a_alb.tolist()
        for i, p in enumerate(probes):
            bst = best[p.ref]
            if has_b_l[i] and ar_best[i] > bst.album_rank:
                kb = int(k_best[i])
                bst.album_rank = float(ar_best[i])
                bst.album, bst.album_score = a_alb_l[kb], float(B[kb])
            if p.artist_score > bst.artist_score:
                bst.artist_score = p.artist_score
            if not n_trk_l[i]:
                continue
            s, e, h = k_l[i], k_l[i + 1], head_l[i]
            r0, c0, j0 = top_rank[s], top_comb[s], top_trk[s]
            if r0 > bst.rank:
                if bst.track >= 0:
                    bst.others.append((bst.rank, bst.track, bst.score))
                bst.rank, bst.score, bst.track = r0, c0, j0
                bst.t, bst.a = top_t[h], p.artist_score
                bst.b = top_b[h] if has_b_l[i] else None
                bst.version_ok = not top_v[h]
                bst.uncertain = p.uncertain
            else:
                bst.others.append((r0, j0, c0))
            for x in range(s + 1, e):
                bst.others.append((top_rank[x], top_trk[x], top_comb[x]))

    def _pair_workers(self, n: int) -> int:
        return self.workers if n > 200_000 else 1

    # --- decision ------------------------------------------------------------------------
    def _decide(self, ref: LastfmTrackRef, b: _Best, reason: str | None) -> MatchResult:
        th, cat = self.th, self.cat
        seen = {b.track}
        cands: list[Candidate] = []
        b.others.sort(key=lambda x: -x[0])
        for _rank, j, s in b.others:
            if j in seen:
                continue
            seen.add(j)
            cands.append(Candidate(cat.album_ids[self._track_album[j]], cat.track_ids[j], round(s, 4)))
            if len(cands) == 3:
                break
        common = dict(track_key=ref.track_key, artist=ref.artist, album=ref.album, track=ref.track,
                      matcher_version=self.version, candidates=tuple(cands))
        # Weak artist evidence (one name of a credit, or a fuzzy artist) needs the album to agree.
        weak_artist_album_disagrees = b.a < 1.0 and b.b is not None and b.b < th.album_min
        if (b.track >= 0 and b.version_ok and b.t >= th.track_min_title and b.score >= th.track_low
                and not weak_artist_album_disagrees):
            album = int(cat.track_album[b.track])
            if b.uncertain or (b.b is not None and b.b < 0.5 and not self._album_is_title(ref)):
                conf = "low"  # a cut suffix may name a version; or the named album is not this one
            elif b.score >= th.track_high and b.t >= th.track_high_title and b.a >= th.artist_high:
                conf = "high"
            elif b.score >= th.track_medium:
                conf = "medium"
            else:
                conf = "low"
            if conf == "high" and b.b is None and self._ambiguous(b, album):
                conf = "medium"
            if conf == "high" and parse_track(ref.track).truncated:
                conf = "medium"  # the cut-off end may have said "(Live)": we cannot see it
            return MatchResult(**common, match_type="track_match", confidence=conf, score=round(b.score, 4),
                               artist_score=round(b.a, 4), album_score=_r(b.b), track_score=round(b.t, 4),
                               album_id=cat.album_ids[album], track_id=cat.track_ids[b.track])
        version = parse_track(ref.track).version
        if b.album >= 0 and b.album_score >= th.album_min:
            s = (th.w_artist * b.artist_score + th.w_album * b.album_score) / (th.w_artist + th.w_album)
            why = (f"{version} version: not on the album's tracklist" if version and b.track >= 0
                   and b.t >= th.track_min_title else "album found, track not on its tracklist")
            return MatchResult(**common, match_type="album_match", confidence=_conf(s, th), score=round(s, 4),
                               artist_score=round(b.artist_score, 4), album_score=round(b.album_score, 4),
                               track_score=_r(b.t if b.track >= 0 else None), album_id=cat.album_ids[b.album],
                               reason=why)
        if b.artist_score > 0:
            if b.track >= 0 and version and b.t >= th.track_min_title:
                why = f"{version} version of a track AOTY lists only in another version"
            elif parse_album(ref.album).is_placeholder:
                why = "artist found; no album named and no track title close enough"
            else:
                why = "artist found; album and track not in the AOTY catalog"
            return MatchResult(**common, match_type="artist_match", confidence=_conf(b.artist_score, th),
                               score=round(b.artist_score * th.w_artist / (th.w_artist + th.w_track), 4),
                               artist_score=round(b.artist_score, 4), album_score=_r(b.album_score or None),
                               track_score=_r(b.t if b.track >= 0 else None), reason=why)
        return MatchResult(**common, match_type="no_match", confidence="low", score=0.0, artist_score=0.0,
                           album_score=None, track_score=None, reason=reason or "artist not in the AOTY catalog")

    def _album_is_title(self, ref: LastfmTrackRef) -> bool:
        """A single's album is often named after its track."""
        album = normalize_name(parse_album(ref.album).title)
        return bool(album) and fuzz.ratio(album, normalize_name(parse_track(ref.track).title)) >= 90

    def _ambiguous(self, b: _Best, album: int) -> bool:
        """No album named, and another release (not an edition of the same album) has an equally good track."""
        cat = self.cat
        base = cat.album_base[album]
        for rank, j, s in b.others:  # sorted by rank, best first
            if rank < b.rank - 0.01:
                break
            if s >= b.score - 1e-6 and j != b.track and cat.album_base[int(cat.track_album[j])] != base:
                return True
        return False

    # --- public --------------------------------------------------------------------------
    def _match_chunk(self, part: Sequence[LastfmTrackRef]) -> list[MatchResult]:
        best = [_Best() for _ in part]
        probes, reasons = self._probes(part, best)
        by_key: dict[str, list[_Probe]] = defaultdict(list)
        for p in probes:
            by_key[p.artist_key].append(p)
        self._score(by_key, best)
        return [self._decide(ref, b, reasons[i]) for i, (ref, b) in enumerate(zip(part, best))]

    def match(self, refs: Sequence[LastfmTrackRef], *, progress: Callable[[int, int], None] | None = None,
              chunk: int = 10_000, processes: int = 1) -> list[MatchResult]:
        """Match refs (distinct Last.fm triples); results come back in input order.

        processes > 1 forks worker processes that share this matcher's index copy-on-write
        (POSIX only; elsewhere, or for small inputs, it runs in this process)."""
        # The index is millions of long-lived objects: keep the garbage collector's full passes off
        # them while matching (and, in forked workers, off their copy-on-write pages).
        frozen_here = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            return self._match(refs, progress, chunk, processes)
        finally:
            if frozen_here:
                gc.unfreeze()

    def _match(self, refs: Sequence[LastfmTrackRef], progress: Callable[[int, int], None] | None, chunk: int,
               processes: int) -> list[MatchResult]:
        global _FORKED
        bounds = [(i, min(i + chunk, len(refs))) for i in range(0, len(refs), chunk)]
        out: list[MatchResult] = []
        if processes > 1 and len(bounds) > 1 and "fork" in multiprocessing.get_all_start_methods():
            _FORKED = (self, refs)
            try:
                with multiprocessing.get_context("fork").Pool(processes) as pool:
                    for part in pool.imap(_match_forked, bounds):
                        out.extend(_from_plain(row) for row in part)
                        if progress:
                            progress(len(out), len(refs))
            finally:
                _FORKED = None
            return out
        for start, stop in bounds:
            out.extend(self._match_chunk(refs[start:stop]))
            if progress:
                progress(len(out), len(refs))
        return out


_FORKED: tuple[Matcher, Sequence[LastfmTrackRef]] | None = None  # what forked workers inherit


def _match_forked(bounds: tuple[int, int]) -> list[tuple]:
    assert _FORKED is not None
    matcher, refs = _FORKED
    return [_to_plain(r) for r in matcher._match_chunk(refs[bounds[0]:bounds[1]])]


# Results cross the process boundary as plain tuples: pickling slotted dataclasses costs ~3x more
# (in the worker and again in the parent) than the matching of small chunks saves.
_RESULT_FIELDS = tuple(f.name for f in fields(MatchResult) if f.name != "candidates")


def _to_plain(r: MatchResult) -> tuple:
    return (*(getattr(r, f) for f in _RESULT_FIELDS), tuple((c.album_id, c.track_id, c.score) for c in r.candidates))


def _from_plain(row: tuple) -> MatchResult:
    return MatchResult(*row[:-1], candidates=tuple(Candidate(*c) for c in row[-1]))


class _Starts:
    """Every catalog title's first two characters (as a small int) and length: a cut name keeps
    the start of the name, so prefix candidates are the longer titles that start the same way."""

    def __init__(self, cat: Catalog):
        self.code: dict[str, int] = {}
        code = self.code
        self.track_pre = np.fromiter((code.setdefault(t[:2], len(code)) for t in cat.track_title), dtype=np.int32,
                                     count=len(cat.track_title))
        self.track_len = np.fromiter(map(len, cat.track_title), dtype=np.int32, count=len(cat.track_title))
        self.album_pre = np.fromiter((code.setdefault(t[:2], len(code)) for t in cat.album_base), dtype=np.int32,
                                     count=len(cat.album_base))
        self.album_len = np.fromiter(map(len, cat.album_base), dtype=np.int32, count=len(cat.album_base))


class _Block:
    """One artist key's albums and tracks, with what scoring needs per block precomputed once."""
    __slots__ = ("albums", "tracks", "choices", "pos", "album_base", "edition_codes", "album_tb", "versions",
                 "live_by_album", "track_pre", "track_len", "album_pre", "album_len")

    @classmethod
    def build(cls, cat: Catalog, key: str, starts: _Starts) -> "_Block":
        b = cls()
        albums = b.albums = np.asarray(cat.artist_albums[key], dtype=np.int64)
        parts = [cat.album_tracks[i] for i in albums.tolist()]
        tracks = b.tracks = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        b.pos = np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts]) if parts else tracks
        title = cat.track_title
        b.choices = [title[j] for j in tracks.tolist()]
        b.album_base = [cat.album_base[i] for i in albums.tolist()]
        # Tie-breaks between equal scores: the original, else the earliest (the named edition is per probe).
        years = np.asarray([cat.album_year[i] or 3000 for i in albums.tolist()], dtype=np.float32)
        b.album_tb = 0.001 * cat.album_is_original[albums] - 1e-6 * (years - 1900)
        b.edition_codes = cat.album_edition_code[albums]
        b.versions = cat.track_version[tracks]
        b.live_by_album = cat.track_live_by_album[tracks]
        b.track_pre, b.track_len = starts.track_pre[tracks], starts.track_len[tracks]
        b.album_pre, b.album_len = starts.album_pre[albums], starts.album_len[albums]
        return b


def _prefix_boost(row: np.ndarray, q: str, choices: list[str], pre: np.ndarray, lengths: np.ndarray,
                  codes: dict[str, int], truncated: bool,
                  th: Thresholds) -> None:
    """Truncated names: a title that is a prefix of a longer catalog title is that title.
    Players cut long names without a mark too, so long prefixes count even unmarked."""
    n = len(q)
    if n < 8 or (n < th.prefix_min_chars and not truncated and n < 12):
        return
    factor = 0.99 if truncated or n >= th.prefix_min_chars else 0.93
    code = codes.get(q[:2])
    if code is None:
        return
    longer = np.flatnonzero((pre == code) & (lengths > n))
    if longer.size:
        pref = process.cdist([q], [choices[k][:n] for k in longer.tolist()], scorer=fuzz.ratio, dtype=np.float32,
                             workers=1)[0] / 100
        row[longer] = np.maximum(row[longer], pref * factor)


@lru_cache(maxsize=1 << 16)
def _whole_keys(artist: str) -> tuple[str, ...]:
    """Keys of the whole credit: as written, and without featured artists."""
    if not artist or is_placeholder(artist):
        return ()
    return tuple(dict.fromkeys(k for k in (artist_key(artist), artist_key(parse_artist(artist).main)) if k))


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def _conf(s: float, th: Thresholds) -> str:
    return "high" if s >= 0.95 else "medium" if s >= th.album_min else "low"


def match_tracks(refs: Sequence[LastfmTrackRef], catalog: Catalog, thresholds: Thresholds | None = None,
                 **kw: Any) -> list[MatchResult]:
    return Matcher(catalog, thresholds).match(refs, **kw)
