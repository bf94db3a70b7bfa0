"""Checks a designer runs over a document's hotspots before publishing: hotspots a reader
can't see or tap, hotspots on top of each other, addresses that lead nowhere, page references
past the last page, SKUs the product catalogue doesn't know, and hotspots still missing what
they need to be saved at all (a product without a SKU, a page reference without a page).

Pure: it takes hotspots and page boxes (``app.pdf`` or the server supply them) and returns
findings; it never fails on a hotspot, however odd.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.geometry import PageBox, Rect
from app.core.hotspot_fields import LINK_SCHEMES, MEDIA_SCHEMES
from app.core.hotspots import Hotspot, HotspotType

MIN_SIDE = 1.0
"""Points: a hotspot narrower or lower than this can't be seen or tapped."""
EDGE_TOLERANCE = 0.5
"""Points a hotspot may pass the page edge by: drawing to the edge leaves rounding, not a
mistake worth a finding."""
OVERLAP_SHARE = 0.5
"""An overlap above this share of the smaller hotspot's area makes a tap ambiguous."""
MAX_LISTED_SKUS = 10


@dataclass(frozen=True)
class LintFinding:
    page: int
    """1-based page of the hotspot."""
    index: int
    """Position of the hotspot in the list given to ``lint_hotspots``."""
    code: str
    """outside_page, partly_outside, zero_size, overlap, invalid_url, page_out_of_range,
    unknown_sku or missing_value."""
    message: str
    """A sentence a designer understands, naming the hotspot."""


