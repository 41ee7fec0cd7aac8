"""A small hand-written AOTY catalog, in the file interface's row shape."""

ALBUMS = [
    # album_id, artist, album, year, [(track_id, number, title)], format, edition_of
    (1, "The National", "Boxer", 2007, [(11, 1, "Fake Empire"), (12, 2, "Mistaken for Strangers"),
                                         (13, 3, "Slow Show")], "LP", None),
    (2, "The National", "Boxer (Deluxe Edition)", 2017, [(21, 1, "Fake Empire"), (22, 2, "Mistaken for Strangers"),
                                                          (23, 3, "Slow Show"), (24, 4, "Rest of the Night")],
     "LP", 1),
    (3, "The National", "Sleep Well Beast", 2017, [(31, 1, "Day I Die"), (32, 2, "Guilty Party")], "LP", None),
    (4, "Beyoncé", "Lemonade", 2016, [(41, 1, "Formation"), (42, 2, "Hold Up")], "LP", None),
    (5, "Simon & Garfunkel", "Bridge over Troubled Water", 1970, [(51, 1, "The Boxer"), (52, 2, "Cecilia")],
     "LP", None),
    (6, "Foo Band", "Songs", 2001, [(61, 1, "Song Pt. 2"),
                                    (62, 2, "A Very Long Title That Players Like To Cut Short Somewhere")], "LP", None),
    (7, "Foo Band", "Late Songs", 2005, [], "LP", None),  # album-only row: no tracklist known
    (9, "Foo Band", "Live in Paris", 2006, [(91, 1, "Song Pt. 2")], "Live", None),  # plain titles, live recordings
    (10, "!!!", "Myth Takes", 2007, [(101, 1, "Heart of Hearts")], "LP", None),  # a name of punctuation only
    (8, "Sigur Rós", "Ágætis byrjun", 1999, [(81, 1, "Svefn-g-englar"), (82, 2, "Starálfur")], "LP", None),
]


def catalog_rows() -> list[dict]:
    rows = []
    for album_id, artist, album, year, tracks, fmt, edition_of in ALBUMS:
        base = dict(album_id=album_id, artist=artist, album=album, year=year, format=fmt, edition_of=edition_of)
        if not tracks:
            rows.append(dict(base, track_id="", track_number="", track=""))
        for track_id, number, title in tracks:
            rows.append(dict(base, track_id=track_id, track_number=number, track=title))
    return rows
