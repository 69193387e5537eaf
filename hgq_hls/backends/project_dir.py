"""Writing a generated project directory safely.

A project is written into a temporary sibling directory and renamed into place only once
complete, so a failure never leaves half a project that looks finished.  A non-empty
directory is replaced only if it is a previous hgq_hls project (it holds :data:`MARKER`)
or the user passed ``force``.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import shutil
import tempfile
from pathlib import Path

#: the file that marks a directory as an hgq_hls project (written last)
MARKER = "hgq_hls_project.json"


class ProjectExistsError(FileExistsError):
    """The output directory holds files that are not an hgq_hls project."""


def check_destination(outdir: Path, force: bool) -> None:
    """Raise unless writing a project to ``outdir`` would lose nothing the user made."""
    if outdir.exists() and not outdir.is_dir():
        raise ProjectExistsError(f"{outdir} exists and is not a directory")
    if force or not outdir.exists() or (outdir / MARKER).is_file():
        return
    if any(outdir.iterdir()):
        raise ProjectExistsError(
            f"{outdir} is not empty and is not an hgq_hls project; choose another directory "
            "or pass force=True (--force on the command line) to replace its contents")


@contextlib.contextmanager
def atomic_project_dir(outdir, force: bool = False):
    """Yield a temporary directory; on success it replaces ``outdir`` in one rename."""
    outdir = Path(outdir).absolute()
    check_destination(outdir, force)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.tmp-", dir=outdir.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if outdir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
        old.rmdir()
        outdir.rename(old)
        tmp.rename(outdir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(outdir)


def write_marker(folder: Path, manifest: dict) -> None:
    """Write the project marker (the manifest) -- the last file of a complete project."""
    (folder / MARKER).write_text(json.dumps(manifest, indent=2) + "\n")


def read_marker(folder) -> dict:
    """The manifest of the project in ``folder``; a clear error if it is not a project."""
    path = Path(folder) / MARKER
    if not path.is_file():
        raise FileNotFoundError(f"{folder} is not an hgq_hls project (no {MARKER})")
    return json.loads(path.read_text())


#: where a project keeps the graph it was written from (the reference ``verify`` compares with)
GRAPH_FILE = "reference/graph.pkl"


def write_project(outdir, force: bool, files: dict[str, str], graph, manifest: dict) -> None:
    """Write ``files`` (relative path -> text), the graph and the marker, atomically."""
    with atomic_project_dir(outdir, force) as tmp:
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (tmp / GRAPH_FILE).parent.mkdir(parents=True, exist_ok=True)
        (tmp / GRAPH_FILE).write_bytes(pickle.dumps(graph, protocol=4))
        write_marker(tmp, manifest)
