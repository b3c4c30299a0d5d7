#!/usr/bin/env bash
# Runs every test of the workspace against the real services: PostgreSQL
# with pgvector and Redis (started, and pgvector built, when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-services.sh
if [ -x scripts/build-guests.sh ]; then
  bash scripts/build-guests.sh
fi
exec cargo nextest run --workspace --no-fail-fast "$@"
