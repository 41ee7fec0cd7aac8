"""One test per rule in ingest/match/normalize.py's RULES table, named after the rule id."""
import re

import pytest

from ingest.match import normalize as N
from ingest.match.normalize import (artist_key, artist_variants, is_placeholder, normalize_name, parse_album,
                                    parse_artist, parse_track)


def test_every_documented_rule_has_a_test():
    rule_ids = re.findall(r"^\| (\w+) \|", N.__doc__, flags=re.M)
    rule_ids = [r for r in rule_ids if r != "id"]
    assert len(rule_ids) >= 20
    tests = {name for name in globals() if name.startswith("test_rule_")}
    missing = [r for r in rule_ids if f"test_rule_{r}" not in tests]
    assert not missing, f"rules without a test: {missing}"


def test_rule_unicode_nfkc():
    assert normalize_name("Ｈｅｌｌｏ\u3000Ｗｏｒｌｄ") == "hello world"
    assert normalize_name("ﬁre") == "fire"


def test_rule_accent_fold():
    assert normalize_name("Beyoncé") == normalize_name("Beyonce") == "beyonce"
    assert normalize_name("Sigur Ro\u0301s") == "sigur ros"  # NFD input
    assert normalize_name("Røyksopp") == "royksopp"
    assert normalize_name("Straße") == "strasse"


def test_rule_case():
    assert normalize_name("HUMBLE") == normalize_name("humble") == "humble"


def test_rule_quotes_punct():
    assert normalize_name("Don\u2019t Stop") == normalize_name("Dont Stop") == "dont stop"
    assert normalize_name("Y.M.C.A.") == "ymca"
    assert normalize_name("Hello, Goodbye!") == "hello goodbye"
    assert normalize_name("Mr. Blue") == "mr blue"


def test_rule_and_amp():
    assert normalize_name("Simon & Garfunkel") == normalize_name("Simon and Garfunkel")
    assert normalize_name("Salt + Pepper") == "salt and pepper"
    assert normalize_name("Rock 'n' Roll") == "rock and roll"


def test_rule_whitespace():
    assert normalize_name("  Fake \t Empire \n") == "fake empire"


def test_rule_punctuation_only():
    assert normalize_name("!!!") == "!!!" and artist_key("!!!") == "!!!"
    assert normalize_name("+/-") == "+/-"


def test_rule_the_prefix():
    assert artist_key("The National") == artist_key("National") == "national"
    assert artist_key("Beatles, The") == artist_key("The Beatles") == "beatles"
    assert artist_key("The The") == "the"  # a name that is only "The ..." keeps a key
    assert normalize_name("The National") == "the national"  # names themselves keep it


@pytest.mark.parametrize("a,b", [("Song Pt. 2", "Song Part II"), ("Song, Part 2", "Song Pt.2"),
                                 ("Vol. 3", "Volume III"), ("Part Two", "Pt 2")])
