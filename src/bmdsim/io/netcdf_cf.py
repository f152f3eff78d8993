"""Lat/lon grids as NetCDF following the CF Conventions 1.8, so that GDAL, QGIS and xarray read them
without guessing.

What CF asks for and this module writes (CF-1.8, https://cfconventions.org/Data/cf-conventions/
cf-conventions-1.8/cf-conventions.html): ``lat``/``lon`` coordinate variables with ``standard_name``
latitude/longitude, ``units`` degrees_north/degrees_east and ``axis`` Y/X (section 4.1), cell bounds
``lat_bnds``/``lon_bnds`` (section 7.1), a ``crs`` grid-mapping variable ``latitude_longitude`` on the
WGS84 ellipsoid with its ``crs_wkt`` (section 5.6, Appendix F), every data variable pointing at it through
``grid_mapping``, flag variables as small integers with ``flag_values`` / ``flag_meanings`` (section 3.5),
and the global ``Conventions = "CF-1.8"``. The file is NetCDF-3 (xarray's scipy engine: no compiled
library needed); strings are character arrays, which CF allows.
"""

from __future__ import annotations

import numpy as np

from bmdsim.errors import BmdsimError

WGS84_SEMI_MAJOR_AXIS_M = 6378137.0  # WGS84 (NIMA TR8350.2)
WGS84_INVERSE_FLATTENING = 298.257223563


def _bounds(c: np.ndarray) -> np.ndarray:
    if c.size == 1:
        return np.array([[c[0] - 0.5, c[0] + 0.5]])
    d = np.diff(c)
    edges = np.concatenate([[c[0] - 0.5 * d[0]], 0.5 * (c[:-1] + c[1:]), [c[-1] + 0.5 * d[-1]]])
    return np.column_stack([edges[:-1], edges[1:]])


def cf_grid_dataset(lat_deg, lon_deg, variables: dict, *, flags: dict | None = None, attrs: dict | None = None,
                    extra_coords: dict | None = None):
    """An xarray Dataset on a lat/lon grid with CF-1.8 metadata.

    ``variables``: name -> ``(dims, data, attrs)`` with dims ending ``("lat", "lon")`` (attrs should give
    ``long_name`` and ``units``); ``flags``: name -> ``(data (ny, nx) small ints, values, meanings,
    long_name)``; ``extra_coords``: name -> values for other dimensions (e.g. ``missile``).
    """
    import xarray as xr
    from pyproj import CRS

    lat = np.asarray(lat_deg, float)
    lon = np.asarray(lon_deg, float)
    if lat.ndim != 1 or lon.ndim != 1 or lat.size == 0 or lon.size == 0:
        raise BmdsimError("lat_deg and lon_deg must be non-empty 1-D arrays")
    gm = {"grid_mapping": "crs"}
    data_vars = {}
    for name, (dims, data, va) in variables.items():
        data_vars[name] = (dims, np.asarray(data), {**va, **gm})
    for name, (data, values, meanings, long_name) in (flags or {}).items():
        arr = np.asarray(data).astype(np.int8)
        data_vars[name] = (("lat", "lon"), arr, {"long_name": long_name, "flag_values": np.asarray(values, np.int8),
                                                 "flag_meanings": " ".join(meanings), **gm})
    wkt = CRS.from_epsg(4326).to_wkt()
    data_vars["crs"] = ((), np.int32(0), {
        "grid_mapping_name": "latitude_longitude", "semi_major_axis": WGS84_SEMI_MAJOR_AXIS_M,
        "inverse_flattening": WGS84_INVERSE_FLATTENING, "longitude_of_prime_meridian": 0.0,
        "crs_wkt": wkt, "spatial_ref": wkt, "long_name": "WGS 84 (EPSG:4326)"})
    data_vars["lat_bnds"] = (("lat", "nv"), _bounds(lat))
    data_vars["lon_bnds"] = (("lon", "nv"), _bounds(lon))
    coords = {
        "lat": ("lat", lat, {"standard_name": "latitude", "long_name": "latitude of the cell centre",
                             "units": "degrees_north", "axis": "Y", "bounds": "lat_bnds"}),
        "lon": ("lon", lon, {"standard_name": "longitude", "long_name": "longitude of the cell centre",
                             "units": "degrees_east", "axis": "X", "bounds": "lon_bnds"}),
    }
    for name, values in (extra_coords or {}).items():
        coords[name] = (name, np.asarray(values))
    ds = xr.Dataset(data_vars, coords=coords, attrs={"Conventions": "CF-1.8", **(attrs or {})})
    return ds


def to_netcdf_bytes(ds) -> bytes:
    """NetCDF-3 bytes of a dataset (scipy engine; NaN as the float fill value)."""
    enc = {}
    for name, var in ds.data_vars.items():
        if np.issubdtype(var.dtype, np.floating):
            enc[name] = {"_FillValue": np.nan}
        else:
            enc[name] = {"_FillValue": None}
    for name in ds.coords:
        enc[name] = {"_FillValue": None}
    return bytes(ds.to_netcdf(None, engine="scipy", encoding=enc))
