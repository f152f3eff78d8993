#!/usr/bin/env python
"""Benchmark: the explorer (`bmdsim serve`) with the server running, in one run.

Method
------
The server is started as a user starts it (``python -m bmdsim.cli serve`` in a subprocess, on a free
loopback port, warm-up on) and the benchmark waits until ``/api/health`` reports the warm-up and the
worker process done (time reported). Every request goes over loopback HTTP from this process (``httpx``).

1. **One trajectory + its engagement against a 10-site architecture** (``POST /api/engage?view=true``: the
   page's request — trajectory samples, the table, re-flown fly-out paths, fields of regard). The
   architecture (built below) has 10 sites with SPY-1 radars, TPY2-KURECIK and SBIRS linked to all.
   The threat: Iran-IRBM, Tabriz -> Paris, minimum-energy. The *cold first request* (the first
   engagement after start-up) is reported apart. Then the burnout-speed slider of one site
   (Deveselu) moves over ``--slider`` values from 3.00 km/s in 0.05 km/s steps; each value is first
   requested once untimed (its fly-out table tabulated, as the slider's first pass does), then every
   value ``--repeat`` times, timed. Target: median round trip <= 300 ms.
   Naive baseline (in this file): the same answer without a server — one ``bmdsim engage``
   subprocess per slider move (interpreter start, imports, numba cache load, fly-out tables), timed
   ``--baseline`` times; its JSON is checked equal to the server's for the same vbo.
2. **Footprint at 0.5 deg over Europe** (``POST /api/footprint``, epaa-phase-3, launch area Tabriz,
   the scenario's missiles, default box lon -12..45, lat 34..72), read as server-sent events: time to
   the first ``partial`` event (a whole footprint at 2 deg), the largest gap between consecutive
   events during the computation, the total. Targets: first partial <= 3 s, progress at least every
   second. Naive baseline: the library's footprint at 0.5 deg called directly in this process
   (nothing to show until it returns), timed once.
3. **Page load in headless Chromium** (Debian's /usr/bin/chromium driven by Playwright, the e2e flags,
   software WebGL, a fresh browser context per load, ``--loads`` loads): the first globe frame (CesiumJS
   postRender) and the controls responding (real clicks sent every 50 ms from the navigation on; the
   first one the page handles after its controls are wired and filled), both from the navigation start;
   target <= 2 s for the later of the two. Imagery fully loaded (globe tiles) is reported apart. No
   baseline: a target only.

Usage: ``PYTHONPATH=src python benchmarks/web.py [--quick] [--strict]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.e2e.conftest: the browser flags

ARCH = {
    "name": "bench-10-sites",
    "sites": [
        {"name": "deveselu", "place": "deveselu", "interceptor": "SM-3-IB", "inventory": 24, "sensors": ["SPY-1"]},
        {"name": "redzikowo", "place": "redzikowo", "interceptor": "SM-3-IIA", "inventory": 24, "sensors": ["SPY-1"]},
        {"name": "ship-east-med", "lat_deg": 34.0, "lon_deg": 26.0, "interceptor": "SM-3-IIA", "inventory": 8,
         "sensors": ["SPY-1"]},
        {"name": "ship-black-sea", "lat_deg": 43.0, "lon_deg": 34.0, "interceptor": "SM-3-IIA", "inventory": 8,
         "sensors": ["SPY-1"]},
        {"name": "ship-baltic", "lat_deg": 56.0, "lon_deg": 19.0, "interceptor": "SM-3-IIA", "inventory": 8,
         "sensors": ["SPY-1"]},
        {"name": "ship-north-sea", "lat_deg": 56.0, "lon_deg": 3.0, "interceptor": "SM-3-IB", "inventory": 8,
         "sensors": ["SPY-1"]},
        {"name": "sicily", "lat_deg": 37.4, "lon_deg": 14.9, "interceptor": "SM-3-IIA", "inventory": 24,
         "sensors": ["SPY-1"]},
        {"name": "ship-rota", "lat_deg": 36.6, "lon_deg": -6.3, "interceptor": "SM-3-IIA", "inventory": 8,
         "sensors": ["SPY-1"]},
        {"name": "thaad-turkey", "lat_deg": 38.0, "lon_deg": 38.5, "interceptor": "THAAD", "inventory": 48,
         "sensors": ["SPY-1"]},
        {"name": "thaad-germany", "lat_deg": 49.4, "lon_deg": 7.6, "interceptor": "THAAD", "inventory": 48,
         "sensors": ["SPY-1"]},
    ],
    "sensors": ["TPY2-KURECIK", "SBIRS"],
    "links": [{"sensor": "TPY2-KURECIK", "sites": "all"}, {"sensor": "SBIRS", "sites": "all"}],
    "rules": {"decision_time_s": 30, "engage_on_remote": True},
}
THREAT = {"missile": "Iran-IRBM", "from": "tabriz", "to": "paris"}


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(out: Path):
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bmdsim.cli", "serve", "--port", str(port), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=open(out / "server.log", "w"), env=env, cwd=ROOT)
    import httpx

    base = f"http://127.0.0.1:{port}"
    up = None
    while True:
        try:
            h = httpx.get(f"{base}/api/health", timeout=2).json()
            up = up or time.perf_counter() - t0
            if h["warm"] and h["worker_ready"]:
                return proc, base, up, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > 300:
            raise SystemExit(f"bmdsim serve did not start: {(out / 'server.log').read_text()[-2000:]}")
        time.sleep(0.2)


def engage_body(vbo: float | None) -> dict:
    arch = json.loads(json.dumps(ARCH))
    if vbo is not None:
        arch["sites"][0]["vbo_kms"] = round(vbo, 2)
    return {"architecture": arch, **THREAT}


def bench_engage(client, base, args) -> dict:
    t = time.perf_counter()
    r = client.post(f"{base}/api/engage?view=true", json=engage_body(None))
    cold = time.perf_counter() - t
    assert r.status_code == 200, r.text
    values = [3.0 + 0.05 * k for k in range(args.slider)]
    for v in values:  # the slider's first pass: tables tabulated
        client.post(f"{base}/api/engage?view=true", json=engage_body(v)).raise_for_status()
    times, changed = [], set()
    for _ in range(args.repeat):
        for v in values:
            t = time.perf_counter()
            r = client.post(f"{base}/api/engage?view=true", json=engage_body(v))
            times.append(time.perf_counter() - t)
            r.raise_for_status()
            dev = r.json()["engagements"][0]
            changed.add((dev["engageable"], dev["shots"], json.dumps(dev["first_intercept"])))
    # naive baseline: a CLI subprocess per slider move
    base_times = []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "arch.json"  # YAML is a superset of JSON
        for k in range(args.baseline):
            v = values[k % len(values)]
            f.write_text(json.dumps(engage_body(v)["architecture"]))
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "bmdsim.cli", "engage", "--architecture", str(f),
                                  "--missile", THREAT["missile"], "--from", THREAT["from"], "--to", THREAT["to"]],
                                 capture_output=True, text=True, env=env, check=True).stdout
            base_times.append(time.perf_counter() - t)
            srv = client.post(f"{base}/api/engage", json=engage_body(v)).json()
            assert json.loads(out) == srv, "the server and the CLI disagree"
    return {"cold_s": cold, "median_s": statistics.median(times), "p90_s": sorted(times)[int(0.9 * len(times))],
            "n": len(times), "values": len(values), "distinct_answers": len(changed),
            "baseline_median_s": statistics.median(base_times), "baseline_n": len(base_times)}


def bench_footprint(client, base, args) -> dict:
    body = {"scenario": "epaa-phase-3", "launch_area": "tabriz", "grid_deg": args.grid}
    t0 = time.perf_counter()
    first_partial = None
    stamps = []
    summary = None
    with client.stream("POST", f"{base}/api/footprint", json=body, timeout=None) as r:
        r.raise_for_status()
        kind = None
        for line in r.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
                now = time.perf_counter() - t0
                if kind in ("started", "progress", "partial", "result"):
                    stamps.append((now, kind))
                if kind == "partial" and first_partial is None:
                    first_partial = now
            elif line.startswith("data:") and kind == "result":
                summary = json.loads(line[5:])["summary"]
    total = time.perf_counter() - t0
    started = next(t for t, k in stamps if k == "started")
    gaps = [b[0] - a[0] for a, b in zip(stamps, stamps[1:], strict=False) if a[0] >= started]
    # naive baseline: the library's footprint in this process, nothing shown until it returns
    sys.path.insert(0, str(ROOT / "src"))
    from bmdsim.analysis.footprint import footprint
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import expand_variants, load_scenario, load_threat_set

    v = expand_variants(load_scenario("epaa-phase-3"))[0].scenario
    p = Catalog.builtin().place("tabriz")
    t = time.perf_counter()
    fp = footprint(resolve(v.architecture), list(load_threat_set(v.threats).missiles), (p.lat_deg, p.lon_deg, "tabriz"),
                   grid_deg=args.grid)
    base_total = time.perf_counter() - t
    assert fp.summary()["cells_defended"] == summary["cells_defended"], "the stream and the library disagree"
    return {"first_partial_s": first_partial, "max_gap_s": max(gaps), "total_s": total,
            "result_cells": summary["cells_threatened"], "baseline_s": base_total}


def bench_page(base, args) -> dict:
    """Page loads in fresh browser contexts. "Controls responding": from just after the navigation, real mouse
    clicks are sent every 50 ms to the header's "Copy link" button; the page records when it handles each
    (a capturing listener runs in the same task as the button's handler). The first click handled after
    the controls are wired and filled (``readyMs``: scenario list, missiles, interceptors) is the moment the
    controls respond; its delay from being sent is the input latency then."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    loads = []
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ctx = b.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto(base + "/")
        box = page.locator("#share").bounding_box()  # the header does not move
        ctx.close()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for _ in range(args.loads):
            ctx = b.new_context(viewport={"width": 1400, "height": 900})
            ctx.add_init_script("window.__clicks = []; document.addEventListener('click', () => "
                                "window.__clicks.push(performance.now()), true);")
            page = ctx.new_page()
            page.goto(base + "/", wait_until="commit")
            sent = []
            t_end = time.time() + 6.0
            while time.time() < t_end:
                sent.append(time.time())
                page.mouse.click(x, y)
                time.sleep(0.05)
            page.wait_for_function("window.__explorer && window.__explorer.ready && window.__explorer.firstFrameMs",
                                   polling=50, timeout=60000)
            origin, ready, ff, clicks = page.evaluate(
                "[performance.timeOrigin, window.__explorer.readyMs, window.__explorer.firstFrameMs, window.__clicks]")
            after = [c for c in clicks if c >= ready]
            if not after:
                raise SystemExit("no click handled within 6 s of the controls being ready")
            handled = after[0]
            sent_ms = [t * 1000 - origin for t in sent]
            latency = handled - max(t for t in sent_ms if t <= handled + 1)
            page.wait_for_function("window.__explorer.globe.scene.globe.tilesLoaded", polling=50, timeout=120000)
            tiles = page.evaluate("performance.now()")
            loads.append({"first_frame_s": ff / 1e3, "ready_s": ready / 1e3, "controls_s": handled / 1e3,
                          "latency_s": latency / 1e3, "imagery_s": tiles / 1e3})
            ctx.close()
        b.close()
    med = {k: statistics.median(x[k] for x in loads) for k in loads[0]}
    med["frame_and_controls_s"] = statistics.median(max(x["first_frame_s"], x["controls_s"]) for x in loads)
    return med


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer slider values, loads and baseline runs")
    ap.add_argument("--slider", type=int, default=None, help="slider values (default 41: 3.00..5.00 km/s)")
    ap.add_argument("--repeat", type=int, default=None, help="timed passes over the slider values (default 3)")
    ap.add_argument("--baseline", type=int, default=None, help="CLI subprocess runs (default 3)")
    ap.add_argument("--loads", type=int, default=None, help="page loads (default 5)")
    ap.add_argument("--grid", type=float, default=0.5, help="footprint grid (deg)")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = ap.parse_args(argv)
    args.slider = args.slider or (11 if args.quick else 41)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.baseline = args.baseline or (1 if args.quick else 3)
    args.loads = args.loads or (2 if args.quick else 5)
    import httpx

    print(f"python {platform.python_version()}; {platform.machine()}, {os.cpu_count()} CPUs visible; "
          f"load average {os.getloadavg()[0]:.2f} at start (other work on the machine slows every figure)")
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, up_s, warm_s = start_server(Path(tmp))
        try:
            print(f"server: answering after {up_s:.2f} s, warm (numba, fly-out tables, worker) after {warm_s:.1f} s")
            with httpx.Client(timeout=120) as client:
                e = bench_engage(client, base, args)
                print(f"engage (10 sites, view): cold first request {e['cold_s'] * 1e3:.0f} ms; warm median "
                      f"{e['median_s'] * 1e3:.0f} ms, p90 {e['p90_s'] * 1e3:.0f} ms over {e['n']} requests "
                      f"({e['values']} slider values x {args.repeat}; {e['distinct_answers']} distinct answers "
                      f"for Deveselu)")
                print(f"  naive baseline (a `bmdsim engage` subprocess per move): median "
                      f"{e['baseline_median_s'] * 1e3:.0f} ms over {e['baseline_n']} runs; ratio "
                      f"{e['baseline_median_s'] / e['median_s']:.0f}x")
                f = bench_footprint(client, base, args)
                print(f"footprint {args.grid:g} deg over Europe: first partial result {f['first_partial_s']:.2f} s, "
                      f"largest gap between events {f['max_gap_s']:.2f} s, complete {f['total_s']:.1f} s "
                      f"(files included)")
                print(f"  naive baseline (the library's footprint, nothing shown until it returns): "
                      f"{f['baseline_s']:.1f} s; first result {f['baseline_s'] / f['first_partial_s']:.1f}x sooner")
            pg = bench_page(base, args)
            print(f"page load (median of {args.loads}): first globe frame {pg['first_frame_s']:.2f} s, controls wired "
                  f"{pg['ready_s']:.2f} s, a click answered {pg['controls_s']:.2f} s (input latency "
                  f"{pg['latency_s'] * 1e3:.0f} ms) -> both {pg['frame_and_controls_s']:.2f} s; imagery fully "
                  f"loaded {pg['imagery_s']:.2f} s")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    targets = [("engage median <= 300 ms", e["median_s"] <= 0.300),
               ("footprint first partial <= 3 s", f["first_partial_s"] <= 3.0),
               ("footprint progress at least every 1 s", f["max_gap_s"] <= 1.0),
               ("page: globe frame and controls <= 2 s", pg["frame_and_controls_s"] <= 2.0)]
    for name, ok in targets:
        print(f"  {'met ' if ok else 'MISS'}  {name}")
    return 1 if args.strict and not all(ok for _, ok in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
