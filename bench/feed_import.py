"""Product feed import speed and memory, beside plain XML parsing of the same file.

Writes a 100,000-item Google Merchant style RSS feed, then measures in one run:

- the import through a real ``folio serve`` process: ``POST /v2/groups/G/product_feeds``
  with the feed's URL (served from a local HTTP server) until the import reports
  ``success``; items/s, and the server process's peak memory (VmHWM) before and after;
- Folio's parser alone (``app.core.product_feed.iter_feed``: defusedxml, streaming) in this
  process, items/s;
- the reference: the standard library's C ``xml.etree.ElementTree.iterparse`` over the same
  file with elements cleared as they end (no safety checks, no validation), items/s;

and prints the ratios. Not a test: it prints figures and never fails on them.

    .venv/bin/python bench/feed_import.py [--items 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

G = "http://base.google.com/ns/1.0"
TARGET_MEMORY_MB = 200


def write_feed(path: Path, items: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:g="{G}"><channel>'
        )
        out.write("<title>Bench shop</title>")
        for n in range(items):
            out.write(
                f"<item><g:id>SKU-{n:07d}</g:id><title>Product number {n}</title>"
                f"<description>A fine product, number {n}, in stock.</description>"
                f"<link>https://shop.example/p/{n}</link>"
                f"<g:image_link>https://shop.example/i/{n}.jpg</g:image_link>"
                f"<g:price>{n % 500}.99 EUR</g:price><g:availability>in stock</g:availability>"
                f"<g:brand>Acme</g:brand></item>"
            )
        out.write("</channel></rss>")


def serve_file(path: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    data = path.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(data_dir),
            "--rate-limit",
            "0",
            "--conversion-processes",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "listening on" in line:
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, line.rsplit(" ", 1)[-1].strip()
    raise RuntimeError("the server did not start")


def memory_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def account_key(data_dir: Path) -> tuple[str, int]:
    from app.core.enums import KeyScope
    from app.server.accounts import create_key, ensure_account
    from app.server.database import Database
    from app.server.group_service import create_group

    db = Database(f"sqlite:///{data_dir / 'folio-server.sqlite3'}")
    db.migrate()
    with db.write() as session:
        account = ensure_account(session, "bench")
        _, key = create_key(session, account.id, "bench", KeyScope.ADMIN)
        group = create_group(session, account.id, "Bench")
    db.dispose()
    return key, int(group["id"])


def import_once(url: str, key: str, group: int, feed_url: str) -> tuple[float, int]:
    http = requests.Session()
    http.headers["Authorization"] = f"ApiKey {key}"
    base = f"{url}/v2/groups/{group}/product_feeds"
    started = time.perf_counter()
    created = http.post(base, json={"product_feed": {"url": feed_url}}, timeout=30)
    created.raise_for_status()
    feed_id = created.json()["product_feed"]["id"]
    while True:
        feed = http.get(f"{base}/{feed_id}", timeout=30).json()["product_feed"]
        if feed["state"] in ("success", "failed"):
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if feed["state"] != "success":
        raise RuntimeError(f"import failed: {feed['error']}")
    return seconds, int(feed["success_count"])


def parse_folio(path: Path) -> int:
    from app.core.product_feed import FeedItem, iter_feed

    return sum(1 for item in iter_feed(path) if isinstance(item, FeedItem))


def parse_stdlib(path: Path) -> int:
    count = 0
    item_tag = "item"
    for _event, element in ElementTree.iterparse(path, events=("end",)):
        if element.tag == item_tag:
            count += 1
            element.clear()
    return count


def best_of(repeats: int, action: object) -> tuple[float, float, int]:
    times, result = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-feed-bench-") as work_name:
        work = Path(work_name)
        feed = work / "feed.xml"
        write_feed(feed, args.items)
        size_mb = feed.stat().st_size / 1e6
        httpd, feed_url = serve_file(feed)
        key, group = account_key(work / "server")
        process, url = start_server(work / "server")
        try:
            before = memory_mb(process.pid, "VmRSS")
            imports = [import_once(url, key, group, feed_url) for _ in range(args.repeats)]
            peak = memory_mb(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(timeout=30)
            httpd.shutdown()
        folio_best, folio_median, folio_count = best_of(args.repeats, lambda: parse_folio(feed))
        ref_best, ref_median, ref_count = best_of(args.repeats, lambda: parse_stdlib(feed))
    import_times = [seconds for seconds, _ in imports]
    counts = {count for _, count in imports}
    if counts != {args.items} or folio_count != args.items or ref_count != args.items:
        print(f"error: counts differ: imports {counts}, parser {folio_count}, stdlib {ref_count}")
        sys.exit(1)
    n = args.items
    print(f"feed: {n:,} items, {size_mb:.1f} MB RSS 2.0 (g: namespace)\n")
    print(f"{'figure':<52}{'best s':>9}{'median s':>10}{'items/s':>11}")
    print("-" * 82)
    rows = [
        (
            "import via folio serve (fetch, parse, stage, swap)",
            min(import_times),
            statistics.median(import_times),
        ),
        ("Folio's parser alone (defusedxml, streaming)", folio_best, folio_median),
        ("reference: stdlib C ElementTree.iterparse", ref_best, ref_median),
    ]
    for name, best, median in rows:
        print(f"{name:<52}{best:>9.2f}{median:>10.2f}{n / best:>11,.0f}")
    verdict = "met" if peak < TARGET_MEMORY_MB else "MISSED"
    print(
        f"\nserver memory: {before:.0f} MB resident before the imports, peak {peak:.0f} MB "
        f"during them (target under {TARGET_MEMORY_MB} MB: {verdict})"
    )
    print(
        f"ratio import / reference parse (items/s): {ref_best / min(import_times):.2f} "
        "(the whole import: download, checks, staging and the catalogue swap)"
    )
    print(f"ratio Folio's parser / reference parse (items/s): {ref_best / folio_best:.2f}")
    print(f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
