"""C/Verilog identifiers for graph names, unique and never a keyword."""

from __future__ import annotations

import re

RESERVED = {
    # C++ keywords and names the generated code uses itself
    "auto", "bool", "break", "case", "char", "class", "const", "continue", "default", "delete",
    "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int",
    "long", "namespace", "new", "operator", "private", "public", "register", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "template", "this", "typedef", "union",
    "unsigned", "void", "volatile", "while", "std", "hgq", "main",
    # locals of the layer templates, the testbench and the C-simulation bridge
    "i", "j", "k", "o", "r", "c", "d", "e", "n", "p", "s", "v", "kh", "kw", "oh", "ow", "ih", "iw",
    "acc", "best", "found", "sum", "inside", "src", "base", "top", "inv", "value", "inputs",
    "outputs", "samples", "mismatches", "fin", "fexp", "in", "expected", "in_line", "exp_line",
    # Verilog keywords
    "module", "input", "output", "wire", "reg", "assign", "always", "begin", "end", "endmodule",
    "endcase", "function", "endfunction", "integer", "parameter", "localparam", "initial",
    "posedge", "negedge", "or", "and", "not", "xor", "buf", "time", "event", "valid",
}


#: prefixes the generated code keeps for its own names (layer functions, tables, buffers,
#: io_stream's processes, FIFOs and pixel types, and the RTL top's comb/registered/delayed
#: signals and instances)
GENERATED_PREFIXES = ("layer_", "rom_", "local_", "proc_", "fifo_", "pixel_", "c_", "r_", "d_", "u_")


class Namer:
    """Hands out identifiers: ``name("conv/1:0")`` -> ``conv_1_0``, distinct per source name.

    Without a ``prefix`` (tensor arrays) a name never starts with a generated prefix nor ends
    in ``_t``, so ``<name>_t`` typedefs and ``layer_*`` / ``rom_*`` names cannot collide.
    """

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self._given: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, source: str) -> str:
        if source in self._given:
            return self._given[source]
        base = self.prefix + re.sub(r"[^0-9A-Za-z_]", "_", source).strip("_")
        if not base or base[0].isdigit() or base.lower() in RESERVED or base.startswith("ap_"):
            base = "v_" + base
        if not self.prefix:
            if base.startswith(GENERATED_PREFIXES):
                base = "v_" + base
            if base.endswith("_t"):
                base += "v"
        candidate, k = base, 1
        while candidate in self._taken:
            k += 1
            candidate = f"{base}_{k}"
        self._given[source] = candidate
        self._taken.add(candidate)
        return candidate
