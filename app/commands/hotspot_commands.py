"""``folio hotspots extract``, ``add`` and ``lint``: read, add and check the hotspots in a PDF."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from app.commands.errors import CommandError
from app.commands.pdf_commands import hotspot_summary, input_pdf_path, plural, positive_int
from app.settings import Paths

if TYPE_CHECKING:
    from app.core.hotspots import Hotspot
    from app.pdf.document import PdfDocument

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _rect_argument(text: str) -> tuple[float, float, float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise argparse.ArgumentTypeError(f"{text!r} is not four numbers X0,Y0,X1,Y1")
    x0, y0, x1, y1 = numbers
    if x0 == x1 or y0 == y1:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no area: its corners must differ in x and y"
        )
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


_LINT_EPILOG = """exit status: 0 when no hotspot has a finding, 1 when some have (or the PDF can't be read),
2 for a usage error. Checks: hotspots outside or partly outside the visible page, smaller
than 1 pt, overlapping another by more than half, link, image and video addresses that
can't be opened, page references past the last page and, with --catalogue, SKUs it lacks."""


def add_hotspots_parser(sub: SubParsers) -> None:
    hotspots = sub.add_parser("hotspots", help="read, add and check the hotspots in a PDF")
    actions = hotspots.add_subparsers(dest="hotspots_command", metavar="ACTION", required=True)
    extract = actions.add_parser("extract", help="list the hotspots in a PDF's annotations")
    extract.add_argument("pdf", metavar="IN.pdf")
    extract.add_argument(
        "--json", action="store_true", help='print {"hotspots": [...], "warnings": [...]}'
    )

    add = actions.add_parser(
        "add",
        help="write a copy of a PDF with one more hotspot",
        description="Write OUT.pdf: IN.pdf with a hotspot annotation added (IN.pdf is never "
        "changed), then read OUT.pdf back to check the hotspot is there.",
    )
    add.add_argument("pdf", metavar="IN.pdf")
    add.add_argument("out_pdf", metavar="OUT.pdf", help="must not be IN.pdf")
    add.add_argument(
        "--page", type=positive_int, required=True, metavar="N", help="1-based page number"
    )
    add.add_argument(
        "--rect",
        type=_rect_argument,
        required=True,
        metavar="X0,Y0,X1,Y1",
        help="PDF user space in points, origin bottom-left (negative values: --rect=-5,...)",
    )
    add.add_argument(
        "--type", choices=["product", "external_link", "page_reference"], required=True
    )
    add.add_argument("--sku", action="append", default=[], help="product SKU (repeat for several)")
    add.add_argument("--url", help="address of an external_link (http, https, mailto, tel)")
    add.add_argument(
        "--target-page", type=positive_int, metavar="N", help="page a page_reference opens"
    )
    add.add_argument("--no-icon", action="store_true", help="product: show no icon")
    add.add_argument(
        "--static", action="store_true", help="product: don't refresh it from the catalogue"
    )
    # Option combinations are checked once the command runs; they are usage errors too.
    add.set_defaults(parser_error=add.error)

    lint = actions.add_parser(
        "lint",
        help="check a PDF's hotspots; exit 1 when something needs fixing",
        epilog=_LINT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument("pdf", metavar="IN.pdf")
    lint.add_argument(
        "--catalogue",
        metavar="FILE",
        help="products to check SKUs against: an RSS or Atom product feed (g: fields), "
        "CSV/TSV with a sku, id or g:id column, or one SKU per line",
    )


def _open_pdf(path: str) -> PdfDocument:
    """The validated PDF at ``path``; any reason it can't be used becomes a CommandError."""
    pdf = input_pdf_path(path)
    from app.core.errors import InvalidPdfError
    from app.pdf.document import PdfDocument

    try:
        return PdfDocument.open(pdf)
    except InvalidPdfError as error:
        raise CommandError(f"{pdf.name}: {error}") from None
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from None


def _main_property(hotspot: Hotspot) -> str:
    """What a hotspot leads to, in a few words, for the table."""
    p = hotspot.properties
    if hotspot.type.value == "product":
        skus = ", ".join(p.get("skus") or [])
        flags = [
            name
            for name, on in (
                ("no icon", not p.get("icon", True)),
                ("static", not p.get("dynamic", True)),
            )
            if on
        ]
        return skus + (f" ({', '.join(flags)})" if flags else "")
    if hotspot.type.value == "external_link":
        return str(p.get("url")) + (" (popup)" if p.get("popup") else "")
    if hotspot.type.value == "page_reference":
        return f"page {p.get('page')}"
    if hotspot.type.value == "slideshow":
        return f"{len(p.get('images') or [])} images"
    return str(p.get("source", ""))


def _rect_text(hotspot: Hotspot) -> str:
    r = hotspot.rect
    return ", ".join(f"{round(v, 2):g}" for v in (r.x0, r.y0, r.x1, r.y1))


# What ``hotspots add`` says it added, by hotspot type.
_ADDED_HOTSPOT_PHRASES = {
    "product": "a product hotspot",
    "external_link": "a link",
    "page_reference": "a page reference",
}


def _run_hotspots_extract(args: argparse.Namespace) -> int:
    from app.pdf.annotation_reader import read_hotspots
    from app.pdf.local_conversion import hotspot_json, warning_json

    with _open_pdf(args.pdf) as doc:
        extraction = read_hotspots(doc)
        page_count = doc.page_count
    if args.json:
        data = {
            "hotspots": [hotspot_json(h) for h in extraction.hotspots],
            "warnings": [warning_json(w) for w in extraction.warnings],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if extraction.hotspots:
        print(f"{'PAGE':>4}  {'TYPE':<15} {'RECT (pt: x0, y0, x1, y1)':<28} DETAILS")
    for hotspot in extraction.hotspots:
        print(
            f"{hotspot.page:>4}  {hotspot.type.value:<15} {_rect_text(hotspot):<28} "
            f"{_main_property(hotspot)}"
        )
    for warning in extraction.warnings:
        print(f"page {warning.page}: not a hotspot: {warning.reason}")
    pages = len({h.page for h in extraction.hotspots})
    where = f" on {pages} of {plural(page_count, 'page')}"
    print(hotspot_summary(extraction.hotspots, extraction.warnings, where) + ".")
    return 0


def _new_hotspot(args: argparse.Namespace, parser_error: Callable[[str], NoReturn]) -> Hotspot:
    """The hotspot ``hotspots add`` describes; usage errors for options that don't fit."""
    from app.core.geometry import Rect
    from app.core.hotspot_fields import LINK_SCHEMES
    from app.core.hotspot_lint import url_problem
    from app.core.hotspots import Hotspot, HotspotType, external_link, page_reference

    rect = Rect(*args.rect)
    misplaced = {
        "--sku": bool(args.sku) and args.type != "product",
        "--no-icon": args.no_icon and args.type != "product",
        "--static": args.static and args.type != "product",
        "--url": args.url is not None and args.type != "external_link",
        "--target-page": args.target_page is not None and args.type != "page_reference",
    }
    for option, wrong in misplaced.items():
        if wrong:
            parser_error(f"{option} does not apply to --type {args.type}")
    if args.type == "product":
        skus = [sku.strip() for sku in args.sku if sku.strip()]
        if not skus:
            parser_error("--type product needs --sku")
        return Hotspot(
            HotspotType.PRODUCT,
            args.page,
            rect,
            {"skus": skus, "icon": not args.no_icon, "dynamic": not args.static},
        )
    if args.type == "external_link":
        if args.url is None:
            parser_error("--type external_link needs --url")
        problem = url_problem(args.url, LINK_SCHEMES)
        if problem:
            parser_error(f"--url {args.url} won't open: {problem}")
        return external_link(args.page, rect, args.url.strip())
    if args.target_page is None:
        parser_error("--type page_reference needs --target-page")
    return page_reference(args.page, rect, args.target_page)


def _run_hotspots_add(args: argparse.Namespace, parser_error: Callable[[str], NoReturn]) -> int:
    hotspot = _new_hotspot(args, parser_error)
    source, target = Path(args.pdf), Path(args.out_pdf)
    if source.resolve() == target.resolve() or (
        target.exists() and source.exists() and source.samefile(target)
    ):
        parser_error("OUT.pdf must be another file than IN.pdf (IN.pdf is never changed)")

    from app.core.hotspot_lint import lint_hotspots
    from app.core.hotspots import same_hotspot
    from app.pdf.annotation_reader import read_hotspots
    from app.pdf.annotation_writer import write_hotspots

    with _open_pdf(args.pdf) as doc:
        if hotspot.page > doc.page_count:
            raise CommandError(
                f"page {hotspot.page} does not exist: the PDF has {doc.page_count} pages"
            )
        target_page = hotspot.properties.get("page")
        if isinstance(target_page, int) and target_page > doc.page_count:
            raise CommandError(
                f"--target-page {target_page} does not exist: the PDF has {doc.page_count} pages"
            )
        findings = lint_hotspots(
            [hotspot], {hotspot.page: doc.page_box(hotspot.page)}, doc.page_count
        )
        before = sum(same_hotspot(h, hotspot) for h in read_hotspots(doc, [hotspot.page]).hotspots)
        try:
            write_hotspots(doc, [hotspot])
            doc.save(target)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"can't write {target}: {error.strerror or error}") from None
    for finding in findings:
        print(f"folio: warning: page {finding.page}: {finding.message}", file=sys.stderr)
    with _open_pdf(str(target)) as written:
        after = sum(
            same_hotspot(h, hotspot) for h in read_hotspots(written, [hotspot.page]).hotspots
        )
    if after != before + 1:
        # A file that doesn't hold what was asked for must not pass for the result.
        target.unlink(missing_ok=True)
        raise CommandError(f"the hotspot did not read back from {target}, so it was removed")
    print(
        f"Added {_ADDED_HOTSPOT_PHRASES[hotspot.type.value]} on page {hotspot.page} at "
        f"{_rect_text(hotspot)} pt ({_main_property(hotspot)}) to {target}."
    )
    return 0


def _run_hotspots_lint(args: argparse.Namespace) -> int:
    from app.core.hotspot_lint import lint_hotspots
    from app.core.sku_list import CatalogueError, load_catalogue_skus
    from app.pdf.annotation_reader import read_hotspots

    known: set[str] | None = None
    if args.catalogue:
        try:
            known = load_catalogue_skus(args.catalogue)
        except CatalogueError as error:
            raise CommandError(str(error)) from None
    with _open_pdf(args.pdf) as doc:
        extraction = read_hotspots(doc)
        boxes = {page: doc.page_box(page) for page in range(1, doc.page_count + 1)}
        findings = lint_hotspots(extraction.hotspots, boxes, doc.page_count, known)
    for finding in findings:
        print(f"page {finding.page}: {finding.message}")
    for warning in extraction.warnings:
        print(f"page {warning.page}: not read as a hotspot: {warning.reason}")
    checked = plural(len(extraction.hotspots), "hotspot")
    if known is not None:
        checked += f" (against {plural(len(known), 'catalogue SKU')})"
    if not findings:
        print(f"No problems found in {checked}.")
        return 0
    flagged = len({f.index for f in findings})
    print(f"{plural(len(findings), 'problem')} in {flagged} of {checked}.")
    return 1


def run_hotspots(args: argparse.Namespace, paths: Paths) -> int:
    """``hotspots extract``, ``add`` or ``lint``; lint returns 1 when it has findings.

    Raises CommandError for a PDF that can't be read or written; option combinations that
    don't fit exit through the parser's usage error (exit code 2)."""
    if args.hotspots_command == "extract":
        return _run_hotspots_extract(args)
    if args.hotspots_command == "add":
        return _run_hotspots_add(args, args.parser_error)
    return _run_hotspots_lint(args)
