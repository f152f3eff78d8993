"""Catalog names: one normalised key for names and aliases, duplicate checks, look-ups with clear errors;
reading and validating a catalog file."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

from bmdsim.errors import BmdsimError, UnknownNameError

LABEL_MAX_CHARS = 100


def check_label(value: str, what: str) -> str:
    """A name that becomes part of titles and folder names (scenarios, variants): 1-100 characters, no
    control or format characters (NUL, escapes, bidirectional overrides), no ``/`` or ``\\``, not ``.`` or
    ``..``. Returns it; raises ValueError (the models' validators turn it into the one-line error)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what}: give a non-empty name")
    if len(value) > LABEL_MAX_CHARS:
        raise ValueError(f"{what} {value[:20]!r}...: at most {LABEL_MAX_CHARS} characters")
    bad = sorted({f"U+{ord(c):04X}" for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")})
    if bad:
        raise ValueError(f"{what} {value!r}: control or format characters ({', '.join(bad)}); use letters, digits, "
                         "spaces and punctuation")
    if "/" in value or "\\" in value or value.strip() in (".", ".."):
        raise ValueError(f"{what} {value!r}: no '/' or backslash (names become folder names)")
    return value


def normalise_name(name: str) -> str:
    """Case-, space- and separator-blind key: 'sm3 iia' == 'SM-3-IIA' == 'sm_3_iia'."""
    return re.sub(r"[\s_\-/.]", "", str(name).upper())


def index_by_name(items, kind: str) -> dict:
    """{item.name: item}; raises ValueError if two items share a (normalised) name or alias."""
    keys = [k for it in items for k in {normalise_name(x) for x in (it.name, *getattr(it, "aliases", []))}]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"duplicate {kind} names or aliases: {', '.join(dup)}")
    return {it.name: it for it in items}


def find_by_name(catalog: dict, name: str, kind: str):
    """The item whose name or alias matches ``name`` (normalised); UnknownNameError lists the known ones."""
    key = normalise_name(name)
    for it in catalog.values():
        if key == normalise_name(it.name) or key in {normalise_name(a) for a in getattr(it, "aliases", [])}:
            return it
    raise UnknownNameError(kind, name, catalog.keys())


def parse_catalog(text: str, item_model, key: str, kind: str, where: str | None = None) -> dict:
    """Validate YAML text holding ``{key: [items]}`` (no other key) as ``item_model`` objects; return
    them by name (names and aliases unique).

    The text is read by the project's safe loader (:mod:`bmdsim.model.yamlsafe`); ``where`` names the
    file in messages. Raises a one-line :class:`~bmdsim.errors.BmdsimError` (a ValueError): for schema
    errors a :class:`~bmdsim.model.validation.ValidationErrors` with the line of each."""
    from pydantic import BaseModel, ConfigDict, ValidationError, create_model

    from bmdsim.model import yamlsafe
    from bmdsim.model.validation import ValidationErrors, validation_messages

    where = where or f"{kind} catalog"
    data, lines = yamlsafe.load(text, f"{kind} catalog", where=where)
    file_model = create_model(f"{kind}_file", __config__=ConfigDict(extra="forbid"), **{key: (list[item_model], ...)})
    try:
        parsed: BaseModel = file_model.model_validate(data)
    except ValidationError as err:
        raise ValidationErrors(validation_messages(err, file_model, where, lines)) from None
    try:
        return index_by_name(getattr(parsed, key), kind)
    except ValueError as err:
        raise BmdsimError(f"{where}: {err}") from None


def catalog_text(filename: str) -> str:
    """The text of a built-in catalog file (``bmdsim/model/catalog/FILENAME``)."""
    return resources.files("bmdsim.model.catalog").joinpath(filename).read_text(encoding="utf-8")
