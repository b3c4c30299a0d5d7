#!/usr/bin/env bash
# Builds the connector plugins (connectors/*, one wasm32-wasip2 workspace)
# and packages each as a third party would: connectors/<name>/dist/
# connector.wasm and connector.toml with the wasm's sha256 filled in.
# `build-connectors.sh shopify` builds one.
set -euo pipefail
cd "$(dirname "$0")/../connectors"
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET RUSTFLAGS CARGO_ENCODED_RUSTFLAGS

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for manifest in */connector.toml; do names+=("$(dirname "$manifest")"); done
fi
packages=()
for name in "${names[@]}"; do packages+=(-p "chatgw-connector-$name"); done
cargo build --release --target wasm32-wasip2 --target-dir target "${packages[@]}"

for name in "${names[@]}"; do
  dist="$name/dist"
  mkdir -p "$dist"
  cp "target/wasm32-wasip2/release/chatgw_connector_${name//-/_}.wasm" "$dist/connector.wasm"
  sum=$(sha256sum "$dist/connector.wasm" | cut -d ' ' -f 1)
  sed "s/^sha256 = .*/sha256 = \"$sum\"/" "$name/connector.toml" > "$dist/connector.toml"
  echo "$dist/connector.wasm  sha256 $sum"
done
