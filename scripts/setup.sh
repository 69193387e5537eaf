#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment: everything the demo and the test
# suite need comes from here, nothing from hand installs.  Idempotent: a venv whose stamp
# matches pyproject.toml and this script is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-test}
# hls4ml 1.3.0 ships the open-source Xilinx ap_types headers (Apache-2.0) that C-simulation
# compiles against; its own dependencies are not needed for the headers, hence --no-deps.
AP_TYPES_PACKAGE="hls4ml==1.3.0"

missing=()
for tool in g++ make; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: missing system tools: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get install -y build-essential" >&2
  exit 1
fi

pick_python() {
  for py in ${PYTHON:-} python3.11 python3.12 python3.10 python3; do
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "error: hgq_hls needs Python >= 3.10 (e.g. sudo apt-get install -y python3 python3-venv)" >&2
  return 1
}

# the compiled core (hgq_hls/lowering/_cse.cpp) is built by the install: its source is in the stamp
stamp_value=$(cat pyproject.toml scripts/setup.sh hgq_hls/lowering/*.cpp | sha256sum | cut -c1-16)-$EXTRAS
stamp_file="$VENV/.hgq_hls_setup"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_value" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  py=$(pick_python)
  echo "creating $VENV with $py"
  "$py" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip
echo "installing hgq_hls[$EXTRAS] into $VENV"
"${pip[@]}" install -e ".[$EXTRAS]"
echo "installing the ap_types headers ($AP_TYPES_PACKAGE, headers only)"
"${pip[@]}" install --no-deps "$AP_TYPES_PACKAGE"
"$VENV/bin/python" -c "import hgq_hls.toolchain as t; print('ap_types headers:', t.ap_types_include())"
echo "$stamp_value" > "$stamp_file"
