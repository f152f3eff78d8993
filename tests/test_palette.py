"""The figure palette stays legible to colour-blind readers and in grey-scale; KML colours come from it.

Metric: the CAM02-UCS colour difference ΔE (Luo, Cui & Li, "Uniform colour spaces based on CIECAM02
colour appearance model", Color Res. Appl. 31(4), 2006), computed with colorspacious, between every pair
of classes of a defended-area map, after simulating deuteranopia (severity 1.0) with the matrix of
Machado, Oliveira & Fernandes, "A Physiologically-based Model for Simulation of Color Vision Deficiency",
IEEE TVCG 15(6):1291-1298, 2009 (table of matrices, deuteranopia, severity 1.0), applied to linear RGB.
Threshold: ΔE >= 20 (a difference of about 10 is already obvious side by side; 20 leaves room for print
and screens). Grey-scale: CIE L* of each class at least 15 apart.
"""

import itertools

import numpy as np
import pytest

from bmdsim.errors import BmdsimError
from bmdsim.io.palette import CLASS_COLORS, LAYER_COLORS, OKABE_ITO, hex_to_rgb, kml_color

cs = pytest.importorskip("colorspacious")

# Machado et al. (2009), deuteranopia, severity 1.0 (their supplementary table)
MACHADO_DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                                 [0.280085, 0.672501, 0.047413],
                                 [-0.011820, 0.042940, 0.968881]])


def _srgb_to_linear(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(c):
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def _deuteranopia(rgb01):
    return _linear_to_srgb(MACHADO_DEUTERANOPIA @ _srgb_to_linear(rgb01))


def _rgb01(hex_color):
    return np.array(hex_to_rgb(hex_color)) / 255.0


def test_simulation_matches_colorspacious():
    # our transcription of the paper's matrix is the one colorspacious implements
    np.testing.assert_allclose(cs.machado_et_al_2009_matrix("deuteranomaly", 100), MACHADO_DEUTERANOPIA, atol=1e-6)
    for c in OKABE_ITO.values():
        ref = cs.cspace_convert(_rgb01(c), {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100},
                                "sRGB1")
        np.testing.assert_allclose(_deuteranopia(_rgb01(c)), np.clip(ref, 0, 1), atol=2e-3)


def test_map_classes_distinct_for_deuteranopes_and_in_greyscale():
    cols = {k: _rgb01(v) for k, v in CLASS_COLORS.items()}
    for a, b in itertools.combinations(cols, 2):
        normal = cs.deltaE(cols[a], cols[b], input_space="sRGB1")
        deut = cs.deltaE(_deuteranopia(cols[a]), _deuteranopia(cols[b]), input_space="sRGB1")
        assert normal >= 20 and deut >= 20, (a, b, normal, deut)
    lstar = {k: cs.cspace_convert(v, "sRGB1", "CIELab")[0] for k, v in cols.items()}
    for a, b in itertools.combinations(lstar, 2):
        assert abs(lstar[a] - lstar[b]) >= 15, (a, b, lstar)


def test_layer_colours_stand_out_from_the_classes_they_sit_on():
    # markers and tracks are drawn over the class colours: keep them apart for deuteranopes too
    for layer in ("site", "sensor", "launch", "track"):
        for cls, c in CLASS_COLORS.items():
            d = cs.deltaE(_deuteranopia(_rgb01(LAYER_COLORS[layer])), _deuteranopia(_rgb01(c)), input_space="sRGB1")
            assert d >= 12, (layer, cls, d)


def test_kml_color_byte_order():
    # OGC KML 2.2 kml:color is aabbggrr
    assert kml_color("#0072B2", 0.5) == "80b27200"
    assert kml_color("#E69F00") == "ff009fe6"
    assert kml_color("#123456", 0.0) == "00563412"
    for c in CLASS_COLORS.values():  # round trip: the KML string holds the same RGB as the figure
        k = kml_color(c, 0.7)
        assert (int(k[6:8], 16), int(k[4:6], 16), int(k[2:4], 16)) == hex_to_rgb(c)
    with pytest.raises(BmdsimError):
        kml_color("green")
    with pytest.raises(BmdsimError):
        kml_color("#000000", 1.5)
