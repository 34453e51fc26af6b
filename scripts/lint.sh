#!/bin/sh
# make lint: cppcheck on the C sources, shellcheck on the scripts and e2e
# tests, mandoc on the man pages.  Exit non-zero on any finding.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0
cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	--suppress=missingIncludeSystem --suppress=preprocessorErrorDirective --inline-suppr -I common -I build/proto \
	-D__BYTE_ORDER__=1234 -D__ORDER_LITTLE_ENDIAN__=1234 \
	common/*.c cdc-*.c tests/helpers/*.c || rc=1
shellcheck -S warning scripts/*.sh tests/e2e/*.sh || rc=1
mandoc -Tlint -Wwarning man/*.1 man/*.5 || rc=1
[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
