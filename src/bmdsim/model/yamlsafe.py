"""The one YAML reader of bmdsim: every file the project reads (scenarios, architectures, criteria,
forces, the built-in catalogs, and any kind added later) goes through :func:`load`.

What it guarantees, so that a file is data and never a program or a trap:

* **YAML 1.2 core schema.** Plain scalars resolve only to null (``~``, ``null``, empty), booleans
  (``true``/``false`` in three spellings), integers (decimal, ``0o`` octal, ``0x`` hex) and floats
  (decimal, ``.inf``, ``.nan``); everything else is a string, as written. So ``2012-02-30``, ``1:30``,
  ``NO``, ``on`` and ``yes`` stay strings (YAML 1.1 would read a date, 90, False, True, True) and the
  schema that validates the file decides what they mean. Merge keys (``<<``) are plain keys.
* **Tags.** Only the core tags (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!map``,
  ``!!seq``) are accepted, and a tagged value must be written in that type's core-schema form;
  ``!!python/...``, ``!!binary``, ``!!timestamp``, ``!!set``, custom ``!tags`` are refused.
* **Non-finite numbers** (``.nan``, ``.inf``, ``1e999``) are refused unless the caller allows them.
* **Duplicate keys** in one mapping are refused, naming both lines.
* **Limits**: at most :data:`MAX_BYTES` of UTF-8 text, :data:`MAX_DEPTH` levels of nesting (also after
  alias expansion), :data:`MAX_ALIASES` aliases, :data:`MAX_NODES` values once aliases are expanded
  (no "billion laughs"), no alias inside its own anchor, one document, :data:`MAX_SECONDS` of parsing.

Every error is a :class:`YamlInputError` (a :class:`~bmdsim.errors.BmdsimError`) whose one-line
message starts with the file and line: ``my.yaml: line 7: ...``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from bmdsim.errors import BmdsimError

MAX_BYTES = 1_000_000  # 1 MB: the largest built-in catalog is about 40 kB
MAX_DEPTH = 40  # nesting levels, written and after alias expansion (built-ins use at most 6)
MAX_ALIASES = 100
MAX_NODES = 200_000  # values after alias expansion
MAX_SECONDS = 20.0  # parsing time (a 1 MB file parses in about 2 s on the development machine)

LineMap = dict[tuple, int]  # key path (keys and list indices) -> 1-based line

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

# YAML 1.2.2, section 10.3.2 (core schema tag resolution)
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


class YamlInputError(BmdsimError):
    """A file that is not acceptable data; ``where`` is the file, ``line`` 1-based or None."""

    def __init__(self, where: str, line: int | None, problem: str):
        self.where, self.line, self.problem = where, line, problem
        super().__init__(f"{where}: line {line}: {problem}" if line else f"{where}: {problem}")


class _Refused(Exception):
    """Raised inside the loader; turned into a YamlInputError with the file name."""

    def __init__(self, line: int | None, problem: str):
        super().__init__(problem)
        self.line, self.problem = line, problem


def _line(node_or_mark) -> int | None:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return None if mark is None else mark.line + 1


class _Resolver(BaseResolver):
    yaml_implicit_resolvers: dict = {}


for _tag, _regexp, _first in (
        (_BOOL, _BOOL_RE, "tTfF"),
        (_INT, _INT_RE, "-+0123456789"),
        (_FLOAT, _FLOAT_RE, "-+0123456789."),
        (_NULL, _NULL_RE, ["~", "n", "N", ""])):
    _Resolver.add_implicit_resolver(_tag, _regexp, list(_first))


def _core_int(text: str) -> int:
    t = text.strip()
    if not _INT_RE.match(t):
        raise ValueError(f"{text!r} is not an integer")
    if t.startswith("0o"):
        return int(t[2:], 8)
    if t.startswith("0x"):
        return int(t[2:], 16)
    return int(t)  # may raise ValueError past Python's digit limit (4,300 digits)


def _core_float(text: str) -> float:
    t = text.strip()
    if not _FLOAT_RE.match(t) and not _INT_RE.match(t):
        raise ValueError(f"{text!r} is not a number")
    low = t.lower()
    if low.endswith(".inf"):
        return -math.inf if low.startswith("-") else math.inf
    if low == ".nan":
        return math.nan
    return float(_core_int(t)) if _INT_RE.match(t) else float(t)


def _int_problem(value: str, err: Exception) -> str:
    if "digits" in str(err):
        return f"a number with {len(value.strip()):,} digits; numbers in bmdsim files are far smaller"
    return str(err)


class _Constructor(SafeConstructor):
    """Core-schema constructors only; duplicate keys and (optionally) non-finite numbers refused."""

    yaml_constructors: dict = {}
    allow_nonfinite = False

    def construct_core_null(self, node):
        value = self.construct_scalar(node)
        if not _NULL_RE.match(value):
            raise _Refused(_line(node), f"!!null value {value!r} is not null (write ~ or null)")
        return None

    def construct_core_bool(self, node):
        value = self.construct_scalar(node)
        if not _BOOL_RE.match(value):
            raise _Refused(_line(node), f"{value!r} is not a boolean; write true or false")
        return value.lower() == "true"

    def construct_core_int(self, node):
        value = self.construct_scalar(node)
        try:
            return _core_int(value)
        except ValueError as err:
            raise _Refused(_line(node), _int_problem(value, err)) from None

    def construct_core_float(self, node):
        value = self.construct_scalar(node)
        try:
            x = _core_float(value)
        except (ValueError, OverflowError) as err:
            raise _Refused(_line(node), _int_problem(value, err)) from None
        if not math.isfinite(x) and not self.allow_nonfinite:
            raise _Refused(_line(node), f"{value} is not a finite number; files hold finite numbers")
        return x

    def construct_core_str(self, node):
        if not isinstance(node, yaml.ScalarNode):
            raise _Refused(_line(node), "!!str on a mapping or list")
        return self.construct_scalar(node)

    def construct_core_seq(self, node):
        if not isinstance(node, yaml.SequenceNode):
            raise _Refused(_line(node), "!!seq on a value that is not a list")
        return self.construct_sequence(node, deep=True)

    def construct_core_map(self, node):
        if not isinstance(node, yaml.MappingNode):
            raise _Refused(_line(node), "!!map on a value that is not a mapping")
        out: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable) or isinstance(key, list | dict):
                raise _Refused(_line(key_node), "a mapping key must be a plain value (text or a number), "
                                                "not a list or mapping")
            if key in first_line:
                raise _Refused(_line(key_node), f"duplicate key {_short(key)} (lines {first_line[key]} and "
                                                f"{_line(key_node)}); each key may appear once per mapping")
            first_line[key] = _line(key_node)
            out[key] = self.construct_object(value_node, deep=True)
        return out

    def construct_refused(self, node):
        tag = node.tag
        short = tag.replace("tag:yaml.org,2002:", "!!")
        raise _Refused(_line(node), f"the tag {short} is not allowed; files are plain data (mappings, lists, "
                                    "text, numbers, booleans)")


for _tag, _fn in ((_NULL, _Constructor.construct_core_null), (_BOOL, _Constructor.construct_core_bool),
                  (_INT, _Constructor.construct_core_int), (_FLOAT, _Constructor.construct_core_float),
                  (_STR, _Constructor.construct_core_str), (_SEQ, _Constructor.construct_core_seq),
                  (_MAP, _Constructor.construct_core_map), (None, _Constructor.construct_refused)):
    _Constructor.add_constructor(_tag, _fn)


try:  # libyaml's scanner and parser (about 4x faster); the composer stays Python, with the limits below
    from yaml._yaml import CParser as _EventSource

    _EVENTS_IN_C = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _EVENTS_IN_C = False


class _Limits(Composer):
    """The composer with the limits: time, aliases, nesting, and values written."""

    def _start_limits(self, deadline: float):
        self._aliases = 0
        self._depth = 0
        self._nodes = 0
        self._deadline = deadline

    def compose_node(self, parent, index):
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(_line(self.peek_event()), f"more than {MAX_NODES:,} values; files must stay small")
        if time.monotonic() > self._deadline:
            raise _Refused(_line(self.peek_event()), f"parsing took longer than {MAX_SECONDS:g} s; "
                                                     "files are meant to be small data files")
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(_line(self.peek_event()), f"more than {MAX_ALIASES} aliases; alias use is "
                                                         "limited to keep files data, not programs")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(_line(self.peek_event()), f"nesting deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


if _EVENTS_IN_C:
    class _Loader(_Limits, _Constructor, _Resolver, _EventSource):
        def __init__(self, stream: str, deadline: float):
            _EventSource.__init__(self, stream)
            Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
            self._start_limits(deadline)
else:  # pragma: no cover
    class _Loader(Reader, Scanner, Parser, _Limits, _Constructor, _Resolver):
        def __init__(self, stream: str, deadline: float):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
            self._start_limits(deadline)


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [x for kv in node.value for x in kv]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _measure(root) -> tuple[int, int]:
    """(values, depth) of the node graph once aliases are expanded, without recursion; refuses cycles."""
    memo: dict[int, tuple[int, int]] = {}
    entered: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node)
        if done:
            size = 1 + sum(memo[id(c)][0] for c in kids)
            depth = (1 if kids or isinstance(node, yaml.CollectionNode) else 0) + max(
                (memo[id(c)][1] for c in kids), default=0)
            memo[key] = (min(size, 10 * MAX_NODES), depth)
            entered.discard(key)
            continue
        if key in memo:
            continue
        entered.add(key)
        stack.append((node, True))
        for c in kids:
            if id(c) in entered:
                raise _Refused(_line(c), "an alias refers to the value that contains it (recursive data)")
            if id(c) not in memo:
                stack.append((c, False))
    return memo[id(root)]


def _scalar_key(node):
    """The key a scalar key node constructs to (for the line map), or its text."""
    if not isinstance(node, yaml.ScalarNode):
        return str(node.value)
    try:
        if node.tag == _INT:
            return _core_int(node.value)
        if node.tag == _FLOAT:
            return _core_float(node.value)
        if node.tag == _BOOL:
            return node.value.lower() == "true"
        if node.tag == _NULL:
            return None
    except (ValueError, OverflowError):
        pass
    return node.value


def _line_map(root) -> LineMap:
    out: LineMap = {}
    stack = [(root, ())]
    seen: set[tuple[int, tuple]] = set()
    while stack:
        node, path = stack.pop()
        out.setdefault(path, _line(node))
        if (id(node), path) in seen:
            continue
        seen.add((id(node), path))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                p = (*path, _scalar_key(k))
                out[p] = _line(k)
                stack.append((v, p))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*path, i)) for i, v in enumerate(node.value))
    return out


def _short(x, n: int = 60) -> str:
    r = repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of a regular file of at most :data:`MAX_BYTES` (reads no more than that)."""
    p = Path(path)
    try:
        if not p.is_file():
            raise BmdsimError(f"{what} {str(p)!r} is not a regular file" if p.exists()
                              else f"{what} {str(p)!r} does not exist")
        with open(p, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except BmdsimError:
        raise
    except OSError as err:
        raise BmdsimError(f"cannot read {what} {str(p)!r}: {err.strerror or err}") from None
    except ValueError as err:  # e.g. an embedded NUL in the path
        raise BmdsimError(f"cannot read {what} {str(p)[:80]!r}: {err}") from None
    if len(raw) > MAX_BYTES:
        raise YamlInputError(str(p), None, f"file larger than {MAX_BYTES // 1000} kB; bmdsim reads small data files")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise YamlInputError(str(p), line, "not UTF-8 text (a binary file?)") from None


def load(source: str | Path, what: str = "file", *, where: str | None = None,
         allow_nonfinite: bool = False) -> tuple[Any, LineMap]:
    """Parse one YAML document safely.

    ``source``: a :class:`~pathlib.Path` (read with :func:`read_text`) or the text itself. ``what``
    names the kind of file in messages ("scenario file"); ``where`` the file (default: the path, or
    ``what`` for text). Returns ``(data, line_map)``: plain dicts, lists, str, int, float, bool, None,
    and a map from key paths (keys and list indices) to 1-based lines. An empty document is ``None``.

    Raises :class:`YamlInputError` (one line: file, line, what is wrong) for anything outside the
    module's rules; never another exception for any text.
    """
    if isinstance(source, Path):
        where = where or str(source)
        text = read_text(source, what)
    else:
        text = str(source)
        where = where or what
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise YamlInputError(where, None, f"file larger than {MAX_BYTES // 1000} kB; bmdsim reads small data files")
    loader = None
    try:
        loader = _Loader(text, time.monotonic() + MAX_SECONDS)
        loader.allow_nonfinite = allow_nonfinite
        node = loader.get_single_node()
        if node is None:
            return None, {}
        size, depth = _measure(node)
        if size > MAX_NODES:
            raise _Refused(None, f"the document expands to more than {MAX_NODES:,} values through aliases; "
                                 "alias use is limited to keep files small")
        if depth > MAX_DEPTH:
            raise _Refused(None, f"nesting deeper than {MAX_DEPTH} levels once aliases are expanded")
        data = loader.construct_document(node)
        return data, _line_map(node)
    except _Refused as err:
        raise YamlInputError(where, err.line, err.problem) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = " ".join(str(err.problem or err.context or "syntax error").split())
        if isinstance(err, yaml.composer.ComposerError) and "expected a single document" in str(err.context):
            problem = "more than one document (---); give one"
        raise YamlInputError(where, _line(mark), f"not valid YAML: {problem}") from None
    except yaml.YAMLError as err:  # reader errors: control characters, bad encodings
        text_err = " ".join(str(err).split())
        m = re.search(r"line (\d+)", text_err)
        problem = getattr(err, "reason", None) or text_err
        line = int(m.group(1)) if m else None
        if isinstance(err, yaml.reader.ReaderError):
            code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "?")
            problem = f"character U+{code:04X} is not allowed in YAML text (a binary file?)"
            if isinstance(err.position, int):
                line = text.count("\n", 0, err.position) + 1
        raise YamlInputError(where, line, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise YamlInputError(where, None, "nesting too deep") from None
    finally:
        if loader is not None:
            loader.dispose()


def line_of(lines: LineMap, path) -> int | None:
    """The line of ``path`` in a line map, or of its nearest ancestor that has one."""
    path = tuple(path)
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None