def test_rule_numbers(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_rule_numbers_leave_words_alone():
    assert normalize_name("No One") == "no one"


@pytest.mark.parametrize("s", ["", "null", "NULL", "unknown", "[unknown]", "<unknown>", "Unknown Album",
                               "undefined", "n/a", "-", "  "])
def test_rule_placeholder(s):
    assert is_placeholder(s)
    assert parse_album(s).is_placeholder


@pytest.mark.parametrize("s", ["Unknown Pleasures", "Nullset", "Untitled Unmastered"])
def test_placeholder_spares_real_names(s):
    assert not is_placeholder(s)


@pytest.mark.parametrize("title,featured", [
    ("Song (feat. Bob)", ("Bob",)), ("Song [ft. Bob & Alice]", ("Bob", "Alice")), ("Song feat. Bob", ("Bob",)),
    ("Song (featuring Bob, Alice)", ("Bob", "Alice")), ("Song (with Bob)", ("Bob",)),
])
def test_rule_feat_title(title, featured):
    p = parse_track(title)
    assert p.title == "Song"
    assert p.featured == featured


@pytest.mark.parametrize("artist,main,featured", [
    ("Kendrick Lamar feat. Rihanna", "Kendrick Lamar", ("Rihanna",)),
    ("Drake ft. Future & Young Thug", "Drake", ("Future", "Young Thug")),
    ("A featuring B", "A", ("B",)),
    ("Simon & Garfunkel", "Simon & Garfunkel", ()),
])
def test_rule_feat_artist(artist, main, featured):
    assert parse_artist(artist) == N.ParsedArtist(main, featured)


def test_rule_collab_split():
    assert artist_variants("Simon & Garfunkel")[0] == "simon and garfunkel"
    assert {"jay z", "kanye west"} <= set(artist_variants("JAY Z, Kanye West"))
    assert {"a", "b"} <= set(artist_variants("A x B"))
    # "X and the Y" stays together before it is split on "and"
    v = artist_variants("Florence and the Machine / Kelis")
    assert v.index("florence and the machine") < v.index("florence")


@pytest.mark.parametrize("title,edition", [
    ("Song - 2011 Remaster", "remaster"), ("Song (Remastered 2009)", "remaster"), ("Song - Remastered", "remaster"),
    ("Song [Explicit]", "explicit"), ("Song (Clean)", "clean"), ("Song - Mono", "mono"),
    ("Song (Stereo Version)", "stereo"), ("Song [Bonus Track]", "bonus"), ("Song (Radio Edit)", "edition"),
    ("Song 2011 Remaster", "remaster"),
])
def test_rule_edition_suffix(title, edition):
    p = parse_track(title)
    assert (p.title, p.edition, p.version) == ("Song", edition, None)


@pytest.mark.parametrize("album,edition", [
    ("Boxer (Deluxe Edition)", "deluxe"), ("Boxer (Super Deluxe)", "super deluxe"),
    ("Boxer (Expanded Edition)", "expanded"), ("Boxer (20th Anniversary Edition)", "anniversary"),
    ("Boxer [Explicit]", "explicit"), ("Boxer (Remastered 2011)", "remaster"), ("Boxer (Bonus Track Version)", "bonus"),
])
def test_rule_edition_suffix_on_albums(album, edition):
    assert parse_album(album) == N.ParsedAlbum("Boxer", edition)


@pytest.mark.parametrize("title,version", [
    ("Song (Live)", "live"), ("Song - Live at Wembley", "live"), ("Song (Acoustic)", "acoustic"),
    ("Song - Acoustic Version", "acoustic"), ("Song (Demo)", "demo"), ("Song - Club Remix", "remix"),
    ("Song (Unplugged)", "acoustic"), ("Song (Instrumental)", "instrumental"), ("Song (Liev)", "live"),
])
def test_rule_version_suffix(title, version):
    p = parse_track(title)
    assert (p.title, p.version) == ("Song", version)


@pytest.mark.parametrize("title", ["Song (We Live)", "Song (Love)", "Live Forever", "Song (Reprise)"])
def test_version_suffix_spares_titles(title):
    assert parse_track(title).version is None


@pytest.mark.parametrize("title", ["Song (Official Video)", "Song [Official Audio]", "Song (Lyrics)", "Song (HD)",
                                   "Song (OUT NOW)", "Song (Visualizer)"])
def test_rule_junk_suffix(title):
    assert parse_track(title).title == "Song"


@pytest.mark.parametrize("title,number,rest", [
    ("03-Song", 3, "Song"), ("03. Song", 3, "Song"), ("3 - Song", 3, "Song"), ("03 Song", 3, "Song"),
    ("99 Problems", None, "99 Problems"), ("1979", None, "1979"), ("2-4-6-8 Motorway", None, "2-4-6-8 Motorway"),
])
def test_rule_track_number(title, number, rest):
    p = parse_track(title)
    assert (p.track_number, p.title) == (number, rest)


def test_track_number_without_separator_is_an_alternative_reading():
    p = parse_track("11 Money")
    assert p.title == "11 Money" and p.alt_titles == ("Money",)


def test_rule_artist_in_title():
    p = parse_track("The National - Fake Empire (Official Video)")
    assert (p.embedded_artist, p.title_after_artist) == ("The National", "Fake Empire")


def test_rule_album_in_title():
    p = parse_track("Fake Empire (Boxer)")
    assert (p.title, p.tail, p.title_without_tail) == ("Fake Empire (Boxer)", "Boxer", "Fake Empire")
    p = parse_track("Fake Empire (Remastered) - Boxer")
    assert p.title_without_tail == "Fake Empire" and p.edition == "remaster"


@pytest.mark.parametrize("album,year", [("Boxer (2007)", 2007), ("Boxer [2007]", 2007), ("Boxer - 2007", 2007)])
def test_rule_album_year(album, year):
    assert parse_album(album) == N.ParsedAlbum("Boxer", None, year)


@pytest.mark.parametrize("album", ["Boxer - Single", "Boxer - EP", "Boxer (Disc 2)", "Boxer [CD1]"])
def test_rule_album_format(album):
    assert parse_album(album).title == "Boxer"


def test_rule_truncation():
    p = parse_track("A Very Long Title That Somebody Cut...")
    assert p.truncated and p.title == "A Very Long Title That Somebody Cut"
    p = parse_track("Song Title (feat. Someb")
    assert p.truncated and p.title == "Song Title"
    assert parse_track("Song Title - Aco…").version == "cut version"  # the cut part named a version
    assert parse_track("Song Title (Li…").version == N.UNCERTAIN_VERSION  # Live? Limited?
    assert parse_album("Boxer (Deluxe Ed").edition == "deluxe"
