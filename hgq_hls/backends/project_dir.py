"""Writing a generated project directory without losing anything the user made.

The manifest (:data:`MARKER`, written last) lists every file hgq_hls wrote with its hash.
A project is first written complete into a temporary sibling directory.  A new directory
is then one rename.  An existing one is updated file by file: only files the manifest lists
(and that are unchanged since) are replaced or removed; any other file makes the write
refuse unless ``force``, and even with ``force`` it is kept.  While files move, the marker
is replaced by a journal (:data:`JOURNAL`), so a half-updated folder never looks complete
and the next write still knows which files are its own.  Temporary folders of writes that
were killed are removed by the next write beside them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from ..errors import ProjectExistsError
from ..safe_files import umask

#: the file that marks a directory as an hgq_hls project (written last)
MARKER = "hgq_hls_project.json"
#: replaces the marker while an existing project is being updated
JOURNAL = ".hgq_hls_writing.json"
#: where a project keeps the graph it was written from (the reference ``verify`` compares with)
GRAPH_FILE = "reference/graph.pkl"


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(outdir: Path) -> dict[str, str]:
    """Files (relative path -> hash) the marker or an interrupted write's journal lists."""
    listed = {}
    for name in (MARKER, JOURNAL):
        path = outdir / name
        if path.is_file():
            try:
                listed.update(json.loads(path.read_text()).get("files", {}))
            except (ValueError, OSError, AttributeError):
                pass
    return listed


def edited_files(outdir: Path, under: str = "") -> list[str]:
    """Files (under ``under``) that hgq_hls wrote and that changed since, by the marker's hashes."""
    listed = _listed(Path(outdir))
    return sorted(rel for rel, digest in listed.items() if rel.startswith(under)
                  and (Path(outdir) / rel).is_file() and file_hash(Path(outdir) / rel) != digest)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() or p.is_symlink())


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def check_destination(outdir: Path, force: bool, protected=()) -> tuple[dict, list, list]:
    """Raise unless writing a project to ``outdir`` loses nothing; return (ours, foreign, edited).

    ``protected`` paths (the input model) may never lie inside ``outdir``, with or without force.
    """
    outdir = Path(outdir)
    for path in protected:
        if path is not None and _is_within(Path(path), outdir):
            raise ProjectExistsError(f"{outdir} holds the input model {path}; write the project "
                                     "to another directory")
    if outdir.exists() and not outdir.is_dir():
        raise ProjectExistsError(f"{outdir} exists and is not a directory")
    if not outdir.exists():
        return {}, [], []
    ours = _listed(outdir)
    foreign, edited = [], []
    for rel in _files(outdir):
        if rel in (MARKER, JOURNAL):
            continue
        if rel not in ours:
            foreign.append(rel)
        elif file_hash(outdir / rel) != ours[rel]:
            edited.append(rel)
    if (foreign or edited) and not force:
        parts = []
        if foreign:
            parts.append(f"files hgq_hls did not write ({_some(foreign)}); force=True writes the "
                         "project beside them and keeps them")
        if edited:
            parts.append(f"generated files edited since ({_some(edited)}); force=True overwrites them")
        raise ProjectExistsError(f"{outdir} holds " + "; and ".join(parts) +
                                 " (--force on the command line), or choose another directory")
    return ours, foreign, edited


