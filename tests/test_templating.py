"""Templates ship with the package, render strictly, and produce C++ that g++ accepts."""

import subprocess
import sys
import zipfile

import jinja2
import pytest

from hgq_hls import FixedType
from hgq_hls.templating import render, template_names
from hgq_hls.toolchain import ap_types_include, cxx_compiler

from .golden import assert_matches_golden

TYPES = [("input_t", FixedType(True, 8, 3)),
         ("acc_t", FixedType(True, 13, 5, "RND", "SAT")),
         ("relu_t", FixedType(False, 6, -1, "RND_CONV", "SAT_SYM"))]


def test_templates_are_found_through_importlib_resources():
    assert "hls/defines.h.j2" in template_names()


def test_defines_header_golden():
    assert_matches_golden("defines.h", render("hls/defines.h.j2", guard="DEFINES_H", types=TYPES))


def test_missing_variable_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        render("hls/defines.h.j2", types=TYPES)


@pytest.mark.slow
def test_rendered_typedefs_compile_with_the_real_headers(tmp_path):
    header = tmp_path / "defines.h"
    header.write_text(render("hls/defines.h.j2", guard="DEFINES_H", types=TYPES))
    main = tmp_path / "main.cpp"
    main.write_text('#include "defines.h"\n#include <cstdio>\n'
                    "int main() { acc_t a = 100.0; relu_t r = -1.0;"
                    ' std::printf("%g %g\\n", a.to_double(), r.to_double()); }\n')
    exe = tmp_path / "main"
    subprocess.run([cxx_compiler(), "-std=c++14", "-w", "-isystem", str(ap_types_include()),
                    str(main), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    # acc_t saturates at 2^4 - 2^-8; relu_t (unsigned) saturates negatives to 0
    assert out == ["15.9961", "0"]


@pytest.mark.slow
def test_templates_ship_inside_the_wheel(tmp_path):
    """A non-editable install (a built wheel) still finds the templates and the target files."""
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path / "dist"), str(root)], check=True)
    wheel = next((tmp_path / "dist").glob("hgq_hls-*.whl"))
    assert "hgq_hls/templates/hls/defines.h.j2" in zipfile.ZipFile(wheel).namelist()
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True)
    probe = ("import hgq_hls.templating as t; print(t.__file__); "
             "print(t.template_names()); "
             "from hgq_hls.estimate import load_target; print(sorted(load_target('xcvu9p').sources('verilog')))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(target)}).stdout
    assert str(target) in out and "hls/defines.h.j2" in out and "hls/layers/dense.h.j2" in out
    assert "lut.adder_bits" in out           # the estimator's coefficient files ship too
