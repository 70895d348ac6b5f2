#!/usr/bin/env bash
# Installs what docproc needs and is missing: system packages (as root, with apt-get),
# uv, and the locked Python dependencies into .venv. Idempotent; `make setup` and the
# Dockerfile both run it, so a fresh machine and the image are set up the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra)
[ "${DOCPROC_SETUP_BROWSER:-0}" = "1" ] && SYSTEM_PACKAGES+=(chromium)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: please run: sudo apt-get install -y ${missing[*]}" >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install -q uv >&2
fi
# Compiled at install: PYTHONDONTWRITEBYTECODE may be set, and recompiling PyMuPDF's bindings
# on every start costs ~0.6 s of `docproc extract`'s start-up.
.venv/bin/uv pip sync -q --compile-bytecode --python .venv/bin/python --require-hashes requirements.lock
.venv/bin/uv pip install -q --python .venv/bin/python --no-deps --no-build-isolation -e . 2>/dev/null \
  || .venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
.venv/bin/python -m compileall -q -j 0 models extractors service >/dev/null || true
