"""Parsers on the live site's quirks (fixtures written to its markup) and on every page the local site renders."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ingest.aoty.parse import (
    detect_page_type, is_challenge, parse_album, parse_album_list, parse_artist, parse_artist_search, parse_count,
    parse_date, parse_duration, parse_score,
)
from ingest.aoty.records import AlbumRecord, ChallengePage, ParseError
from ingest.sandbox.aoty_site import DRIFTS, SiteContent

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://www.albumoftheyear.org"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def reindent(html: str) -> str:
    """What saving tools and some proxies do: every tag on its own line, text split over lines."""
    out = re.sub(r">\s*<", ">\n    <", html)
    return re.sub(r"(\w) (\w)", lambda m: f"{m.group(1)}\n        {m.group(2)}" if hash(m.group(0)) % 3 == 0 else m.group(0), out)


def expected(world, album) -> dict:
    return {
        "album_id": album.album_id, "title": album.title,
        "artists": [(i, world.artists[i].name) for i in album.artist_ids],
        "release_date": album.release_date, "format": album.format, "label": album.label,
        "genres": list(album.genres), "secondary": list(album.secondary_genres), "tags": list(album.tags),
        "critic": album.critic_score, "critic_n": album.critic_review_count,
        "user": album.user_score, "user_n": album.user_rating_count,
        "tracks": [(t.track_id, t.disc, t.number, t.title, t.duration_s, t.rating,
                    t.rating_count if t.rating is not None else None, t.notes,
                    [(i, world.artists[i].name) for i in t.featured_artist_ids]) for t in album.tracks],
    }


def got(rec: AlbumRecord) -> dict:
    return {
        "album_id": rec.album_id, "title": rec.title, "artists": [(c.artist_id, c.name) for c in rec.artists],
        "release_date": rec.release_date, "format": rec.format, "label": rec.label,
        "genres": list(rec.genres), "secondary": list(rec.secondary_genres), "tags": list(rec.tags),
        "critic": rec.critic_score, "critic_n": rec.critic_review_count,
        "user": rec.user_score, "user_n": rec.user_rating_count,
        "tracks": [(t.track_id, t.disc, t.number, t.title, t.duration_s, t.rating, t.rating_count, t.notes,
                    [(c.artist_id, c.name) for c in t.featured]) for t in rec.tracks],
    }


# --- small pure helpers -----------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("Based on 12,345 ratings", 12345), ("(2,625)", 2625), ("(12K)", 12000), ("(1.2M)", 1_200_000),
    ("Based on 34 reviews", 34), ("(7)", 7), ("Based on 1.234.567 ratings", 1234567), ("", None), ("NR", None),
])
def test_counts_with_separators_and_abbreviations(text, value):
    assert parse_count(text) == value


def test_counts_never_misread_a_decimal_as_a_count():
    assert parse_count("(12.5)") is None


def test_scores_dates_durations():
    assert parse_score("NR") is None and parse_score("84.6") == 84.6 and parse_score("101") is None
    assert parse_date("August 20, 2016") == (date(2016, 8, 20), 2016)
    assert parse_date(" August 20 ,\n 2016 ") == (date(2016, 8, 20), 2016)
    assert parse_date("June 3rd, 2011") == (date(2011, 6, 3), 2011)
    assert parse_date("2016-08-20") == (date(2016, 8, 20), 2016)
    assert parse_date("Apr 23, 2016 • LP") == (date(2016, 4, 23), 2016)
    assert parse_date("1999") == (None, 1999)
    assert parse_duration("Total Length: 1:02:03") == 3723 and parse_duration("4:05") == 245


# --- the live site's markup ---------------------------------------------------------------------

def test_live_album_page_with_clutter_entities_and_several_artists():
    rec = parse_album(fixture("live_album_2026.html"), "")
    assert isinstance(rec, AlbumRecord), rec
    assert rec.album_id == 812345
    assert rec.title == "Rock & Roll 'Til Dawn"
    assert [(c.artist_id, c.name) for c in rec.artists] == [(70001, "Nadia Kellerman"), (70002, "Os Ventos")]
    assert (rec.release_date, rec.format, rec.label) == (date(2016, 8, 20), "LP", "Young Turks")
    assert rec.genres == ("Art Pop", "Indie Rock") and rec.secondary_genres == ("Neo-Soul",)
    assert (rec.critic_score, rec.critic_review_count) == (87, 34)
    assert (rec.user_score, rec.user_rating_count) == (84.6, 12345)
    assert rec.tags == ("melancholic", "summer")  # not the nav's /tag/ link
    assert [(t.disc, t.number, t.title) for t in rec.tracks] == [
        (1, 1, "Nikes On"), (1, 2, "Ivy & Honey"), (1, 3, "Be Yourself"), (2, 1, "Godspeed"), (2, 2, "Futura Free")]
    ivy = rec.tracks[1]
    assert [(c.artist_id, c.name) for c in ivy.featured] == [(70003, "Björk"), (70004, "宇多田ヒカル")]
    assert (ivy.rating, ivy.rating_count, ivy.duration_s) == (91, 1234, 249)
    assert rec.tracks[2].notes == "Skit" and rec.tracks[2].rating is None and rec.tracks[2].rating_count is None
    assert rec.tracks[4].notes == "Bonus Track"
    assert rec.total_length_s == 23 * 60 + 10


def test_live_album_page_without_json_ld_reads_the_same_from_the_html():
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", fixture("live_album_2026.html"), flags=re.S)
    with_ld, without = parse_album(fixture("live_album_2026.html")), parse_album(html)
    assert isinstance(without, AlbumRecord)
    assert got(without) == got(with_ld)


def test_old_microdata_page():
    rec = parse_album(fixture("old_microdata_album.html"))
    assert isinstance(rec, AlbumRecord), rec
    assert (rec.album_id, rec.title, rec.artists[0].name, rec.artists[0].artist_id) == (1781, "Vespertine", "Björk", 96)
    assert (rec.critic_score, rec.critic_review_count, rec.user_score, rec.user_rating_count) == (88, 19, 89.2, 4102)
    assert rec.release_date == date(2001, 8, 27) and rec.genres == ("Art Pop", "Glitch Pop")
    assert [t.title for t in rec.tracks] == ["Hidden Place", "Cocoon"]


def test_microdata_only_page_falls_back_to_itemprops():
    html = fixture("old_microdata_album.html").replace("albumCriticScoreBox", "box").replace("albumCriticScore", "x")
    html = html.replace('<span itemprop="reviewCount">19</span>', "19")
    rec = parse_album(html)
    assert isinstance(rec, AlbumRecord) and (rec.critic_score, rec.critic_review_count) == (88, 19)


def test_reindented_page_parses_the_same():
    rec = parse_album(reindent(fixture("live_album_2026.html")))
    assert isinstance(rec, AlbumRecord)
    assert got(rec) == got(parse_album(fixture("live_album_2026.html")))
    no_ld = re.sub(r'<script type="application/ld\+json">.*?</script>', "", fixture("live_album_2026.html"), flags=re.S)
    assert got(parse_album(reindent(no_ld))) == got(rec)  # the HTML alone, split over lines, reads the same


def test_missing_critic_box_nr_user_score_and_no_tracklist():
    html = fixture("live_album_2026.html")
    html = re.sub(r'<div class="albumCriticScoreBox">.*?</div>\s*</div>', "", html, count=1, flags=re.S)
    html = html.replace('"aggregateRating":{"@type":"AggregateRating","ratingValue":87,"reviewCount":34,"bestRating":100,"worstRating":0},', "")
    html = html.replace('title="84.6">85</a>', 'title="">NR</a>').replace("<strong>12,345</strong>", "<strong>3</strong>")
    html = re.sub(r'<table class="trackListTable">.*?</table>', "", html, flags=re.S)
    html = re.sub(r'<div class="totalLength">.*?</div>', "", html)
    rec = parse_album(html)
    assert isinstance(rec, AlbumRecord), rec
    assert (rec.critic_score, rec.critic_review_count) == (None, 0)
    assert (rec.user_score, rec.user_rating_count) == (None, 3)
    assert rec.tracks == () and any("tracklist" in n for n in rec.notes)


def test_challenge_page_is_never_data():
    html = fixture("challenge.html")
    assert is_challenge(html) and detect_page_type(html) == "challenge"
    for parser in (parse_album, parse_album_list, parse_artist, parse_artist_search):
        assert isinstance(parser(html, BASE + "/album/1-x.php"), ChallengePage)


def test_truncated_page_is_a_parse_error_not_a_short_album():
    html = fixture("live_album_2026.html")
    cut = parse_album(html[: len(html) // 2], BASE + "/album/812345-x.php")
    assert isinstance(cut, ParseError) and cut.field == "document" and "truncated" in cut.message


def test_page_without_id_or_title_is_a_parse_error_naming_the_field():
    no_id = re.sub(r"812345", "", fixture("live_album_2026.html"))
    err = parse_album(no_id, "")
    assert isinstance(err, ParseError) and err.field == "album_id" and err.parser_version
    html = fixture("live_album_2026.html").replace('"name":"Rock &amp; Roll &#039;Til Dawn",', "")
    html = re.sub(r'<h1 class="albumTitle">.*?</h1>', "", html, flags=re.S)
    err = parse_album(html, BASE + "/album/812345-x.php")
    assert isinstance(err, ParseError) and err.field == "title"


def test_artist_page_2024_sections_and_abbreviated_counts():
    rec = parse_artist(fixture("artist_2024.html"), BASE + "/artist/1043-sigur-ros/")
    assert rec.artist_id == 1043 and rec.name == "Sigur Rós"
    assert (rec.critic_score, rec.critic_review_count, rec.user_score, rec.user_rating_count) == (79, 211, 81, 48233)
    assert rec.also_known_as == ("Sigur Ros", "Sigurrós") and rec.genres == ("Post-Rock", "Ambient")
    got_albums = [(a.album_id, a.title, a.format, a.section, a.release_year, a.user_rating_count) for a in rec.albums]
    assert got_albums == [
        (2001, "Ágætis byrjun", "LP", "Albums", 1999, 12000),
        (2002, "( )", "LP", "Albums", 2002, 1_200_000),
        (2003, "Ba Ba Ti Ki Di Do", "EP", "EPs", 2004, 2625),
        (2004, "A Soundtrack", None, "Appears On", 2010, None),
    ]
    assert rec.albums[0].critic_score == 91 and rec.albums[0].critic_review_count == 12


def test_artist_page_old_grouping_by_data_type():
    html = fixture("artist_2024.html").replace('<h2 class="subHeadline">EPs</h2>', "")
    html = html.replace('data-type=""><div class="image"><a href="/album/2003', 'data-type="ep"><div class="image"><a href="/album/2003')
    html = re.sub(r'data-type=""(\s*>\s*<div class="image"><a href="/album/2003)', r'data-type="ep"\1', html)
    rec = parse_artist(html, BASE + "/artist/1043-sigur-ros/")
    assert [a.format for a in rec.albums][:3] == ["LP", "LP", "EP"]


def test_album_search_page():
    url = BASE + "/search/albums/?q=love"
    res = parse_album_list(fixture("search_albums.html"), url)
    assert detect_page_type(fixture("search_albums.html"), url) == "album_search"
    assert res.total == 490 and res.query == "love"
    assert [(i.album_id, i.artist_name, i.title, i.format, i.release_date) for i in res.items] == [
        (5001, "Beyoncé", "Love & Lemonade", "LP", date(2016, 4, 23)),
        (5002, "Mýa & Motörhead", "Love Me Loud", "EP", None),
    ]
    assert res.items[0].url == BASE + "/album/5001-beyonce-lemonade.php"
    assert all(i.user_score is None for i in res.items)  # search results carry no scores


def test_cli_prints_json_with_the_detected_page_type(tmp_path):
    for name, kind in [("live_album_2026.html", "album"), ("artist_2024.html", "artist"),
                       ("search_albums.html", "album_search"), ("challenge.html", "challenge")]:
        proc = subprocess.run([sys.executable, "-m", "ingest.aoty.parse", str(FIXTURES / name)],
                              capture_output=True, text=True, timeout=60)
        payload = json.loads(proc.stdout)
        assert payload["page_type"] == kind, (name, proc.stderr)
        assert proc.returncode == (1 if kind == "challenge" else 0)
    missing = subprocess.run([sys.executable, "-m", "ingest.aoty.parse", str(tmp_path / "nope.html")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "nope.html" in missing.stderr


# --- every page the local site renders -------------------------------------------------------------

def test_every_local_album_page_parses_to_the_generators_values(tiny_world):
    content = SiteContent(tiny_world)
    for album in content.albums.values():
        html = content.album_page(album, BASE)
        rec = parse_album(html, BASE + content.album_href(album))
        assert isinstance(rec, AlbumRecord), rec
        assert got(rec) == expected(tiny_world, album)
        assert got(parse_album(reindent(html), BASE + content.album_href(album))) == expected(tiny_world, album)


def test_drifted_markup_is_read_through_fallbacks_or_quarantined(tiny_world):
    content = SiteContent(tiny_world)
    album = next(a for a in content.albums.values() if len(a.tracks) > 2)
    html = content.album_page(album, BASE)
    outcomes = []
    for renames in DRIFTS:
        drifted = html
        for old, new in renames:
            drifted = drifted.replace(old, new)
        rec = parse_album(drifted, BASE + content.album_href(album))
        if isinstance(rec, ParseError):
            assert rec.field == "tracks" and "drift" in rec.message
            outcomes.append("quarantined")
        else:
            assert got(rec) == expected(tiny_world, album)
            outcomes.append("read")
    assert outcomes == ["read", "read", "quarantined"]


def test_local_artist_and_search_pages(tiny_world):
    content = SiteContent(tiny_world)
    artist = max(content.artists.values(), key=lambda a: len(content.by_artist.get(a.artist_id, [])))
    rec = parse_artist(content.artist_page(artist, BASE), BASE + content.artist_href(artist))
    assert {a.album_id for a in rec.albums} == {a.album_id for a in content.by_artist[artist.artist_id]}
    for item in rec.albums:
        album = content.albums[item.album_id]
        if item.section != "Appears On":
            assert item.format == album.format and item.release_year == album.year
    album = content.by_artist[artist.artist_id][0]
    query = f"{artist.name.upper()} - {album.title.lower()}"
    listing = parse_album_list(content.album_search_page(query), BASE + "/search/albums/?q=x")
    assert album.album_id in [i.album_id for i in listing.items]
    found = parse_artist_search(content.artist_search_page(artist.name), BASE + "/search/artists/?q=x")
    assert found.items[0].artist_id == artist.artist_id


def test_artist_search_without_artist_blocks_ignores_the_page_chrome():
    html = """<html><body><div id="header"><a href="/artist/1-the-beatles/">Beatles</a></div>
    <nav><a href="/artist/2-x/">X</a></nav><div id="centerContent"><h1 class="headline">Search Results for "bj"</h1>
    <div class="section"><a href="/artist/96-bjork/"><img alt=""></a><a href="/artist/96-bjork/">Bj&ouml;rk</a>
    <a href="/artist/97-bjorn/">Bjørn</a></div></div><div id="footer"><a href="/artist/3-y/">Y</a></div></body></html>"""
    res = parse_artist_search(html, BASE + "/search/artists/?q=bj")
    assert [(i.artist_id, i.name) for i in res.items] == [(96, "Björk"), (97, "Bjørn")] and res.query == "bj"


def test_markup_variants_exact_score_on_a_wrapper_and_leading_row_labels():
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", fixture("live_album_2026.html"), flags=re.S)
    html = html.replace('<div class="albumCriticScore"><a href="#critics" title="87">87</a></div>',
                        '<div class="albumCriticScore"><span title="87"><a href="#critics">87</a></span></div>')
    html = html.replace('<a href="/album/812345-x/user-reviews/" title="84.6">85</a>',
                        '<span title="84.6"><a href="/album/812345-x/user-reviews/">85</a></span>')
    html = html.replace('<div class="detailRow">LP<span>/ Format</span></div>', '<div class="detailRow"><span>Format:</span> LP</div>')
    rec = parse_album(html)
    assert (rec.critic_score, rec.user_score, rec.user_rating_count, rec.format) == (87, 84.6, 12345, "LP")
    # a title that is not a bare number is never read as the score
    odd = html.replace('<span title="84.6">', '<span title="12,345 ratings">')
    assert parse_album(odd).user_score == 85
