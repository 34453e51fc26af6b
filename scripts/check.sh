#!/bin/sh
# Run every test layer and end with one line "N passed, N failed" (all layers).
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p build
pass=0 fail=0

if [ "${CDC_VALGRIND:-0}" = 1 ]; then
	UNIT="valgrind -q --error-exitcode=99 --leak-check=full build/unit-tests"
else
	UNIT=build/unit-tests
fi
$UNIT >build/unit.log 2>&1
urc=$?
cat build/unit.log
up=$(grep -c '^ok ' build/unit.log)
uf=$(grep -c '^not ok ' build/unit.log)
[ "$urc" -ne 0 ] && [ "$uf" -eq 0 ] && uf=1
pass=$((pass + up)) fail=$((fail + uf))

prove -v tests/e2e/[0-9]*.sh >build/e2e.log 2>&1
erc=$?
grep -v '^ok ' build/e2e.log | grep -v '^# ' || true
ep=$(grep -c '^ok ' build/e2e.log)
ef=$(grep -c '^not ok ' build/e2e.log)
[ "$erc" -ne 0 ] && [ "$ef" -eq 0 ] && ef=1
pass=$((pass + ep)) fail=$((fail + ef))

echo "unit: $up passed, $uf failed; e2e: $ep passed, $ef failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
