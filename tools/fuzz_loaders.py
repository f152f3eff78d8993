"""Coverage-guided fuzzing of the file loaders (file -> model) with atheris (libFuzzer for Python).

    .venv/bin/python tools/fuzz_loaders.py -max_total_time=180 -rss_limit_mb=2048 [CORPUS_DIR]

Each input is a file kind (its first byte) and a file's bytes (the rest), written to a temporary file and
read by the loader of that kind: the safe YAML reader, the scenario loader (``extends`` included), the
architecture reference resolver (as ``engage --architecture`` uses it), the criteria and forces loaders,
and ``bmdsim validate``'s checker. A loader may only return a model or raise a BmdsimError (one line,
no newline); anything else is a finding and libFuzzer stops with the input saved as ``crash-*``.
Started without a corpus folder, it seeds one in a temporary folder from tests/data/bad and the
built-in catalog files. ``make fuzz`` runs it after the hypothesis campaign of tests/test_fuzz_cli.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]

with atheris.instrument_imports(include=["bmdsim", "yaml"]):
    from bmdsim.analysis.criteria import load_criteria
    from bmdsim.analysis.stability import load_forces
    from bmdsim.analysis.validate import validate_file
    from bmdsim.errors import BmdsimError
    from bmdsim.model import yamlsafe
    from bmdsim.model.archref import load_architecture_ref
    from bmdsim.model.scenario import load_scenario

KINDS = ("yaml", "scenario", "architecture", "criteria", "forces", "validate")
_TMP = Path(tempfile.mkdtemp(prefix="bmdsim-atheris-"))
_FILE = _TMP / "input.yaml"


def _load(kind: str, path: Path):
    if kind == "yaml":
        return yamlsafe.load(path, "file")
    if kind == "scenario":
        return load_scenario(str(path))
    if kind == "architecture":
        return load_architecture_ref(str(path))
    if kind == "criteria":
        return load_criteria(path)
    if kind == "forces":
        return load_forces(path)
    return validate_file(str(path), "auto")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    kind = KINDS[data[0] % len(KINDS)]
    _FILE.write_bytes(data[1:])
    try:
        _load(kind, _FILE)
    except BmdsimError as err:
        text = str(err)
        if not text.strip() or "\n" in text:
            raise AssertionError(f"{kind}: error message is not one line: {text!r}") from None


def _seed_corpus() -> Path:
    corpus = _TMP / "corpus"
    corpus.mkdir()
    seeds = sorted((ROOT / "tests" / "data" / "bad").glob("*.yaml"))
    seeds += sorted((ROOT / "src" / "bmdsim" / "model" / "catalog").rglob("*.yaml"))
    seeds += [ROOT / "tests" / "data" / "arch_test.yaml"]
    for i, p in enumerate(seeds):
        body = p.read_bytes()[:20_000]
        for k in range(len(KINDS)):
            (corpus / f"seed-{i:03d}-{k}").write_bytes(bytes([k]) + body)
    return corpus


def main() -> None:
    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        args.append(str(_seed_corpus()))
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
