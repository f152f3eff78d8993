"""Fuzzing the command line (issue 11): hypothesis draws argument lists for every command and input files of
every kind, and runs them in-process through :func:`bmdsim.cli.main` (a few in subprocesses, for crash
isolation). Passing, for every example:

* exit code 0 or 2, no traceback (any other exception escapes ``main`` and fails the test);
* exit 2: exactly one line on stderr, ``bmdsim: error: ...`` (``validate`` may list several, all errors);
* exit 0: stderr holds only ``bmdsim: warning: ...`` lines;
* nothing left behind on error: the output path does not exist (or is the empty folder it was), and no
  temporary file remains in the working folder;
* peak memory under 2 GiB: in-process, what the example adds to the test process at its peak (the
  resident high-water mark, reset before each example through ``/proc/self/clear_refs``, minus the
  resident size before it); in a subprocess, the child's own peak (``wait4``).

Budget: ``BMDSIM_FUZZ_SECONDS`` (default 45 s of in-process examples, plus 4 subprocess cases: about a
minute in ``make test``); ``make fuzz`` sets it to minutes
and adds the atheris campaign on the loaders (``tools/fuzz_loaders.py``). ``BMDSIM_FUZZ_TRACE=1`` prints
each example and its outcome. Half the examples are free combinations of values (mostly faults), half
are cheap valid invocations with at most one fault, so that success paths are fuzzed too; a valid
combination stays cheap (coarse grids, small boxes, the claims ledger only with invalid ids).
"""

from __future__ import annotations

import collections
import io
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
CATALOG = ROOT / "src" / "bmdsim" / "model" / "catalog"
BUDGET_S = float(os.environ.get("BMDSIM_FUZZ_SECONDS", "45"))
LONG = BUDGET_S > 120
MAX_RSS_KB = 2 * 1024 * 1024  # 2 GiB

# ----------------------------------------------------------------------------- value pools (valid first)
NASTY = ["", " ", "\t", "-", "--", "nan", "inf", "-inf", "1e309", "-1e309", "0", "-0", "1" + "0" * 400, "abc",
         "0x10", "1:30", "5.0.0", "\u22125", "\u00a0", "\x00", "\x1b[31m", "é" * 40, "x" * 5000, "../..", "/",
         "/dev/zero", "/proc/self/mem", "~", "$HOME", "%s%n", "{}", "[]", "null", "NO", "yes", "2012-02-30"]
PLACES = ["tabriz", "teykovo", "washington", "deveselu", "kurecik", "semnan_ls", "barents", "38.08,46.29",
          "46.29,38.08", "38.08N,46.29E", "46.29E,38.08N", "45.5°S,30.5°W", "\u221233.9,18.4", "95,0", "0,200",
          "53.98 35.77", "45.5 N 30.5 W", "category:icbm_base", "tabriz,", ",", "1,2,3", "Tabriz", "TEHRAN"]
MISSILES = ["SS-27", "Shahab-3", "Sejjil-2", "Iskander", "SS-N-23", "ss27", "sejjil 2", "SS-99", "Minuteman-III"]
STEPS = ["10", "5", "30", "60", "0.1", "0.5", "61", "0.05", "0.0001", "-5"]
SHAPES = [("--apogee-km", ["300", "1000", "9", "5001"]), ("--flight-time-s", ["600", "29", "20000"]),
          ("--gamma-deg", ["20", "45", "0.5", "86"])]
SCENARIOS = ["epaa-phase-1", "epaa-phase-3", "ships-forward", "moscow-a135", "nrc-options", "epaa-phase3", "nope"]
GRIDS = ["5", "7", "10", "4", "0.05", "0", "-1", "11", "100"]
LATS = ["40:60", "50:60", "34:72", "30:80", "60:50", "-95:10", "34", "a:b", "34N:72N", "40:40.1", "89:90", "-90:-80"]
LONS = ["0:30", "0:10", "-12:45", "12W:45E", "30:0", "-181:0", "170:180", "0:0.1", "12E:45W"]
SCHEDULERS = ["local", "host:port", "nonsense", "tcp://", "tcp://[::1", "udp://1.2.3.4:5"]
FILE = "@FILE"  # replaced by a drawn input file
OUT_DIR, OUT_FILE = "@OUTDIR", "@OUTFILE"


