"""Local conversion speed: ``folio convert`` against pdftoppm and mutool, same machine, same run.

For each of the largest corpus PDFs (WaldenFull.pdf 249 pages, test-3820.pdf 155, pdkids.pdf
55) it measures, as medians of ``--repeat`` runs taken in turn:

- ``folio convert IN.pdf OUT`` (JPEG, 800 px, plus 200 px thumbnails and manifest.json) as a
  user runs it, start-up included, with ``--jobs 1`` and ``--jobs 2``;
- ``convert_pdf`` called in this (warm) process with 1 and 2 jobs: the throughput without the
  command's start-up;
- ``pdftoppm -cropbox -scale-to-x 800 -scale-to-y -1 -jpeg -jpegopt quality=85`` (poppler);
- ``mutool draw -w 800 -o out/page-%04d.png`` (MuPDF's own tool; it writes PNG);

with the peak memory of each command: the largest single process (``/usr/bin/time -v``, or
getrusage of a fresh child when that is missing) and, where psutil is present, the sum over
all its processes sampled every 20 ms. Then the ratios folio/pdftoppm (targets: 1 worker
>= 1.0x, 2 workers >= 1.3x) and folio/mutool in pages per second, and the first-page
latency: open the largest PDF and render page 1 at 200 px in a warm process, median of 20
(target < 50 ms).

    .venv/bin/python bench/convert.py [--corpus DIR] [--repeat 3]

Not a test: it prints figures and never fails on them. The figures move with the machine's
other load; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BOOKS = ("WaldenFull.pdf", "test-3820.pdf", "pdkids.pdf")
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
GNU_TIME = Path("/usr/bin/time")
TARGET_ONE_WORKER = 1.0
TARGET_TWO_WORKERS = 1.3
TARGET_FIRST_PAGE_MS = 50.0
SAMPLE_EVERY = 0.02  # seconds between memory samples of a command's process tree

_MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


@dataclass
class Measurement:
    seconds: list[float] = field(default_factory=list)
    largest_kb: list[int] = field(default_factory=list)
    """Peak RSS of the largest single process."""
    total_kb: list[int] = field(default_factory=list)
    """Peak of the summed RSS of all the command's processes (sampled)."""
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _tree_rss_kb(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total // 1024


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def run_command(
    command: Sequence[str], env: dict[str, str] | None = None
) -> tuple[float, int, int]:
    """Run ``command``; its wall time, the peak RSS of its largest process and the sampled
    peak of all its processes together (0 when it can't be told), in KiB."""
    sample = _has_psutil()
    if GNU_TIME.exists():
        wrapped = [str(GNU_TIME), "-v", *command]
    else:
        # A fresh Python whose only child is the command: its RUSAGE_CHILDREN is that child's.
        wrapped = [
            sys.executable,
            "-c",
            "import resource, subprocess, sys\n"
            "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(f'Maximum resident set size (kbytes): {peak}', file=sys.stderr)\n"
            "sys.exit(code)",
            *command,
        ]
    started = time.perf_counter()
    process = subprocess.Popen(
        wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
    )
    peak_total = 0
    while process.poll() is None:
        if sample:
            peak_total = max(peak_total, _tree_rss_kb(process.pid))
        time.sleep(SAMPLE_EVERY)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        # /usr/bin/time -v appends its report; what the command said comes before it.
        said = stderr.split("\tCommand being timed:")[0].strip()
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {said[-800:]}")
    match = _MAX_RSS.search(stderr)
    return seconds, int(match.group(1)) if match else 0, peak_total


def _count_images(directory: Path) -> int:
    return sum(1 for p in directory.iterdir() if p.suffix in (".jpg", ".png"))


@dataclass
class Contender:
    label: str
    make_command: Callable[[Path, Path], list[str]] | None
    """(pdf, out dir) -> argv; None for in-process runs."""
    in_process_jobs: int = 0


def pdftoppm_command(tool: str, pdf: Path, out: Path) -> list[str]:
    scale = ["-scale-to-x", "800", "-scale-to-y", "-1"]
    return [
        tool,
        "-cropbox",
        *scale,
        "-jpeg",
        "-jpegopt",
        "quality=85",
        str(pdf),
        str(out / "page"),
    ]


def mutool_command(tool: str, pdf: Path, out: Path) -> list[str]:
    return [tool, "draw", "-q", "-w", "800", "-o", str(out / "page-%04d.png"), str(pdf)]


def folio_command(jobs: int, pdf: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "app", "convert", str(pdf), str(out), "--jobs", str(jobs)]


def contenders(pdftoppm: str | None, mutool: str | None) -> list[Contender]:
    found = [
        Contender("folio convert --jobs 1", lambda pdf, out: folio_command(1, pdf, out)),
        Contender("folio convert --jobs 2", lambda pdf, out: folio_command(2, pdf, out)),
        Contender("convert_pdf, jobs=1, in-process", None, in_process_jobs=1),
        Contender("convert_pdf, jobs=2, in-process", None, in_process_jobs=2),
    ]
    if pdftoppm:
        found.append(
            Contender("pdftoppm -jpeg q85", lambda pdf, out: pdftoppm_command(pdftoppm, pdf, out))
        )
    if mutool:
        found.append(
            Contender("mutool draw (PNG)", lambda pdf, out: mutool_command(mutool, pdf, out))
        )
    return found


def measure_book(
    pdf: Path, page_count: int, tools: list[Contender], repeat: int, work: Path
) -> dict[str, Measurement]:
    from app.pdf.local_conversion import convert_pdf

    env = {**os.environ, "FOLIO_DATA_DIR": str(work / "folio-data")}
    results = {tool.label: Measurement() for tool in tools}
    for _ in range(repeat):
        # In turn, so the machine's other load falls on every tool alike.
        for tool in tools:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            result = results[tool.label]
            if tool.make_command is None:
                started = time.perf_counter()
                convert_pdf(pdf, out, jobs=tool.in_process_jobs)
                result.seconds.append(time.perf_counter() - started)
            else:
                seconds, largest, total = run_command(tool.make_command(pdf, out), env)
                result.seconds.append(seconds)
                result.largest_kb.append(largest)
                result.total_kb.append(total)
            made = _count_images(out)
            if made != page_count:
                result.note = f"made {made} images, not {page_count}"
    return results


def first_page_latency(pdf: Path, runs: int = 20) -> list[float]:
    """Seconds to open ``pdf`` and render page 1 at 200 px, in this warm process."""
    from app.pdf.document import PdfDocument
    from app.pdf.render import render_page

    with PdfDocument.open(pdf) as doc:  # warm: imports done, file in the page cache
        render_page(doc, 1, width=200)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with PdfDocument.open(pdf) as doc:
            render_page(doc, 1, width=200)
        timings.append(time.perf_counter() - started)
    return timings


def _mb(values: list[int]) -> str:
    peak = max(values, default=0)
    return f"{peak / 1024:.0f} MB" if peak else "-"


def _version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "?"
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0] if text else "?"


