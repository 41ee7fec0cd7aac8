"""Pure parsers from AOTY HTML to typed records.

Order of trust: JSON-LD first (the most stable markup), then the documented HTML
selectors, then looser fallbacks (class-name substrings, old schema.org microdata)
for pages whose markup drifted. A value that cannot be read is None and named in
`notes`; a page whose required fields cannot be read is a `ParseError`, never a
guess. Anti-bot interstitials come back as `ChallengePage`.

    python -m ingest.aoty.parse PAGE.html [--url URL]
"""
from __future__ import annotations

import html as htmllib
import json
import re
import sys
from datetime import date, datetime
from urllib.parse import parse_qs, urljoin, urlparse

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .records import (
    PARSER_VERSION, AlbumList, AlbumListItem, AlbumRecord, ArtistListItem, ArtistRecord, ArtistSearch,
    ChallengePage, Credit, ParseError, TrackRecord, to_jsonable,
)

_WS = re.compile(r"\s+")
_ALBUM_HREF = re.compile(r"/album/(\d+)(?:-[^/?#]*)?(?:\.php)?", re.I)
_ARTIST_HREF = re.compile(r"/artist/(\d+)(?:-[^/?#]*)?", re.I)
_SONG_HREF = re.compile(r"/song/(\d+)(?:-[^/?#]*)?", re.I)
_COUNT = re.compile(r"(\d[\d,.\u00a0\u202f ]*\d|\d)\s*([kKmM])?(?![a-zA-Z])")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DURATION = re.compile(r"\b(?:(\d+):)?(\d{1,3}):(\d{2})\b")
_CHALLENGE_TITLES = ("just a moment", "attention required", "checking your browser", "access denied",
                     "please wait", "ddos protection", "verify you are human")
_FORMATS = {"lp": "LP", "ep": "EP", "mixtape": "Mixtape", "single": "Single", "compilation": "Compilation",
            "live": "Live", "soundtrack": "Soundtrack", "remix": "Remix", "demo": "Demo", "box set": "Box Set"}
_SECTION_FORMATS = {"albums": "LP", "mixtapes": "Mixtape", "eps": "EP", "singles": "Single",
                    "compilations": "Compilation", "live albums": "Live", "soundtracks": "Soundtrack",
                    "remix albums": "Remix", "demos": "Demo", "box sets": "Box Set"}
_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y",
                 "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y")


# --- small pure helpers -------------------------------------------------------------------

def clean_text(value: str | None) -> str:
    """Whitespace collapsed, entities decoded (twice-encoded ones too, as some proxies emit)."""
    if not value:
        return ""
    text = htmllib.unescape(value)
    if "&" in text and re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", text, re.I):
        text = htmllib.unescape(text)
    return _WS.sub(" ", text.replace("\u00a0", " ")).strip()


def node_text(node: LexborNode | None) -> str:
    return clean_text(node.text(deep=True)) if node is not None else ""


def parse_count(text: str | None) -> int | None:
    """'Based on 12,345 ratings' -> 12345, '(12K)' -> 12000, '(1.2M)' -> 1200000; None when absent."""
    if not text:
        return None
    m = _COUNT.search(text.replace("\u00a0", " "))
    if not m:
        return None
    digits, suffix = m.group(1), (m.group(2) or "").lower()
    digits = re.sub(r"[\s\u00a0\u202f]", "", digits)
    if suffix:
        try:
            value = float(digits.replace(",", "."))  # "1,2K" is European for 1.2K
        except ValueError:
            return None
        return int(round(value * (1000 if suffix == "k" else 1_000_000)))
    if re.fullmatch(r"\d{1,3}([,.]\d{3})+", digits):  # thousands separators
        return int(re.sub(r"[,.]", "", digits))
    if re.fullmatch(r"\d+", digits):
        return int(digits)
    return None  # "12.5" is not a count: refuse rather than store a wrong number


def parse_score(text: str | None) -> float | None:
    """A 0-100 score; None for 'NR', '-', '' or anything out of range."""
    text = clean_text(text)
    if not text or text.upper() in {"NR", "N/A", "-", "--", "TBD"}:
        return None
    m = re.search(r"\d+(?:\.\d+)?", text)
    if not m:
        return None
    value = float(m.group(0))
    return value if 0 <= value <= 100 else None


def parse_duration(text: str | None) -> int | None:
    m = _DURATION.search(text or "")
    if not m:
        return None
    hours, minutes, seconds = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
    return hours * 3600 + minutes * 60 + seconds


