"""A transparent exchange calculator: does a defense change what a Russian retaliation delivers?

Every step is arithmetic on stated inputs, shown in the output:

1. force: launchers x warheads per launcher, per system;
2. optional counterforce first strike: a silo survives ``n`` attacking warheads with probability
   (1 - SSPK)^n; a mobile launcher with probability ``mobile_survival`` (dispersed) ; an SSBN at sea
   with ``slbm_at_sea_survival``;
3. surviving warheads x the share the defense can engage (from the deterrent matrix, per system)
   = warheads the defense can shoot at;
4. each such warhead comes with ``decoys_per_warhead`` objects the defense cannot tell apart, so it
   needs ``shots_per_object`` interceptors per object; the inventory limits how many warheads are
   engaged: engaged = min(engageable, inventory / (shots x (1 + decoys)));
5. an engaged warhead is killed with probability 1 - (1 - Pk)^shots;
6. penetrating = surviving - killed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class ForceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    system: str
    missile: str
    basing: str = Field(pattern="^(silo|mobile|slbm)$")
    launchers: int = Field(ge=0, le=10000)
    warheads_per_launcher: float = Field(gt=0, le=20)
    source: str | None = None
    notional: bool = False


class FirstStrike(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warheads_per_silo: int = Field(default=2, ge=0, le=10)
    sspk: float = Field(default=0.8, ge=0, le=1)
    mobile_survival: float = Field(default=0.5, ge=0, le=1)
    slbm_at_sea_survival: float = Field(default=1.0, ge=0, le=1)


class Defense(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inventory: int = Field(default=0, ge=0, le=100000)
    single_shot_pk: float = Field(default=0.7, ge=0, le=1)
    shots_per_object: int = Field(default=2, ge=1, le=10)
    decoys_per_warhead: float = Field(default=0.0, ge=0, le=100)
    engageable_share: dict[str, float] = {}  # missile -> share of its trajectories engageable (0..1)


class Forces(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "forces"
    sources: list[str] = []
    force: list[ForceEntry] = Field(min_length=1)
    first_strike: FirstStrike | None = None
    defense: Defense = Defense()


# The first New START data exchange (status on 5 Feb 2011), the one sourced aggregate the per-system
# estimates below must respect: their ICBM and SLBM warheads may not exceed it (tested).
NEW_START_2011 = {"deployed_launchers": 521, "deployed_warheads": 1537, "launchers_total": 865,
                  "source": "New START aggregate numbers, Russia, 5 Feb 2011: 521 deployed ICBMs, SLBMs and heavy "
                            "bombers, 1,537 warheads, 865 deployed and non-deployed launchers (US State Department "
                            "fact sheet, 1 June 2011, as reported by Air Force Magazine, "
                            "http://airforcemag.cloudapp.net/DRArchive/Pages/2011/June%202011/June%2002%202011/"
                            "STARTCounting.aspx)"}

DEFAULT_FORCES = {
    "name": "Russian strategic forces c. 2012 (New START-era, approximate)",
    "sources": [
        "counts: russianforces.org estimates as summarised in the reference facts; notional where marked",
        NEW_START_2011["source"],
    ],
    "force": [
        {"system": "SS-18", "missile": "SS-18", "basing": "silo", "launchers": 55, "warheads_per_launcher": 10,
         "notional": True},
        {"system": "SS-19", "missile": "SS-19", "basing": "silo", "launchers": 60, "warheads_per_launcher": 6,
         "notional": True},
        {"system": "SS-25", "missile": "SS-25", "basing": "mobile", "launchers": 120, "warheads_per_launcher": 1,
         "notional": True},
        {"system": "SS-27 silo", "missile": "SS-27", "basing": "silo", "launchers": 60, "warheads_per_launcher": 1,
         "notional": True},
        {"system": "SS-27 mobile", "missile": "SS-27", "basing": "mobile", "launchers": 18,
         "warheads_per_launcher": 1, "notional": True},
        {"system": "RS-24", "missile": "RS-24", "basing": "mobile", "launchers": 15, "warheads_per_launcher": 3,
         "source": "3 RV (Podvig's estimate), russianforces.org blog 2010", "notional": True},
        {"system": "SS-N-23", "missile": "SS-N-23", "basing": "slbm", "launchers": 96, "warheads_per_launcher": 4,
         "source": "4 RV per Sineva (reference facts)", "notional": True},
    ],
}


def load_forces(path: str | Path | None) -> Forces:
    """The forces file (YAML), or the built-in c. 2012 force when ``path`` is None."""
    from bmdsim.model.scenario import load_model_file

    if path is None:
        return Forces.model_validate(DEFAULT_FORCES)
    return load_model_file(path, Forces, "forces file")


def force_with_defense(dm, forces: Forces | None = None) -> Forces:
    """The force with the defense's engageable share per missile (from a deterrent matrix) and inventory."""
    f = forces or load_forces(None)
    share = {}
    for m in sorted(set(dm.threats.missile)):
        sel = [i for i in range(dm.threats.n) if dm.threats.missile[i] == m and dm.trajectories.ok[i]]
        share[m] = float(dm.engageable[sel].mean()) if sel else 0.0
    inv = f.defense.inventory or sum(s.inventory for s in dm.table.architecture.sites)
    return f.model_copy(update={"defense": f.defense.model_copy(update={"engageable_share": share, "inventory": inv})})


