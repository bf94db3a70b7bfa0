"""Page geometry: PDF user space <-> fractions of the displayed page and of a spread.

PDF user space: points (1/72 in), origin at the bottom-left, y up, in the coordinates of the
page's MediaBox. What a reader sees is the CropBox, turned clockwise by /Rotate. Fractions
are of that displayed page (or of a spread of displayed pages), origin top-left, y down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

VALID_ROTATIONS = (0, 90, 180, 270)


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle with x0 <= x1 and y0 <= y1 (use ``Rect.spanning``)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def spanning(cls, ax: float, ay: float, bx: float, by: float) -> Rect:
        """The rectangle with corners (ax, ay) and (bx, by), in any order."""
        return cls(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def is_close(self, other: Rect, tolerance: float) -> bool:
        return all(
            abs(a - b) <= tolerance
            for a, b in zip(
                (self.x0, self.y0, self.x1, self.y1),
                (other.x0, other.y0, other.x1, other.y1),
                strict=True,
            )
        )


@dataclass(frozen=True)
class PageBox:
    """How a page is shown: its CropBox in user space and its clockwise /Rotate."""

    crop: Rect
    rotation: int = 0

    def __post_init__(self) -> None:
        if self.rotation not in VALID_ROTATIONS:
            raise ValueError(f"rotation must be one of {VALID_ROTATIONS}, not {self.rotation}")
        if self.crop.width <= 0 or self.crop.height <= 0:
            raise ValueError("a page box needs a positive width and height")

    @property
    def display_size(self) -> tuple[float, float]:
        """Width and height in points as a reader sees the page."""
        if self.rotation in (90, 270):
            return self.crop.height, self.crop.width
        return self.crop.width, self.crop.height

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        """A user-space point as points from the displayed page's top-left corner."""
        width, height = self.crop.width, self.crop.height
        ux, uy = x - self.crop.x0, height - (y - self.crop.y0)  # unrotated, y down
        if self.rotation == 0:
            return ux, uy
        if self.rotation == 90:
            return height - uy, ux
        if self.rotation == 180:
            return width - ux, height - uy
        return uy, width - ux

    def from_display(self, dx: float, dy: float) -> tuple[float, float]:
        """The inverse of ``to_display``."""
        width, height = self.crop.width, self.crop.height
        if self.rotation == 0:
            ux, uy = dx, dy
        elif self.rotation == 90:
            ux, uy = dy, height - dx
        elif self.rotation == 180:
            ux, uy = width - dx, height - dy
        else:
            ux, uy = width - dy, dx
        return ux + self.crop.x0, (height - uy) + self.crop.y0


def user_to_page_fraction(rect: Rect, box: PageBox) -> Rect:
    """A user-space rectangle as fractions (0..1, top-left origin) of the displayed page."""
    width, height = box.display_size
    ax, ay = box.to_display(rect.x0, rect.y0)
    bx, by = box.to_display(rect.x1, rect.y1)
    return Rect.spanning(ax / width, ay / height, bx / width, by / height)


def page_fraction_to_user(fraction: Rect, box: PageBox) -> Rect:
    """Fractions of the displayed page back to a user-space rectangle."""
    width, height = box.display_size
    ax, ay = box.from_display(fraction.x0 * width, fraction.y0 * height)
    bx, by = box.from_display(fraction.x1 * width, fraction.y1 * height)
    return Rect.spanning(ax, ay, bx, by)


@dataclass(frozen=True)
class SpreadLayout:
    """Displayed pages side by side, left to right, each centred vertically."""

    pages: Sequence[PageBox]

    @property
    def size(self) -> tuple[float, float]:
        sizes = [box.display_size for box in self.pages]
        return sum(w for w, _ in sizes), max(h for _, h in sizes)

    def _origin(self, index: int) -> tuple[float, float]:
        _, spread_height = self.size
        left = sum(box.display_size[0] for box in self.pages[:index])
        return left, (spread_height - self.pages[index].display_size[1]) / 2

    def page_to_spread(self, index: int, fraction: Rect) -> Rect:
        """Page fractions of page ``index`` (0-based in the spread) as spread fractions."""
        spread_width, spread_height = self.size
        page_width, page_height = self.pages[index].display_size
        left, top = self._origin(index)
        return Rect(
            (left + fraction.x0 * page_width) / spread_width,
            (top + fraction.y0 * page_height) / spread_height,
            (left + fraction.x1 * page_width) / spread_width,
            (top + fraction.y1 * page_height) / spread_height,
        )

    def spread_to_page(self, fraction: Rect) -> tuple[int, Rect]:
        """The page a spread rectangle's centre lies on, and the rectangle as its fractions."""
        spread_width, spread_height = self.size
        centre = (fraction.x0 + fraction.x1) / 2 * spread_width
        index = len(self.pages) - 1
        for candidate in range(len(self.pages)):
            left, _ = self._origin(candidate)
            if centre < left + self.pages[candidate].display_size[0]:
                index = candidate
                break
        page_width, page_height = self.pages[index].display_size
        left, top = self._origin(index)
        return index, Rect(
            (fraction.x0 * spread_width - left) / page_width,
            (fraction.y0 * spread_height - top) / page_height,
            (fraction.x1 * spread_width - left) / page_width,
            (fraction.y1 * spread_height - top) / page_height,
        )
