"""An architecture given the way a user names one: a built-in scenario name, an architecture file, or a
scenario file (its ``architecture`` block after ``extends``, with its ``options`` as defaults).

Used wherever a command expects an architecture (``engage --architecture``), so that every command
takes the same references as ``run``, ``show`` and ``footprint``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bmdsim.errors import BmdsimError, UnknownNameError
from bmdsim.model import yamlsafe
from bmdsim.model.architecture import Architecture, name_errors, parse_architecture
from bmdsim.model.catalogs import Catalog, resolve_catalog
from bmdsim.model.validation import ValidationErrors, file_kind


@dataclass(frozen=True)
class ArchitectureRef:
    """What a reference resolved to: the architecture, the scenario options it came with (or None), a
    label saying where it came from, and the catalog context its names resolve in (a scenario's own
    catalog entries included)."""

    architecture: Architecture
    options: object | None  # bmdsim.model.scenario.Options of a scenario, None for an architecture file
    source: str
    catalog: Catalog | None = None


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except (OSError, ValueError):
        return False


def load_architecture_ref(ref: str, what: str = "--architecture", catalog: Catalog | None = None
                          ) -> ArchitectureRef:
    """Resolve ``ref`` (see the module docstring); names resolve in ``catalog`` (None: the built-ins), a
    scenario's own catalog entries added. Raises a one-line BmdsimError: the first problem and how many
    more (unknown names included), or, for a name that is neither a file nor a built-in scenario, the
    nearest built-in names."""
    from bmdsim.model.scenario import builtin_names, load_scenario, scenario_catalog

    ref = str(ref)
    p = Path(ref)
    cat = resolve_catalog(catalog)
    if _is_file(p):
        data, lines = yamlsafe.load(p, "architecture file")
        if file_kind(data) == "scenario":
            scn = load_scenario(ref, cat)
            return ArchitectureRef(scn.architecture, scn.options, f"scenario file {ref}", scenario_catalog(scn, cat))

        def at(loc):
            line = yamlsafe.line_of(lines, loc)
            path = ".".join(map(str, loc))
            return f"{ref}: line {line}: {path}" if line else f"{ref}: {path}"

        arch = parse_architecture(data, ref, lines)
        errors = name_errors(data, at, catalog=cat)
        if errors:
            raise ValidationErrors(errors)
        return ArchitectureRef(arch, None, f"architecture file {ref}", cat)
    if ref in builtin_names():
        scn = load_scenario(ref, cat)
        return ArchitectureRef(scn.architecture, scn.options, f"built-in scenario {ref}", scenario_catalog(scn, cat))
    try:
        exists = p.exists()
    except (OSError, ValueError):
        exists = False
    if exists:
        raise BmdsimError(f"{what} {ref!r} is not a regular file")
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        raise BmdsimError(f"{what} {ref!r}: no such file")
    err = UnknownNameError("built-in scenario", ref, builtin_names())
    raise BmdsimError(f"{what} {ref!r} is neither a file nor a built-in scenario; give an architecture or "
                      f"scenario file or a built-in name. {str(err).split('. ', 1)[-1]}")
