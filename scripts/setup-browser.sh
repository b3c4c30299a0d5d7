#!/usr/bin/env bash
# Makes the browser tests (testkit/browser) runnable on this machine:
# Debian's Chromium, Node.js 20+ and the tests' npm packages (from the
# committed package-lock.json). Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup-browser] %s\n' "$*"; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "installing $* needs root: run 'sudo apt-get install -y $*' and try again" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

chromium=${CHATGW_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  log "Chromium is missing at $chromium: installing Debian's chromium"
  apt_install chromium chromium-driver
fi
log "$("$chromium" --version 2>/dev/null | tail -n1)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "Node.js is missing: installing Debian's nodejs and npm"
  apt_install nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  log "Node.js $(node --version) is too old: playwright-core needs 20 or later (e.g. https://github.com/nodesource/distributions)" >&2
  exit 1
fi

# npm ci installs exactly what the lock file says; again only when the lock
# changed since (npm writes node_modules/.package-lock.json on install).
lock=testkit/browser/package-lock.json
installed=testkit/browser/node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
  log "installing the browser tests' npm packages (npm ci)"
  (cd testkit/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
log "node $(node --version), playwright-core $(node -p 'require("./testkit/browser/node_modules/playwright-core/package.json").version')"