def _points(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _where(rect: Rect) -> str:
    return (
        f"({_points(rect.x0)}, {_points(rect.y0)}) to ({_points(rect.x1)}, {_points(rect.y1)}) pt"
    )


def describe(hotspot: Hotspot) -> str:
    """How a message names a hotspot: its kind, what it leads to and where it is."""
    p = hotspot.properties
    kind = hotspot.type
    if kind is HotspotType.PRODUCT:
        skus = [str(s) for s in p.get("skus") or []]
        what = f"product hotspot for {', '.join(skus[:3])}{'…' if len(skus) > 3 else ''}"
        if not skus:
            what = "product hotspot"
    elif kind is HotspotType.EXTERNAL_LINK:
        what = f"link to {p.get('url') or '(no address)'}"
    elif kind is HotspotType.PAGE_REFERENCE:
        target = p.get("page")
        what = "page reference" if target is None else f"reference to page {target}"
    elif kind is HotspotType.IMAGE:
        what = f"image hotspot showing {p.get('source') or '(no address)'}"
    elif kind is HotspotType.VIDEO:
        what = f"video hotspot playing {p.get('source') or '(no address)'}"
    else:
        what = f"{kind.value} hotspot"
    return f"The {what} at {_where(hotspot.rect)}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _area(rect: Rect) -> float:
    return max(0.0, rect.width) * max(0.0, rect.height)


def _intersection(a: Rect, b: Rect) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def _is_finite(rect: Rect) -> bool:
    return all(math.isfinite(v) for v in (rect.x0, rect.y0, rect.x1, rect.y1))


def _one_of(schemes: Sequence[str]) -> str:
    names = [f"{scheme}:" for scheme in schemes]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def url_problem(url: object, schemes: Sequence[str]) -> str | None:
    """Why ``url`` can't be opened from a hotspot, as words for a message ("the address
    names no web site"), or None when it can. Web addresses need a host, mailto: an e-mail
    address and tel: a number."""
    if not isinstance(url, str) or not url.strip():
        return "there is no address"
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return "the address is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return f"the address does not start with {_one_of(schemes)}"
    if scheme in ("http", "https") and not host:
        return "the address names no web site"
    if scheme == "mailto" and "@" not in parts.path:
        return "the address names no e-mail address"
    if scheme == "tel" and not any(c.isdigit() for c in parts.path):
        return "the address names no phone number"
    return None


def _geometry(
    hotspot: Hotspot, index: int, box: PageBox | None, page_count: int
) -> list[LintFinding]:
    page, rect = hotspot.page, hotspot.rect
    if box is None:
        return [
            LintFinding(
                page,
                index,
                "page_out_of_range",
                f"{describe(hotspot)} is on page {page}, but the PDF has {page_count} pages.",
            )
        ]
    if not _is_finite(rect):
        return [
            LintFinding(page, index, "zero_size", "A hotspot has a rectangle that is not a number.")
        ]
    findings = []
    if rect.width < MIN_SIDE or rect.height < MIN_SIDE:
        findings.append(
            LintFinding(
                page,
                index,
                "zero_size",
                f"{describe(hotspot)} is {_points(rect.width)} x {_points(rect.height)} pt: "
                f"too small to see or tap. Make each side at least {_points(MIN_SIDE)} pt.",
            )
        )
    crop = box.crop
    if (
        rect.x0 >= crop.x1 - EDGE_TOLERANCE
        or rect.x1 <= crop.x0 + EDGE_TOLERANCE
        or rect.y0 >= crop.y1 - EDGE_TOLERANCE
        or rect.y1 <= crop.y0 + EDGE_TOLERANCE
    ):
        findings.append(
            LintFinding(
                page,
                index,
                "outside_page",
                f"{describe(hotspot)} lies outside the visible page, which spans "
                f"{_where(crop)}, so readers never see it.",
            )
        )
    else:
        overhang = max(crop.x0 - rect.x0, rect.x1 - crop.x1, crop.y0 - rect.y0, rect.y1 - crop.y1)
        if overhang > EDGE_TOLERANCE:
            findings.append(
                LintFinding(
                    page,
                    index,
                    "partly_outside",
                    f"{describe(hotspot)} sticks out {_points(overhang)} pt past the edge of "
                    f"the visible page, which spans {_where(crop)}; the part outside is cut off.",
                )
            )
    return findings


def _content(
    hotspot: Hotspot, index: int, page_count: int, known_skus: Collection[str] | None
) -> list[LintFinding]:
    p, page = hotspot.properties, hotspot.page
    if hotspot.type is HotspotType.EXTERNAL_LINK:
        problem = url_problem(p.get("url"), LINK_SCHEMES)
        if problem:
            message = f"{describe(hotspot)} leads nowhere: {problem}."
            return [LintFinding(page, index, "invalid_url", message)]
    elif hotspot.type in (HotspotType.IMAGE, HotspotType.VIDEO):
        problem = url_problem(p.get("source"), MEDIA_SCHEMES)
        if problem:
            message = f"{describe(hotspot)} can't be shown: {problem}."
            return [LintFinding(page, index, "invalid_url", message)]
    elif hotspot.type is HotspotType.SLIDESHOW:
        images = p.get("images")
        for image in images if isinstance(images, list) and images else [None]:
            problem = url_problem(image, MEDIA_SCHEMES)
            if problem:
                message = f"{describe(hotspot)} has an image that can't be shown: {problem}."
                return [LintFinding(page, index, "invalid_url", message)]
    elif hotspot.type is HotspotType.PAGE_REFERENCE:
        target = p.get("page")
        if target is None:
            message = f"{describe(hotspot)} has no target page yet."
            return [LintFinding(page, index, "missing_value", message)]
        if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= page_count:
            return [
                LintFinding(
                    page,
                    index,
                    "page_out_of_range",
                    f"{describe(hotspot)} leads to page {target}, but the PDF has pages "
                    f"1 to {page_count} only.",
                )
            ]
    elif hotspot.type is HotspotType.PRODUCT and not p.get("skus"):
        message = f"{describe(hotspot)} has no SKU yet."
        return [LintFinding(page, index, "missing_value", message)]
    elif hotspot.type is HotspotType.PRODUCT and known_skus is not None:
        unknown = [str(s) for s in p.get("skus") or [] if s not in known_skus]
        if unknown:
            listed = ", ".join(unknown[:MAX_LISTED_SKUS])
            if len(unknown) > MAX_LISTED_SKUS:
                listed += f" and {len(unknown) - MAX_LISTED_SKUS} more"
            noun = "a SKU" if len(unknown) == 1 else "SKUs"
            return [
                LintFinding(
                    page,
                    index,
                    "unknown_sku",
                    f"{describe(hotspot)} names {noun} the catalogue doesn't have: {listed}.",
                )
            ]
    return []


def _overlaps(hotspots: Sequence[Hotspot], boxes: Mapping[int, PageBox]) -> list[LintFinding]:
    by_page: dict[int, list[int]] = {}
    for index, hotspot in enumerate(hotspots):
        if hotspot.page in boxes and _is_finite(hotspot.rect) and _area(hotspot.rect) > 0:
            by_page.setdefault(hotspot.page, []).append(index)
    findings = []
    # Pages carry tens of hotspots at most, so comparing every pair is cheap enough.
    for indices in by_page.values():
        for position, later in enumerate(indices):
            b = hotspots[later]
            for earlier in indices[:position]:
                a = hotspots[earlier]
                smaller = min(_area(a.rect), _area(b.rect))
                shared = _intersection(a.rect, b.rect)
                if shared > OVERLAP_SHARE * smaller:
                    findings.append(
                        LintFinding(
                            b.page,
                            later,
                            "overlap",
                            f"{describe(b)} and {_lower_first(describe(a))} overlap by "
                            f"{shared / smaller:.0%} of the smaller one; a tap there may open "
                            "either.",
                        )
                    )
    return findings


def _has_no_address(hotspot: Hotspot) -> bool:
    key = "url" if hotspot.type is HotspotType.EXTERNAL_LINK else "source"
    value = hotspot.properties.get(key)
    return not isinstance(value, str) or not value.strip()


def blocks_saving(finding: LintFinding, hotspot: Hotspot) -> bool:
    """Whether ``finding`` (about ``hotspot``) means the hotspot can't be saved at all, rather
    than saved with a flaw: it misses a SKU, page or address, has no area, or refers to a
    page the document lacks. A blank address is an ``invalid_url`` finding ("there is no
    address") like any unusable one, so it is told apart here."""
    if finding.code in ("missing_value", "zero_size"):
        return True
    if finding.code == "page_out_of_range":
        return hotspot.type is HotspotType.PAGE_REFERENCE
    if finding.code == "invalid_url":
        return hotspot.type is not HotspotType.SLIDESHOW and _has_no_address(hotspot)
    return False


def lint_hotspots(
    hotspots: Sequence[Hotspot],
    boxes: Mapping[int, PageBox],
    page_count: int,
    known_skus: Collection[str] | None = None,
) -> list[LintFinding]:
    """Findings for ``hotspots`` (rectangles in PDF user space of their 1-based page), in
    page order, then in the order of the hotspots given.

    ``boxes`` maps each 1-based page to its displayed area (CropBox and /Rotate); a hotspot
    on a page missing from ``boxes`` is reported as on a page that does not exist.
    ``known_skus``, when given, is the product catalogue: product SKUs outside it are
    reported (compared exactly as written).
    """
    findings: list[LintFinding] = []
    for index, hotspot in enumerate(hotspots):
        box = boxes.get(hotspot.page) if 1 <= hotspot.page <= page_count else None
        findings += _geometry(hotspot, index, box, page_count)
        findings += _content(hotspot, index, page_count, known_skus)
    findings += _overlaps(hotspots, boxes)
    return sorted(findings, key=lambda f: (f.page, f.index))
