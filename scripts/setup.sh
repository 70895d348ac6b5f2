#!/usr/bin/env bash
# Installs what docproc needs and is missing: system packages (as root, with apt-get),
# uv, and the locked Python dependencies into .venv. Idempotent; `make setup` and the
# Dockerfile both run it, so a fresh machine and the image are set up the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser tests (`pytest -m browser`, part of `make test`) drive Debian's build.
SYSTEM_PACKAGES=(time tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-osd chromium dovecot-core dovecot-imapd)

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
# axe-core for the browser tests' accessibility check: outside the tracked files (.cache/ is
# ignored), injected into the pages by tests/browser. Skipped with a note when npm is missing.
if command -v npm >/dev/null; then
  [ -f .cache/axe/node_modules/axe-core/axe.min.js ] \
    || npm install --no-save --silent --prefix .cache/axe axe-core@4 >&2 \
    || echo "setup: could not install axe-core; the accessibility check will be skipped" >&2
else
  echo "setup: npm not found; the browser tests' axe-core check will be skipped" >&2
fi