def _ratio_line(
    label: str,
    folio: dict[str, float],
    reference: float | None,
    targets: tuple[float, float] | None,
) -> str:
    if reference is None:
        return f"  folio / {label}: not installed"
    parts = []
    for jobs, target in zip((1, 2), targets or (None, None), strict=True):
        ratio = folio[f"folio convert --jobs {jobs}"] / reference
        text = f"{jobs} worker{'s' if jobs > 1 else ''} {ratio:.2f}x"
        if target is not None:
            verdict = "met" if ratio >= target else "NOT met"
            text += f" (target >= {target:.1f}x: {verdict})"
        parts.append(text)
    return f"  folio / {label}:  " + ";  ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the PDFs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool (median)")
    parser.add_argument(
        "--book", action="append", choices=BOOKS, help="only this book (repeat for more)"
    )
    args = parser.parse_args()

    import pymupdf

    from app.pdf.document import PdfDocument

    chosen = args.book or BOOKS
    books = [args.corpus / name for name in chosen if (args.corpus / name).is_file()]
    if not books:
        sys.exit(f"none of {', '.join(BOOKS)} in {args.corpus}")
    pdftoppm, mutool = shutil.which("pdftoppm"), shutil.which("mutool")
    tools = contenders(pdftoppm, mutool)

    print("folio convert benchmark: JPEG 800 px (folio adds 200 px thumbnails and a manifest)")
    print(
        f"  {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"median of {args.repeat} runs, tools taken in turn"
    )
    print(f"  Python {platform.python_version()}, PyMuPDF {pymupdf.VersionBind} "
          f"(MuPDF {pymupdf.VersionFitz})")  # fmt: skip
    print(f"  pdftoppm: {_version([pdftoppm, '-v']) if pdftoppm else 'not installed'}")
    print(f"  mutool:   {_version([mutool, '-v']) if mutool else 'not installed'}")
    memory = (
        "largest process: /usr/bin/time -v" if GNU_TIME.exists() else "largest process: getrusage"
    )
    if _has_psutil():
        memory += "; all processes: psutil, sampled every 20 ms"
    print(f"  peak memory: {memory}")

    totals: dict[str, float] = {tool.label: 0.0 for tool in tools}
    total_pages = 0
    header = f"  {'':<34}{'seconds':>8}{'pages/s':>9}{'peak RSS':>11}{'all procs':>11}"
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as temporary:
        work = Path(temporary)
        for pdf in books:
            with PdfDocument.open(pdf) as doc:
                page_count = doc.page_count
            total_pages += page_count
            size = pdf.stat().st_size / 1_000_000
            print(f"\n{pdf.name}: {page_count} pages, {size:.1f} MB")
            print(header)
            results = measure_book(pdf, page_count, tools, args.repeat, work)
            rates: dict[str, float] = {}
            for label, result in results.items():
                rates[label] = page_count / result.median
                totals[label] += result.median
                print(
                    f"  {label:<34}{result.median:>8.2f}{rates[label]:>9.1f}"
                    f"{_mb(result.largest_kb):>11}{_mb(result.total_kb):>11}"
                    + (f"  ({result.note})" if result.note else "")
                )
            pdftoppm_rate = rates.get("pdftoppm -jpeg q85")
            mutool_rate = rates.get("mutool draw (PNG)")
            print(
                _ratio_line(
                    "pdftoppm", rates, pdftoppm_rate, (TARGET_ONE_WORKER, TARGET_TWO_WORKERS)
                )
            )
            print(_ratio_line("mutool", rates, mutool_rate, None))

        print(f"\nAll {len(books)} books together: {total_pages} pages")
        print(f"  {'':<34}{'seconds':>8}{'pages/s':>9}")
        overall = {label: total_pages / seconds for label, seconds in totals.items()}
        for label, seconds in totals.items():
            print(f"  {label:<34}{seconds:>8.2f}{overall[label]:>9.1f}")
        print(
            _ratio_line(
                "pdftoppm",
                overall,
                overall.get("pdftoppm -jpeg q85"),
                (TARGET_ONE_WORKER, TARGET_TWO_WORKERS),
            )
        )
        print(_ratio_line("mutool", overall, overall.get("mutool draw (PNG)"), None))

    largest = max(books, key=lambda p: p.stat().st_size)
    timings = first_page_latency(largest)
    median_ms = statistics.median(timings) * 1000
    verdict = "met" if median_ms < TARGET_FIRST_PAGE_MS else "NOT met"
    print(
        f"\nFirst page ({largest.name}: open + page 1 at 200 px, warm process, 20 runs): "
        f"median {median_ms:.1f} ms, min {min(timings) * 1000:.1f} ms, "
        f"max {max(timings) * 1000:.1f} ms (target < {TARGET_FIRST_PAGE_MS:.0f} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
