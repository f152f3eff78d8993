"""Geodesics on the WGS84 ellipsoid, vectorized through pyproj (Karney's algorithms).

Angles in degrees here because that is pyproj's interface; distances in metres.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod

_GEOD = Geod(ellps="WGS84")


def inverse(lat1_deg, lon1_deg, lat2_deg, lon2_deg):
    """Geodesic distance (m), forward azimuth at 1 and at 2 (deg, clockwise from north).

    Inputs broadcast; outputs have the broadcast shape.
    """
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    )
    shape = lat1.shape
    az1, baz, dist = _GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    az2 = (np.asarray(baz) + 180.0 + 180.0) % 360.0 - 180.0
    return (np.asarray(dist).reshape(shape), np.asarray(az1).reshape(shape), az2.reshape(shape))


def direct(lat_deg, lon_deg, azimuth_deg, distance_m):
    """Point (lat, lon) in degrees reached along a geodesic; inputs broadcast."""
    lat, lon, az, d = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lat_deg, lon_deg, azimuth_deg, distance_m))
    )
    shape = lat.shape
    lon2, lat2, _ = _GEOD.fwd(lon.ravel(), lat.ravel(), az.ravel(), d.ravel())
    return np.asarray(lat2).reshape(shape), np.asarray(lon2).reshape(shape)


def line(lat1_deg, lon1_deg, lat2_deg, lon2_deg, n):
    """n points (n, 2) lat, lon in degrees along the geodesic from 1 to 2, ends included."""
    pts = _GEOD.npts(lon1_deg, lat1_deg, lon2_deg, lat2_deg, max(n - 2, 0))
    lonlat = [(lon1_deg, lat1_deg), *pts, (lon2_deg, lat2_deg)]
    return np.array([(la, lo) for lo, la in lonlat])
