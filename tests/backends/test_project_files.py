"""File safety of project writes (issue 13): nothing the user made is lost or changed."""

import json
import os
import stat
import subprocess
import sys

import pytest

import hgq_hls as hh
from hgq_hls.backends.project_dir import JOURNAL, MARKER, ProjectExistsError


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_files_the_user_added_are_kept_and_need_force(tiny_graph, tmp_path):
    p = hh.write_hls(tiny_graph, tmp_path / "prj")
    (p.path / "notes.md").write_text("mine")
    (p.path / "myproject_prj" / "solution1").mkdir(parents=True)      # a Vitis run folder
    (p.path / "myproject_prj" / "solution1" / "report.rpt").write_text("hours of synthesis")
    with pytest.raises(ProjectExistsError, match="notes.md") as info:
        hh.write_hls(tiny_graph, p.path, project_name="second")
    assert "report.rpt" in str(info.value)
    hh.write_hls(tiny_graph, p.path, project_name="second", force=True)
    assert (p.path / "notes.md").read_text() == "mine"
    assert (p.path / "myproject_prj" / "solution1" / "report.rpt").read_text() == "hours of synthesis"
    assert (p.path / "firmware" / "second.cpp").exists() and not (p.path / "firmware" / "myproject.cpp").exists()


def test_hand_edited_files_need_force(tiny_graph, tmp_path):
    p = hh.write_hls(tiny_graph, tmp_path / "prj")
    layers = p.path / "firmware" / "layers.h"
    original = layers.read_text()
    layers.write_text(original + "// my tweak\n")
    with pytest.raises(ProjectExistsError, match="edited"):
        hh.write_hls(tiny_graph, p.path)
    assert layers.read_text().endswith("// my tweak\n")
    hh.write_hls(tiny_graph, p.path, force=True)
    assert layers.read_text() == original


def test_a_foreign_file_where_the_project_writes_is_kept_aside(tiny_graph, tmp_path):
    out = tmp_path / "prj"
    (out / "firmware").mkdir(parents=True)
    (out / "firmware" / "layers.h").write_text("my own layers")
    hh.write_hls(tiny_graph, out, force=True)
    assert (out / "firmware" / "layers.h.orig").read_text() == "my own layers"


def test_the_folder_of_the_input_model_is_refused(tiny_onnx_path, tmp_path):
    g = hh.load_onnx(tiny_onnx_path)
    before = _snapshot(tiny_onnx_path.parent)
    for force in (False, True):
        with pytest.raises(ProjectExistsError, match="input model"):
            hh.write_hls(g, tiny_onnx_path.parent, force=force)
        with pytest.raises(ProjectExistsError, match="input model"):
            hh.write_verilog(g, tiny_onnx_path.parent, force=force)
    assert _snapshot(tiny_onnx_path.parent) == before


def test_folder_permissions_are_kept(tiny_graph, tmp_path):
    out = tmp_path / "prj"
    hh.write_hls(tiny_graph, out)
    assert stat.S_IMODE(out.stat().st_mode) != 0o700        # a new folder follows the umask
    os.chmod(out, 0o750)
    hh.write_hls(tiny_graph, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_temporaries_of_killed_writes_are_removed(tiny_graph, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".prj.tmp-{dead.pid}-abc"
    (stale / "firmware").mkdir(parents=True)
    alive = tmp_path / f".prj.tmp-{os.getpid()}-xyz"           # a write running now: left alone
    alive.mkdir()
    hh.write_hls(tiny_graph, tmp_path / "prj")
    assert not stale.exists() and alive.exists()


def test_an_interrupted_update_does_not_look_complete_and_is_recovered(tiny_graph, tmp_path):
    p = hh.write_hls(tiny_graph, tmp_path / "prj")
    # what a kill in the middle of an update leaves: the journal, no marker
    manifest = json.loads((p.path / MARKER).read_text())
    (p.path / JOURNAL).write_text(json.dumps({"pid": 1, "files": manifest["files"]}))
    (p.path / MARKER).unlink()
    with pytest.raises(FileNotFoundError, match="interrupted"):
        hh.HLSProject.open(p.path)
    hh.write_hls(tiny_graph, p.path)                       # its own files: no force needed
    assert (p.path / MARKER).exists() and not (p.path / JOURNAL).exists()


@pytest.mark.parametrize("fail_at", [1, 3, 8, 13, 18, 23, 37])
def test_a_failure_while_moving_files_restores_the_folder(tiny_graph, tmp_path, monkeypatch, fail_at):
    import hgq_hls.backends.project_dir as project_dir

    p = hh.write_hls(tiny_graph, tmp_path / "prj", project_name="first")
    (p.path / "notes.md").write_text("mine")
    before = _snapshot(p.path)
    real, calls = project_dir._move, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(project_dir, "_move", failing)
    with pytest.raises(OSError, match="disk full"):
        hh.write_hls(tiny_graph, p.path, project_name="second", force=True)
    monkeypatch.undo()
    assert _snapshot(p.path) == before and len(calls) >= fail_at
    assert sorted(x.name for x in tmp_path.iterdir()) == ["prj"]
