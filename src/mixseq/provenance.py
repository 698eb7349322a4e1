"""Provenance of results: config stamps, data hashes and the header line of every table.

* A **stamp** is a small JSON file holding the slice of the configuration one workflow step depends on
  (sorted keys). :func:`write_stamp` rewrites it only when its content changes, so its mtime moves exactly
  when that slice changes; the workflow makes the stamp an input of the step, and Snakemake's mtime trigger
  then reruns the step (and everything downstream) even without the ``.snakemake/`` metadata.
* A **data hash** of a real dataset combines the sha256 of its raw files, as recorded by the ``download``
  step in a ``<raw file>.sha256`` sidecar.
* Every table carries a header line ``# mixseq-workflow config=<12 hex> data=<name>:<12 hex>,...``
  (Markdown tables: the same text in an HTML comment). Read the TSV tables with ``comment="#"``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mixseq.utils import atomic_path

#: the first word of every table header line
HEADER_TAG = "mixseq-workflow"
#: hex digits kept of each fingerprint in table headers
SHORT = 12
CHUNK = 1 << 20


def canonical_json(payload: Any) -> str:
    """``payload`` as JSON with sorted keys and a fixed layout (the stamp file content)."""
    return json.dumps(payload, sort_keys=True, indent=1, default=str) + "\n"


def fingerprint(payload: Any, n: int = SHORT) -> str:
    """The first ``n`` hex digits of the sha256 of :func:`canonical_json` of ``payload``."""
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:n]


def write_stamp(path: str | os.PathLike[str], payload: Any) -> Path:
    """Write ``payload`` to ``path`` as canonical JSON unless the file already holds exactly that.

    The file's mtime therefore changes only when the payload does. Returns ``path``.
    """
    path = Path(path)
    text = canonical_json(payload)
    try:
        if path.read_text() == text:
            return path
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return path


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for buf in iter(lambda: fh.read(CHUNK), b""):
            h.update(buf)
    return h.hexdigest()


def cached_file_sha256(path: str | os.PathLike[str], cache: str | os.PathLike[str]) -> str:
    """:func:`file_sha256` of ``path``, remembered in the JSON file ``cache`` under the file's absolute path,
    size and mtime (ns): a file copied again with the same bytes keeps its hash, an edited one is hashed anew.

    A missing or unreadable cache is rebuilt; entries of files that are gone are dropped.
    """
    path = Path(path)
    st = path.stat()
    key = str(path.resolve())
    token = [st.st_size, st.st_mtime_ns]
    cache = Path(cache)
    try:
        entries = json.loads(cache.read_text())
        if not isinstance(entries, dict):
            entries = {}
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        entries = {}
    hit = entries.get(key)
    if isinstance(hit, dict) and hit.get("token") == token and isinstance(hit.get("sha256"), str):
        return hit["sha256"]
    digest = file_sha256(path)
    entries = {k: v for k, v in entries.items() if Path(k).exists()}
    entries[key] = {"token": token, "sha256": digest}
    cache.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(cache) as tmp:
        tmp.write_text(json.dumps(entries, sort_keys=True, indent=1) + "\n")
    return digest


def sidecar_path(raw: str | os.PathLike[str]) -> Path:
    """``<raw file>.sha256``: where the ``download`` step records the sha256 of the bytes it wrote."""
    raw = Path(raw)
    return raw.with_name(raw.name + ".sha256")


def write_sidecar(raw: str | os.PathLike[str], sha256: str) -> Path:
    """Record ``sha256`` of ``raw`` in its sidecar (``<sha256>  <file name>``, as ``sha256sum`` prints it)."""
    side = sidecar_path(raw)
    with atomic_path(side) as tmp:
        tmp.write_text(f"{sha256.lower()}  {Path(raw).name}\n")
    return side


def read_sidecar(side: str | os.PathLike[str]) -> str:
    """The sha256 recorded in a sidecar written by :func:`write_sidecar`."""
    text = Path(side).read_text().split()
    if not text or len(text[0]) != 64:
        raise ValueError(f"{side}: expected '<64 hex sha256>  <file name>', got {' '.join(text)[:80]!r}")
    return text[0].lower()


class DataIntegrityError(RuntimeError):
    """A raw file no longer has the sha256 it was fetched (or configured) with."""


def verify_raw_files(raw_files: Iterable[str | os.PathLike[str]], expected: Mapping[str, str] | None = None) -> None:
    """Re-hash each raw file and compare with the configured sha256 (``expected``, by file name) or, when none
    is configured, with the hash recorded in its sidecar at fetch time.

    Raises:
        DataIntegrityError: naming the file, the expected and the actual sha256.
        FileNotFoundError: a raw file has neither a configured hash nor a sidecar.
    """
    expected = dict(expected or {})
    for raw in map(Path, raw_files):
        want = expected.get(raw.name)
        source = "configured sha256"
        if not want:
            side = sidecar_path(raw)
            if not side.is_file():
                raise FileNotFoundError(f"{raw}: no sha256 configured and no sidecar {side} recorded at fetch time; "
                                        "delete the raw file to fetch it again")
            want, source = read_sidecar(side), f"sha256 recorded at fetch time in {side}"
        actual = file_sha256(raw)
        if actual != want.lower():
            raise DataIntegrityError(
                f"raw file {raw} changed since it was fetched: expected sha256 {want.lower()} ({source}), "
                f"actual {actual}; delete it to fetch it again"
            )


def data_hash(sidecars: Iterable[str | os.PathLike[str]], n: int = SHORT) -> str:
    """Hash of a real dataset: sha256 over ``<file name> <sha256>`` lines of its raw files (sorted)."""
    lines = sorted(f"{Path(s).name.removesuffix('.sha256')} {read_sidecar(s)}" for s in sidecars)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:n]


def header_line(config_fp: str, data: Mapping[str, str]) -> str:
    """``mixseq-workflow config=<fp> data=<name>:<hash>,...`` (without a comment marker or newline)."""
    items = ",".join(f"{k}:{v}" for k, v in sorted(data.items())) or "-"
    return f"{HEADER_TAG} config={config_fp} data={items}"


def tsv_header(header: str) -> str:
    return f"# {header}\n"


def md_header(header: str) -> str:
    return f"<!-- {header} -->\n"


def write_tsv(df: Any, path: str | os.PathLike[str], header: str, **to_csv: Any) -> None:
    """Write a DataFrame as TSV (atomically) after a ``# <header>`` line; extra keywords go to ``to_csv``."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        fh.write(tsv_header(header))
        df.to_csv(fh, sep="\t", **to_csv)


