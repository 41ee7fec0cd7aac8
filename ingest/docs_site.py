"""The docs site: dbt docs, GX Data Docs and the matcher report under one index page.

    site/index.html      links to the three, and the latest gate verdict
    site/dbt/            `dbt docs generate` output (the lineage graph lives here)
    site/gx/             GX Data Docs (suites and validation results)
    site/matcher/        reports/matcher_report.html, when the matcher evaluation has run

The site is built in a sibling folder and swapped in at the end, so a failed build
leaves the previous site in place.
"""
from __future__ import annotations

import functools
import html
import shutil
import threading
from datetime import datetime, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ingest.config import Settings

MATCHER_REPORT = Path("reports/matcher_report.html")


def _copy_data_docs(settings: Settings, dest: Path) -> bool:
    from expectations.runner import data_docs_dir, gx_context

    ctx = gx_context(settings)
    ctx.build_data_docs()
    src = data_docs_dir(settings)
    if not (src / "index.html").exists():
        return False
    shutil.copytree(src, dest)
    return True


def _copy_dbt_docs(settings: Settings, dest: Path) -> bool:
    from ingest.transform import docs_generate

    # dbt writes its whole target (compiled SQL, run artifacts) there: keep only the docs.
    work = dest.with_name(dest.name + "-target")
    try:
        target = Path(docs_generate(settings, work))
        dest.mkdir(parents=True)
        for name in ("index.html", "manifest.json", "catalog.json"):
            if (target / name).exists():
                shutil.copy2(target / name, dest / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def _copy_matcher_report(report: Path, dest: Path) -> bool:
    if not report.exists():
        return False
    dest.mkdir(parents=True)
    shutil.copy2(report, dest / "index.html")
    return True


def latest_validations(gx_dir: Path) -> tuple[str | None, list[tuple[str, str]]]:
    """The latest validation run in a Data Docs folder: (run name, [(suite, relative href)]).

    Data Docs lay results out as validations/<suite>/<run name>/<run time>/<batch>.html."""
    pages = [p.relative_to(gx_dir) for p in gx_dir.glob("validations/*/*/*/*.html")]
    if not pages:
        return None, []
    latest_time = max(p.parts[3] for p in pages)
    run = next(p.parts[2] for p in pages if p.parts[3] == latest_time)
    chosen = sorted((p.parts[1], p.as_posix()) for p in pages if p.parts[2] == run and p.parts[3] == latest_time)
    return run, chosen


def _latest_publication(settings: Settings) -> str:
    from ingest.pipeline.publish import last_publication

    try:
        pub = last_publication(settings)
    except Exception:  # noqa: BLE001 - the index still links the docs without a verdict
        return "no publication recorded yet"
    if not pub:
        return "no publication recorded yet"
    rows = ", ".join(f"{t}: {n:,}" for t, n in sorted(pub["row_counts"].items()))
    return f"last published run <code>{html.escape(str(pub['run_id']))}</code> at {pub['published_at']} ({html.escape(rows)})"


def render_index(*, dbt: bool, gx: bool, matcher: bool, publication: str,
                 latest_run: str | None = None, latest: list[tuple[str, str]] | None = None) -> str:
    def item(ok: bool, href: str, title: str, what: str, missing: str) -> str:
        if ok:
            return f'<li><a href="{href}">{title}</a> <span>{what}</span></li>'
        return f"<li>{title}: <em>{missing}</em></li>"

    built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    # GX's own index draws its tables with scripts from public CDNs; these plain links work offline.
    results = ""
    if latest_run and latest:
        links = "\n".join(f'<li><a href="gx/{html.escape(href)}">{html.escape(suite)}</a></li>' for suite, href in latest)
        results = (f'<h2 id="latest-validation">Latest validation run <code>{html.escape(latest_run)}</code></h2>'
                   f"<ul class=\"results\">\n{links}\n</ul>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Music warehouse docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;line-height:1.5}}
li{{margin:.6rem 0}} span{{color:#555}}</style></head>
<body><h1>Music warehouse docs</h1>
<p>{publication}</p>
<ul>
{item(dbt, "dbt/index.html", "dbt docs", "models, columns, tests and the lineage graph", "not built")}
{item(gx, "gx/index.html", "Data Docs", "expectation suites and the latest validation results", "no validation run yet")}
{item(matcher, "matcher/index.html", "Matcher report", "precision and recall against the ground truth",
       "not generated (run scripts/evaluate_matcher.py)")}
</ul>
{results}
<p><small>built {built}</small></p>
</body></html>
"""


def build_site(settings: Settings, out_dir: Path = Path("site"), *, matcher_report: Path = MATCHER_REPORT,
               dbt_docs: bool = True) -> Path:
    """Build the whole site into out_dir; returns the index page's path."""
    out_dir = Path(out_dir)
    staging = out_dir.with_name(out_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        has_dbt = _copy_dbt_docs(settings, staging / "dbt") if dbt_docs else False
        has_gx = _copy_data_docs(settings, staging / "gx")
        has_matcher = _copy_matcher_report(Path(matcher_report), staging / "matcher")
        latest_run, latest = latest_validations(staging / "gx") if has_gx else (None, [])
        (staging / "index.html").write_text(render_index(
            dbt=has_dbt, gx=has_gx, matcher=has_matcher, publication=_latest_publication(settings),
            latest_run=latest_run, latest=latest))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir / "index.html"


def start_site_server(out_dir: Path, port: int = 0) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve out_dir on 127.0.0.1 in a background thread (port 0: a free one)."""
    handler = functools.partial(_QuietHandler, directory=str(Path(out_dir).resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="docs-site", daemon=True)
    thread.start()
    return server, thread


def serve_site(out_dir: Path = Path("site"), port: int = 8080) -> None:
    """Serve the site on 127.0.0.1 until Ctrl-C."""
    if not (Path(out_dir) / "index.html").exists():
        raise FileNotFoundError(f"{out_dir}/index.html does not exist: build the site first (python -m ingest docs)")
    server, thread = start_site_server(out_dir, port)
    print(f"serving {out_dir} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass
