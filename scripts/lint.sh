#!/bin/sh
# make lint: cppcheck on the C sources, shellcheck on the scripts and e2e
# tests, mandoc on the man pages, clang-format (.clang-format encodes the
# house style) on the C sources.  Exit non-zero on any finding; clang-format
# findings count only with LINT_FORMAT=1 (the code predates .clang-format and
# clang-format cannot keep our split string literals), else they are a
# summary line.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0
cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	--suppress=missingIncludeSystem --suppress=preprocessorErrorDirective --inline-suppr -I common -I build/proto \
	-D__BYTE_ORDER__=1234 -D__ORDER_LITTLE_ENDIAN__=1234 \
	common/*.c cdc-*.c tests/helpers/*.c tests/helpers/preload/*.c || rc=1
shellcheck -S warning scripts/*.sh tests/e2e/*.sh || rc=1
mandoc -Tlint -Wwarning man/*.1 man/*.5 || rc=1

if command -v clang-format >/dev/null 2>&1; then
	nf=0 nbad=0 nfind=0
	for f in common/*.[ch] cdc-*.c tests/helpers/*.c tests/helpers/preload/*.c \
	    tests/unit/*.[ch]; do
		nf=$((nf + 1))
		n=$(clang-format --dry-run "$f" 2>&1 | grep -c 'warning:')
		[ "$n" -eq 0 ] && continue
		nbad=$((nbad + 1)) nfind=$((nfind + n))
		if [ "${LINT_FORMAT:-0}" = 1 ]; then
			clang-format --dry-run -Werror "$f" 2>&1 | head -20
			rc=1
		fi
	done
	echo "clang-format: $nfind findings in $nbad of $nf files" \
		"$( [ "${LINT_FORMAT:-0}" = 1 ] || echo '(advisory; LINT_FORMAT=1 enforces)')"
else
	echo "clang-format: not installed, skipped"
fi
[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
