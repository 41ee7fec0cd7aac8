"""The page inlines the sample safely: names from the wild cannot end the script element."""
import json
import re
from types import SimpleNamespace

from ingest.review.page import render_page


def test_sample_inlined_without_breaking_out_of_the_script():
    nasty = '</script><script>alert(1)</script><!-- "quoted" & more'
    page = render_page(SimpleNamespace(reviewer="ann", items=[{"key": "k", "lastfm": {"track": nasty}}]))
    body = re.search(r'<script id="sample" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in body
    assert json.loads(body)["items"][0]["lastfm"]["track"] == nasty
