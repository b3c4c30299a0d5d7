#!/usr/bin/env bash
# Runs every test of the workspace against the real services: PostgreSQL
# with pgvector and Redis (started, and pgvector built, when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-services.sh
if [ -x scripts/build-guests.sh ]; then
  bash scripts/build-guests.sh
fi
# The SDK is its own crate (plugin authors depend on it alone): its unit
# tests run on the host target, in its own target folder.
cargo test --quiet --manifest-path sdk/rust/Cargo.toml
exec cargo nextest run --workspace --no-fail-fast "$@"