@st.composite
def _value(draw, pool, nasty_share):
    """Mostly a value of ``pool`` (valid ones first in each pool), sometimes one of NASTY."""
    if draw(st.floats(0, 1)) < nasty_share:
        return draw(st.sampled_from(NASTY))
    return draw(st.sampled_from(pool))


# command -> (positional pools, [(option, pool, probability of being given)])
COMMANDS = {
    "trajectory": ([], [("--missile", MISSILES, 0.95), ("--from", PLACES, 0.95), ("--to", PLACES, 0.95),
                        ("--step-s", STEPS, 0.8), ("--format", ["json", "csv", "kml", "xml"], 0.4),
                        ("--out", [OUT_FILE], 0.6), ("--catalog", [FILE], 0.15)]),
    "engage": ([], [("--architecture", [FILE, "epaa-phase-3", "nrc-options", FILE, "nope"], 0.95),
                    ("--missile", MISSILES, 0.95), ("--from", PLACES, 0.95), ("--to", PLACES, 0.95),
                    ("--vbo-kms", ["3", "0", "-1", "13", "nan"], 0.3), ("--decision-time-s", ["30", "-5", "1e9"], 0.2),
                    ("--step-s", STEPS, 0.5), ("--format", ["json", "csv"], 0.3), ("--out", [OUT_FILE], 0.5)]),
    "validate": ([[FILE, FILE, "epaa-phase-1", "nope"]],
                 [("--kind", ["auto", "scenario", "architecture", "criteria", "forces", "catalog", "bogus"], 0.5),
                  ("--catalog", [FILE], 0.1)]),
    "show": ([[FILE, "nrc-options", "nope"]], []),
    "run": ([[FILE, FILE, "epaa-phase-1", "nope"]], [("--out", [OUT_DIR], 0.9), ("--jobs", ["0", "-1", "1"], 0.1),
                                                     ("--scheduler", SCHEDULERS[1:], 0.1), ("--quiet", None, 0.5)]),
    "footprint": ([SCENARIOS + [FILE]], [("--launch-area", PLACES, 0.95), ("--grid", GRIDS, 0.95),
                                          ("--lat", LATS, 0.7), ("--lon", LONS, 0.7),
                                          ("--k", ["1", "2", "0", "-3"], 0.3),
                                          ("--bbox", ["-12,45,34,72"], 0.1), ("--out", [OUT_DIR], 0.9),
                                          ("--quiet", None, 0.5)]),
    "criteria": ([SCENARIOS + [FILE]], [("--criteria", [FILE], 0.9), ("--out", [OUT_DIR], 0.9),
                                         ("--quiet", None, 0.5)]),
    "derive": ([], [("--grid", GRIDS, 0.95), ("--lat", LATS, 0.9), ("--lon", LONS, 0.9),
                    ("--template", ["SM-3-IIA", "THAAD", "nope"], 0.3), ("--decision-time-s", ["30", "-1"], 0.2),
                    ("--out", [OUT_DIR], 0.9), ("--quiet", None, 0.5)]),
    "stability": ([SCENARIOS + [FILE]], [("--forces", [FILE], 0.7), ("--first-strike", None, 0.3),
                                          ("--out", [OUT_DIR], 0.9), ("--quiet", None, 0.5)]),
    "deterrent": ([SCENARIOS[:2] + ["nope"]], [("--vbo-kms", ["3", "0", "nan"], 0.3), ("--out", [OUT_DIR], 0.9),
                                                ("--scheduler", SCHEDULERS[1:], 0.2), ("--quiet", None, 0.5)]),
    "claims": ([], [("--only", ["C99", "", ",", "C1,C99", "x" * 300], 1.0),  # always invalid: valid runs take 20 s
                    ("--envelope-grid", ["0", "-1", "nan", "0.01", "20"], 0.5), ("--out", [OUT_DIR], 0.9)]),
    "schema": ([], [("--out", [OUT_FILE], 0.7)]),
    "missiles": ([], [("--catalog", [FILE], 0.7)]), "interceptors": ([], [("--catalog", [FILE], 0.5)]),
    "sensors": ([], [("--catalog", [FILE], 0.7)]), "scenarios": ([], []),
    "places": ([], [("--category", ["icbm_base", "european_capital", "nope", ""], 0.5), ("--catalog", [FILE], 0.2)]),
    "flyout": ([], [("--interceptor", ["SM-3-IIA", "THAAD", "GBI-2", "sm3iia", "nope"], 0.95),
                    ("--vbo-kms", ["4.5", "0.05", "0.01", "15", "16", "nan"], 0.4),
                    ("--tb-s", ["30", "0.5", "699", "1000", "-1"], 0.3), ("--site", PLACES, 0.4),
                    ("--format", ["json", "csv", "xml"], 0.3), ("--out", [OUT_FILE], 0.5)]),
    "assess": ([], [("--apogee-km", ["3725", "1000", "0", "-5", "1e9", "3725+-50"], 0.95),
                    ("--range-km", ["998", "9000", "0", "nan"], 0.9),
                    ("--flight-time-min", ["47", "5", "0", "1e6"], 0.95),
                    ("--template", ["generic-2-stage", "generic-1-stage", "SS-27", "nope"], 0.9),
                    ("--payload-kg", ["500", "1000,200", "0", "1e9"], 0.3), ("--no-sensitivity", None, 0.9),
                    ("--format", ["json", "text", "xml"], 0.3), ("--out", [OUT_FILE], 0.4)]),
    "fit": ([], [("--name", ["X1", "", "SS-27", "a/b"], 0.95), ("--stages", ["1", "2", "3", "0", "9"], 0.95),
                 ("--range-km", ["2000", "50", "40000", "nan"], 0.95),
                 ("--burn-times-s", ["60", "70,60", "70,60,50", "0", "a"], 0.95),
                 ("--launch-mass-kg", ["20000", "100", "1e9"], 0.6), ("--out", [OUT_FILE], 0.5)]),
}


