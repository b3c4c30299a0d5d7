#!/usr/bin/env bash
# Builds the WebAssembly plugins the tests load, before the tests start:
# the test guests (plugins/guests: well-behaved, hostile, SQL, webhook...) and
# the example third-party connector (examples/plugins/lookbook-connector).
# The tests build them on demand too; doing it here first keeps that out of
# any single test's time limit.
set -euo pipefail
cd "$(dirname "$0")/.."
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET RUSTFLAGS CARGO_ENCODED_RUSTFLAGS

( cd plugins/guests && cargo build --release --target wasm32-wasip2 --target-dir target )
sh examples/plugins/lookbook-connector/build.sh
