#!/bin/sh
# Installs the workspace's dependencies. better-sqlite3 compiles a native addon; where Node's
# own headers are installed (Debian's nodejs puts them under /usr/include/node) node-gyp is
# pointed at them so it never needs to download headers.
set -e
if [ -z "$npm_config_nodedir" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
if [ "$CI" = "true" ]; then
  exec pnpm install --frozen-lockfile
fi
exec pnpm install