# ----------------------------------------------------------------------------- input files
def _texts(pattern):
    return [p.read_text() for p in sorted(CATALOG.glob(pattern))]


BASE_TEXTS = {
    "scenario": _texts("scenarios/*.yaml") + ["name: small\nextends: epaa-phase-1\noptions: {step_s: 30}\n"],
    "architecture": [(ROOT / "tests" / "data" / "arch_test.yaml").read_text()],
    "criteria": ["name: c\nmax_vbo_kms: 4.5\nforbidden_zones:\n  - {name: north, cap: {north_of_deg: 60}}\n"
                 "  - {name: Bering, box: {lat_south: 50, lat_north: 60, lon_west: 170, lon_east: -170}}\n"
                 "  - {name: disc, circle: {lat_deg: 54.7, lon_deg: 20.5, radius_km: 500}}\n"
                 "max_interceptors_per_zone:\n  - {zone: {name: p, polygon: {corners: [[43, 14], [43, 30], [55, 30], "
                 "[55, 14]]}}, max: 48}\n"
                 "radar_sectors:\n  - {sensor: TPY2-KURECIK, az_from_deg: 60, az_to_deg: 150}\n"],
    "forces": ["name: f\nforce:\n  - {system: SS-18, missile: SS-18, basing: silo, launchers: 55, "
               "warheads_per_launcher: 10}\ndefense: {inventory: 100}\n"],
    "catalog": [(ROOT / "tests" / "data" / "user_catalog.yaml").read_text()],
}
BAD_BYTES = [p.read_bytes() for p in sorted(BAD.glob("*.yaml"))]
SNIPPETS = ["&a ", "*a", "!!python/object/apply:os.getcwd []", "!!binary aGk=", "<<: ", "? ", "- ", ": ", "{", "}",
            "[", "]", "'", '"', "#", "\t", "\n", "---\n", "...\n", "%YAML 1.1\n", "~", ".nan", ".inf", "1e999",
            "2012-02-30", "1:30", "NO", "on", "step_s: 5\n", "name: x\n", "\x00", "\ufeff", "\u2028", "é"]


@st.composite
def file_bytes(draw, kind=None):
    """A file: one of tests/data/bad, random bytes, or a valid file of ``kind`` (any kind if None) as is
    or mutated line by line."""
    how = draw(st.sampled_from(["valid", "valid", "mutated", "mutated"] if kind else
                               ["bad", "mutated", "mutated", "mutated", "valid", "bytes"]))
    if how == "bad":
        return draw(st.sampled_from(BAD_BYTES))
    if how == "bytes":
        return draw(st.binary(max_size=300))
    kind = kind or draw(st.sampled_from(sorted(BASE_TEXTS)))
    text = draw(st.sampled_from(BASE_TEXTS[kind]))
    if how == "valid":
        return text.encode()
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["dup", "del", "insert", "replace-value", "indent"]))
        if op == "dup":
            lines.insert(i, lines[i])
        elif op == "del" and len(lines) > 1:
            lines.pop(i)
        elif op == "insert":
            j = draw(st.integers(0, len(lines[i])))
            junk = draw(st.sampled_from(SNIPPETS) | st.text(max_size=6))
            lines[i] = lines[i][:j] + junk + lines[i][j:]
        elif op == "replace-value" and ":" in lines[i]:
            k = lines[i].index(":")
            lines[i] = lines[i][: k + 1] + " " + draw(st.sampled_from(NASTY + SNIPPETS)) + "\n"
        elif op == "indent":
            lines[i] = "  " + lines[i]
    return "".join(lines).encode("utf-8", "surrogatepass")


