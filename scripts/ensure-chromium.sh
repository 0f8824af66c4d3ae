#!/bin/sh
# The browser tests drive Debian's Chromium through playwright-core (no browser download).
# Installs it with apt-get when it is missing and we may; otherwise says what to do.
set -e
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM: install Debian's 'chromium' package (or set CHROMIUM_PATH)." >&2
exit 1
