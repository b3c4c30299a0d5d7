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

# Each file is written beside its place and renamed over it, and left alone
# when unchanged: tests in other processes load dist/ while another test's
# build runs (a plain `cp` truncates first, and one read an empty wasm).
replace() { # new-file destination
  chmod 644 "$1"
  if cmp -s "$1" "$2"; then rm -f "$1"; else mv -f "$1" "$2"; fi
}
for name in "${names[@]}"; do
  dist="$name/dist"
  mkdir -p "$dist"
  wasm=$(mktemp "$dist/.connector.wasm.XXXXXX")
  cp "target/wasm32-wasip2/release/chatgw_connector_${name//-/_}.wasm" "$wasm"
  sum=$(sha256sum "$wasm" | cut -d ' ' -f 1)
  manifest=$(mktemp "$dist/.connector.toml.XXXXXX")
  sed "s/^sha256 = .*/sha256 = \"$sum\"/" "$name/connector.toml" > "$manifest"
  replace "$wasm" "$dist/connector.wasm"
  replace "$manifest" "$dist/connector.toml"
  echo "$dist/connector.wasm  sha256 $sum"
done