# flyable (missile, launch, aim) triples: half of the one-threat examples start from one, so that the
# success path (solve, engage, write) is fuzzed too, not only the refusals
FLYABLE = [("Sejjil-2", "tabriz", "deveselu"), ("Shahab-3", "38.08N,46.29E", "kurecik"),
           ("SS-27", "teykovo", "washington"), ("SS-N-23", "barents", "washington"), ("Iskander", "pionersky",
                                                                                       "redzikowo")]


@st.composite
def invocations(draw, commands=tuple(COMMANDS)):
    cmd = draw(st.sampled_from(commands))
    positional, options = COMMANDS[cmd]
    if cmd in ("trajectory", "engage") and draw(st.booleans()):
        m, a, b = draw(st.sampled_from(FLYABLE))
        fixed = {"--missile": [m], "--from": [a], "--to": [b]}
        options = [(o, fixed.get(o, pool), p) for o, pool, p in options]
    argv = {"derive": ["criteria", "--derive"], "fit": ["catalog", "fit"]}.get(cmd, [cmd])
    for pool in positional:
        if draw(st.floats(0, 1)) < 0.95:
            argv.append(draw(_value(pool, 0.1)))
    for opt, pool, p in options:
        if draw(st.floats(0, 1)) < p:
            argv.append(opt)
            if pool is not None:
                argv.append(draw(_value(pool, 0.1)))
    if draw(st.floats(0, 1)) < 0.1:  # structural junk: unknown option, repeated option, stray words
        junk = draw(st.sampled_from(["--frm", "--help", "-x", "--out", "extra", "--", "--step-s=5"]))
        argv.insert(draw(st.integers(1, len(argv))), junk)
    if draw(st.floats(0, 1)) < 0.05 and len(argv) > 2 and cmd != "claims":
        argv.pop(draw(st.integers(1, len(argv) - 1)))
    files = [draw(file_bytes()) for _ in range(argv.count(FILE))]
    return argv, files


# valid invocations (cheap ones) for the one-fault mode; "@FILE:KIND" is a file of that kind
VALID = {
    "trajectory": ["trajectory", "--missile", "@M", "--from", "@A", "--to", "@B", "--step-s", "30", "--out", OUT_FILE],
    "engage": ["engage", "--architecture", "epaa-phase-3", "--missile", "@M", "--from", "@A", "--to", "@B",
               "--step-s", "10", "--format", "csv", "--out", OUT_FILE],
    "engage-file": ["engage", "--architecture", "@FILE:architecture", "--missile", "@M", "--from", "@A", "--to", "@B"],
    "validate": ["validate", "@FILE:scenario"],
    "show": ["show", "@FILE:scenario"],
    "run": ["run", "epaa-phase-1", "--out", OUT_DIR, "--quiet"],
    "run-file": ["run", "@FILE:scenario", "--out", OUT_DIR, "--quiet"],
    "footprint": ["footprint", "epaa-phase-3", "--launch-area", "tabriz", "--grid", "5", "--lat", "40:60", "--lon",
                  "0:30", "--out", OUT_DIR, "--quiet"],
    "derive": ["criteria", "--derive", "--grid", "5", "--lat", "50:60", "--lon", "0:10", "--out", OUT_DIR, "--quiet"],
    "criteria": ["criteria", "epaa-phase-1", "--criteria", "@FILE:criteria", "--out", OUT_DIR, "--quiet"],
    "stability": ["stability", "epaa-phase-1", "--forces", "@FILE:forces", "--out", OUT_DIR, "--quiet"],
    "deterrent": ["deterrent", "epaa-phase-1", "--out", OUT_DIR, "--quiet"],
    "schema": ["schema", "--out", OUT_FILE],
    "catalog": ["sensors", "--catalog", "@FILE:catalog"],
    "flyout": ["flyout", "--interceptor", "SM-3-IB", "--site", "@A", "--format", "csv", "--out", OUT_FILE],
    "assess": ["assess", "--apogee-km", "3725", "--range-km", "998", "--flight-time-min", "47", "--template",
               "generic-2-stage", "--no-sensitivity", "--out", OUT_FILE],
    "fit": ["catalog", "fit", "--name", "X1", "--stages", "2", "--range-km", "2000", "--burn-times-s", "70,60",
            "--launch-mass-kg", "20000", "--out", OUT_FILE],
    "trajectory-catalog": ["trajectory", "--catalog", "@FILE:catalog", "--missile", "MY-IRBM", "--from", "@A",
                           "--to", "@B", "--step-s", "30", "--out", OUT_FILE],
}
ALL_VALUES = sorted({v for _, opts in COMMANDS.values() for _, pool, _ in opts for v in (pool or [])
                     if v not in (FILE, OUT_DIR, OUT_FILE)} | set(NASTY))