@dataclass
class ExchangeResult:
    steps: list[dict]  # per system
    totals: dict


def exchange(forces: Forces) -> ExchangeResult:
    """Run the exchange arithmetic (module docstring) and show every step."""
    fs = forces.first_strike
    d = forces.defense
    steps = []
    for f in forces.force:
        warheads = f.launchers * f.warheads_per_launcher
        if fs is None:
            surv_frac = 1.0
        elif f.basing == "silo":
            surv_frac = (1.0 - fs.sspk) ** fs.warheads_per_silo
        elif f.basing == "mobile":
            surv_frac = fs.mobile_survival
        else:
            surv_frac = fs.slbm_at_sea_survival
        steps.append({"system": f.system, "missile": f.missile, "basing": f.basing, "launchers": f.launchers,
                      "warheads": warheads, "survival_fraction": surv_frac, "surviving": warheads * surv_frac,
                      "engageable_share": d.engageable_share.get(f.missile, 0.0)})
    surviving = sum(s["surviving"] for s in steps)
    engageable = sum(s["surviving"] * s["engageable_share"] for s in steps)
    per_warhead = d.shots_per_object * (1.0 + d.decoys_per_warhead)
    engaged = min(engageable, d.inventory / per_warhead) if per_warhead > 0 else 0.0
    p_kill = 1.0 - (1.0 - d.single_shot_pk) ** d.shots_per_object
    killed = engaged * p_kill
    totals = {
        "warheads": sum(s["warheads"] for s in steps), "surviving": surviving, "engageable": engageable,
        "interceptors_per_engaged_warhead": per_warhead, "interceptors_needed": engageable * per_warhead,
        "inventory": d.inventory, "engaged": engaged, "kill_probability_per_engaged_warhead": p_kill,
        "killed": killed, "penetrating": surviving - killed,
        "share_penetrating": (surviving - killed) / surviving if surviving else None,
    }
    return ExchangeResult(steps, totals)


def sensitivity(forces: Forces, grid: dict[str, list] | None = None) -> list[dict]:
    """Penetrating warheads over a grid of defense parameters (Pk, decoys, inventory, engageable share scale)."""
    grid = grid or {"single_shot_pk": [0.5, 0.7, 0.9], "decoys_per_warhead": [0, 1, 3],
                    "inventory": [forces.defense.inventory, 2 * forces.defense.inventory + 50, 1000],
                    "share_scale": [1.0, 2.0]}
    out = []
    for combo in itertools.product(*grid.values()):
        kv = dict(zip(grid, combo, strict=True))
        scale = kv.pop("share_scale", 1.0)
        share = {m: min(1.0, v * scale) for m, v in forces.defense.engageable_share.items()}
        f2 = forces.model_copy(update={"defense": forces.defense.model_copy(update={**kv, "engageable_share": share})})
        t = exchange(f2).totals
        out.append({**kv, "share_scale": scale, "penetrating": round(t["penetrating"], 2),
                    "killed": round(t["killed"], 2)})
    return out


def plot_exchange(res: ExchangeResult, path, *, title: str = "", dpi: int | None = None):
    """Heat map of the exchange: per system and for all systems, the share of warheads (%) surviving and
    engageable; for all systems also killed and penetrating (the interceptors are shared, so those two are
    computed for the force as a whole). Format from the suffix of ``path``."""
    import numpy as np

    from bmdsim.io import figures

    cols = ["surviving", "engageable", "killed", "penetrating"]
    rows, vals = [], []
    for st in res.steps:
        w = st["warheads"]
        rows.append(f"{st['system']} ({w:g} warheads)")
        vals.append([100.0 * st["surviving"] / w if w else np.nan,
                     100.0 * st["surviving"] * st["engageable_share"] / w if w else np.nan, np.nan, np.nan])
    t = res.totals
    w = t["warheads"]
    rows.append(f"all systems ({w:g} warheads)")
    vals.append([100.0 * t[c] / w if w else np.nan for c in cols])
    return figures.plot_heatmap(rows, cols, np.array(vals), path, title=title or "exchange: share of warheads (%)",
                                cbar_label="% of the system's warheads", fmt="{:.0f}", vmin=0.0, vmax=100.0,
                                dpi=dpi or figures.DEFAULT_DPI,
                                blank_label="computed for all systems together (the interceptors are shared)")
