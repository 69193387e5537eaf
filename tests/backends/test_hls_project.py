"""The HLS project as files: golden text, testbench, overwrite rules, errors, caching, pragmas."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import hgq_hls as hh
from numpy.testing import assert_array_equal
from hgq_hls.backends.hls import CompileError, HLSProject
from hgq_hls.backends.project_dir import MARKER, ProjectExistsError
from hgq_hls.estimate import multiplier_impl
from hgq_hls.toolchain import ap_types_include, cxx_compiler
from tests.backends.hls_models import MODELS
from tests.golden import assert_matches_golden

sys.path.insert(0, str(Path(__file__).parents[2] / "examples" / "tiny_mlp"))
from make_model import make_qonnx_model  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_graph():
    return hh.load_onnx(make_qonnx_model())


@pytest.fixture(scope="module")
def tiny_project(tiny_graph, tmp_path_factory):
    p = hh.write_hls(tiny_graph, tmp_path_factory.mktemp("tiny") / "prj")
    p.compile()
    return p


def test_generated_code_is_pinned(tiny_project):
    firmware = tiny_project.path / "firmware"
    assert_matches_golden("hls_tiny_mlp_layers.h", (firmware / "layers.h").read_text())
    assert_matches_golden("hls_tiny_mlp_top.cpp", (firmware / "myproject.cpp").read_text())
    assert_matches_golden("hls_tiny_mlp_defines.h", (firmware / "defines.h").read_text())


def test_project_has_every_file(tiny_project):
    names = {str(p.relative_to(tiny_project.path)) for p in tiny_project.path.rglob("*") if p.is_file()}
    for name in ["build_prj.tcl", "vivado_synth.tcl", "README.md", "tb_myproject.cpp", MARKER,
                 "tb_data/tb_input.dat", "tb_data/tb_output.dat", "firmware/myproject.h",
                 "firmware/parameters.h", "firmware/weights/quant9.h", "csim/bridge.cpp"]:
        assert name in names
    tcl = (tiny_project.path / "build_prj.tcl").read_text()
    assert "set_part {xcvu9p-flga2104-2-e}" in tcl and "create_clock -period 5.0" in tcl


def _build_testbench(project: HLSProject, tmp_path) -> Path:
    exe = tmp_path / "tb"
    subprocess.run([cxx_compiler(), "-std=c++14", "-O1", "-fno-exceptions", "-w", "-I", str(ap_types_include()),
                    "-I", str(project.path / "firmware"), str(project.path / "tb_myproject.cpp"),
                    str(project.path / "firmware" / "myproject.cpp"), "-o", str(exe)], check=True)
    return exe


def test_cpp_testbench_passes_and_can_fail(tiny_project, tmp_path):
    exe = _build_testbench(tiny_project, tmp_path)
    done = subprocess.run([str(exe)], cwd=tiny_project.path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert "100 samples, 0 mismatching values" in done.stdout
    work = tmp_path / "copy"
    (work / "tb_data").mkdir(parents=True)
    (work / "tb_data" / "tb_input.dat").write_text((tiny_project.path / "tb_data" / "tb_input.dat").read_text())
    lines = (tiny_project.path / "tb_data" / "tb_output.dat").read_text().splitlines()
    first = lines[0].split()
    first[1] = repr(float(first[1]) + 0.03125)                # one expected value off by one lsb
    (work / "tb_data" / "tb_output.dat").write_text("\n".join([" ".join(first)] + lines[1:]) + "\n")
    done = subprocess.run([str(exe)], cwd=work, capture_output=True, text=True)
    assert done.returncode == 1
    assert "MISMATCH sample 0 quant35[1]" in done.stdout and "1 mismatching values" in done.stdout


def test_reopened_project_verifies(tiny_project):
    p = HLSProject.open(tiny_project.path)
    report = p.verify(n=2000, seed=3)
    assert report.ok and report.n_samples == 2000, str(report)
    assert "bit-exact on 2000 samples" in str(report)


def test_verify_reports_the_first_difference(tiny_graph, tmp_path):
    p = hh.write_hls(tiny_graph, tmp_path / "prj")
    header = p.path / "firmware" / "weights" / "quant30.h"
    text = header.read_text()
    # the first bias among the typed literals (what synthesis reads; an edited header is
    # C-simulated as written, not from the mantissas beside it)
    head, literals = text.rsplit("= {\n", 1)
    first = literals.split(",")[0].strip()
    header.write_text(head + "= {\n" + literals.replace(f"    {first},", f"    {float(first) + 0.25!r},", 1))
    p.compile()
    report = p.verify(n=500)
    assert not report.ok
    check = report.outputs[0]
    assert check.n_mismatch > 0 and check.first[1] == 0          # output 0 reads the bias
    assert "MISMATCH" in str(report) and "first at sample" in str(report)


def test_compile_is_cached_by_content(tiny_project):
    lib = tiny_project.compile()
    stamp = lib.stat().st_mtime_ns
    assert HLSProject.open(tiny_project.path).compile() == lib
    assert lib.stat().st_mtime_ns == stamp


def test_compile_errors_carry_the_compiler_message(tiny_graph, tmp_path):
    p = hh.write_hls(tiny_graph, tmp_path / "prj")
    layers = p.path / "firmware" / "layers.h"
    layers.write_text(layers.read_text().replace("acc += p;", "acc += undeclared_name;", 1))
    with pytest.raises(CompileError, match="undeclared_name") as info:
        p.compile()
    assert "layers.h" in str(info.value)


def test_user_files_are_never_overwritten(tiny_graph, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    with pytest.raises(ProjectExistsError, match="force"):
        hh.write_hls(tiny_graph, out)
    assert (out / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]       # no temporary left
    hh.write_hls(tiny_graph, out, force=True)      # force writes beside the user's files
    assert (out / "notes.txt").read_text() == "precious" and (out / MARKER).exists()


def test_a_previous_project_is_replaced(tiny_graph, tmp_path):
    hh.write_hls(tiny_graph, tmp_path / "prj", project_name="first")
    p = hh.write_hls(tiny_graph, tmp_path / "prj", project_name="second")
    assert (p.path / "firmware" / "second.cpp").exists()
    assert not (p.path / "firmware" / "first.cpp").exists()


def test_a_failed_write_leaves_the_old_project(tiny_graph, tmp_path, monkeypatch):
    import hgq_hls.backends.project_dir as project_dir

    hh.write_hls(tiny_graph, tmp_path / "prj", project_name="first")

    def broken(folder, manifest):
        raise OSError("disk full")

    monkeypatch.setattr(project_dir, "write_marker", broken)
    with pytest.raises(OSError, match="disk full"):
        hh.write_hls(tiny_graph, tmp_path / "prj", project_name="second")
    assert (tmp_path / "prj" / "firmware" / "first.cpp").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prj"]
    with pytest.raises(OSError, match="disk full"):
        hh.write_hls(tiny_graph, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_bad_arguments_are_clear_errors(tiny_graph, tmp_path):
    with pytest.raises(ValueError, match="io modes are 'parallel', 'stream'"):
        hh.write_hls(tiny_graph, tmp_path / "a", io="serial")
    with pytest.raises(ValueError, match="C identifier"):
        hh.write_hls(tiny_graph, tmp_path / "b", project_name="my-project")
    sys.path.insert(0, str(Path(__file__).parents[2] / "examples" / "tiny_mlp"))
    from make_model import make_model
    with pytest.raises(hh.InvalidGraphError, match="input_type="):
        hh.write_hls(hh.load_onnx(make_model()), tmp_path / "c")        # untyped float graph
    assert not any(tmp_path.iterdir())


def test_multiplier_rule_and_reuse_factor_pragmas(tmp_path):
    assert multiplier_impl(hh.FixedType(True, 8, 2), hh.FixedType(True, 18, 2)) == "fabric"
    assert multiplier_impl(hh.FixedType(True, 9, 2), hh.FixedType(False, 9, 2)) == "dsp"
    wide = MODELS["wide_accumulator"]()                       # 30-bit inputs x >= 9-bit weights
    assert "impl=dsp" in hh.write_hls(wide, tmp_path / "w").path.joinpath("firmware/layers.h").read_text()
    g = MODELS["qonnx_mixed_mlp"]()
    p = hh.write_hls(g, tmp_path / "rf", reuse_factor=4)
    top = (p.path / "firmware" / "myproject.cpp").read_text()
    layers = (p.path / "firmware" / "layers.h").read_text()
    assert "#pragma HLS PIPELINE II=4" in top
    assert "impl=fabric" in layers and "impl=dsp" not in layers
    assert f"instances=mul limit={math.ceil(6 * 5 / 4)}" in layers
    assert f"instances=mul limit={math.ceil(5 * 3 / 4)}" in layers
    p.compile()
    assert p.verify(n=500).ok                                  # the reuse factor keeps the function


def test_exact_literals_round_trip():
    from fractions import Fraction

    from hgq_hls.backends.hls.writer import exact_literal

    # 9604588881776884 = 2401147220444221 * 2**2 (a Brevitas BatchNorm constant, issue 18): exact
    for m, f in [(-3, 7), (2**52 + 1, 60), (5, -3), (-(2**52) - 1, 0), (2**53, 0), (9604588881776884, 60),
                 (-(2**70), 3)]:
        # the oracle: Python's own parse of the literal, compared as exact rationals
        assert Fraction(float(exact_literal(m, f))) == Fraction(m) / Fraction(2) ** f
    with pytest.raises(ValueError, match="odd part has more than 53 bits"):
        exact_literal(2**53 + 1, 0)


def test_constants_wider_than_a_double_are_written_exactly(tmp_path):
    """A weight header for an 80-bit type with odd parts up to 79 bits, compiled with g++ and
    the ap_types headers, prints exactly the mantissas it was given."""
    from fractions import Fraction

    from hgq_hls.backends.hls.writer import _weight_header
    from hgq_hls.toolchain import ap_types_include, cxx_compiler

    t = hh.FixedType(True, 80, 20)
    mantissas = [0, 1, -1, 2**53 + 1, -(2**53 + 1), 9604588881776884, 2**79 - 1, -(2**79), 3 * 2**60 + 7,
                 -(5 * 2**70 + 2**52 + 3)]
    (tmp_path / "w.h").write_text(_weight_header("w", "w_t", t, (len(mantissas),), mantissas, "test"))
    (tmp_path / "main.cpp").write_text(
        f"#include <cstdio>\n#include <ap_fixed.h>\ntypedef {t.ctype()} w_t;\n#include \"w.h\"\n"
        f"int main() {{ for (int k = 0; k < {len(mantissas)}; ++k) "
        "std::printf(\"%s\\n\", w[k].to_string(10).c_str()); }\n")
    subprocess.run([cxx_compiler(), "-std=c++14", "-w", "-isystem", str(ap_types_include()), "main.cpp", "-o", "main"],
                   cwd=tmp_path, check=True)
    printed = subprocess.run(["./main"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert [Fraction(v) for v in printed] == [Fraction(m, 2 ** t.frac) for m in mantissas]


def test_constants_load_from_mantissas_in_the_csim_build(tmp_path):
    """The C-simulation build reads constants as integer mantissas (-DHGQ_MANTISSA_CONSTANTS):
    the same header, compiled that way and without (the typed literals synthesis reads), holds
    the mantissas it was given (signed, unsigned, 64 bits wide, a negative number of fractional bits)."""
    from hgq_hls.backends.hls.writer import _weight_header
    from hgq_hls.templating import render
    from hgq_hls.toolchain import ap_types_include, cxx_compiler

    (tmp_path / "hgq_util.h").write_text(render("hls/hgq_util.h.j2"))
    for t, mantissas in [(hh.FixedType(True, 64, 20), [0, 1, -1, 2**63 - 1, -(2**63), 9604588881776884]),
                         (hh.FixedType(False, 7, 9), [0, 1, 127, 64]), (hh.FixedType(True, 3, -2), [-4, 3, 0])]:
        (tmp_path / "w.h").write_text(_weight_header("w", "w_t", t, (len(mantissas),), mantissas, "test"))
        (tmp_path / "main.cpp").write_text(
            f"#include <cstdio>\n#include \"hgq_util.h\"\ntypedef {t.ctype()} w_t;\n#include \"w.h\"\n"
            f"int main() {{ for (int k = 0; k < {len(mantissas)}; ++k) "
            "std::printf(\"%lld\\n\", hgq::mantissa(w[k])); }\n")
        for define in ([], ["-DHGQ_MANTISSA_CONSTANTS"]):
            subprocess.run([cxx_compiler(), "-std=c++14", "-w", *define, "-isystem", str(ap_types_include()),
                            "main.cpp", "-o", "main"], cwd=tmp_path, check=True)
            out = subprocess.run(["./main"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
            assert [int(v) for v in out.split()] == mantissas, (t, define)


def test_a_project_with_typed_literal_constants_equals_the_reference(tmp_path):
    """The typed literals (what synthesis and Vitis HLS's C-simulation read) compile and compute
    what hh.predict computes, as the mantissa build does: BatchNorm constants wider than a double."""
    from hgq_hls.backends.hls.csim import build_library
    from hgq_hls.verification import stimulus

    g = MODELS["thresholds_batchnorm_mlp"]()
    p = hh.write_hls(g, tmp_path / "literals")
    (x,) = stimulus(g, 2000, seed=3)
    p.compile()
    assert_array_equal(p.predict(x), hh.predict(g, x))
    p._library = build_library(p.path, p.name, mantissa_constants=False)
    assert_array_equal(p.predict(x), hh.predict(g, x))


def _allocation_limit(project) -> int:
    import re

    text = (project.path / "firmware" / "layers.h").read_text()
    (limit,) = re.findall(r"ALLOCATION operation instances=mul limit=(\d+)", text)
    return int(limit)


def test_allocation_limit_counts_the_multiplications_that_exist(tmp_path):
    """Issue 14: the writer counted pruned weights and padding taps; the estimate did not."""
    from hgq_hls.frontend.onnx.builder import ModelBuilder

    rng = np.random.default_rng(3)
    w = rng.integers(100, 400, (16, 8)) / 256 * rng.choice([-1, 1], (16, 8))
    w[rng.permutation(128).reshape(16, 8) < 64] = 0                         # half pruned
    b = ModelBuilder("pruned")
    y = b.quant(b.node("MatMul", [b.quant("x", 12, 6), b.quant(b.const(w.astype(np.float32)), 12, 8)]), 16, 6)
    g = hh.load_onnx(b.build({"x": ["N", 16]}, y))
    p = hh.write_hls(g, tmp_path / "dense", reuse_factor=4)
    # hand-derived: 64 non-zero weights, each multiplied once, shared 4 times
    assert _allocation_limit(p) == 16
    assert hh.estimate(g, backend="hls", reuse_factor=4).dsp == 16          # 12-bit operands: DSPs

    b = ModelBuilder("padded")
    wc = (rng.integers(1, 8, (2, 1, 3, 3)) / 8).astype(np.float32)
    y = b.node("Conv", [b.quant("x", 8, 4), b.quant(b.const(wc), 4, 3)], pads=[1, 1, 1, 1])
    g = hh.load_onnx(b.build({"x": ["N", 1, 3, 3]}, y))
    p = hh.write_hls(g, tmp_path / "conv", reuse_factor=4)
    # a 3x3 kernel over a padded 3x3 input: taps read data at (2+3+2)^2 = 49 positions,
    # for each of the 2 output channels: 98 products, 25 multipliers (162 counted padding)
    assert _allocation_limit(p) == 25
    row = next(r for r in hh.estimate(g, backend="hls", reuse_factor=4).nodes if r.op == "Conv")
    assert row.detail["multiplications"] == 98
