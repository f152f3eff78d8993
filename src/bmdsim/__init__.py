"""bmdsim: an open missile-defense kinematics laboratory.

Conventions (every function, unless its argument names say otherwise):

* SI inside: metres, seconds, kilograms, radians. Degrees, km and km/s appear only at the edges
  (files, CLI, reports) and in names ending ``_deg``, ``_km``, ``_kms``.
* Earth: WGS84. ECEF is Earth-fixed; ECI axes coincide with ECEF at the threat's launch (t = 0) and
  ECEF turns by omega t. Names say the frame: ``r_eci``, ``v_ecef``.
* Time: seconds since the threat's launch.
* Arrays: batch axis first, e.g. ``r_eci: (n, k, 3)``; failures in a batch are NaN plus a status.

The Python API mirrors the CLI; the main entry points are importable from here::

    import bmdsim
    ts = bmdsim.solve_trajectories("SS-27", 56.85, 40.53, 38.9, -77.0, step_s=10)
    fp = bmdsim.footprint(arch, ["Sejjil-2"], (35.2, 53.9, "semnan"), grid_deg=0.5)
    fp.to_netcdf("fp.nc"); fp.plot("fp.png"); open("fp.kml", "w").write(fp.to_kml())
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "solve_trajectories": "bmdsim.model.trajectories",
    "Shape": "bmdsim.model.trajectories",
    "load_scenario": "bmdsim.model.scenario",
    "resolve": "bmdsim.model.architecture",
    "load_architecture": "bmdsim.model.architecture",
    "run_engagements": "bmdsim.analysis.engage",
    "run_scenario": "bmdsim.analysis.run",
    "footprint": "bmdsim.analysis.footprint",
    "deterrent_matrix": "bmdsim.analysis.deterrent",
    "safe_envelope": "bmdsim.analysis.envelope",
    "exchange": "bmdsim.analysis.stability",
    "run_claims": "bmdsim.analysis.claims",
}
__all__ = sorted(_API)


def __getattr__(name):  # lazy: importing bmdsim stays cheap
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'bmdsim' has no attribute {name!r}")
