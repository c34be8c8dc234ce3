#!/usr/bin/env bash
# Build the Linux one-folder bundle dist/AID and run its self-test.
#
#   packaging/build_linux.sh               # use the current Python (or .venv/bin/python)
#   packaging/build_linux.sh --fresh-venv  # build in a new venv: pip install '.[package]'
#
# Environment: PYTHON (interpreter to use), AID_DIST (output folder, default dist),
# AID_BUILD_DIR (PyInstaller work folder, default build/pyinstaller).
# Prints the self-test line, the build time and the bundle size; exits non-zero
# when the build or the self-test fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="${AID_DIST:-dist}"
WORK="${AID_BUILD_DIR:-build/pyinstaller}"

if [[ -n "${PYTHON:-}" ]]; then
    python="$PYTHON"
elif [[ -x .venv/bin/python ]]; then
    python=.venv/bin/python
else
    python="$(command -v python3)"
fi

if [[ "${1:-}" == "--fresh-venv" ]]; then
    venv=build/venv-package
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --upgrade pip
    "$venv/bin/python" -m pip install ".[package]"
    python="$venv/bin/python"
elif [[ -n "${1:-}" ]]; then
    echo "usage: $0 [--fresh-venv]" >&2
    exit 2
fi

"$python" -c "import PyInstaller" 2>/dev/null || {
    echo "PyInstaller is missing: $python -m pip install '.[package]'" >&2
    exit 2
}

start=$(date +%s)
"$python" packaging/make_icons.py >/dev/null
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/aid.spec
seconds=$(( $(date +%s) - start ))

bundle="$DIST/AID"
echo "running $bundle/aid-cli --selftest"
status=0
QT_QPA_PLATFORM=offscreen "$bundle/aid-cli" --selftest || status=$?

echo "build time: $((seconds / 60)) min $((seconds % 60)) s"
echo "bundle size: $(du -sh "$bundle" | cut -f1) ($bundle)"
exit "$status"