@st.composite
def one_fault_invocations(draw):
    """A valid invocation with at most one fault: a value replaced, an item dropped or junk inserted."""
    argv = list(VALID[draw(st.sampled_from(sorted(VALID)))])
    m, a, b = draw(st.sampled_from(FLYABLE))
    argv = [{"@M": m, "@A": a, "@B": b}.get(x, x) for x in argv]
    op = draw(st.sampled_from(["none", "replace", "replace", "drop", "insert"]))
    if op != "none":
        i = draw(st.integers(1, len(argv) - 1))
        if op == "replace":
            argv[i] = draw(st.sampled_from(ALL_VALUES))
        elif op == "drop":
            argv.pop(i)
        else:
            argv.insert(i, draw(st.sampled_from(["--frm", "-x", "extra", "--out", "--step-s", "--", "--k=2"])))
    files = []
    for j, x in enumerate(argv):
        if x.startswith("@FILE:"):
            files.append(draw(file_bytes(x.split(":", 1)[1])))
            argv[j] = FILE
    return argv, files


# ----------------------------------------------------------------------------- running one example
def _peak_rss_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def materialise(argv, files, work: Path):
    """Replace the placeholders: files written into ``work``, output paths under ``work``."""
    out = []
    it = iter(files)
    outputs = []
    for i, a in enumerate(argv):
        if a == FILE:
            p = work / f"input{i}.yaml"
            p.write_bytes(next(it))
            out.append(str(p))
        elif a == OUT_DIR:
            p = work / f"out{i}" / "sub"
            outputs.append(p)
            out.append(str(p))
        elif a == OUT_FILE:
            p = work / f"out{i}.txt"
            outputs.append(p)
            out.append(str(p))
        else:
            out.append(a)
    return out, outputs


def check_outcome(argv, rc, err, work: Path, before: set):
    """The passing conditions of the module docstring; ``before``: the names in ``work`` before the run."""
    where = f"argv={argv!r}\nstderr={err[-2000:]!r}"
    assert rc in (0, 2), where
    assert "Traceback" not in err, where
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if rc == 2:
        assert lines and all(ln.startswith("bmdsim: error: ") for ln in lines), where
        if argv[0] != "validate":
            assert len(lines) == 1, where
        # nothing left behind: no output file or folder (they are all fresh paths under work)
        assert {q.name for q in work.iterdir()} == before, where
    else:
        assert all(ln.startswith("bmdsim: warning: ") for ln in lines), where
    assert not [q for q in work.rglob(".*.tmp")], where  # no temporary file from write_atomic


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_in_process(argv, files, work: Path):
    argv, _ = materialise(argv, files, work)
    if os.environ.get("BMDSIM_FUZZ_TRACE"):  # which example is running (to find a hang or a crash)
        print(f"fuzz: {argv!r}", file=sys.__stderr__, flush=True)
    before = {p.name for p in work.iterdir()}
    resettable = _peak_rss_reset()
    base_kb = _rss_kb() if resettable else 0  # what the test process held before (other tests' caches)
    o, e = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(work)  # a default output folder (out/NAME) lands in the example's folder
    try:
        with redirect_stdout(o), redirect_stderr(e):
            rc = main(argv)
    finally:
        os.chdir(cwd)
    OUTCOMES[(argv[0], rc)] += 1
    if os.environ.get("BMDSIM_FUZZ_TRACE"):
        print(f"  -> {rc} {e.getvalue()[:300]!r}", file=sys.__stderr__, flush=True)
    check_outcome(argv, rc, e.getvalue(), work, before)
    if resettable:  # the memory this example added to the process at its peak
        grew = _peak_rss_kb() - base_kb
        assert grew < MAX_RSS_KB, f"peak RSS grew by {grew} kB for argv={argv!r}"


