#!/bin/sh
# Builds the component and packages it for a gateway: dist/connector.wasm and
# dist/connector.toml with the wasm's sha256 filled in.
set -eu
cd "$(dirname "$0")"
cargo build --release --target wasm32-wasip2
mkdir -p dist
cp target/wasm32-wasip2/release/{{crate_name}}.wasm dist/connector.wasm
if command -v sha256sum >/dev/null 2>&1; then
    sum=$(sha256sum dist/connector.wasm | cut -d ' ' -f 1)
else
    sum=$(shasum -a 256 dist/connector.wasm | cut -d ' ' -f 1)
fi
sed "s/^sha256 = .*/sha256 = \"$sum\"/" connector.toml > dist/connector.toml
echo "dist/connector.wasm  sha256 $sum"
