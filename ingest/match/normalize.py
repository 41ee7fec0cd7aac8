"""Normalization rules shared by the matcher and AOTY discovery.

Pure functions, no I/O. Two kinds of output:

* the *comparable form* (`normalize_name`): what two spellings of one name have in
  common, used for scoring and blocking;
* *parsed fields* (`parse_artist`, `parse_album`, `parse_track`): a scrobbled string
  split into the name itself and the attributes players glue onto it (featured
  artists, versions, editions, years, track numbers, an artist written into the title).

Parsed `title`/`main` fields keep their display form (trimmed, not normalized) so they
can be shown or searched; call `normalize_name` on them to compare.

RULES (each one has a test in tests/match/test_normalize.py, named after the rule id):

| id | rule |
|---|---|
| unicode_nfkc | Unicode NFKC: full-width forms, ligatures and compatibility characters fold to plain ones |
| accent_fold | accents dropped (é→e, ö→o) plus a few letters NFD cannot split (ø, æ, ß, ł, đ) |
| case | case-folded |
| quotes_punct | curly quotes, apostrophes and dots join (don't = dont, Y.M.C.A. = YMCA); other punctuation is a word break |
| and_amp | "&", "+" between words and "and" are one token; "'n'" in "Rock 'n' Roll" too |
| whitespace | runs of whitespace collapse; leading/trailing removed |
| punctuation_only | a name made only of punctuation ("!!!", "+/-") keeps its punctuation instead of vanishing |
| the_prefix | `artist_key` drops a leading "The " and a catalog-style trailing ", The" (blocking key only; names keep it) |
| numbers | "Pt. 2", "Pt 2", "Part II", "part two" → "part 2"; same for vol./volume, chapter, no. |
| placeholder | "", "null", "none", "unknown", "[unknown]", "<unknown>", "Unknown Album", "undefined", "n/a", "-" are no name |
| feat_title | "(feat. X)", "[ft. X]", "feat. X", "(featuring X)", "(with X)" move out of a title into `featured` |
| feat_artist | "A feat. X", "A ft. X", "A featuring X" move out of an artist string into `featured` |
| collab_split | `artist_variants` also offers each credited name of "A & B", "A, B", "A x B", "A / B", "A and B" |
| edition_suffix | bracketed or dashed edition suffixes leave the title into `edition`: remaster(ed) with or without a year, deluxe, super deluxe, expanded, anniversary, special/collector's/legacy edition, explicit/clean, mono/stereo, bonus track (version), radio edit, album/single version |
| version_suffix | live / demo / acoustic / remix / unplugged / instrumental / session / rehearsal / stripped / a cappella suffixes leave the title into `version` (a different recording, never hidden) |
| junk_suffix | video-site junk is dropped: (Official Video), [Official Audio], (Lyrics), (Lyric Video), (HD), (HQ), (OUT NOW), (Visualizer), (Audio) |
| track_number | a track-number prefix "03-Title", "03. Title", "3 - Title", "03 Title" (zero-padded only) leaves the title; "99 Problems" and "1979" stay |
| artist_in_title | "Artist - Title": the part before the first free-standing dash is offered as `embedded_artist` (the matcher decides whether it is one) |
| album_in_title | "Title (Album)" / "Title - Album": an unrecognized trailing bracket or dashed part is offered as `tail` (the matcher may drop it) |
| album_year | "Album (1999)" / "Album [1999]" / "Album - 1999": the year leaves the title into `year` |
| album_format | "Title - Single", "Title - EP", "(Disc 2)", "[CD1]" are dropped from album names |
| truncation | a trailing "..." / "…" or an unbalanced trailing bracket marks a name as `truncated`; the cut part is dropped |
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ParsedAlbum", "ParsedArtist", "ParsedTrack", "artist_key", "artist_variants", "edition_kind",
    "is_placeholder", "normalize_name", "parse_album", "parse_artist", "parse_track",
]

# --- comparable form ------------------------------------------------------------------

# Letters NFD does not decompose into base + combining mark.
_FOLD = str.maketrans({
    "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ẞ": "ss",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i",
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...",
})
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12, "xiii": 13}
_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10}
_NUMBERED = {"pt": "part", "part": "part", "vol": "volume", "volume": "volume", "ch": "chapter",
             "chapter": "chapter", "no": "no", "nr": "no", "number": "no"}
_NUMBER_RE = re.compile(
    r"\b(pt|part|vol|volume|ch|chapter|no|nr|number)\s*\.?\s*"
    r"(\d+|x{0,1}i{1,3}|x{0,1}iv|x{0,1}vi{0,3}|x{0,1}ix|x|one|two|three|four|five|six|seven|eight|nine|ten)\b"
)
_JOIN_RE = re.compile(r"['.]")  # apostrophes and dots join: "don't" = "dont", "Y.M.C.A." = "ymca"
_AMP_RE = re.compile(r"\s*&\s*|(?<=\s)\+(?=\s)|\s'?n'\s")
_NONWORD_RE = re.compile(r"[\W_]+")


def _fold(s: str) -> str:
    if s.isascii():  # the common case: nothing to compose, and "`" is the only ASCII key of _FOLD
        return s.replace("`", "'").lower()  # (str.translate with a dict table is ~10x slower)
    s = unicodedata.normalize("NFKC", s).translate(_FOLD)
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s).casefold()


def _number(m: re.Match[str]) -> str:
    word, num = _NUMBERED[m.group(1)], m.group(2)
    value = int(num) if num.isdigit() else _ROMAN.get(num) or _WORD_NUM.get(num)
    if value is None or (word == "no" and not num.isdigit()):  # "no one" is not "number 1"
        return m.group(0)
    return f"{word} {value}"


@lru_cache(maxsize=1 << 18)
def normalize_name(s: str | None) -> str:
    """The comparable form of a name: NFKC, accents folded, case-folded, "&"/"+"/"'n'" → "and",
    "Pt. II" → "part 2", apostrophes and dots joined, other punctuation → space, one space between words."""
    if not s:
        return ""
    s = _fold(s)
    s = _AMP_RE.sub(" and ", s)
    s = _NUMBER_RE.sub(_number, s)
    s = _JOIN_RE.sub("", s)
    out = " ".join(_NONWORD_RE.sub(" ", s).split())
    # A name made only of punctuation ("!!!", "+/-") is its punctuation.
    return out or " ".join(s.split())


def artist_key(s: str | None) -> str:
    """Blocking key for an artist: its comparable form without a leading "the"."""
    n = normalize_name(s)
    if n.endswith(" the") and s and s.rstrip().lower().endswith(", the"):  # "Beatles, The" (catalog style)
        n = n[:-4]
    return n[4:] if n.startswith("the ") and len(n) > 4 else n


# --- placeholders ---------------------------------------------------------------------

_PLACEHOLDERS = {
    "", "null", "none", "nil", "undefined", "unknown", "n a", "na", "various", "unknown album",
    "unknown artist", "unknown track", "unknown title", "no album", "no artist", "untitled album",
    "unbekannt", "inconnu", "desconocido", "sconosciuto", "album", "artist", "track", "title",
}
_PLACEHOLDER_RAW = re.compile(r"^\s*[\[<(]?\s*(unknown|null|none|undefined|n/?a|-+|\?+)\s*[\]>)]?\s*$", re.I)


@lru_cache(maxsize=1 << 16)
def is_placeholder(s: str | None) -> bool:
    """True when a field carries no name: empty, "null", "unknown", "[unknown]", "<unknown>", "Unknown Album" ..."""
    if s is None:
        return True
    if len(s) > 24:  # every placeholder is short
        return False
    if _PLACEHOLDER_RAW.match(s):
        return True
    return normalize_name(s) in _PLACEHOLDERS


# --- suffix classification ------------------------------------------------------------

_VERSION_WORDS = {
    "live": "live", "demo": "demo", "acoustic": "acoustic", "remix": "remix", "rmx": "remix",
    "remixed": "remix", "mix": "remix", "dub": "remix", "bootleg": "remix", "vip": "remix", "rework": "remix",
    "reworked": "remix", "edit": "remix", "unplugged": "acoustic", "stripped": "acoustic",
    "instrumental": "instrumental", "karaoke": "instrumental", "acapella": "a cappella",
    "cappella": "a cappella", "session": "session", "sessions": "session", "rehearsal": "demo",
    "outtake": "demo", "take": "demo", "orchestral": "orchestral", "piano": "acoustic", "cover": "cover",
    "sped": "remix", "slowed": "remix", "nightcore": "remix", "reverb": "remix",
}
# A version word next to one of these is not a different recording ("Radio Edit", "Original Mix").
_VERSION_NEUTRAL = [("radio", "edit"), ("original", "mix"), ("album", "mix"), ("single", "edit"),
                    ("clean", "edit"), ("explicit", "edit")]
_EDITION_WORDS = {
    "remaster": "remaster", "remastered": "remaster", "remasterd": "remaster", "remasters": "remaster",
    "deluxe": "deluxe", "expanded": "expanded", "anniversary": "anniversary", "special": "special",
    "collector": "collector", "collectors": "collector", "legacy": "legacy", "explicit": "explicit",
    "clean": "clean", "mono": "mono", "stereo": "stereo", "bonus": "bonus", "reissue": "reissue",
    "edition": "edition", "version": "version", "ver": "version", "extended": "extended",
    "complete": "complete", "definitive": "definitive", "platinum": "deluxe", "digital": "digital",
    "limited": "limited", "tour": "tour", "super": "super", "radio": "radio", "original": "original",
    "censored": "clean", "uncensored": "explicit", "dirty": "explicit", "master": "remaster",
    "remastering": "remaster", "mastered": "remaster", "hd": "remaster", "hi res": "remaster", "edit": "edit",
}
_EDITION_FILLER = {"the", "a", "track", "tracks", "version", "edition", "bonus", "cut", "lp", "album",
                   "single", "digitally", "and", "of", "year", "th", "st", "nd", "rd", "anniv", "release",
                   "mix", "vinyl", "cd", "box", "set", "ep", "audio", "from", "with", "in", "on", "remix"}
_JUNK = {"official video", "official music video", "official audio", "official lyric video", "lyric video",
         "lyrics video", "lyrics", "lyric", "hd", "hq", "4k", "out now", "visualizer", "visualiser", "audio",
         "video", "music video", "official", "official visualizer", "explicit lyrics", "clip officiel",
         "official hd video", "audio only", "full song", "free download", "premiere"}
_FEAT_RE = re.compile(r"^(?:feat|ft|featuring|with|w)\b\.?\s*(.+)$", re.I)
_YEAR_RE = re.compile(r"^(19[0-9]{2}|20[0-9]{2})$")
_ORDINAL_RE = re.compile(r"\b\d+(st|nd|rd|th)?\b")


# Edition words that say "edition" on their own; the others only next to one of these.
_STRONG_EDITION = {"remaster", "deluxe", "expanded", "anniversary", "explicit", "clean", "mono", "stereo", "bonus",
                   "reissue", "edition", "version", "collector", "legacy", "edit"}
# Version words long enough that a one-letter slip still names them ("Acouustic", "Liev").
_FUZZY_VERSION = {"live": "live", "demo": "demo", "acoustic": "acoustic", "remix": "remix", "unplugged": "acoustic",
                  "instrumental": "instrumental", "rehearsal": "demo"}


def _version_typo(w: str) -> str | None:
    """A version word with one slip: a letter added, dropped or two swapped (never a letter
    replaced in a short word: "love" is not "live")."""
    from rapidfuzz.distance import OSA

    if len(w) < 3:
        return None
    for v, kind in _FUZZY_VERSION.items():
        if abs(len(w) - len(v)) > 1 or OSA.distance(w, v) != 1:
            continue
        if len(v) <= 5 and len(w) == len(v) and sorted(w) != sorted(v):
            continue  # same length, not a swap: a substitution
        return kind
    return None


def _suffix_kind(text: str, *, bracketed: bool = True) -> tuple[str, str | None]:
    """Classify the inside of a trailing bracket (or, stricter, a dashed part).

    Returns (kind, label): kind in {"feat", "version", "edition", "junk", "year", "other"}."""
    raw = text.strip()
    m = _FEAT_RE.match(raw)
    if m and (bracketed or not raw.lower().startswith(("with", "w "))):
        return "feat", m.group(1).strip()
    n = normalize_name(raw)
    if not n:
        return "junk", None
    if _YEAR_RE.match(n):
        return "year", n
    words = n.split()
    if n in _JUNK and (bracketed or len(words) > 1):  # "Song - Video" may be a title
        return "junk", None
    for i, w in enumerate(words):
        kind = _VERSION_WORDS.get(w)
        if kind is None:
            if bracketed and len(words) <= 4 and (i == 0 or i == len(words) - 1):
                kind = _version_typo(w)
                if kind == "live" and len(words) > 1 and i == 0 and words[1] not in ("at", "from", "in", "on"):
                    kind = None
            if kind is None:
                if w == "lie" and i + 1 < len(words) and words[i + 1] in ("at", "from", "in"):
                    return "version", "live"  # "Lie at Wembley": a dropped letter
                continue
        neighbours = {words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else ""}
        if any((a in neighbours and b == w) or (a == w and b in neighbours) for a, b in _VERSION_NEUTRAL):
            continue
        if kind in ("remix", "session", "demo") and len(words) == 1 and w in ("mix", "edit", "take", "session", "dub"):
            continue  # a bare "(Mix)" or "(Edit)" says little; treat as edition below
        if w == "live" and i > 0 and words[i - 1] in ("i", "we", "you", "they", "to", "still", "and", "will"):
            continue  # "(We Live)" is a subtitle, not a live recording
        if not bracketed and len(words) > 1 and i not in (0, len(words) - 1):
            continue  # "Song - Sun Live Moon" is a dashed title, not a version
        return "version", kind
    labels = [_EDITION_WORDS[w] for w in words if w in _EDITION_WORDS]
    if labels and (bracketed or any(lab in _STRONG_EDITION for lab in labels)):
        if not any(lab in _STRONG_EDITION for lab in labels) and len(words) == 1 and words[0] in ("radio", "original", "digital", "tour", "super", "complete", "special"):
            return "other", None
        rest = [w for w in words if w not in _EDITION_WORDS and w not in _EDITION_FILLER and not _ORDINAL_RE.fullmatch(w)]
        if len(rest) <= max(1, len(words) // 3):  # mostly edition words: "2011 Remaster", "Deluxe Edition"
            return "edition", edition_kind(n)
    return "other", None


def _cut_edition(text: str) -> str | None:
    """Edition named by the cut-off rest of a truncated name: "(Deluxe Ed", "(Expand", "(D"."""
    words = normalize_name(text).split()
    if not words:
        return None
    *whole, last = words
    done = [_EDITION_WORDS[w] for w in whole if w in _EDITION_WORDS]
    completions = {_EDITION_WORDS[e] for e in _EDITION_WORDS if e.startswith(last)
                   and _EDITION_WORDS[e] in _STRONG_EDITION} if last not in _EDITION_WORDS else {_EDITION_WORDS[last]}
    if len(completions) == 1:
        done.append(completions.pop())
    if not done or any(w not in _EDITION_WORDS and w not in _EDITION_FILLER for w in whole):
        return None
    return edition_kind(" ".join(done))


def edition_kind(s: str | None) -> str | None:
    """Canonical edition label of an edition suffix: "deluxe", "super deluxe", "remaster", "expanded",
    "anniversary", "explicit", "clean", "mono", ... (None for no edition)."""
    if not s:
        return None
    words = normalize_name(s).split()
    labels: list[str] = []
    for i, w in enumerate(words):
        lab = _EDITION_WORDS.get(w)
        if lab is None or lab in ("edition", "version", "original", "radio", "digital", "limited", "edit"):
            continue
        if lab == "super" and i + 1 < len(words) and words[i + 1] == "deluxe":
            labels.append("super deluxe")
            continue
        if lab == "deluxe" and labels and labels[-1] == "super deluxe":
            continue
        if lab not in labels:
            labels.append(lab)
    return " ".join(labels) if labels else "edition"


# --- splitting suffixes off a title ---------------------------------------------------

# A truncated suffix that may have named a version ("(Li…"): a match, but never a sure one.
UNCERTAIN_VERSION = "uncertain"
_OPEN = {"(": ")", "[": "]", "{": "}", "<": ">"}
_ELLIPSIS_RE = re.compile(r"\s*(\.{2,}|…)\s*$")
_DASH_RE = re.compile(r"\s+[-~/|]\s+|\s+-(?=\S)|(?<=\S)-\s+")
_TRAILING_FEAT_RE = re.compile(r"\s+(?:feat\.?|ft\.|featuring)\s+(.+)$", re.I)
# "Song 2011 Remaster", "Song Remastered 2009": a remaster suffix whose dash or bracket was lost
_BARE_REMASTER_RE = re.compile(
    r"\s+(?:(?:19|20)\d{2}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+(?:19|20)\d{2})?(?:\s+version)?$", re.I)
_VERSION_PHRASES = sorted({*_VERSION_WORDS, "live at", "live from", "live in", "acoustic version", "a cappella"})
_OTHER_PHRASES = sorted({*_EDITION_WORDS, *_JUNK, "feat", "featuring", "ft"})


def _cut_kind(text: str) -> str:
    """What the cut-off rest of a truncated suffix ("(Li", "- Aco") most likely was."""
    n = normalize_name(text)
    if not n:
        return "junk"
    as_version = any(v.startswith(n) for v in _VERSION_PHRASES)
    as_other = any(v.startswith(n) for v in _OTHER_PHRASES)
    if as_version:  # "(Li" may be "(Live" or "(Limited": the matcher will not be sure of the studio track
        return "version" if not as_other else "uncertain"
    return "junk" if as_other else "other"


def _trailing_bracket(s: str) -> tuple[str, str] | None:
    """Split "Title (inside)" into ("Title", "inside") when s ends with a balanced bracket."""
    s = s.rstrip()
    if not s or s[-1] not in _OPEN.values():
        return None
    close = s[-1]
    open_ = next(o for o, c in _OPEN.items() if c == close)
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        if s[i] == close:
            depth += 1
        elif s[i] == open_:
            depth -= 1
            if depth == 0:
                head = s[:i].rstrip()
                return (head, s[i + 1:-1]) if head else None
    return None


def _unbalanced_tail(s: str) -> int | None:
    """Index of an opening bracket that is never closed (a name cut inside a bracket)."""
    if all(s.count(o) == s.count(c) for o, c in _OPEN.items()):
        return None
    stack: list[int] = []
    for i, c in enumerate(s):
        if c in _OPEN:
            stack.append(i)
        elif c in _OPEN.values() and stack:
            stack.pop()
    return stack[0] if stack else None


@dataclass(frozen=True)
class _Suffixes:
    title: str
    featured: tuple[str, ...] = ()
    version: str | None = None
    edition: str | None = None
    year: int | None = None
    tail: str | None = None  # an unrecognized trailing bracket / dashed part (maybe an album name)
    truncated: bool = False
    head: str | None = None  # the title without that tail


def _split_names(s: str) -> tuple[str, ...]:
    parts = re.split(r"\s*(?:,|&|\band\b|\s[x×]\s|/|;|\+)\s*", s.strip(), flags=re.I)
    return tuple(p.strip() for p in parts if p.strip())


# Characters and words without which a name has no suffix to strip (fast path for clean names).
_SUFFIX_HINT_RE = re.compile(r"[()\[\]{}<>\-~/|…]|\.\.|\b(?:feat|ft|featuring|remaster(?:ed)?)\b", re.I)


def _strip_suffixes(s: str, *, dashes: bool = True) -> _Suffixes:
    s = unicodedata.normalize("NFKC", s).translate(_FOLD).strip()
    s = " ".join(s.split())
    if not _SUFFIX_HINT_RE.search(s):
        return _Suffixes(s)
    truncated = False
    m = _ELLIPSIS_RE.search(s)
    if m and len(s) > 12:
        s, truncated = s[: m.start()].rstrip(), True
    featured: list[str] = []
    version = edition = tail = tail_head = None
    year = None
    cut = _unbalanced_tail(s)
    if cut is not None and cut > 0:
        kind = _cut_kind(s[cut + 1:])
        if kind in ("version", "uncertain"):
            version = "cut version" if kind == "version" else UNCERTAIN_VERSION
        else:
            edition = _cut_edition(s[cut + 1:])
        s, truncated = s[:cut].rstrip(" -"), True
    for _ in range(6):  # a few stacked suffixes: "Song (feat. X) [Live] - 2011 Remaster"
        part = _trailing_bracket(s)
        head, inside = part if part else (None, None)
        if head is None:
            bm = _BARE_REMASTER_RE.search(s)
            if bm and bm.start() > 0:
                edition = edition or "remaster"
                s = s[: bm.start()].rstrip(" -~/|")
                continue
        if head is None and dashes:
            pieces = _DASH_RE.split(s)
            if len(pieces) >= 2 and pieces[0]:
                head, inside = s[: s.rfind(pieces[-1])].rstrip(" -~/|"), pieces[-1]
        if head is None:
            fm = _TRAILING_FEAT_RE.search(s)
            if fm and fm.start() > 0:
                featured.extend(_split_names(fm.group(1)))
                s = s[: fm.start()].rstrip()
                continue
            break
        kind, label = _suffix_kind(inside or "", bracketed=part is not None)
        if kind == "other" and truncated and part is None and _cut_kind(inside or "") != "other":
            cut_kind = _cut_kind(inside or "")
            kind, label = (("version", "cut version") if cut_kind == "version" else
                           ("version", UNCERTAIN_VERSION) if cut_kind == "uncertain" else ("junk", None))
        if kind == "feat":
            featured.extend(_split_names(label or ""))
        elif kind == "version":
            version = version or label
        elif kind == "edition":
            edition = edition or label
        elif kind == "year":
            year = year or int(label or 0)
        elif kind == "junk":
            pass
        else:
            # Unknown part: keep it in the title, offer it as a tail; the head may carry suffixes too
            # ("Song (Remastered) - Album").
            inner = _strip_suffixes(head or "", dashes=dashes) if head else None
            tail, tail_head = inside, (inner.title if inner else head)
            if inner:
                featured.extend(inner.featured)
                version = version or inner.version
                edition = edition or inner.edition
            break
        s = head
    fm = _TRAILING_FEAT_RE.search(s)
    if fm and fm.start() > 0:
        featured.extend(_split_names(fm.group(1)))
        s = s[: fm.start()].rstrip()
    return _Suffixes(s, tuple(featured), version, edition, year, tail, truncated, tail_head)


# --- public parsers ---------------------------------------------------------------------

@dataclass(frozen=True)
class ParsedArtist:
    main: str  # display form, featured credits removed
    featured: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedAlbum:
    title: str  # display form, edition / year / format markers removed
    edition: str | None = None  # canonical label from edition_kind()
    year: int | None = None
    is_placeholder: bool = False
    truncated: bool = False


@dataclass(frozen=True)
class ParsedTrack:
    title: str  # display form: number prefix, feat., version, edition and junk suffixes removed
    featured: tuple[str, ...] = ()
    version: str | None = None  # "live", "demo", "acoustic", "remix", ...: a different recording
    edition: str | None = None
    track_number: int | None = None
    embedded_artist: str | None = None  # "Artist - Title": the part before the dash
    title_after_artist: str | None = None  # ... and the title after it
    tail: str | None = None  # "Title (Album)" / "Title - Album": the unrecognized trailing part
    title_without_tail: str | None = None
    alt_titles: tuple[str, ...] = ()  # other readings, e.g. without a bare leading number ("11 Money")
    truncated: bool = False
    is_placeholder: bool = False


_ARTIST_FEAT_RE = re.compile(r"\s+(?:\(|\[)?(?:feat\.?|ft\.?|featuring|feat:)\s+(.+?)[)\]]?$", re.I)
_ARTIST_WITH_RE = re.compile(r"\s+with\s+(.+)$", re.I)


@lru_cache(maxsize=1 << 16)
def parse_artist(s: str | None) -> ParsedArtist:
    """ "A feat. X & Y" → ParsedArtist("A", ("X", "Y")). Collaborations ("A & B") stay whole:
    see artist_variants."""
    if not s or is_placeholder(s):
        return ParsedArtist("")
    s = " ".join(unicodedata.normalize("NFKC", s).translate(_FOLD).split())
    m = _ARTIST_FEAT_RE.search(s) or _ARTIST_WITH_RE.search(s)
    if m and m.start() > 0:
        return ParsedArtist(s[: m.start()].strip(), _split_names(m.group(1)))
    return ParsedArtist(s)


def artist_variants(s: str | None) -> tuple[str, ...]:
    """Comparable artist keys to look up, best first: the whole credit, then the main artist
    without featured names, then each name of a collaboration ("A & B", "A, B", "A x B")."""
    if not s or is_placeholder(s):
        return ()
    if s.isascii() and not _ARTIST_HINT_RE.search(s):  # one plain name
        return (artist_key(s),)
    out: list[str] = []
    for cand in (s, parse_artist(s).main):
        k = artist_key(cand)
        if k and k not in out:
            out.append(k)
    main = parse_artist(s).main
    strong = _STRONG_SPLIT_RE.split(main) if main else []
    weak = [w for part in strong for w in _WEAK_SPLIT_RE.split(part)]
    for part in (strong if len(strong) > 1 else []) + (weak if len(weak) > 1 else []):
        k = artist_key(part.strip())
        if k and k not in out:
            out.append(k)
    return tuple(out)


# Collaboration separators: strong ones rarely occur inside a name, weak ones often do ("Simon & Garfunkel").
_STRONG_SPLIT_RE = re.compile(r"\s*(?:,|/|;|\s[x×]\s|\svs\.?\s|\swith\s)\s*", re.I)
_WEAK_SPLIT_RE = re.compile(r"\s*(?:&|\band\b|\+)\s*", re.I)


_ALBUM_FORMAT_RE = re.compile(r"\s*(?:[-–]\s*(?:single|ep)|\((?:single|ep)\)|\[(?:single|ep)\])\s*$", re.I)
_DISC_RE = re.compile(r"\s*[(\[]?\s*(?:disc|disk|cd)\s*\d+\s*[)\]]?\s*$", re.I)


@lru_cache(maxsize=1 << 16)
def parse_album(s: str | None) -> ParsedAlbum:
    """ "Album (Deluxe Edition) (2011)" → ParsedAlbum("Album", "deluxe", 2011)."""
    if s is None or is_placeholder(s):
        return ParsedAlbum("", is_placeholder=True)
    if s.isascii() and not _ALBUM_HINT_RE.search(s):
        return ParsedAlbum(" ".join(s.split()))
    t = _DISC_RE.sub("", s.strip())
    t = _ALBUM_FORMAT_RE.sub("", t) or t
    p = _strip_suffixes(t)
    title = p.title
    if p.version:  # "Album (Live at X)" is another album, not an edition: keep its name whole
        title = t
    if not title:
        return ParsedAlbum(s.strip(), None, None, False, p.truncated)
    return ParsedAlbum(title, p.edition, p.year, False, p.truncated)


# Without any of these a (ASCII) name has nothing for the parsers to take apart: fast paths.
_TRACK_HINT_RE = re.compile(
    r"[()\[\]{}<>\-~/|…]|\.\.|^\s*\d|\b(?:feat|ft|featuring|remaster(?:ed)?)\b", re.I)
_ALBUM_HINT_RE = re.compile(
    r"[()\[\]{}<>\-~/|…]|\.\.|\b(?:feat|ft|featuring|remaster(?:ed)?|disc|disk|cd\s*\d)\b", re.I)
_ARTIST_HINT_RE = re.compile(r"[&,/;+(\[]|\b(?:and|x|vs|with|feat|ft|featuring)\b", re.I)
_BARE_NUMBER_RE = re.compile(r"^([1-9]\d?)\s+(?=\S)")
_TRACKNO_RE = re.compile(r"^\s*(?:(\d{1,3})\s*(?:[-.)_:]|\s-\s)\s*|(0\d)\s+)(?=\S)")


@lru_cache(maxsize=1 << 18)
def parse_track(s: str | None) -> ParsedTrack:
    """ "03. Artist - Song (feat. X) [Live]" → ParsedTrack("Artist - Song" split into embedded_artist
    "Artist" and title_after_artist "Song", featured ("X",), version "live", track_number 3)."""
    if s is None or is_placeholder(s):
        return ParsedTrack("", is_placeholder=True)
    if s.isascii() and not _TRACK_HINT_RE.search(s):  # most titles: nothing to take apart
        return ParsedTrack(" ".join(s.split()))
    raw = " ".join(unicodedata.normalize("NFKC", s).split())
    number = None
    alt: list[str] = []
    m = _TRACKNO_RE.match(raw)
    if m and len(raw) > m.end():
        rest = raw[m.end():]
        # "1. Song" yes; "2-4-6-8 Motorway" no: the rest must not start with another digit
        if not rest[0].isdigit():
            number = int(m.group(1) or m.group(2))
            raw = rest
    else:
        # "11 Money": maybe a track number, maybe a title ("99 Problems"); offer both readings.
        m2 = _BARE_NUMBER_RE.match(raw)
        if m2 and not raw[m2.end()].isdigit():
            alt.append(_strip_suffixes(raw[m2.end():]).title)
    p = _strip_suffixes(raw, dashes=True)
    title = p.title
    embedded = after = None
    tail = p.tail
    # A free-standing dash left in the title: "Artist - Title" (or "Title - Album").
    pieces = re.split(r"\s+[-–—~|]\s+", title, maxsplit=1)
    if len(pieces) == 2 and pieces[0] and pieces[1]:
        inner = _strip_suffixes(pieces[1], dashes=False)
        embedded, after = pieces[0].strip(), inner.title
        p = _Suffixes(title, p.featured + inner.featured, p.version or inner.version, p.edition or inner.edition,
                      p.year, p.tail, p.truncated, p.head)
    if not title:
        title = raw
    return ParsedTrack(
        title=title, featured=p.featured, version=p.version, edition=p.edition, track_number=number,
        embedded_artist=embedded, title_after_artist=after, tail=tail,
        title_without_tail=p.head if tail is not None else None, alt_titles=tuple(alt), truncated=p.truncated,
    )