_CLOCK: list[float] = []  # started by the first example, not at import (collection runs long before)
_SERIAL = itertools.count()


def _budget_left() -> bool:
    if not _CLOCK:
        _CLOCK.append(time.monotonic())
    return time.monotonic() - _CLOCK[0] < BUDGET_S


OUTCOMES: collections.Counter = collections.Counter()  # (command, exit code) -> examples


@pytest.fixture(scope="module")
def workroot(tmp_path_factory):
    yield tmp_path_factory.mktemp("fuzz")
    total = sum(OUTCOMES.values())
    by = ", ".join(f"{c} rc={rc}: {n}" for (c, rc), n in sorted(OUTCOMES.items()))
    print(f"\nCLI fuzz: {total} examples in {time.monotonic() - _CLOCK[0] if _CLOCK else 0:.0f} s ({by})")


@settings(max_examples=20_000 if LONG else 500, deadline=None, derandomize=not LONG, database=None,
          suppress_health_check=list(HealthCheck), print_blob=True)
@given(inv=st.one_of(invocations(), one_fault_invocations()))
def test_cli_fuzz_in_process(inv, workroot):
    if not _budget_left():
        return  # budget spent (hypothesis has no time budget of its own); the remaining examples are no-ops
    argv, files = inv
    work = Path(workroot) / f"ex{next(_SERIAL)}"
    work.mkdir()
    try:
        run_in_process(argv, files, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- a few in subprocesses
SUBPROCESS_CASES = [
    ["engage", "--architecture", FILE, "--missile", "Sejjil-2", "--from", "tabriz", "--to", "deveselu"],
    ["validate", FILE],
    ["trajectory", "--missile", "SS-27", "--from", "teykovo", "--to", "washington", "--step-s", "0.01"],
    ["criteria", "epaa-phase-1", "--criteria", FILE, "--out", OUT_DIR],
    ["stability", "epaa-phase-1", "--forces", FILE, "--out", OUT_DIR],
]


# the console script's main() in a fresh interpreter, reporting the peak resident size of its own image
# (VmHWM after exec: getrusage's ru_maxrss would include the forked test process before the exec)
_CHILD = ("import sys\nfrom bmdsim.cli import main\nrc = main(sys.argv[2:])\n"
          "hwm = next(ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM:'))\n"
          "open(sys.argv[1], 'w').write(hwm)\nsys.exit(rc)\n")


def _run_child(argv, cwd: Path, timeout_s: float = 300.0):
    """(exit code or -signal, stderr text, the child's peak RSS in kB) of ``bmdsim ARGV`` in a subprocess."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="200")
    with tempfile.TemporaryDirectory() as tmp:
        hwm = Path(tmp) / "hwm"
        try:
            r = subprocess.run([sys.executable, "-c", _CHILD, str(hwm), *argv], capture_output=True, text=True,
                               env=env, cwd=cwd, timeout=timeout_s)  # the timeout guards against a hang
        except subprocess.TimeoutExpired:
            return -9, f"timed out after {timeout_s:g} s", 0
        return r.returncode, r.stderr, int(hwm.read_text()) if hwm.exists() else 0


@settings(max_examples=30 if LONG else 4, deadline=None, derandomize=not LONG, database=None,
          suppress_health_check=list(HealthCheck))
@given(case=st.sampled_from(SUBPROCESS_CASES), data=st.data())
def test_cli_fuzz_subprocess(case, data, workroot):
    """Crash isolation: the same checks on a fresh process (a segfault or an abort would show here)."""
    files = [data.draw(file_bytes()) for _ in range(case.count(FILE))]
    work = Path(workroot) / f"sp{next(_SERIAL)}"
    work.mkdir()
    try:
        argv, _ = materialise(case, files, work)
        before = {p.name for p in work.iterdir()}
        rc, err, peak_kb = _run_child(argv, work)
        assert rc >= 0, f"killed by signal {-rc}: argv={argv!r}"
        check_outcome(argv, rc, err, work, before)
        assert peak_kb < MAX_RSS_KB, f"peak RSS {peak_kb} kB: argv={argv!r}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