def parse_date(text: str | None) -> tuple[date | None, int | None]:
    """(date, year) from 'August 20, 2016', '2016-08-20', 'Aug 20, 2016'; ('2016' -> (None, 2016))."""
    text = clean_text(text)
    if not text:
        return None, None
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\s+,", ",", text)  # "August 20 , 2016": links split over lines
    candidates = [text, text.split("T")[0]]
    m = re.search(r"[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}", text)
    if m:
        candidates.insert(0, m.group(0).replace(".", ""))
    for cand in candidates:
        for fmt in _DATE_FORMATS:
            try:
                d = datetime.strptime(cand.strip(), fmt).date()
                return d, d.year
            except ValueError:
                continue
    y = _YEAR.search(text)
    return None, (int(y.group(1)) if y else None)


def normalize_format(text: str | None) -> str | None:
    text = clean_text(text).lower()
    if not text:
        return None
    if text in _FORMATS:
        return _FORMATS[text]
    for word, fmt in _FORMATS.items():
        if re.search(rf"\b{re.escape(word)}\b", text):
            return fmt
    return None


def id_from_href(href: str | None, kind: str) -> int | None:
    pattern = {"album": _ALBUM_HREF, "artist": _ARTIST_HREF, "song": _SONG_HREF}[kind]
    m = pattern.search(href or "")
    return int(m.group(1)) if m else None


def _absolute(url: str, href: str | None) -> str | None:
    if not href:
        return None
    return urljoin(url, href) if url and urlparse(url).scheme else href


def _inside(node: LexborNode, class_fragment: str, *, stop: LexborNode | None = None) -> bool:
    """Whether an ancestor's class contains class_fragment (case-insensitive)."""
    frag = class_fragment.lower()
    parent = node.parent
    while parent is not None and parent is not stop and parent.tag not in ("body", "html"):
        if frag in (parent.attributes.get("class") or "").lower():
            return True
        parent = parent.parent
    return False


def _in_page_chrome(node: LexborNode) -> bool:
    """Inside the site's header, navigation, footer or an ad: links there are not results."""
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in ("nav", "header", "footer", "aside"):
            return True
        marks = f"{parent.attributes.get('id') or ''} {parent.attributes.get('class') or ''}".lower()
        if any(m in marks for m in ("header", "nav", "footer", "sidebar", "adwrapper", "adtag")):
            return True
        parent = parent.parent
    return False


def _first(root: LexborNode | LexborHTMLParser, *selectors: str) -> LexborNode | None:
    for sel in selectors:
        node = root.css_first(sel)
        if node is not None:
            return node
    return None


def _first_outside_lists(tree: LexborHTMLParser, *selectors: str) -> LexborNode | None:
    """The first match that is not part of an album list further down the page ("More by", "Similar")."""
    for sel in selectors:
        for node in tree.css(sel):
            if not _inside(node, "albumblock"):
                return node
    return None


# --- page type ----------------------------------------------------------------------------

def _title(tree: LexborHTMLParser) -> str:
    return node_text(tree.css_first("title"))


def is_challenge(html: str) -> bool:
    """An anti-bot interstitial ('Just a moment...', Cloudflare turnstile), not content."""
    head = html[:20000].lower()
    tree = LexborHTMLParser(html[:20000])
    title = _title(tree).lower()
    if any(title.startswith(t) for t in _CHALLENGE_TITLES):
        return True
    markers = ("cf-challenge", "challenge-platform", "cf_chl_opt", "cf-turnstile", "challenge-form")
    return any(m in head for m in markers) and tree.css_first("h1.albumTitle, .albumBlock, .artistHeadline") is None


def _canonical_url(tree: LexborHTMLParser) -> str:
    node = _first(tree, 'link[rel="canonical"]', 'meta[property="og:url"]')
    if node is None:
        return ""
    return node.attributes.get("href") or node.attributes.get("content") or ""


def _json_ld(tree: LexborHTMLParser) -> list[dict]:
    """Every JSON-LD object on the page (flattening lists and @graph); broken blocks are skipped."""
    found: list[dict] = []
    for script in tree.css('script[type="application/ld+json"]'):
        raw = (script.text(deep=True) or "").strip()
        if not raw:
            continue
        data = None
        for attempt in (raw, raw.rstrip(";"), htmllib.unescape(raw)):
            try:
                data = json.loads(attempt, strict=False)
                break
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return found


def _ld_of_type(objects: list[dict], type_name: str) -> dict | None:
    for obj in objects:
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        if type_name in types:
            return obj
    return None


