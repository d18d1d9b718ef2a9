#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the browser tests, only when missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser: chromium and chromium-driver are missing and this user cannot install them;" >&2
    echo "install-browser: run 'apt-get install chromium chromium-driver' as root." >&2
    exit 1
  fi
fi
echo "install-browser: installing Debian chromium and chromium-driver" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
chromium --version
