#!/usr/bin/env bash
# Installs the Debian packages the tests need (headless Chromium, PostgreSQL, Redis for the
# multi-replica tests) and the HAProxy edge `make run` puts in front of the web front, when
# missing. With arguments (e.g. `haproxy`), only those are considered.
set -eu
wanted=" ${*:-chromium postgresql haproxy redis-server} "
missing=()
if [[ $wanted == *" chromium "* ]]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [[ $wanted == *" postgresql "* ]]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
if [[ $wanted == *" haproxy "* ]]; then
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
fi
if [[ $wanted == *" redis-server "* ]]; then
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