def _some(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # alive, owned by someone else
        pass
    return True


def remove_stale_temporaries(outdir: Path) -> None:
    """Delete temporary folders that killed writes of ``outdir`` left beside it."""
    for prefix in (f".{outdir.name}.tmp-", f".{outdir.name}.old-"):
        for path in outdir.parent.glob(prefix + "*"):
            pid = path.name[len(prefix):].split("-", 1)[0]
            if path.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _temporary(outdir: Path, kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{outdir.name}.{kind}-{os.getpid()}-", dir=outdir.parent))


def _move(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


def _remove_empty_parents(outdir: Path, rel: str) -> None:
    parent = (outdir / rel).parent
    while parent != outdir and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _update_in_place(outdir: Path, tmp: Path, ours: dict, foreign: list, edited: list) -> None:
    """Move the new project's files from ``tmp`` into the existing ``outdir``.

    Files listed as ours and unchanged are replaced or removed; foreign files stay (a
    foreign file where the project writes is kept as ``<name>.orig``); on any error the
    folder is restored as it was.
    """
    new = [rel for rel in _files(tmp) if rel != MARKER]
    manifest = json.loads((tmp / MARKER).read_text())
    journal = {"pid": os.getpid(), "files": {**{r: h for r, h in ours.items() if r not in edited},
                                             **manifest["files"]}}
    trash = _temporary(outdir, "old")
    moved_old, moved_new, kept = [], [], []
    marker = outdir / MARKER
    try:
        (outdir / JOURNAL).write_text(json.dumps(journal))
        if marker.exists():
            _move(marker, trash / MARKER)
        for rel in sorted(ours):
            if rel in edited and rel not in new:
                continue                         # an edited file of ours that is not rewritten stays
            if (outdir / rel).is_file():
                _move(outdir / rel, trash / rel)
                moved_old.append(rel)
        for rel in new:
            if rel in foreign:
                _move(outdir / rel, outdir / (rel + ".orig"))
                kept.append(rel)
            _move(tmp / rel, outdir / rel)
            moved_new.append(rel)
        _move(tmp / MARKER, marker)
    except BaseException:
        for rel in moved_new:
            _move(outdir / rel, tmp / rel)
        for rel in kept:
            _move(outdir / (rel + ".orig"), outdir / rel)
        for rel in moved_old:
            _move(trash / rel, outdir / rel)
        if (trash / MARKER).exists():
            _move(trash / MARKER, marker)
        (outdir / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(trash, ignore_errors=True)
        raise
    (outdir / JOURNAL).unlink(missing_ok=True)
    for rel in moved_old:
        if rel not in new:
            _remove_empty_parents(outdir, rel)
    shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def atomic_project_dir(outdir, force: bool = False, protected=()):
    """Yield a temporary directory; on success its files land in ``outdir`` (see module doc)."""
    outdir = Path(outdir).absolute()
    ours, foreign, edited = check_destination(outdir, force, protected)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(outdir)
    tmp = _temporary(outdir, "tmp")
    try:
        yield tmp
        if outdir.exists():
            _update_in_place(outdir, tmp, ours, foreign, edited)
        else:
            os.chmod(tmp, 0o777 & ~umask())
            tmp.rename(outdir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_marker(folder: Path, manifest: dict) -> None:
    """Write the project marker (the manifest with every file's hash) -- the last file."""
    files = {rel: file_hash(folder / rel) for rel in _files(folder) if rel != MARKER}
    (folder / MARKER).write_text(json.dumps({**manifest, "files": files}, indent=2) + "\n")


def read_marker(folder) -> dict:
    """The manifest of the project in ``folder``; a clear error if it is not a project."""
    path = Path(folder) / MARKER
    if not path.is_file():
        hint = " (an update was interrupted: write it again)" if (Path(folder) / JOURNAL).exists() else ""
        raise FileNotFoundError(f"{folder} is not an hgq_hls project (no {MARKER}){hint}")
    return json.loads(path.read_text())


def write_project(outdir, force: bool, files: dict[str, str], graph, manifest: dict) -> None:
    """Write ``files`` (relative path -> text), the graph and the marker, safely."""
    with atomic_project_dir(outdir, force, protected=[getattr(graph, "source", None)]) as tmp:
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (tmp / GRAPH_FILE).parent.mkdir(parents=True, exist_ok=True)
        (tmp / GRAPH_FILE).write_bytes(pickle.dumps(graph, protocol=4))
        write_marker(tmp, manifest)
