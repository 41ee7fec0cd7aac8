"""The terminal fallback stores a verdict per answer."""
import io

from ingest.review.session import ReviewSession
from ingest.review.store import ReviewStore
from ingest.review.tui import run_tui


def test_prompt_loop_stores_verdicts(warehouse):
    session = ReviewSession.load(warehouse, size=5, reviewer="tty")
    # The second item is picked from its candidates when it has two, else rejected: which
    # keys the sample draws depends on the generated world.
    second = ("2", "pick") if len(session.items[1].get("candidates", [])) >= 2 else ("r", "reject")
    answers = iter(["a", "x", "9", second[0], "", "n", "q"])
    out = io.StringIO()
    assert run_tui(session, read=lambda _prompt: next(answers), out=out) == 0
    text = out.getvalue()
    assert "'x'?" in text and "'9'?" in text and "3 verdicts stored" in text
    with ReviewStore(warehouse) as store:
        got = {v.track_key: v.verdict for v in store.all()}
    keys = [it["key"] for it in session.items]
    assert got == {keys[0]: "accept", keys[1]: second[1], keys[3]: "not_on_aoty"}
