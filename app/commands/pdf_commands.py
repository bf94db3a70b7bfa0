"""``folio convert``, and the pieces the PDF commands share: argument types, input checks and
hotspot counts."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.commands.errors import CommandError
from app.settings import Paths

if TYPE_CHECKING:
    from app.core.hotspots import AnnotationWarning, Hotspot

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def positive_int(text: str) -> int:
    """argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def input_pdf_path(path: str) -> Path:
    """``path`` as a Path; raises CommandError unless it names an existing file."""
    pdf = Path(path)
    if not pdf.is_file():
        raise CommandError(f"{path}: no such file" if not pdf.exists() else f"{path}: not a file")
    return pdf


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def hotspot_summary(
    hotspots: Sequence[Hotspot], warnings: Sequence[AnnotationWarning], where: str = ""
) -> str:
    """The counts for a command's closing line, e.g. "3 hotspots<where>; 1 other annotation
    skipped"."""
    summary = plural(len(hotspots), "hotspot") + where
    if warnings:
        summary += f"; {plural(len(warnings), 'other annotation')} skipped"
    return summary


def add_convert_parser(sub: SubParsers) -> None:
    convert = sub.add_parser(
        "convert",
        help="render a PDF's pages to images, with thumbnails and a manifest.json",
        description="Render every page of IN.pdf into OUTDIR as page-0001.jpg (or .png), "
        "thumbnails/page-0001.jpg and manifest.json (pages, spreads, hotspots), with the "
        "same code the server converts with. manifest.json is written last.",
    )
    convert.add_argument("pdf", metavar="IN.pdf")
    convert.add_argument("out_dir", metavar="OUTDIR", help="created if missing")
    convert.add_argument(
        "--width", type=positive_int, default=800, help="page image width in pixels (default 800)"
    )
    convert.add_argument("--format", choices=["jpg", "png"], default="jpg", dest="image_format")
    convert.add_argument(
        "--jobs",
        type=positive_int,
        default=1,
        help="pages rendered at a time, each in its own process (default 1); every extra "
        "process needs about a second to start, so this pays off on long documents",
    )
    convert.add_argument(
        "--layout",
        choices=["booklet", "single"],
        default="booklet",
        help="how pages pair into spreads in the manifest (default booklet: page 1 alone)",
    )


class _ProgressBar:
    """Conversion progress on stderr: a bar redrawn in place on a terminal, else one line
    per tenth of the pages, so logs and CI output stay short."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.redraw = stream.isatty()
        self.drawn = False
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if self.redraw:
            filled = self.WIDTH * done // max(total, 1)
            bar = "#" * filled + " " * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {done}/{total} pages")
            self.stream.flush()
            self.drawn = True
            return
        tenth = 10 * done // max(total, 1)
        if tenth > self.last_tenth:
            self.last_tenth = tenth
            print(f"{done}/{total} pages ({tenth * 10}%)", file=self.stream, flush=True)

    def finish(self) -> None:
        """End the bar's line, so what follows starts on a line of its own."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def run_convert(args: argparse.Namespace, paths: Paths) -> int:
    """Convert IN.pdf into OUTDIR; raises CommandError for anything it can't read or write."""
    started = time.perf_counter()
    # Check the paths before importing PyMuPDF (a second): mistakes there fail at once.
    pdf = input_pdf_path(args.pdf)
    out_dir = Path(args.out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"can't write to {out_dir}: {error.strerror or error}") from None

    from app.core.enums import LayoutType
    from app.core.errors import InvalidPdfError
    from app.pdf.local_conversion import convert_pdf
    from app.pdf.render import ImageFormat

    bar = _ProgressBar(sys.stderr)
    try:
        manifest = convert_pdf(
            pdf,
            out_dir,
            width=args.width,
            image_format=ImageFormat.PNG if args.image_format == "png" else ImageFormat.JPEG,
            jobs=args.jobs,
            layout=LayoutType(args.layout),
            progress=bar,
        )
    except InvalidPdfError as error:
        raise CommandError(f"{pdf.name}: {error}") from None
    except ValueError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        if error.filename and Path(error.filename) == pdf:
            raise CommandError(f"can't read {pdf}: {error.strerror or error}") from None
        where = error.filename or out_dir
        raise CommandError(f"can't write to {where}: {error.strerror or error}") from None
    finally:
        bar.finish()
    seconds = time.perf_counter() - started
    for notice in manifest.notices:
        print(f"folio: note: {notice}", file=sys.stderr)
    print(
        f"Converted {manifest.page_count} pages to {out_dir} in {seconds:.1f} s "
        f"({manifest.page_count / seconds:.0f} pages/s)"
    )
    if manifest.hotspots or manifest.warnings:
        print(f"Found {hotspot_summary(manifest.hotspots, manifest.warnings)} (see manifest.json).")
    return 0
