#!/usr/bin/env bash
# Installs what the browser tests need (idempotent): Debian's chromium, which playwright-core
# (an npm devDependency) drives headless. Needs root (or sudo) when chromium is missing.
set -euo pipefail
if command -v chromium >/dev/null; then exit 0; fi
SUDO=()
[[ "$(id -u)" == 0 ]] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get install -y --no-install-recommends chromium >&2 || { "${SUDO[@]}" apt-get update >&2 && "${SUDO[@]}" apt-get install -y --no-install-recommends chromium >&2; }
command -v chromium >/dev/null || { echo "install-browser: chromium did not install" >&2; exit 1; }
