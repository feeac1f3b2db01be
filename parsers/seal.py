"""The red-ring test for official seals (公章), on a grid of red coverage that images.py measures.

A seal can only be suggested: True means "a red ring is there", False "a colour page without
one", None "a grey-scale page, which cannot show red". The pixel work (colour space, masks,
downscaling) is Pillow's and lives in images.py; this module holds the thresholds and the
geometry, in plain Python on a grid of a few hundred cells a side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

# ---- what counts as seal red, applied per pixel by images.py (Pillow's HSV: 0–255 scales) ----
# Seal inks run from vermilion to crimson: ±20° of pure red on the 360° wheel.
RED_HUE_SPAN = 14
# 0.24 saturation keeps faded and pale-pink stamps, drops skin tones and brown paper.
RED_MIN_SATURATION = 60
# Below 0.39 value the pixel is dark red-brown or black text's JPEG fringe, not ink on paper.
RED_MIN_VALUE = 100
# A pixel "carries colour" past this saturation and value; a page with almost none is grey-scale.
COLOUR_MIN_SATURATION = 40
COLOUR_MIN_VALUE = 70
# 0.02 % of the pixels: a 30 mm seal covers ten times that, scanner fringes far less.
GREY_PAGE_SHARE = 0.0002
# Images are measured at most this many pixels a side: a 40 mm seal on an A4 page stays
# ~135 px across, and a 150 dpi page takes a few tens of milliseconds.
MEASURE_SIDE = 1000
# The grid images.py hands over: about this many cells a side (3 px cells at MEASURE_SIDE).
GRID_SIDE = 330

# ---- the geometry, on the grid ----
# A cell is red when a ninth of its pixels are: one pixel of a thin ring in a 3×3 cell.
CELL_RED = 28
# Smaller clusters are specks (scanner dust, a red dot in a photo), not parts of a ring.
MIN_CLUSTER = 3
# The largest clusters considered for joining: a page of red text is many, a seal a few.
MAX_CLUSTERS = 300
# Clusters with up to this many empty cells between them (about 3 mm on a page) join: arcs of
# a ring that black text or a dry stamp pad broke apart.
JOIN_GAP = 3
# A seal spans at least 4 % of the image's long side (a 30 mm seal is 10 % of an A4 page,
# still 6 % in a photo of the page) and at least this many cells.
MIN_SPAN_SHARE = 0.04
MIN_SPAN_CELLS = 8
# Round seals are 1:1, oval company seals 45×30 mm (1.5); a little more for a skewed photo.
MAX_ASPECT = 1.8
# The ring test samples at most this many points a side of the candidate's box.
SAMPLES_SIDE = 64
# Normalised radii (1 = the box's inscribed ellipse): below INNER_RADIUS lies the centre, from
# BAND_LOW the band where the ring runs, past CORNER_RADIUS the box's corners.
INNER_RADIUS = 0.55
BAND_LOW = 0.75
CORNER_RADIUS = 1.1
# On small boxes the corners start at least this many cells past the ellipse: a ring's cells
# reach up to a cell's half-diagonal beyond it, while a square's corners reach 40 % further.
CORNER_SLACK_CELLS = 1.5
# The centre holds a star and a line of text, never mostly ink (a logo square or a flag does).
MAX_INNER_FILL = 0.4
# The ring goes most of the way round: gaps of a faint or partial stamp are allowed.
SECTORS = 24
MIN_SECTORS_INKED = 0.66
# The ring is this many times as dense as the box's corners, which a ring leaves empty; a
# square, a red area or a grid of red table lines (invoices) is as dense there as anywhere.
RING_CONTRAST = 3
# A good share of the red must lie on the ring itself, not only in the centre.
MIN_BAND_SHARE = 0.3


@dataclass(frozen=True)
class RedMap:
    """A picture as a grid of cells, each holding the share of its pixels that are seal red.

    `cells` is row-major, one byte per cell (0 none … 255 all); `coloured` is the share of the
    picture's pixels with any colour at all, which tells a grey-scale scan from a colour one.
    """

    width: int
    height: int
    cells: bytes
    coloured: float


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in cells, inclusive


def judge(page: RedMap) -> bool | None:
    """True when a red ring (round or oval) is on the page; None when the page is grey-scale."""
    if page.coloured < GREY_PAGE_SHARE:
        return None
    return any(_is_ring(page, box) for box in _candidates(page))


# ---- finding candidates: clusters of red cells, and clusters joined where their boxes meet ---

def _candidates(page: RedMap) -> list[Box]:
    """Boxes big and round enough to be a seal: each cluster, and groups of neighbouring ones.

    Joining neighbouring boxes puts a ring broken into arcs (a faint stamp) back together;
    keeping the single clusters too means red text beside a seal cannot hide it.
    """
    clusters = sorted(_clusters(page), key=lambda c: -c[1])[:MAX_CLUSTERS]
    boxes = [box for box, _ in clusters]
    return [box for box in dict.fromkeys(boxes + _joined(boxes)) if _plausible(page, box)]


def _clusters(page: RedMap) -> Iterator[tuple[Box, int]]:
    """8-connected clusters of red cells with their bounding box and cell count."""
    width = page.width
    red = {i for i, share in enumerate(page.cells) if share >= CELL_RED}
    while red:
        stack = [red.pop()]
        xs, ys, count = [], [], 0
        while stack:
            i = stack.pop()
            y, x = divmod(i, width)
            xs.append(x)
            ys.append(y)
            count += 1
            for j in _neighbours(i, x, width):
                if j in red:
                    red.remove(j)
                    stack.append(j)
        if count >= MIN_CLUSTER:
            yield (min(xs), min(ys), max(xs), max(ys)), count


def _neighbours(i: int, x: int, width: int) -> tuple[int, ...]:
    """Indices of the 8 cells around cell i (those off the grid's edge are simply absent)."""
    left = (i - width - 1, i - 1, i + width - 1) if x > 0 else ()
    right = (i - width + 1, i + 1, i + width + 1) if x < width - 1 else ()
    return left + right + (i - width, i + width)


def _joined(boxes: list[Box]) -> list[Box]:
    """Union boxes that are near each other, pass after pass, until none are."""
    groups, changed = list(boxes), True
    while changed:
        changed, joined = False, []
        for box in groups:
            for k, other in enumerate(joined):
                if _near(box, other):
                    joined[k], changed = _union(box, other), True
                    break
            else:
                joined.append(box)
        groups = joined
    return groups


def _near(a: Box, b: Box) -> bool:
    """The boxes overlap or at most JOIN_GAP empty cells lie between them."""
    reach = JOIN_GAP + 1
    return (a[0] <= b[2] + reach and b[0] <= a[2] + reach
            and a[1] <= b[3] + reach and b[1] <= a[3] + reach)


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _plausible(page: RedMap, box: Box) -> bool:
    """Big enough for a 30 mm seal and no more elongated than an oval one."""
    width, height = box[2] - box[0] + 1, box[3] - box[1] + 1
    least = max(MIN_SPAN_CELLS, MIN_SPAN_SHARE * max(page.width, page.height))
    return min(width, height) >= least and max(width, height) <= MAX_ASPECT * min(width, height)


# ---- the ring test ------------------------------------------------------------------------

def _is_ring(page: RedMap, box: Box) -> bool:
    """Red lies on the box's inscribed ellipse all round; the centre is mostly clear, and the
    corners far clearer than the ring."""
    tally = _tally(page, box)
    band_fill = tally.band_red / max(tally.band, 1)
    corner_fill = tally.corners_red / max(tally.corners, 1)
    return (tally.inner_red <= MAX_INNER_FILL * tally.inner
            and band_fill >= RING_CONTRAST * corner_fill
            and len(tally.sectors) >= MIN_SECTORS_INKED * SECTORS
            and tally.band_red >= MIN_BAND_SHARE * tally.red)


@dataclass
class _Tally:
    """A candidate box's cells counted by region (centre, ring band, corners), and the red ones."""

    red: int = 0
    inner: int = 0
    inner_red: int = 0
    band: int = 0
    band_red: int = 0
    corners: int = 0
    corners_red: int = 0
    sectors: set[int] = field(default_factory=set)  # angular sectors with red in the band


def _tally(page: RedMap, box: Box) -> _Tally:
    """Count the box's cells by region: a plain loop over at most SAMPLES_SIDE² cells."""
    slack = 1 + CORNER_SLACK_CELLS * 2 / min(box[2] - box[0] + 1, box[3] - box[1] + 1)
    corner_radius = max(CORNER_RADIUS, slack)
    tally = _Tally()
    for x, y, rho, angle in _samples(box):
        red = page.cells[y * page.width + x] >= CELL_RED
        tally.red += red
        if rho < INNER_RADIUS:
            tally.inner += 1
            tally.inner_red += red
        elif rho > corner_radius:
            tally.corners += 1
            tally.corners_red += red
        elif rho >= BAND_LOW:
            tally.band += 1
            tally.band_red += red
            if red:
                tally.sectors.add(int(angle / (2 * math.pi) * SECTORS) % SECTORS)
    return tally


def _samples(box: Box) -> Iterator[tuple[int, int, float, float]]:
    """Cells of the box (every n-th on big boxes) with their normalised radius and angle."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    # Half the span in cells, so the outermost cells of the ring sit just inside radius 1.
    a, b = (x1 - x0 + 1) / 2, (y1 - y0 + 1) / 2
    step = max(1, max(x1 - x0, y1 - y0) // SAMPLES_SIDE)
    for y in range(y0, y1 + 1, step):
        dy = (y - cy) / b
        for x in range(x0, x1 + 1, step):
            dx = (x - cx) / a
            yield x, y, math.hypot(dx, dy), math.atan2(dy, dx) % (2 * math.pi)
