"""How Last.fm clients mangle names, as pure functions of (names, rng).

Each kind has a known share (probability per spelling, among the spellings where
it can apply), so the evaluation can say which rules fail where. The shares are
rough estimates of what real scrobble logs show; they are not tuned to the matcher.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# kind -> share among spellings where the kind can apply
NOISE_SHARES: dict[str, float] = {
    "remaster_track": 0.05,  # "Song - 2011 Remaster", "Song (Remastered 2009)"
    "explicit": 0.03,  # "Song [Explicit]"
    "feat_in_title": 0.7,  # of tracks with featured artists: "Song (feat. X)"
    "feat_in_artist": 0.15,  # of tracks with featured artists: artist "A feat. X"
    "version": 0.03,  # "Song (Live)", "Song - Acoustic": a different recording
    "typo": 0.03,  # one character dropped, doubled or swapped
    "case": 0.04,  # "SONG" / "song"
    "punctuation": 0.04,  # apostrophes, dots, commas dropped or changed
    "unicode": 0.05,  # NFD, accents stripped, full-width forms
    "and_amp": 0.5,  # of names with "&" or "and": swapped
    "the_prefix": 0.5,  # of artists starting with "The": dropped
    "track_number": 0.02,  # "03-Song", "03. Song"
    "artist_in_title": 0.02,  # title "Artist - Song", artist empty or an uploader
    "album_in_title": 0.01,  # "Song (Album)" / "Song - Album"
    "truncate": 0.3,  # of names over 40 characters: cut at 32 or 40
    "placeholder_album": 0.02,  # album "null", "unknown", "[unknown]"
    "empty_album": 0.06,  # album ""
    "album_edition": 0.05,  # "Album (Remastered)", "Album [Explicit]" where AOTY has no such edition
    "album_year": 0.02,  # "Album (1999)"
    "collab_artist": 0.5,  # of albums by several artists: "A & B" / "A, B" / "A x B"
    "artist_typo": 0.01,
}

REMASTER_FORMS = [
    " - {y} Remaster", " (Remastered {y})", " - Remastered {y}", " (Remastered)",
    " - Remastered", " [{y} Remaster]", " - {y} Remastered Version", " (Remastered Version)",
]
EXPLICIT_FORMS = [" [Explicit]", " (Explicit)", " (Explicit Version)", " [Clean]"]
FEAT_FORMS = [" (feat. {f})", " (ft. {f})", " [feat. {f}]", " feat. {f}", " (featuring {f})", " (with {f})"]
ARTIST_FEAT_FORMS = [" feat. {f}", " ft. {f}", " featuring {f}", " Feat. {f}", ", {f}"]
VERSION_FORMS = [
    " (Live)", " - Live", " - Live at {place}", " (Live at {place})", " (Acoustic)", " - Acoustic Version",
    " (Demo)", " - Demo", " (Remix)", " - {who} Remix", " (Live {y})", " (Unplugged)",
]
ALBUM_EDITION_FORMS = [
    " (Remastered)", " ({y} Remaster)", " [Explicit]", " (Expanded Edition)", " (Anniversary Edition)",
    " (Bonus Track Version)", " (Remastered {y})", " - Remastered", " (Special Edition)", " (Mono)",
    " (Super Deluxe)",
]
PLACES = ["Wembley", "Glastonbury", "the BBC", "Red Rocks", "Budokan", "KEXP", "Montreux"]
UPLOADERS = ["Music Channel", "unknown", "null", "", "Topic", "Various Artists", "MrSuicideSheep"]
VIDEO_JUNK = ["", "", " (Official Video)", " [Official Audio]", " (Lyrics)", " (OUT NOW)", " (HD)"]
PLACEHOLDERS = ["null", "unknown", "[unknown]", "Unknown Album", "<unknown>"]


@dataclass
class Names:
    artist: str
    album: str
    track: str


def _typo(s: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if len(letters) < 5:
        return s
    i = rng.choice(letters[1:-1])
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i] + s[i:]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :] if i + 1 < len(s) else s


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


def _unicode(s: str, rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0:
        return unicodedata.normalize("NFD", s)
    if form == 1:  # accents stripped, as some players do
        return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    if form == 2:
        return _fullwidth(s)
    return s.replace("'", "\u2019").replace('"', "\u201c")


def _punctuation(s: str, rng: random.Random) -> str:
    out = s.replace("'", "").replace(".", "").replace(",", "").replace("!", "").replace("?", "")
    if out == s:
        out = s.replace(" - ", " ").replace(":", "")
    return out


def _swap_and(s: str) -> str:
    if " & " in s:
        return s.replace(" & ", " and ")
    if " and " in s:
        return s.replace(" and ", " & ")
    return s


def _truncate(s: str, rng: random.Random) -> str:
    cut = rng.choice([32, 40])
    return s[:cut] + rng.choice(["", "...", "\u2026"])


def mangle(
    names: Names,
    *,
    featured: list[str],
    other_artists: list[str],
    album_has_deluxe_sibling: bool,
    year: int,
    is_single: bool,
    rng: random.Random,
) -> tuple[Names, list[str], bool]:
    """Apply noise kinds to one spelling.

    Returns the new names, the kinds applied, and whether the spelling became a
    different recording (live/demo/acoustic/remix), which changes the ground truth.
    """
    a, al, t = names.artist, names.album, names.track
    kinds: list[str] = []
    other_version = False

    def hit(kind: str) -> bool:
        if rng.random() < NOISE_SHARES[kind]:
            kinds.append(kind)
            return True
        return False

    # Credits first: they decide what the title and artist look like.
    if other_artists and hit("collab_artist"):
        sep = rng.choice([" & ", ", ", " x ", " and ", " / "])
        a = sep.join([a, *other_artists])
    if featured:
        f = " & ".join(featured) if len(featured) < 3 else ", ".join(featured[:-1]) + " & " + featured[-1]
        if hit("feat_in_title"):
            t = t + rng.choice(FEAT_FORMS).format(f=f)
        elif hit("feat_in_artist"):
            a = a + rng.choice(ARTIST_FEAT_FORMS).format(f=f)
    if hit("version"):
        t = t + rng.choice(VERSION_FORMS).format(place=rng.choice(PLACES), y=rng.randint(1970, 2024),
                                                 who=rng.choice(other_artists or ["Club"]))
        other_version = True
    elif hit("remaster_track"):
        t = t + rng.choice(REMASTER_FORMS).format(y=rng.randint(min(max(year + 5, 1990), 2024), 2024))
    if hit("explicit"):
        t = t + rng.choice(EXPLICIT_FORMS)

    # Album field.
    if is_single and rng.random() < 0.5:
        al = rng.choice([t, f"{t} - Single", ""])
    if hit("empty_album"):
        al = ""
    elif hit("placeholder_album"):
        al = rng.choice(PLACEHOLDERS)
    elif al:
        if not album_has_deluxe_sibling and hit("album_edition"):
            al = al + rng.choice(ALBUM_EDITION_FORMS).format(y=rng.randint(min(max(year + 5, 1990), 2024), 2024))
        elif hit("album_year"):
            al = f"{al} ({year})"

    # Fields in the wrong place.
    if hit("artist_in_title"):
        t = f"{a} - {t}{rng.choice(VIDEO_JUNK)}"
        a = rng.choice(UPLOADERS)
    elif al and al.lower() not in {p.lower() for p in PLACEHOLDERS} and hit("album_in_title"):
        t = rng.choice([f"{t} ({al})", f"{t} - {al}"])
    if hit("track_number"):
        t = rng.choice(["{n:02d}-{t}", "{n:02d}. {t}", "{n} - {t}", "{n:02d} {t}"]).format(n=rng.randint(1, 14), t=t)

    # Character-level noise.
    for kind, fn in (("and_amp", _swap_and),):
        if (" & " in a or " and " in a) and hit(kind):
            a = fn(a)
    if a.startswith("The ") and hit("the_prefix"):
        a = a[4:]
    if hit("typo"):
        t = _typo(t, rng)
    if hit("artist_typo"):
        a = _typo(a, rng)
    if hit("case"):
        t = t.lower() if rng.random() < 0.6 else t.upper()
    if hit("punctuation"):
        t = _punctuation(t, rng)
    if hit("unicode"):
        a, t = _unicode(a, rng), _unicode(t, rng)
    for field_name in ("track", "album"):
        value = t if field_name == "track" else al
        if len(value) > 40 and hit("truncate"):
            if field_name == "track":
                t = _truncate(t, rng)
            else:
                al = _truncate(al, rng)
    return Names(a, al, t), kinds, other_version
