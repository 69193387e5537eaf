"""ap_types header resolution order and its error message."""

import importlib.util

import pytest

from hgq_hls import toolchain
from hgq_hls.toolchain import ToolchainError, ap_types_include


def _fake_headers(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ap_fixed.h").write_text("// fake\n")
    return folder


def test_env_override_comes_first(tmp_path, monkeypatch):
    mine = _fake_headers(tmp_path / "mine")
    _fake_headers(tmp_path / "vitis" / "include")
    monkeypatch.setenv("HGQ_HLS_AP_TYPES", str(mine))
    monkeypatch.setenv("XILINX_HLS", str(tmp_path / "vitis"))
    assert ap_types_include() == mine


def test_env_override_without_headers_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HGQ_HLS_AP_TYPES", str(tmp_path))
    with pytest.raises(ToolchainError, match="does not contain ap_fixed.h"):
        ap_types_include()


def test_vitis_installation_comes_before_the_package(tmp_path, monkeypatch):
    monkeypatch.delenv("HGQ_HLS_AP_TYPES", raising=False)
    vitis = _fake_headers(tmp_path / "vitis" / "include")
    monkeypatch.setenv("XILINX_HLS", str(tmp_path / "vitis"))
    assert ap_types_include() == vitis


def test_pinned_package_is_found_without_importing_it(monkeypatch):
    monkeypatch.delenv("HGQ_HLS_AP_TYPES", raising=False)
    monkeypatch.delenv("XILINX_HLS", raising=False)
    found = ap_types_include()
    assert (found / "ap_fixed.h").is_file()
    assert found.parts[-3:] == ("templates", "vivado", "ap_types")


def test_missing_headers_say_how_to_install(monkeypatch):
    monkeypatch.delenv("HGQ_HLS_AP_TYPES", raising=False)
    monkeypatch.delenv("XILINX_HLS", raising=False)
    real = importlib.util.find_spec
    monkeypatch.setattr(toolchain.importlib.util, "find_spec",
                        lambda name, *a: None if name == "hls4ml" else real(name, *a))
    with pytest.raises(ToolchainError, match=r"pip install --no-deps hls4ml==1\.3\.0"):
        ap_types_include()


def test_missing_compiler_says_how_to_install(monkeypatch):
    monkeypatch.setenv("CXX", "no-such-compiler-xyz")
    with pytest.raises(ToolchainError, match="apt-get install -y g\\+\\+"):
        toolchain.cxx_compiler()