def detect_page_type(html: str, url: str = "") -> str:
    """'challenge', 'album', 'album_search', 'artist_search', 'artist', 'list' or 'unknown',
    from the content first and the URL (or the page's canonical URL) second."""
    if is_challenge(html):
        return "challenge"
    tree = LexborHTMLParser(html)
    path = urlparse(url or _canonical_url(tree)).path.lower()
    headline = " ".join(node_text(n) for n in tree.css("h1, .headline")[:3]).lower()
    if "search results" in headline or path.startswith("/search/"):
        if "/search/artists" in path:
            return "artist_search"
        if "/search/albums" in path or tree.css_first(".albumBlock") is not None:
            return "album_search"
        if tree.css_first('.artistBlock, a[href*="/artist/"]') is not None:
            return "artist_search"
        return "album_search"
    if _ld_of_type(_json_ld(tree), "MusicAlbum") is not None or tree.css_first(
            "h1.albumTitle, .albumTopBox, [itemtype*='MusicAlbum']") is not None:
        return "album"
    if tree.css_first(".artistHeadline, h1.artistHeadline, .artistTopBox") is not None or "/artist/" in path:
        return "artist"
    if "/album/" in path:
        return "album"
    if tree.css_first(".albumBlock") is not None:
        return "list"
    return "unknown"


def _truncated(html: str) -> bool:
    """A document that opened <html> but never closed it was cut off in transfer."""
    low = html.lower()
    return "<html" in low[:5000] and "</html>" not in low[-5000:]


# --- album page ---------------------------------------------------------------------------

def _album_id(tree: LexborHTMLParser, url: str, ld: dict | None) -> int | None:
    for source in (url, _canonical_url(tree), (ld or {}).get("url"), (ld or {}).get("@id")):
        found = id_from_href(source if isinstance(source, str) else None, "album")
        if found is not None:
            return found
    button = tree.css_first("button.showImage[data-id], [data-albumid], [data-album-id]")
    if button is not None:
        raw = button.attributes.get("data-id") or button.attributes.get("data-albumid") or button.attributes.get("data-album-id")
        if raw and raw.strip().isdigit():
            return int(raw.strip())
    return None


def _ld_artists(ld: dict | None) -> list[Credit]:
    if not ld:
        return []
    by = ld.get("byArtist")
    items = by if isinstance(by, list) else [by] if by else []
    credits = []
    for item in items:
        if isinstance(item, dict) and item.get("name"):
            url = item.get("url") or item.get("@id")
            credits.append(Credit(clean_text(str(item["name"])), id_from_href(url, "artist"), url))
        elif isinstance(item, str) and item.strip():
            credits.append(Credit(clean_text(item)))
    return credits


def _html_artists(tree: LexborHTMLParser, url: str) -> list[Credit]:
    box = _first_outside_lists(tree, ".albumHeadline .artistTitle", ".artistTitle", "[class*=artisttitle i]")
    credits: list[Credit] = []
    if box is not None:
        for a in box.css('a[href*="/artist/"]'):
            name = node_text(a)
            if name:
                href = a.attributes.get("href")
                credits.append(Credit(name, id_from_href(href, "artist"), _absolute(url, href)))
        if not credits and node_text(box):
            credits.append(Credit(node_text(box)))
    if not credits:  # old microdata pages
        for node in tree.css('[itemprop="byArtist"]'):
            if _inside(node, "albumblock"):
                continue
            a = node if node.tag == "a" else node.css_first("a")
            name_node = node.css_first('[itemprop="name"]')
            name = (name_node.attributes.get("content") if name_node is not None and name_node.tag == "meta" else None) \
                or node_text(name_node) or node_text(a) or node_text(node)
            href = a.attributes.get("href") if a is not None else None
            if name:
                credits.append(Credit(clean_text(name), id_from_href(href, "artist"), _absolute(url, href)))
    return credits


def _merge_artists(ld_artists: list[Credit], html_artists: list[Credit]) -> list[Credit]:
    """JSON-LD names win; the HTML header adds artists JSON-LD left out and fills missing ids."""
    if not ld_artists:
        return html_artists
    if len(html_artists) > len(ld_artists):
        return html_artists
    merged = []
    for i, credit in enumerate(ld_artists):
        other = html_artists[i] if i < len(html_artists) else None
        if other is not None and credit.artist_id is None:
            credit = Credit(credit.name, other.artist_id, credit.url or other.url)
        merged.append(credit)
    return merged


def _score_box(tree: LexborHTMLParser, kind: str) -> LexborNode | None:
    """The critic or user score box of the album header; substring fallbacks survive renamed classes."""
    cap = kind.capitalize()
    return _first_outside_lists(
        tree, f".album{cap}ScoreBox", f"[class*=album{kind}scorebox i]", f"[class*={kind}scorebox i]",
        f"[class*={kind}score i]")


def _exact_score(value: str | None) -> float | None:
    """A title attribute that is a bare number ("84.6"); anything else ("1,234 ratings") is not a score."""
    value = clean_text(value)
    return parse_score(value) if re.fullmatch(r"\d{1,3}(?:\.\d+)?", value) else None


