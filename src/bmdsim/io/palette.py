"""One palette for every figure and export: the Okabe–Ito colour-blind-safe set, and KML colour strings.

The eight colours of Okabe & Ito, "Color Universal Design (CUD): how to make figures and presentations
that are friendly to colorblind people" (J*Fly, 2008; https://jfly.uni-koeln.de/color/), are meant to
stay distinct under the common colour-vision deficiencies. Every figure (PNG/SVG/PDF), KML style and
GeoJSON simplestyle property takes its colour from :data:`CLASS_COLORS` / :data:`LAYER_COLORS`, so a
class has the same colour everywhere; KML's ``aabbggrr`` strings are made by one function,
:func:`kml_color`.

The three classes of a defended-area map are also ordered in lightness (dark blue, mid orange, near-white
grey), so they stay apart when printed in grey-scale; ``tests/test_palette.py`` checks that after a
deuteranopia simulation (Machado et al. 2009) and in grey-scale.
"""

from __future__ import annotations

import re

from bmdsim.errors import BmdsimError

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# classes of a defended-area grid: (label, colour)
DEFENDED = "defended"
THREATENED = "threatened_not_defended"
OUT_OF_RANGE = "out_of_range"
CLASS_COLORS = {
    DEFENDED: OKABE_ITO["blue"],
    THREATENED: OKABE_ITO["orange"],
    OUT_OF_RANGE: "#EEEEEE",  # neutral near-white: beyond every missile's range (not threatened)
}
CLASS_LABELS = {
    DEFENDED: "defended",
    THREATENED: "threatened, not defended",
    OUT_OF_RANGE: "out of range (not threatened)",
}

# point and line layers
LAYER_COLORS = {
    "site": OKABE_ITO["black"],
    "sensor": OKABE_ITO["reddish_purple"],
    "launch": OKABE_ITO["vermillion"],
    "aim": OKABE_ITO["bluish_green"],
    "place": "#444444",
    "ring": OKABE_ITO["vermillion"],
    "track": OKABE_ITO["vermillion"],
    "event": OKABE_ITO["black"],
    "coast": "#000000",
    "border": "#737373",
}

# a colour-blind-safe sequential colour map for continuous fields (matplotlib's cividis: Nuñez, Anderton &
# Renslow, "Optimizing colormaps with consideration for color vision deficiency", PLOS ONE 13(7), 2018)
SEQUENTIAL_CMAP = "cividis"

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` -> (r, g, b) in 0..255. Raises BmdsimError for anything else."""
    m = _HEX.fullmatch(str(color).strip())
    if not m:
        raise BmdsimError(f"colour {color!r}: expected #RRGGBB (six hex digits)")
    h = m.group(1)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def kml_color(color: str, alpha: float = 1.0) -> str:
    """KML's ``aabbggrr`` string for an ``#RRGGBB`` colour and an opacity in [0, 1].

    KML orders the bytes alpha, blue, green, red (OGC KML 2.2, 07-147r2, section 16.9 ``kml:color``),
    the reverse of the web's ``#RRGGBB``: ``kml_color("#0072B2", 0.5) == "80b27200"``.
    """
    if not 0.0 <= alpha <= 1.0:
        raise BmdsimError(f"alpha {alpha} out of range; valid 0..1")
    r, g, b = hex_to_rgb(color)
    a = int(round(alpha * 255))
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"
