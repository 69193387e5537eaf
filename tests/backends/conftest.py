"""Session fixtures: every model of hls_models written as an HLS project and compiled once.

The g++ builds run in parallel (one per core); each test then only simulates.
"""

from concurrent.futures import ThreadPoolExecutor
import os

import pytest

import hgq_hls as hh
from tests.backends.hls_models import MODELS


@pytest.fixture(scope="session")
def model_graphs():
    """name -> graph of every model in MODELS, built once."""
    return {name: fn() for name, fn in MODELS.items()}


def _build_all(root, graphs, io):
    projects = {name: hh.write_hls(g, root / name, io=io) for name, g in graphs.items()}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        errors = dict(zip(projects, pool.map(_compile, projects.values())))
    return {name: (graphs[name], projects[name], errors[name]) for name in graphs}


@pytest.fixture(scope="session")
def hls_builds(tmp_path_factory, model_graphs):
    """name -> (graph, compiled io_parallel HLSProject, compile error or None) for every model in MODELS."""
    return _build_all(tmp_path_factory.mktemp("hls"), model_graphs, "parallel")


@pytest.fixture(scope="session")
def hls_stream_builds(tmp_path_factory, model_graphs):
    """The STREAM_MODELS projects written with io="stream"."""
    from tests.backends.hls_models import STREAM_MODELS

    return _build_all(tmp_path_factory.mktemp("hls_stream"), {n: model_graphs[n] for n in STREAM_MODELS}, "stream")


def _compile(project):
    try:
        project.compile()
    except Exception as exc:  # reported by the test of that model, not by the fixture
        return exc
    return None


def _make_qonnx_model():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "examples" / "tiny_mlp"))
    from make_model import make_qonnx_model

    return make_qonnx_model()


@pytest.fixture(scope="module")
def tiny_graph():
    """The demo's QONNX MLP, imported."""
    return hh.load_onnx(_make_qonnx_model())


@pytest.fixture
def tiny_onnx_path(tmp_path):
    """The demo's QONNX MLP saved as a file in a folder of its own."""
    import onnx

    path = tmp_path / "model_dir" / "tiny.onnx"
    path.parent.mkdir()
    onnx.save(_make_qonnx_model(), str(path))
    return path


def build_simulators(projects: dict) -> dict:
    """name -> the Verilator build error of each RTL project (None when built), built in parallel;
    a failed build is reported by that model's test, not by the fixture."""
    from hgq_hls.backends.verilog.sim import build

    def make(project):
        try:
            build(project.path, project.manifest)
        except Exception as exc:
            return exc
        return None

    with ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) // 2)) as pool:
        return dict(zip(projects, pool.map(make, projects.values())))