def _box_score(box: LexborNode) -> tuple[float | None, bool]:
    """(exact score, whether a score element was present at all): the rounded score is the text of
    the box's score element, the exact one a bare-number `title` on it or inside it."""
    container = _first(box, "[class*=score i]:not([class*=box i])", "[class*=score i]") or box
    title_value = None
    for node in [container, *container.css("[title]")]:
        title_value = _exact_score(node.attributes.get("title"))
        if title_value is not None:
            break
    text = node_text(container)
    text_value = parse_score(text.split(" ")[0] if text else "")
    if title_value is not None and (text_value is None or abs(title_value - text_value) <= 1):
        return title_value, True
    return text_value, bool(text)


def _box_count(box: LexborNode) -> int | None:
    node = _first(box, ".text.numReviews", ".numReviews", "[class*=numreviews i]", "[class*=count i]")
    text = node_text(node) if node is not None else ""
    if not text:
        m = re.search(r"based on[^<]{0,40}", node_text(box), re.I)
        text = m.group(0) if m else ""
    return parse_count(text)


def _microdata_rating(tree: LexborHTMLParser) -> tuple[float | None, int | None]:
    node = tree.css_first('[itemprop="ratingValue"]')
    if node is None:
        return None, None
    value = parse_score(node.attributes.get("content") or node_text(node))
    count_node = _first(tree, '[itemprop="reviewCount"]', '[itemprop="ratingCount"]')
    count = parse_count(count_node.attributes.get("content") or node_text(count_node)) if count_node is not None else None
    return value, count


_ROW_LABELS = ("release date", "released", "date", "format", "label", "labels", "genre", "genres", "producer",
               "producers", "writer", "writers", "also known as", "aka", "country", "born", "formed")


def _row_label_node(row: LexborNode) -> LexborNode | None:
    """The span naming the row ("/ Release Date", "Genres:"): a known label wherever it sits, else the last span."""
    spans = [s for s in row.css("span") if not _inside(s, "secondary", stop=row)]
    for span in spans:
        if node_text(span).strip(" /:").lower() in _ROW_LABELS:
            return span
    return spans[-1] if spans else None


def _detail_rows(tree: LexborHTMLParser) -> list[tuple[str, LexborNode]]:
    """(label, row) for the info box rows: 'release date', 'format', 'label', 'genres', ..."""
    rows = (tree.css(".albumTopBox.info .detailRow") or tree.css(".detailRow") or tree.css("[class*=detailrow i]")
            or tree.css("[class*=detail i][class*=row i]"))
    out = []
    for row in rows:
        if _inside(row, "albumblock"):
            continue
        label_node = _row_label_node(row)
        out.append((node_text(label_node).strip(" /:").lower() if label_node is not None else "", row))
    return out


def _row_value_text(row: LexborNode) -> str:
    """The row's text without its '/ Label' span (trailing on the live site, leading on some copies)."""
    text = node_text(row)
    label_node = _row_label_node(row)
    label = node_text(label_node) if label_node is not None else ""
    if label and text.endswith(label):
        text = text[: -len(label)]
    elif label and text.startswith(label):
        text = text[len(label):]
    return text.strip(" ,/:")


def _genres(rows: list[tuple[str, LexborNode]], tree: LexborHTMLParser, ld: dict | None) -> tuple[list[str], list[str]]:
    primary: list[str] = []
    secondary: list[str] = []
    genre_rows = [r for label, r in rows if "genre" in label] or [r for _, r in rows if r.css_first('a[href*="/genre/"]')]
    for row in genre_rows:
        for a in row.css('a[href*="/genre/"]'):
            name = node_text(a)
            if not name:
                continue
            is_secondary = _inside(a, "secondary", stop=row) or a.css_first(".secondary") is not None \
                or "secondary" in (a.attributes.get("class") or "").lower()
            target = secondary if is_secondary else primary
            if name not in target:
                target.append(name)
    if not primary and not secondary:
        ld_genre = (ld or {}).get("genre")
        values = ld_genre if isinstance(ld_genre, list) else [ld_genre] if ld_genre else []
        primary = [clean_text(str(g)) for g in values if clean_text(str(g))]
    if not primary and not secondary:
        primary = [clean_text(m.attributes.get("content")) for m in tree.css('meta[itemprop="genre"]')
                   if clean_text(m.attributes.get("content"))]
    return primary, secondary


def _tags(tree: LexborHTMLParser) -> list[str]:
    tags: list[str] = []
    for a in tree.css('a[href*="/tag/"]'):
        if not (_inside(a, "tag") or a.css_first(".tag") is not None or "tag" in (a.attributes.get("class") or "").split()):
            continue
        name = node_text(a)
        if name and name not in tags:
            tags.append(name)
    return tags


