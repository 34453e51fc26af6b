#!/bin/sh
# Install what `make check` and `make demo` need from Debian, only if missing.
# Idempotent and silent when everything is present.
set -eu
PKGS="build-essential pkg-config librdkafka-dev libprotobuf-c-dev protobuf-c-compiler
libmsgpack-dev libjansson-dev libcurl4-openssl-dev kcat perl python3 mandoc procps"

missing=""
need() { missing="$missing $1"; }
for pc in rdkafka libprotobuf-c msgpack jansson libcurl; do
	pkg-config --exists "$pc" 2>/dev/null || { need "$pc"; break; }
done
for cmd in cc make pkg-config protoc-c kcat prove mandoc /usr/bin/python3 pkill; do
	command -v "$cmd" >/dev/null 2>&1 || need "$cmd"
done
[ -z "$missing" ] && exit 0

echo "install-deps: missing:$missing; installing Debian packages" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PKGS >&2
