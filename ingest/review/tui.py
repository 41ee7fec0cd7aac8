"""The terminal fallback for remote boxes: a plain prompt loop, one verdict per line,
each stored as soon as it is given."""
from __future__ import annotations

import sys
from typing import Callable, TextIO

from .session import KEYSTROKES, ReviewSession
from .store import ReviewError

HELP = "a accept · r reject · 1-3 pick candidate · n not on AOTY · j/enter next · k prev · q quit"


def _num(x: float | None) -> str:
    return "-" if x is None else (f"{x:.1f}" if abs(x) > 1.5 else f"{x:.3f}")


def describe(item: dict, pos: int, total: int) -> str:
    l, m = item["lastfm"], item["match"]
    a = m["album"] or {}
    lines = [
        f"[{pos + 1}/{total}] {l['artist']} — {l['track']}   (album: {l['album'] or '(none)'}; {l['plays']} plays)",
        f"  last played: {', '.join(l['recent']) or '-'}",
        f"  AOTY: {m['track_title'] or '(album-level)'} on {a.get('title')} — {a.get('artist')} ({a.get('year')})"
        f"  {a.get('url') or ''}",
        f"  {m['match_type']} · {m['confidence']} · score {_num(m['score'])} (artist {_num(m['components']['artist'])},"
        f" album {_num(m['components']['album'])}, track {_num(m['components']['track'])})  {m['reason'] or ''}",
    ]
    for t in a.get("tracks", []):
        lines.append(f"    {'>' if t['matched'] else ' '} {t['number'] or '':>2}. {t['title']}")
    for i, c in enumerate(item["candidates"], 1):
        lines.append(f"  {i}) {c['track_title'] or '(album)'} on {c['album_title']} — {c['artist']}"
                     f" ({c['year']}) score {_num(c['score'])}")
    if item.get("verdict"):
        lines.append(f"  already: {item['verdict']['verdict']}")
    return "\n".join(lines)


def run_tui(session: ReviewSession, read: Callable[[str], str] = input, out: TextIO = sys.stdout) -> int:
    items = session.items
    if not items:
        print("Nothing to review: every match is reviewed (add --include-reviewed to see them again).", file=out)
        return 0
    print(HELP, file=out)
    pos, given = 0, 0
    while 0 <= pos < len(items):
        print("\n" + describe(items[pos], pos, len(items)), file=out)
        try:
            answer = read("verdict> ").strip().lower()
        except EOFError:
            break
        if answer == "q":
            break
        if answer in ("", "j"):
            pos += 1
            continue
        if answer == "k":
            pos = max(0, pos - 1)
            continue
        if answer not in KEYSTROKES:
            print(f"  {answer!r}? {HELP}", file=out)
            continue
        try:
            v = session.verdict_for(items[pos]["key"], KEYSTROKES[answer], int(answer) if answer.isdigit() else None)
            session.record([v])
        except ReviewError as e:
            print(f"  {e}", file=out)
            continue
        given += 1
        pos += 1
    print(f"\n{given} verdict{'s' if given != 1 else ''} stored.", file=out)
    return 0
