"""Run the published cases and print (or write into README.md) the Markdown table of results.

    .venv/bin/python tools/published_table.py                 # print the table
    .venv/bin/python tools/published_table.py --write-readme  # replace the table in README.md

The cases are the ones ``tests/test_published.py`` runs (``tests/published/cases.py``); this tool
only formats them. Output is deterministic: the same code and catalog give the same table.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- published-table:begin (tools/published_table.py --write-readme) -->"
END = "<!-- published-table:end -->"


def _fmt(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    if unit == "km/s":
        return f"{x:.2f}"
    if unit == "min":
        return f"{x:.2f}"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def table() -> str:
    sys.path.insert(0, str(ROOT))
    from tests.published.cases import CASES

    rows = ["| case | source | published | bmdsim | tolerance | within? |", "|---|---|---|---|---|---|"]
    for c in CASES:
        v = c.compute()
        tol = f">= {_fmt(c.published - c.tolerance, c.unit)}" if c.kind == "at_least" else \
            f"± {_fmt(c.tolerance, c.unit)}"
        ok = "yes" if c.within(v) else "**no**"
        if c.expect_failure:
            ok += " (expected: see the case's reason)" if not c.within(v) else " (marked expected-to-fail: unmark)"
        src = f"[{c.source.short()}]({c.source.url})"
        rows.append(f"| {c.title} | {src} | {_fmt(c.published, c.unit)} {c.unit} | {_fmt(v, c.unit)} {c.unit} "
                    f"| {tol} {c.unit} | {ok} |")
    return "\n".join(rows) + "\n"


def write_readme(text: str, readme: Path) -> None:
    doc = readme.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        print(f"bmdsim: error: {readme} has no published-table markers; add a line '{BEGIN}' and a line "
              f"'{END}' where the table goes", file=sys.stderr)
        raise SystemExit(2)
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{text}{END}{tail}"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(readme)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-readme", action="store_true", help="replace the table between the markers in README.md")
    args = p.parse_args(argv)
    text = table()
    if args.write_readme:
        write_readme(text, ROOT / "README.md")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