def _track_rows(tree: LexborHTMLParser) -> list[LexborNode]:
    for sel in (".trackListTable tr", "table[class*=tracklist i] tr", "[class*=tracklist i] tr"):
        rows = tree.css(sel)
        if rows:
            return rows
    return [td.parent for td in tree.css("td.trackTitle, td[class*=tracktitle i]") if td.parent is not None]


def _tracks(tree: LexborHTMLParser, album_id: int, url: str) -> tuple[list[TrackRecord], str | None]:
    """The tracklist, or an error message naming the row that could not be read."""
    tracks: list[TrackRecord] = []
    disc, last_number, position = 1, 0, 0
    for row in _track_rows(tree):
        title_cell = _first(row, ".trackTitle", "[class*=tracktitle i]")
        row_text = node_text(row)
        disc_mark = re.match(r"^(?:disc|cd|disk)\s*(\d+)\b", row_text, re.I)
        if title_cell is None:
            if disc_mark:
                disc, last_number = int(disc_mark.group(1)), 0
            continue
        position += 1
        link = title_cell.css_first('a[href*="/song/"]') or title_cell.css_first("a:not([href*='/artist/'])")
        if link is not None and _inside(link, "featuredartists", stop=title_cell):
            link = None
        if link is not None:
            title = node_text(link)
        else:  # no song page yet: the cell's own text minus its length, credits and notes
            clone = LexborHTMLParser(title_cell.html or "")
            for junk in clone.css(".length, [class*=featured i], .trackNotes, [class*=notes i]"):
                junk.decompose()
            title = node_text(clone.body)
        if not title:
            return tracks, f"track row {position}: no title"
        num_node = _first(row, ".trackNumber", "[class*=tracknumber i]")
        number = int(node_text(num_node)) if num_node is not None and node_text(num_node).isdigit() else None
        if number is None:
            number = last_number + 1
        elif number <= last_number:  # numbering restarted: next disc
            disc += 1
        last_number = number
        song_id = id_from_href(link.attributes.get("href") if link is not None else None, "song")
        length_node = _first(title_cell, ".length", "[class*=length i]")
        featured = tuple(
            Credit(node_text(a), id_from_href(a.attributes.get("href"), "artist"), _absolute(url, a.attributes.get("href")))
            for a in (title_cell.css('.featuredArtists a') or title_cell.css('[class*=featured i] a')) if node_text(a))
        notes_node = _first(title_cell, ".trackNotes", "[class*=tracknotes i]")
        rating_node = _first(row, ".trackRating span", "[class*=trackrating i] span", "[class*=trackrating i]")
        rating = parse_score(node_text(rating_node)) if rating_node is not None else None
        rating_count = None
        if rating_node is not None and rating is not None:
            rating_count = parse_count(rating_node.attributes.get("title"))
        tracks.append(TrackRecord(
            track_id=song_id if song_id is not None else -(album_id * 1000 + position),
            album_id=album_id, disc=disc, number=number, title=title,
            duration_s=parse_duration(node_text(length_node)) if length_node is not None else None,
            rating=int(round(rating)) if rating is not None else None, rating_count=rating_count,
            notes=node_text(notes_node) or None if notes_node is not None else None,
            featured=featured,
        ))
    return tracks, None


def _open_page(html: str, url: str, page_type: str) -> tuple[LexborHTMLParser, str] | ChallengePage | ParseError:
    """What every page parser checks first: a challenge or a truncated page is never data."""
    if is_challenge(html):
        return ChallengePage(url, _title(LexborHTMLParser(html[:20000])))
    if _truncated(html):
        return ParseError(url, page_type, "document", "the HTML ends before </html>: truncated in transfer")
    tree = LexborHTMLParser(html)
    return tree, url or _canonical_url(tree)


