"""Validation messages for files: one line per error with file, line, key path, what was found and what
is allowed, and the nearest valid key or name for a misspelling ("interceptr" -> "interceptor").

Commands other than ``bmdsim validate`` raise :class:`ValidationErrors`, whose one-line text is the
first message and how many more there are; ``validate`` prints every message.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable

from pydantic import BaseModel, ValidationError

from bmdsim.errors import BmdsimError

MAX_MESSAGES = 50


class ValidationErrors(BmdsimError):
    """Several problems in one file: ``messages`` holds one line each; ``str()`` is the first and a count."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages) or ["invalid input"]
        first = self.messages[0]
        more = (f" (+{len(self.messages) - 1} more; `bmdsim validate` lists them all)"
                if len(self.messages) > 1 else "")
        super().__init__(first + more)


def short(x, n: int = 80) -> str:
    """``repr(x)``, cut to ``n`` characters."""
    r = repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


def nearest(name, valid) -> str | None:
    """The valid key or name closest to ``name`` (difflib ratio >= 0.6, case-blind), or None."""
    valid = [str(v) for v in valid]
    low = {v.lower(): v for v in valid}
    hit = difflib.get_close_matches(str(name).lower(), list(low), n=1, cutoff=0.6)
    return low[hit[0]] if hit else None


def _field_keys(model: type[BaseModel]) -> list[str]:
    keys = []
    for name, f in model.model_fields.items():
        keys.append(f.alias or name)
    return keys


def _strip(tp):
    """Annotated[X, ...] -> X."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


_VALIDATED_MEMBER = re.compile(r"^function-(?:after|before|wrap|plain)\[.*?(\w+)\]$")


def _member_name(comp):
    """A union member's name as pydantic writes it in a location (``function-after[_check(), Model]`` for a
    model with a validator -> ``Model``)."""
    m = _VALIDATED_MEMBER.match(comp) if isinstance(comp, str) else None
    return m.group(1) if m else comp


def _step(tp, comp):
    """The type at ``comp`` inside type ``tp`` (a field, list item, dict value or union member), or None."""
    tp = _strip(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [_strip(a) for a in typing.get_args(tp) if a is not type(None)]
        for m in members:  # pydantic puts the member's name in the location of a union error
            if isinstance(comp, str) and getattr(m, "__name__", None) == _member_name(comp):
                return ("member", m)
        for m in members:
            nxt = _step(m, comp)
            if nxt is not None:
                return nxt
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, f in tp.model_fields.items():
            if comp in (name, f.alias):
                return f.annotation
        return None
    if origin in (list, tuple, set) and isinstance(comp, int):
        args = typing.get_args(tp)
        return args[0] if args else None
    if origin is dict:
        args = typing.get_args(tp)
        return args[1] if len(args) == 2 else None
    return None


def model_at(model: type, loc: tuple):
    """The pydantic model class found at location ``loc`` from ``model``, or None."""
    tp = model
    for comp in loc:
        nxt = _step(tp, comp)
        if isinstance(nxt, tuple):  # a union member named in the location: stay on it
            tp = nxt[1]
            continue
        if nxt is None:
            return None
        tp = nxt
    tp = _strip(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
        tp = members[0] if len(members) == 1 else tp
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _clean_loc(model, loc: tuple) -> tuple:
    """The location without pydantic's union-member names (the path as written in the file)."""
    out, tp = [], model
    for comp in loc:
        nxt = _step(tp, comp) if tp is not None else None
        if isinstance(nxt, tuple):
            tp = nxt[1]
            continue
        out.append(comp)
        tp = nxt
    return tuple(out)


def hint(model: type | None, loc: tuple, etype: str) -> str:
    """'; did you mean X?' for an unknown key, with the valid keys."""
    if etype != "extra_forbidden" or not loc or model is None:
        return ""
    parent = model_at(model, loc[:-1])
    if parent is None:
        return ""
    keys = _field_keys(parent)
    close = nearest(loc[-1], keys)
    did = f"; did you mean {close!r}?" if close else ""
    return f"{did} (valid keys: {', '.join(keys)})"


def validation_messages(err: ValidationError, model: type | None, where: str, lines,
                        locate: Callable[[tuple], tuple[str, int | None, str]] | None = None) -> list[str]:
    """One line per pydantic error: ``FILE: line N: PATH: MESSAGE (found X)[; did you mean Y?]``.

    ``lines``: a line map (key path -> line) of ``where``; or ``locate(loc) -> (file, line, path)``
    for data merged from several files.
    """
    from bmdsim.model.yamlsafe import line_of

    out = []
    errors = _without_union_noise(err.errors())
    for e in errors[:MAX_MESSAGES]:
        raw_loc = tuple(e["loc"])
        loc = _clean_loc(model, raw_loc) if model is not None else raw_loc
        if locate is not None:
            file, line, path = locate(loc)
        else:
            file, line, path = where, line_of(lines, loc), ".".join(str(x) for x in loc)
        path = path or "(top level)"
        found = e.get("input")
        found_txt = "" if isinstance(found, dict | list) or e["type"] == "missing" else f" (found {short(found)})"
        msg = e["msg"]
        if e["type"] == "value_error" and msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        at = f" line {line}:" if line else ""
        out.append(f"{file}:{at} {path}: {msg}{found_txt}{hint(model, loc, e['type'])}")
    if len(errors) > MAX_MESSAGES:
        out.append(f"{where}: ... and {len(errors) - MAX_MESSAGES} more")
    return out


def _without_union_noise(errors: list) -> list:
    """Errors without the ``str`` member's complaint of a ``str | Model`` union written as a mapping (the
    user meant the model: "Input should be a valid string" is noise beside the model's own errors)."""
    keep = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "string_type" and loc and loc[-1] == "str" and isinstance(e.get("input"), dict | list):
            if any(o is not e and tuple(o["loc"][:len(loc) - 1]) == loc[:-1] for o in errors):
                continue
        keep.append(e)
    return keep or errors


_CRITERIA_KEYS = {"max_vbo_kms", "forbidden_zones", "max_interceptors_per_zone", "radar_sectors"}
_SCENARIO_KEYS = {"architecture", "threats", "extends", "options", "sweep", "variants"}
_CATALOG_KEYS = {"missiles", "interceptors", "sensors", "placements", "places"}  # bmdsim.model.catalogs.KINDS


def file_kind(data) -> str:
    """The kind of a file from its top-level keys: scenario, architecture, criteria, forces or catalog."""
    keys = set(data) if isinstance(data, dict) else set()
    if keys & _SCENARIO_KEYS:
        return "scenario"
    if "sites" in keys:
        return "architecture"
    if "force" in keys:
        return "forces"
    if keys & _CRITERIA_KEYS:
        return "criteria"
    if keys & _CATALOG_KEYS:
        return "catalog"
    return "scenario"
