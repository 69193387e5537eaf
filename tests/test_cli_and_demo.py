"""The command line and the bundled demo, run as a user would run them."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hgq_hls.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_quantize_command(capsys):
    assert main(["quantize", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>", "0.3", "-1.7", "100"]) == 0
    out = capsys.readouterr().out
    # hand-derived: lsb 1/32; 0.3 -> 10/32, -1.7 -> -54/32, 100 saturates to 127/32
    assert "mantissa 10" in out and "mantissa -54" in out and "mantissa 127" in out


def test_bad_type_is_a_clear_error(capsys):
    assert main(["quantize", "ap_fixed<8>", "1"]) == 2
    assert "cannot parse 'ap_fixed<8>'" in capsys.readouterr().err


def test_doctor_finds_the_toolchain_the_setup_installs(capsys):
    assert main(["doctor"]) == 0, capsys.readouterr().out
    assert "[missing]" not in capsys.readouterr().out


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("hgq-hls")
    done = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "quantize" in done.stdout


@pytest.mark.slow
def test_demo_runs_and_verifies(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hh.predict == qonnx executor: 10000/10000 samples bit-exact" in done.stdout
    assert done.stdout.count("C-simulation vs hh.predict: bit-exact on 10000 samples") == 2
    assert "RTL simulation vs hh.predict: bit-exact on 10000 samples" in done.stdout
    assert "hgq_hls estimate, backend=verilog" in done.stdout and "latency 2 cycle(s), II 1" in done.stdout


def test_show_prints_the_typed_graph(tmp_path, capsys):
    import onnx

    from tests.frontend.qonnx_models import mixed_mlp

    path = tmp_path / "m.onnx"
    onnx.save(mixed_mlp(), path)
    assert main(["show", str(path)]) == 0
    assert "ap_fixed<16,7> *" in capsys.readouterr().out


def test_show_reports_unsupported_models(tmp_path, capsys):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Softplus", ["x"], ["y"], name="e")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    path = tmp_path / "bad.onnx"
    onnx.save(helper.make_model(graph), path)
    assert main(["show", str(path)]) == 2
    assert "node 'e' (Softplus)" in capsys.readouterr().err


def test_convert_then_verify(tmp_path, capsys):
    import onnx

    from tests.frontend.qonnx_models import mixed_mlp

    path = tmp_path / "m.onnx"
    onnx.save(mixed_mlp(), path)
    out = tmp_path / "prj"
    assert main(["convert", str(path), "-o", str(out), "--project-name", "jets", "--reuse-factor", "2"]) == 0
    assert "wrote the Vitis HLS project" in capsys.readouterr().out
    assert (out / "firmware" / "jets.cpp").exists()
    assert main(["verify", str(out), "--n", "3000"]) == 0
    assert "jets: C-simulation vs hh.predict: bit-exact on 3000 samples" in capsys.readouterr().out


def test_convert_stream_then_verify_and_estimate(tmp_path, capsys):
    import onnx

    from tests.frontend.qonnx_models import mixed_mlp

    path = tmp_path / "m.onnx"
    onnx.save(mixed_mlp(), path)
    out = tmp_path / "prj"
    assert main(["convert", str(path), "-o", str(out), "--io", "stream"]) == 0
    assert "io_stream, 1 cycle(s) per pixel" in capsys.readouterr().out
    assert "#pragma HLS DATAFLOW" in (out / "firmware" / "myproject.cpp").read_text()
    assert main(["verify", str(out), "--n", "1000"]) == 0
    assert "bit-exact on 1000 samples" in capsys.readouterr().out
    assert main(["estimate", str(path), "--backend", "hls", "--io", "stream"]) == 0
    assert "backend=hls, io=stream" in capsys.readouterr().out


def test_convert_refuses_a_directory_with_user_files(tmp_path, capsys):
    import onnx

    from tests.frontend.qonnx_models import mixed_mlp

    path = tmp_path / "m.onnx"
    onnx.save(mixed_mlp(), path)
    out = tmp_path / "prj"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["convert", str(path), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"
    assert main(["convert", str(path), "-o", str(out), "--force"]) == 0
    assert (out / "keep.txt").read_text() == "mine"                 # force writes beside it


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_convert_into_the_folder_of_the_model_is_refused(tmp_path, capsys, monkeypatch):
    import onnx

    from tests.frontend.qonnx_models import mixed_mlp

    onnx.save(mixed_mlp(), tmp_path / "m.onnx")
    (tmp_path / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    for backend in ("hls", "verilog"):
        assert main(["convert", "m.onnx", "-o", ".", "--force", "--backend", backend]) == 2
        assert "holds the input model" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before


def test_cli_errors_name_flags_not_keywords(tmp_path, capsys):
    import onnx

    from tests.frontend.qonnx_models import mixed_mlp

    onnx.save(mixed_mlp(), tmp_path / "m.onnx")
    cases = [
        (["convert", "m.onnx", "-o", "a", "--backend", "verilog", "--reuse-factor", "4"], "--reuse-factor"),
        (["convert", "m.onnx", "-o", "b", "--pipeline", "none"], "--pipeline: applies to --backend verilog"),
        (["convert", "m.onnx", "-o", "c", "--clock-ns", "nan"], "--clock-ns: must be a positive"),
        (["convert", "m.onnx", "-o", "d", "--clock-ns", "-1"], "--clock-ns"),
        (["convert", "m.onnx", "-o", "e", "--project-name", "class"], "--project-name"),
        (["convert", "m.onnx", "-o", "f", "--reuse-factor", "0"], "--reuse-factor: must be a positive"),
        (["show", "m.onnx", "--input-type", "int8"], "--input-type"),
        (["estimate", "m.onnx", "--target", "nope"], "--target"),
        (["convert", "m.onnx", "-o", "a", "--backend", "verilog", "--io", "stream", "--pipeline", "none"],
         "--pipeline: applies to --io parallel"),
        (["estimate", "m.onnx", "--reuse-factor", "2"], "--reuse-factor: the Verilog backend is fully parallel"),
    ]
    for argv, words in cases:
        argv = [a if a != "m.onnx" else str(tmp_path / "m.onnx") for a in argv]
        argv = [str(tmp_path / a) if a in "abcdef" and len(a) == 1 else a for a in argv]
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and "=:" not in err, (argv, err)
    assert not any((tmp_path / d).exists() for d in "abcdef")


def test_untyped_input_error_names_the_flag(tmp_path, capsys):
    import onnx

    from tests.frontend.qonnx_models import ModelBuilder

    b = ModelBuilder()
    y = b.node("Gemm", ["x", b.quant(b.const(np.ones((3, 2), np.float32)), 4, 2)])
    onnx.save(b.build({"x": ["N", 3]}, y), tmp_path / "m.onnx")
    assert main(["show", str(tmp_path / "m.onnx")]) == 2
    assert "pass --input-type" in capsys.readouterr().err


def test_version_and_garbage_model(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and "hgq-hls 0." in capsys.readouterr().out
    (tmp_path / "junk.onnx").write_text("definitely not protobuf\n")
    assert main(["show", str(tmp_path / "junk.onnx")]) == 2
    err = capsys.readouterr().err
    assert "is not an ONNX model" in err and err.count("\n") == 1


def test_verify_of_a_folder_that_is_not_a_project(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "is not an hgq_hls project" in capsys.readouterr().err
