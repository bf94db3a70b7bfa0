"""API throughput: our publication list against the framework's ceiling, same machine, same run.

Measures requests/s and p50/p99 latency of

    GET /v2/groups/{g}/publications?page=1&per_page=100

on a group of 10,000 publications served by a real ``folio serve`` process, and the same for
a minimal FastAPI endpoint (one uvicorn process, like ours) returning the very same bytes
precomputed: the framework's ceiling. Prints both and the ratio (target: at least 0.5).

It also reports the latency of the first read after a write (a read-cache miss), measured
sequentially, so the cached figure is not the only one.

The load comes from ``wrk`` when it is installed (Debian: ``apt-get install wrk``), otherwise
from a Python load generator in a separate process (keep-alive connections in threads).

    .venv/bin/python bench/api_throughput.py [--duration 10] [--connections 8] [--publications 10000]

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_RATIO = 0.5


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def seed(data_dir: Path, publications: int) -> tuple[str, int]:
    """A fresh database with one account, an admin key and a group of ``publications``."""
    from sqlalchemy import insert

    from app.core.enums import KeyScope
    from app.server.accounts import create_key, ensure_account
    from app.server.database import Database
    from app.server.group_service import create_group
    from app.server.models import Collection, Metatag, Publication, publication_metatags

    db = Database(f"sqlite:///{data_dir / 'folio-server.sqlite3'}")
    db.migrate()
    with db.write() as session:
        account = ensure_account(session, "bench")
        _, key = create_key(session, account.id, "bench", KeyScope.ADMIN)
        group_id = create_group(session, account.id, "Benchmark catalogues")["id"]
        tags = [Metatag(group_id=group_id, category="season", value=f"v{i}") for i in range(12)]
        collection = Collection(group_id=group_id, title="Shoes")
        session.add_all([*tags, collection])
        session.flush()
        rows = [
            {
                "group_id": group_id,
                "title": f"Catalogue {n}",
                "browser_title": f"Catalogue {n} | Shop",
                "description": "Seasonal catalogue with products, prices and store information.",
                "slug": f"catalogue-{n}",
                "language": "en",
                "page_count": 24,
                "collection_id": collection.id if n % 4 == 0 else None,
            }
            for n in range(publications)
        ]
        session.execute(insert(Publication), rows)
        ids = session.scalars(
            Publication.__table__.select().with_only_columns(Publication.id)
        ).all()
        links = [
            {"publication_id": pid, "metatag_id": tags[(pid + k) % len(tags)].id}
            for pid in ids
            for k in range(pid % 4)  # 0 to 3 metatags each
        ]
        session.execute(insert(publication_metatags), links)
    db.dispose()
    return key, group_id


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start a server process that prints '... listening on URL' and wait for that line."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "listening on" in line:
            return process, line.rsplit(" ", 1)[-1].strip()
    raise RuntimeError(f"server did not start: {' '.join(command)}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def fetch(url: str, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {url} answered {response.status}: {body[:200]!r}")
    connection.close()
    return body


# --- the ceiling ---------------------------------------------------------------------------


def serve_ceiling(body_file: str, path: str) -> None:
    """A minimal FastAPI app returning precomputed bytes at ``path`` (run as a subprocess)."""
    import socket

    import uvicorn
    from fastapi import FastAPI
    from starlette.responses import Response

    body = Path(body_file).read_bytes()
    app = FastAPI()

    @app.get(path)
    async def publications(group_id: int) -> Response:
        return Response(body, media_type="application/json")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(f"ceiling listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    server.run(sockets=[sock])


# --- load generation -----------------------------------------------------------------------


def _to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_with_wrk(
    url: str, headers: dict[str, str], connections: int, duration: float
) -> LoadResult:
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    base = ["wrk", "-t", "2", "-c", str(connections), "--latency", *header_args, url]
    subprocess.run([*base[:5], "-d", "2s", *base[5:]], capture_output=True, check=True)  # warm-up
    output = subprocess.run(
        [*base[:5], "-d", f"{int(duration)}s", *base[5:]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _to_ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _to_ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed responses under load:\n{output}")
    return LoadResult(rps, p50, p99)


def _python_worker(
    url: str, headers: dict[str, str], connections: int, duration: float, out: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}"
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def run() -> None:
        mine: list[float] = []
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"status {response.status}")
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(connections)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((len(latencies) / (time.perf_counter() - begin), latencies))


def load_with_python(
    url: str, headers: dict[str, str], connections: int, duration: float
) -> LoadResult:
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    for seconds in (2.0, duration):  # warm-up, then the measured run
        worker = multiprocessing.Process(
            target=_python_worker, args=(url, headers, connections, seconds, queue)
        )
        worker.start()
        rps, latencies = queue.get()
        worker.join()
    ordered = sorted(latencies)
    return LoadResult(
        rps, ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000
    )


def cache_miss_latency(
    base_url: str, key: str, group_id: int, path: str, samples: int = 60
) -> tuple[float, float]:
    """p50/p99 ms of the first list read after a write, one request at a time."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"ApiKey {key}", "Content-Type": "application/json"}
    timings = []
    for n in range(samples):
        body = json.dumps({"collection": {"title": f"bench {n}"}})
        connection.request("POST", f"/v2/groups/{group_id}/collections", body=body, headers=headers)
        connection.getresponse().read()
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status == 200
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of measured load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--publications", type=int, default=10_000)
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="use the Python load generator even if wrk exists",
    )
    parser.add_argument(
        "--serve-ceiling", nargs=2, metavar=("BODY_FILE", "PATH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_ceiling:
        serve_ceiling(*args.serve_ceiling)
        return

    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = load_with_wrk if use_wrk else load_with_python
    work = Path(tempfile.mkdtemp(prefix="folio-bench-"))
    processes: list[subprocess.Popen[str]] = []
    try:
        print(f"seeding {args.publications:,} publications ...", flush=True)
        key, group_id = seed(work, args.publications)
        ours, ours_url = start(
            [
                sys.executable,
                "-m",
                "app",
                "serve",
                "--port",
                "0",
                "--data-dir",
                str(work),
                "--rate-limit",
                "0",
                "--scheduler-interval",
                "0",
            ]
        )
        processes.append(ours)
        path = f"/v2/groups/{group_id}/publications?page=1&per_page=100"
        headers = {"Authorization": f"ApiKey {key}"}
        body = fetch(ours_url + path, headers)
        body_file = work / "body.json"
        body_file.write_bytes(body)
        ceiling, ceiling_url = start(
            [
                sys.executable,
                __file__,
                "--serve-ceiling",
                str(body_file),
                "/v2/groups/{group_id}/publications",
            ]
        )
        processes.append(ceiling)
        assert fetch(ceiling_url + path, {}) == body

        tool = "wrk" if use_wrk else "python (threads, keep-alive)"
        print(f"GET {path}  ({args.publications:,} publications, {len(body):,} byte body)")
        print(
            f"load: {tool}, {args.connections} connections, {args.duration:g} s after a 2 s warm-up\n"
        )
        folio_result = load(ours_url + path, headers, args.connections, args.duration)
        ceiling_result = load(ceiling_url + path, {}, args.connections, args.duration)
        miss_p50, miss_p99 = cache_miss_latency(ours_url, key, group_id, path)

        print(f"{'':28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
        for name, result in (
            ("folio serve", folio_result),
            ("ceiling (minimal FastAPI)", ceiling_result),
        ):
            print(
                f"{name:28}{result.requests_per_second:>10,.0f}{result.p50_ms:>10.2f}{result.p99_ms:>10.2f}"
            )
        ratio = folio_result.requests_per_second / ceiling_result.requests_per_second
        print(f"\nratio folio / ceiling (req/s): {ratio:.2f}   (target: at least {TARGET_RATIO})")
        print(
            f"first read after a write (read-cache miss), sequential: "
            f"p50 {miss_p50:.2f} ms, p99 {miss_p99:.2f} ms"
        )
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
