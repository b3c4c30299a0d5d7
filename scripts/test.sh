#!/usr/bin/env bash
# Runs every test of the workspace against the real services: PostgreSQL
# with pgvector and Redis (started, and pgvector built, when missing), then
# the browser tests of the widget and the agent console in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-services.sh
# The e5-small model file the embedder tests read (gateway/tests/e5_embedder.rs),
# downloaded once with pinned hashes, so tests need no network.
bash scripts/setup-models.sh
# Chromium, Node.js and the browser tests' npm packages (testkit/browser).
bash scripts/setup-browser.sh
# The test plugins build for WebAssembly components; on a fresh machine the
# target is not there yet (rust-toolchain.toml names it, but rustup may be
# told not to install on its own).
if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  rustup target add wasm32-wasip2
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install cargo-nextest --locked
fi
if [ -x scripts/build-guests.sh ]; then
  bash scripts/build-guests.sh
fi
# The shipped connectors (connectors/*), packaged with their manifests.
bash scripts/build-connectors.sh
# The SDK is its own crate (plugin authors depend on it alone): its unit
# tests run on the host target, in its own target folder.
cargo test --quiet --manifest-path sdk/rust/Cargo.toml
# So are the shipped connectors: their mapping code's unit tests.
cargo test --quiet --manifest-path connectors/Cargo.toml
status=0
cargo nextest run --workspace --no-fail-fast "$@" || status=$?
# The storefront widget and the agent console in Chromium, against the
# gateway binary (`chatgw demo`).
cargo build --quiet -p chatgw
node testkit/browser/run.mjs || status=$?
exit "$status"
