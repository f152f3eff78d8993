"""Self-contained HTML (images inlined) and Markdown reports from a list of sections."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from jinja2 import Environment

from bmdsim.io import files

ASSUMPTIONS = (
    "bmdsim is an open-literature kinematics laboratory. Missiles are point masses with notional stage data "
    "calibrated to published ranges; interceptors follow the baseline kinematic model (constant acceleration "
    "to vbo, then free fall; no divert limits, seeker or discrimination); radars see by elevation, field of "
    "regard and an R ~ RCS^1/4 range law. The numbers show what this physics allows with the stated "
    "parameters: they are not intelligence estimates. Every catalog number carries a source or is marked "
    "notional; see the catalog files."
)

_HTML = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;font-size:90%}
th{background:#eee}img{max-width:100%;border:1px solid #ccc}code{background:#f4f4f4;padding:1px 4px}
.note{color:#444;font-size:92%}</style></head><body>
<h1>{{ title }}</h1>
<p class="note">{{ assumptions }}</p>
{% if command %}<p>Reproduce: <code>{{ command }}</code></p>{% endif %}
{% for s in sections %}<h{{ s.level }}>{{ s.heading }}</h{{ s.level }}>
{% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
{% if s.rows %}<table><tr>{% for c in s.rows[0].keys() %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in s.rows %}<tr>{% for v in r.values() %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if s.command %}<p class="note">Reproduce: <code>{{ s.command }}</code></p>{% endif %}
{% for img in s.images %}<p>{% if img.mime %}<img alt="{{ img.alt }}" src="data:{{ img.mime }};base64,{{ img.data }}">\
{% else %}Figure: <a href="{{ img.alt }}">{{ img.alt }}</a>{% endif %}</p>{% endfor %}
{% endfor %}</body></html>
""")


def _md_table(rows: list[dict]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")).replace("|", "\\|") for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


_MIME = {".png": "image/png", ".svg": "image/svg+xml"}  # PDF figures are linked, not inlined


def write_report(out_dir, title: str, sections: list[dict], command: str = "", provenance: dict | None = None
                 ) -> list[Path]:
    """sections: [{heading, paragraphs: [str], rows: [dict], images: [path], level: 2 or 3, command: str}] ->
    report.html, report.md (``level`` 3: a sub-heading; ``command``: a "Reproduce" line under the table).

    PNG and SVG figures are inlined in the HTML (self-contained); PDF figures are linked (they sit in the
    same folder). ``command`` is the "Reproduce" line; ``provenance`` (see :mod:`bmdsim.io.provenance`)
    adds sections listing the version, scenario file, architecture, parameters and catalogs.
    """
    from bmdsim.io.provenance import report_sections

    out = Path(out_dir)
    sections = list(sections) + (report_sections(provenance) if provenance else [])
    html_sections, md = [], [f"# {title}\n", f"_{ASSUMPTIONS}_\n"]
    if command:
        md.append(f"Reproduce: `{command}`\n")
    for s in sections:
        imgs = []
        for p in s.get("images", []):
            p = Path(p)
            mime = _MIME.get(p.suffix.lower())
            data = base64.b64encode(p.read_bytes()).decode("ascii") if mime else ""
            imgs.append({"alt": p.name, "data": data, "mime": mime})
        level = int(s.get("level", 2))
        html_sections.append({"heading": s["heading"], "paragraphs": s.get("paragraphs", []),
                              "rows": s.get("rows", []), "images": imgs, "level": level,
                              "command": s.get("command", "")})
        md.append(f"{'#' * level} {s['heading']}\n")
        md += [p + "\n" for p in s.get("paragraphs", [])]
        md.append(_md_table(s.get("rows", [])))
        if s.get("command"):
            md.append(f"Reproduce: `{s['command']}`\n")
        md += [(f"![{Path(p).name}]({Path(p).name})\n" if Path(p).suffix.lower() in _MIME
                else f"Figure: [{Path(p).name}]({Path(p).name})\n") for p in s.get("images", [])]
    page = _HTML.render(title=title, assumptions=ASSUMPTIONS, command=command, sections=html_sections)
    return [files.write_atomic(out / "report.html", page), files.write_atomic(out / "report.md", "\n".join(md))]


def escape(text: str) -> str:
    return html.escape(text)


_INDEX = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;font-size:90%}
th{background:#eee}</style></head><body>
<h1>{{ title }}</h1>
{% if description %}<p>{{ description }}</p>{% endif %}
<p>One folder per variant of scenario {{ scenario }}, each with its own report, data files, scenario.yaml (the
variant merged in) and provenance.json.</p>
<table><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in rows %}<tr><td><a href="{{ r.folder }}/report.html">{{ r.variant }}</a></td>\
{% for c in columns[1:] %}<td>{{ r[c] }}</td>{% endfor %}</tr>{% endfor %}</table>
</body></html>
""")


def write_index(out_dir, title: str, rows: list[dict], *, scenario: str = "", description: str = "") -> list[Path]:
    """``index.json``, ``index.md`` and ``index.html`` in ``out_dir`` linking one folder per variant.

    ``rows``: one dict per variant with ``variant`` and ``folder`` (relative) first, then the key numbers to
    show; each row links ``<folder>/report.html``."""
    import json

    out = files.check_dir_writable(out_dir)
    cols = ["variant"] + [c for c in (rows[0] if rows else {}) if c not in ("variant", "folder")]
    doc = {"title": title, "scenario": scenario, "variants": [{**r, "report": f"{r['folder']}/report.html"}
                                                              for r in rows]}
    md = [f"# {title}\n"] + ([f"{description}\n"] if description else [])
    md.append(f"One folder per variant of scenario {scenario}, each with its own report.\n")
    md.append(_md_table([{**{c: r.get(c, "") for c in cols},
                          "variant": f"[{r['variant']}]({r['folder']}/report.md)"} for r in rows]))
    page = _INDEX.render(title=title, description=description, scenario=scenario, columns=cols, rows=rows)
    return [files.write_atomic(out / "index.json", json.dumps(doc, indent=2) + "\n"),
            files.write_atomic(out / "index.md", "\n".join(md)),
            files.write_atomic(out / "index.html", page)]