def parse_album(html: str, url: str = "") -> AlbumRecord | ParseError | ChallengePage:
    """One album page. JSON-LD first, the HTML boxes second, microdata last."""
    opened = _open_page(html, url, "album")
    if not isinstance(opened, tuple):
        return opened
    tree, url = opened
    ld = _ld_of_type(_json_ld(tree), "MusicAlbum")
    notes: list[str] = []

    album_id = _album_id(tree, url, ld)
    if album_id is None:
        return ParseError(url, "album", "album_id", "no /album/<id>- URL, canonical link or button.showImage[data-id]")

    title = clean_text(str(ld["name"])) if ld and ld.get("name") else ""
    if not title:
        h1 = _first(tree, "h1.albumTitle span[itemprop=name]", "h1.albumTitle", "h1[class*=albumtitle i]",
                    ".albumHeadline h1", "[itemtype*='MusicAlbum'] [itemprop=name]")
        title = node_text(h1)
    if not title:
        return ParseError(url, "album", "title", "neither JSON-LD name nor h1.albumTitle")

    artists = _merge_artists(_ld_artists(ld), _html_artists(tree, url))
    if not artists:
        return ParseError(url, "album", "artist", "neither JSON-LD byArtist nor .artistTitle a")

    rows = _detail_rows(tree)
    if not rows:  # every album page has its info box; without it the page is not what we think
        return ParseError(url, "album", "detailRow", "no info box rows (.albumTopBox.info .detailRow): markup drifted?")
    release_date, release_year = parse_date(str(ld.get("datePublished"))) if ld and ld.get("datePublished") else (None, None)
    if release_date is None:
        date_row = next((r for label, r in rows if "release" in label or label == "date"), None)
        if date_row is None:  # unlabelled rows: the first one that reads as a date
            date_row = next((r for _, r in rows if parse_date(_row_value_text(r))[0] is not None), None)
        if date_row is not None:
            d, y = parse_date(_row_value_text(date_row))
            release_date, release_year = d, y or release_year
    if release_year is None:
        notes.append("release_date: no JSON-LD datePublished and no release date row")

    fmt_row = next((r for label, r in rows if "format" in label), None)
    album_format = normalize_format(_row_value_text(fmt_row)) if fmt_row is not None else None
    if album_format is None:
        notes.append("format: no format row")
    label_link = next((r.css_first('a[href*="/label/"]') for _, r in rows if r.css_first('a[href*="/label/"]')), None)
    label = node_text(label_link) or None
    if label is None:
        label_row = next((r for lab, r in rows if lab == "label"), None)
        label = _row_value_text(label_row) or None if label_row is not None else None

    genres, secondary = _genres(rows, tree, ld)

    critic_score, critic_count = _critic(tree, ld, notes)
    user_score, user_count = _user(tree, notes)

    tracks, error = _tracks(tree, album_id, url)
    if error:
        return ParseError(url, "album", "tracks", error)
    if not tracks:
        song_links = [a for a in tree.css('a[href*="/song/"]') if not _inside(a, "albumblock")]
        if song_links:  # a tracklist is there but its rows were not recognized: never "no tracks"
            return ParseError(url, "album", "tracks",
                              f"{len(song_links)} /song/ links but no .trackListTable rows: markup drifted?")
        notes.append("tracks: no tracklist on the page")
    total_node = _first(tree, ".totalLength", "[class*=totallength i]")
    total = parse_duration(node_text(total_node)) if total_node is not None else None
    if total is None and tracks and all(t.duration_s is not None for t in tracks):
        total = sum(t.duration_s or 0 for t in tracks)

    return AlbumRecord(
        album_id=album_id, url=url, title=title, artists=tuple(artists),
        release_date=release_date, release_year=release_year, format=album_format, label=label,
        genres=tuple(genres), secondary_genres=tuple(secondary),
        critic_score=critic_score, critic_review_count=critic_count,
        user_score=user_score, user_rating_count=user_count,
        tags=tuple(_tags(tree)), tracks=tuple(tracks), total_length_s=total, notes=tuple(notes),
    )


def _critic(tree: LexborHTMLParser, ld: dict | None, notes: list[str]) -> tuple[float | None, int | None]:
    box = _score_box(tree, "critic")
    box_score, box_count = (None, None)
    if box is not None:
        box_score, _ = _box_score(box)
        box_count = _box_count(box)
    rating = (ld or {}).get("aggregateRating")
    rating = rating if isinstance(rating, dict) else None
    if rating is not None and (rating.get("reviewCount") is not None or box is not None):
        ld_score = parse_score(str(rating.get("ratingValue", "")))
        ld_count = parse_count(str(rating.get("reviewCount") or rating.get("ratingCount") or ""))
        if ld_score is not None:
            # The box's title carries the exact value; keep it when it agrees with JSON-LD.
            if box_score is not None and abs(box_score - ld_score) <= 1 and box_score != ld_score:
                ld_score = box_score if len(str(box_score)) > len(str(ld_score)) else ld_score
            return ld_score, ld_count if ld_count is not None else box_count
    if box is not None:
        if box_score is None:
            notes.append("critic_score: critic box without a score")
        return box_score, box_count if box_score is not None else (box_count or 0)
    value, count = _microdata_rating(tree)
    if value is not None:
        return value, count
    return None, 0  # no critic box: the album has no critic reviews


