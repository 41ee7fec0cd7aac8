"""The docs site in headless Chromium: the index links dbt docs, Data Docs and the matcher
report; the dbt lineage graph and the latest validation result render."""
from __future__ import annotations

import pytest

from ingest.docs_site import build_site, start_site_server
from ingest.pipeline.publish import audit_and_publish

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(duckdb_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    matcher = root / "matcher_report.html"
    matcher.write_text("<html><body><h1>Matcher evaluation</h1><p>precision 0.97</p></body></html>")
    run_id = "docs-run-1"
    result = audit_and_publish(duckdb_warehouse.settings, run_id=run_id, build_docs=True, out=None)
    index = build_site(duckdb_warehouse.settings, root / "site", matcher_report=matcher)
    server, thread = start_site_server(index.parent)
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "dir": index.parent, "run_id": run_id,
           "result": result}
    server.shutdown()
    server.server_close()


def test_site_layout(site):
    out = site["dir"]
    assert (out / "dbt" / "index.html").exists() and (out / "dbt" / "manifest.json").exists()
    assert (out / "gx" / "index.html").exists()
    assert (out / "matcher" / "index.html").read_text().count("Matcher evaluation") == 1
    html = (out / "index.html").read_text()
    for href in ("dbt/index.html", "gx/index.html", "matcher/index.html"):
        assert f'href="{href}"' in html
    assert f"Latest validation run <code>{site['run_id']}</code>" in html
    assert not (out.parent / "site.building").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_index_lineage_and_latest_validation_render(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(site["url"] + "/index.html")
            assert page.locator("h1").inner_text() == "Music warehouse docs"
            assert page.locator("a", has_text="Matcher report").count() == 1

            # dbt docs: follow the index link, then open a mart's lineage graph.
            page.click("text=dbt docs")
            page.wait_for_url("**/dbt/index.html**")
            page.goto(site["url"] + "/dbt/index.html#!/model/model.music_warehouse.user_track_interactions?g_v=1")
            page.wait_for_selector("text=user_track_interactions", timeout=30_000)
            # the lineage graph draws with cytoscape into canvases
            page.wait_for_selector("canvas", state="attached", timeout=30_000)
            assert page.locator("canvas").count() > 0

            # The latest validation run's results, linked from the index, render.
            page.goto(site["url"] + "/index.html")
            heading = page.locator("#latest-validation").inner_text()
            assert site["run_id"] in heading
            page.click("ul.results a >> text=mart_tracks__values")
            page.wait_for_url(f"**/gx/validations/mart_tracks__values/{site['run_id']}/**")
            body = " ".join(page.locator("body").inner_text().split())
            assert "Expectation Validation Result" in body and site["run_id"] in body
            assert "Expectation Suite: mart_tracks__values" in body
            assert "aoty_rating" in body  # the column section of the validated expectations
        finally:
            browser.close()
