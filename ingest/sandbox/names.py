"""Word material for the generated world: artist names and titles that look like real ones
(common words, invented words, accents, CJK and Cyrillic scripts, duos, long titles)."""
from __future__ import annotations

import random
import re
import unicodedata

WORDS = """
love night heart fire dream light blue black white gold summer winter rain river ocean sky star moon
sun city road home ghost angel devil glass stone silver wild young old last first lost new dark bright
electric paper velvet neon crystal broken sweet bitter golden empty heavy quiet loud slow fast hollow
time world life death girl boy man woman children king queen song dance party radio video machine
mirror window door garden forest desert mountain island shadow echo signal wave storm thunder
fever honey sugar poison medicine paradise heaven hell memory future past yesterday tomorrow forever
never always everything nothing somebody nobody friend lover stranger enemy money power glory
freedom truth lies secrets promises letters stories colors flowers birds wolves horses tigers
motion ocean distance silence violence tension pressure gravity velocity harmony melody rhythm
alive away again alone apart around inside outside under over between beyond without within
running falling breaking burning shining waiting dreaming dancing talking walking flying crying
""".split()
TITLE_EXTRAS = [
    "Intro", "Outro", "Interlude", "Reprise", "Skit", "Part II", "Pt. 2", "Pt. 1", "No. 5", "'Til Dawn",
    "Don't Stop", "It's Alright", "Rock 'n' Roll", "Mr. Blue", "St. Elmo's Fire", "Y.M.C.A.",
]
SYLLABLES = "ka lo mi ra sen tor vel bri an dra mo ze lu fin gal har is jo kel nor pa qui ros tav ul vin xa yor".split()
FIRST_NAMES = "Anna James Maria Lucas Sofia Noah Elena Liam Clara Oscar Ines Felix Nora Hugo Mila Arlo Ruth Theo".split()
LAST_NAMES = "Hansen Moreau Silva Novak Berg Costa Walsh Jensen Rossi Keller Byrne Larsen Okafor Tanaka Quinn".split()
ACCENTED = ["Björk", "Sigur Rós", "Mýa", "Beyoncé", "Motörhead", "Röyksopp", "Zoé", "Måneskin", "Hélène", "Ólafur"]
ACCENT_MAP = str.maketrans({"a": "á", "o": "ö", "e": "é", "u": "ü", "i": "í", "n": "ñ"})
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
KANJI = "宇多田光森山川花風雪月星夜空海"
CYRILLIC = ["Кино", "Мумий Тролль", "Земфира", "Сплин", "Ария", "Звери", "Пикник"]
GENRES = [
    "Indie Rock", "Art Pop", "Hip Hop", "Trap", "Jazz Rap", "Alternative R&B", "Synth-Pop", "Post-Punk",
    "Shoegaze", "Dream Pop", "Ambient", "Techno", "House", "IDM", "Folk", "Indie Folk", "Singer-Songwriter",
    "Soul", "Neo-Soul", "Funk", "Jazz", "Metal", "Black Metal", "Punk Rock", "Hardcore", "Emo",
    "Country", "Americana", "Psychedelic Rock", "Krautrock", "Electronic", "Experimental", "Noise Rock",
    "Post-Rock", "Pop", "Dance-Pop", "K-Pop", "J-Pop", "Latin", "Reggaeton", "Afrobeats", "Drill",
]
LABELS = [
    "XL Recordings", "Warp", "Sub Pop", "Matador", "4AD", "Def Jam", "Interscope", "Columbia", "Domino",
    "Rough Trade", "Jagjaguwar", "Merge", "Atlantic", "Top Dawg", "Young Turks", "Ninja Tune", "Secretly Canadian",
    "Island", "Epitaph", "Dead Oceans", "Self-Released",
]
LASTFM_TAGS = ["seen live", "favorites", "chill", "female vocalists", "male vocalists", "90s", "00s", "10s",
               "melancholic", "summer", "workout", "british", "american", "beautiful", "underrated"]


_WORD_COUNTS = [1, 2, 3, 4, 5]
_WORD_COUNT_CUM = [25, 60, 82, 94, 100]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def _band(rng: random.Random) -> str:
    words = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(1, 2))]
    return " ".join(words[:-1] + [_plural(words[-1])])


def artist_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.22:
        return "The " + _band(rng)
    if r < 0.42:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if r < 0.52:
        return pseudo_word(rng)
    if r < 0.58:
        return pseudo_word(rng).translate(ACCENT_MAP) if rng.random() < 0.7 else rng.choice(ACCENTED) + " " + pseudo_word(rng)
    if r < 0.62:
        return "".join(rng.choice(KANJI) for _ in range(2)) + "".join(rng.choice(KANA) for _ in range(rng.randint(2, 4)))
    if r < 0.645:
        return rng.choice(CYRILLIC) + " " + str(rng.randint(2, 99))
    if r < 0.72:
        return f"{pseudo_word(rng)} & the {_plural(rng.choice(WORDS).capitalize())}"
    if r < 0.78:
        return f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS).capitalize()}"
    if r < 0.83:
        return f"{pseudo_word(rng).upper()}"
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(1, 3)))


def title(rng: random.Random, *, long_share: float = 0.04) -> str:
    r = rng.random()
    if r < long_share:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 14))]
        return " ".join(w.capitalize() for w in words)
    if r < long_share + 0.05:
        return rng.choice(TITLE_EXTRAS) if rng.random() < 0.5 else f"{rng.choice(WORDS).capitalize()} {rng.choice(TITLE_EXTRAS)}"
    if r < long_share + 0.09:
        return f"{rng.choice(WORDS).capitalize()} & {rng.choice(WORDS).capitalize()}"
    if r < long_share + 0.12:
        return f"{rng.choice(WORDS).capitalize()} ({rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()})"
    if r < long_share + 0.15:
        return pseudo_word(rng)
    if r < long_share + 0.18:
        return f"{rng.randint(1, 99)} {rng.choice(WORDS).capitalize()}"
    n = rng.choices(_WORD_COUNTS, cum_weights=_WORD_COUNT_CUM)[0]
    words = rng.choices(WORDS, k=n)
    if rng.random() < 0.08:
        words[0] = rng.choice(["I'm", "Don't", "We're", "You're", "Can't", "It's"])
    return " ".join(w[0].upper() + w[1:] for w in words)


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or "untitled"