def _user(tree: LexborHTMLParser, notes: list[str]) -> tuple[float | None, int | None]:
    box = _score_box(tree, "user")
    if box is None:
        notes.append("user_score: no user score box")
        return None, None
    score, _ = _box_score(box)
    return score, _box_count(box)


# --- album lists (search results, discographies) -----------------------------------------

def _block_ratings(block: LexborNode) -> dict[str, tuple[float | None, int | None]]:
    out: dict[str, tuple[float | None, int | None]] = {}
    for row in block.css(".ratingRow"):
        score = parse_score(node_text(row.css_first(".rating")))
        label = " ".join(node_text(t) for t in row.css(".ratingText")).lower()
        kind = "critic" if "critic" in label else "user" if "user" in label else None
        if kind is None:
            continue
        m = re.search(r"\(([^)]*)\)", label)
        out[kind] = (score, parse_count(m.group(1)) if m else None)
    return out


def _album_block(block: LexborNode, url: str, section: str | None, default_artist: str | None) -> AlbumListItem | None:
    link = _first(block, '.image a[href*="/album/"]', 'a[href*="/album/"]')
    href = link.attributes.get("href") if link is not None else None
    album_id = id_from_href(href, "album")
    title = node_text(_first(block, ".albumTitle", "[class*=albumtitle i]"))
    if album_id is None or not title:
        return None
    artist = node_text(_first(block, ".artistTitle", "[class*=artisttitle i]")) or default_artist
    type_text = node_text(_first(block, ".type", "[class*=type i]"))
    d, year = parse_date(type_text)
    data_type = (block.attributes.get("data-type") or "").strip()
    fmt = normalize_format(data_type) or normalize_format(re.sub(_YEAR, "", type_text)) \
        or _SECTION_FORMATS.get((section or "").lower())
    img = block.css_first(".image img")
    image = (img.attributes.get("data-src") or img.attributes.get("src")) if img is not None else None
    ratings = _block_ratings(block)
    critic, user = ratings.get("critic", (None, None)), ratings.get("user", (None, None))
    return AlbumListItem(
        album_id=album_id, url=_absolute(url, href) or "", title=title, artist_name=artist,
        release_year=year, release_date=d, format=fmt, section=section,
        critic_score=critic[0], critic_review_count=critic[1], user_score=user[0], user_rating_count=user[1],
        image_url=_absolute(url, image),
    )


def _album_blocks(tree: LexborHTMLParser, url: str, default_artist: str | None = None) -> list[AlbumListItem]:
    items: list[AlbumListItem] = []
    section: str | None = None
    for node in tree.css(".subHeadline, .albumBlock"):
        if "albumblock" not in (node.attributes.get("class") or "").lower():
            section = re.sub(r"\s*\([\d,]+\)\s*$", "", node_text(node)) or None
            continue
        item = _album_block(node, url, section, default_artist)
        if item is not None:
            items.append(item)
    return items


def _query(url: str) -> str | None:
    values = parse_qs(urlparse(url).query).get("q")
    return values[0] if values else None


def parse_album_list(html: str, url: str = "") -> AlbumList | ParseError | ChallengePage:
    """A search result page or any other page of `.albumBlock`s."""
    opened = _open_page(html, url, "album_search")
    if not isinstance(opened, tuple):
        return opened
    tree, url = opened
    items = _album_blocks(tree, url)
    total = None
    for head in tree.css("h2, .subHeadline, .sectionHeading"):
        m = re.search(r"albums\s*\(([\d,.\s]+[kKmM]?)\)", node_text(head), re.I)
        if m:
            total = parse_count(m.group(1))
            break
    headline = node_text(_first(tree, "h1.headline", ".headline", "h1")).lower()
    is_search = "search results" in headline or "/search/" in url
    if not items and tree.css_first(".albumBlock") is not None:
        return ParseError(url, "album_search" if is_search else "list", "albumBlock",
                          "album blocks without an /album/ link or a title")
    if is_search and not items and total is None and "search results" not in headline:
        return ParseError(url, "album_search", "results", "neither album blocks nor a 'Search Results' headline")
    return AlbumList(url=url, page_type="album_search" if is_search else "list", items=tuple(items),
                     total=total if total is not None else (len(items) if is_search else None), query=_query(url))