def write_md(text: str, path: str | os.PathLike[str], header: str) -> None:
    """Write Markdown (atomically) after a ``<!-- <header> -->`` line."""
    with atomic_path(path) as tmp:
        tmp.write_text(md_header(header) + text)


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse the header line of a table written by :func:`write_tsv` / :func:`write_md`:
    ``{"config": fp, "data": {name: hash}}``; ``ValueError`` when the file has none."""
    with open(path) as fh:
        first = fh.readline().strip()
    body = first.removeprefix("#").removeprefix("<!--").removesuffix("-->").strip()
    words = body.split()
    if not words or words[0] != HEADER_TAG:
        raise ValueError(f"{path}: first line is not a '{HEADER_TAG}' header: {first[:80]!r}")
    fields = dict(w.split("=", 1) for w in words[1:])
    data = {} if fields.get("data", "-") == "-" else dict(x.split(":", 1) for x in fields["data"].split(","))
    return {"config": fields.get("config"), "data": data}


def data_hashes(spec: Mapping[str, Any]) -> dict[str, str]:
    """Resolve ``{name: [sidecar paths] | hash}`` (real datasets: the sidecars of their raw files; generated
    data: a fingerprint of their config) into ``{name: 12-hex hash}``."""
    return {name: (v[:SHORT] if isinstance(v, str) else data_hash(v)) for name, v in spec.items()}


def table_header(config_fp: str, data_spec: Mapping[str, Any]) -> str:
    """The header line of a table: :func:`header_line` with :func:`data_hashes` of ``data_spec``."""
    return header_line(config_fp, data_hashes(data_spec))
