"""Check an input file of any kind at once: ``bmdsim validate`` (every problem, each with its line)."""

from __future__ import annotations

from pathlib import Path

from bmdsim.errors import BmdsimError
from bmdsim.model import yamlsafe
from bmdsim.model.validation import ValidationErrors, file_kind


def validate_file(ref: str, kind: str = "auto", catalog=None) -> str:
    """Check a file of any kind (``kind`` auto: from its keys, see :func:`file_kind`): scenario (its
    inline catalog blocks and ``catalogs:`` files included), architecture, criteria, forces or catalog.
    Names resolve in ``catalog`` (a :class:`bmdsim.model.catalogs.Catalog`; None: the built-ins).

    Raises :class:`ValidationErrors` holding every problem (schema errors first; unknown names once the
    schema holds). Returns a short description of what is valid."""
    from bmdsim.model.catalogs import resolve_catalog

    cat = resolve_catalog(catalog)

    if kind == "auto":
        p = Path(ref)
        try:
            is_file = p.is_file()
        except (OSError, ValueError):
            is_file = False
        kind = file_kind(yamlsafe.load(p, "file")[0]) if is_file else "scenario"
    try:
        if kind == "scenario":
            from bmdsim.model.scenario import check_references, name_errors, resolve_extends, validate_scenario_data

            data, lines, where = resolve_extends(ref)
            try:
                scn = validate_scenario_data(data, lines, where)
            except ValidationErrors as err:  # the schema's messages and every unknown name, by line
                raise ValidationErrors(_by_line(err.messages + name_errors(data, where, lines, cat))) from None
            check_references(scn, where, lines, cat)
            return f"scenario {scn.name}"
        if kind == "catalog":
            new = cat.extend(ref)
            counts = {k: sum(1 for n in new.table(k) if new.origin(k, n).source == str(Path(ref)))
                      for k in ("missiles", "interceptors", "sensors", "placements", "places")}
            return "catalog: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        data, lines = yamlsafe.load(Path(ref), f"{kind} file")
        if kind == "architecture":
            from bmdsim.model.architecture import name_errors, parse_architecture

            def at(loc):
                line = yamlsafe.line_of(lines, loc)
                return f"{ref}: line {line}: {'.'.join(map(str, loc))}" if line else f"{ref}: {'.'.join(map(str, loc))}"

            names = name_errors(data, at, catalog=cat)
            try:
                arch = parse_architecture(data, ref, lines)
            except ValidationErrors as err:
                raise ValidationErrors(_by_line(err.messages + names)) from None
            if names:
                raise ValidationErrors(names)
            return f"architecture {arch.name}"
        if kind == "criteria":
            from bmdsim.analysis.criteria import load_criteria

            return f"criteria {load_criteria(ref).name}"
        from bmdsim.analysis.stability import load_forces

        return f"forces {load_forces(ref).name}"
    except ValidationErrors:
        raise
    except BmdsimError as err:
        raise ValidationErrors([str(err)]) from None


def _by_line(messages: list[str]) -> list[str]:
    """Messages in file order (by the line number they carry; stable otherwise)."""
    import re

    def key(m):
        hit = re.search(r": line (\d+):", m)
        return (m.split(":", 1)[0], int(hit.group(1)) if hit else 0)

    return sorted(messages, key=key)