def parse_artist_search(html: str, url: str = "") -> ArtistSearch | ParseError | ChallengePage:
    """`/search/artists/?q=`: every distinct /artist/ link of the result blocks, in page order."""
    opened = _open_page(html, url, "artist_search")
    if not isinstance(opened, tuple):
        return opened
    tree, url = opened
    blocks = tree.css(".artistBlock") or []
    links = [b.css_first('a[href*="/artist/"]') for b in blocks] if blocks else [
        a for a in tree.css('a[href*="/artist/"]') if not _in_page_chrome(a)]
    items: list[ArtistListItem] = []
    seen: set[int] = set()
    for block, a in zip(blocks or links, links):
        if a is None:
            continue
        artist_id = id_from_href(a.attributes.get("href"), "artist")
        name_node = _first(block, ".name", ".artistName", "[class*=name i]") if blocks else None
        name = node_text(name_node) or node_text(a) or clean_text(a.attributes.get("title"))
        if artist_id is None or not name or artist_id in seen:
            continue
        seen.add(artist_id)
        items.append(ArtistListItem(artist_id, name, _absolute(url, a.attributes.get("href")) or ""))
    return ArtistSearch(url=url, items=tuple(items), query=_query(url))


# --- artist page --------------------------------------------------------------------------

def _artist_score(tree: LexborHTMLParser, kind: str) -> tuple[float | None, int | None]:
    node = _first(tree, f".artist{kind.capitalize()}Score", f"[class*=artist{kind}score i]")
    if node is None:
        return None, None
    score, _ = _box_score(node)
    box = node.parent if node.parent is not None else node
    m = re.search(r"based on[^()]{0,40}|\(([\d,.]+[kKmM]?)\)", node_text(box), re.I)
    return score, parse_count(m.group(0)) if m else None


def parse_artist(html: str, url: str = "") -> ArtistRecord | ParseError | ChallengePage:
    """An artist page with its discography grouped by the `h2.subHeadline` sections."""
    opened = _open_page(html, url, "artist")
    if not isinstance(opened, tuple):
        return opened
    tree, url = opened
    ld = _ld_of_type(_json_ld(tree), "MusicGroup") or _ld_of_type(_json_ld(tree), "Person")
    artist_id = id_from_href(url, "artist") or id_from_href(_canonical_url(tree), "artist")
    if artist_id is None:
        return ParseError(url, "artist", "artist_id", "no /artist/<id>- URL or canonical link")
    name = node_text(_first(tree, "h1.artistHeadline", ".artistHeadline", "h1[class*=artist i]"))
    if not name and ld and ld.get("name"):
        name = clean_text(str(ld["name"]))
    if not name:
        return ParseError(url, "artist", "name", "no h1.artistHeadline")
    critic, critic_count = _artist_score(tree, "critic")
    user, user_count = _artist_score(tree, "user")
    genres: list[str] = []
    aka: list[str] = []
    for row in tree.css(".artistTopBox .detailRow") or tree.css("[class*=artistinfo i] .detailRow"):
        label = node_text(row.css_first("span")).lower() if row.css_first("span") else ""
        if row.css_first('a[href*="/genre/"]'):
            genres += [node_text(a) for a in row.css('a[href*="/genre/"]') if node_text(a) not in genres]
        elif "known" in label or "aka" in label:
            aka += [clean_text(p) for p in _row_value_text(row).split(",") if clean_text(p)]
    albums = _album_blocks(tree, url, default_artist=name)
    return ArtistRecord(
        artist_id=artist_id, name=name, url=url, critic_score=critic, critic_review_count=critic_count,
        user_score=user, user_rating_count=user_count, genres=tuple(dict.fromkeys(genres)),
        also_known_as=tuple(aka), albums=tuple(albums),
    )


def parse_page(html: str, url: str = ""):
    """Whatever the page is, parsed by the matching parser (the CLI's entry point)."""
    kind = detect_page_type(html, url)
    if kind == "challenge":
        return ChallengePage(url, _title(LexborHTMLParser(html[:20000])))
    if kind == "album":
        return parse_album(html, url)
    if kind == "artist":
        return parse_artist(html, url)
    if kind == "artist_search":
        return parse_artist_search(html, url)
    if kind in ("album_search", "list"):
        return parse_album_list(html, url)
    return ParseError(url, "unknown", "page_type", "not an album, artist, search or list page", PARSER_VERSION)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m ingest.aoty.parse", description="Parse one saved AOTY page to JSON.")
    ap.add_argument("page", help="a saved HTML file ('-' for stdin)")
    ap.add_argument("--url", default="", help="the page's URL when the file does not carry a canonical link")
    args = ap.parse_args(argv)
    try:
        html = sys.stdin.read() if args.page == "-" else open(args.page, encoding="utf-8", errors="replace").read()
    except OSError as exc:
        print(f"cannot read {args.page}: {exc.strerror}", file=sys.stderr)
        return 2
    result = parse_page(html, args.url)
    payload = {"page_type": detect_page_type(html, args.url), **to_jsonable(result)}  # type: ignore[dict-item]
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 1 if isinstance(result, (ParseError, ChallengePage)) else 0


if __name__ == "__main__":
    sys.exit(main())
