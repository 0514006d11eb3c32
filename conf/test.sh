#!/usr/bin/env bash
# The whole test suite: unit, WebSocket, transport and real-browser tests.
# Installs what the tests drive (Debian's chromium, chromium-driver and coturn, whose
# turnserver the relay test starts on loopback) when missing,
# runs `mvn verify` on every module, then prints one summary line of all test reports.
# Extra arguments go to Maven, e.g. `bash conf/test.sh -o` to build offline.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ -x /usr/bin/turnserver ] || missing+=(coturn)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]} with apt-get"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  # The relay test runs its own coturn through conf/coturn-loopback.sh; it does not use
  # the packaged service or /etc/turnserver.conf.
fi

status=0
# clean: the summary below must count only this run's reports.
mvn -B clean verify "$@" || status=$?

# One line over every module's surefire and failsafe reports, so the total is plain
# even when Maven's own per-module lines scroll by (sfu/testkit sits one folder deeper).
passed=0 failed=0 skipped=0
for report in {*,*/*}/target/surefire-reports/TEST-*.xml {*,*/*}/target/failsafe-reports/TEST-*.xml; do
  [ -f "$report" ] || continue
  head=$(grep -m1 -o '<testsuite [^>]*>' "$report" || true)
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$head"; }
  t=$(attr tests); f=$(attr failures); e=$(attr errors); s=$(attr skipped)
  t=${t:-0} f=${f:-0} e=${e:-0} s=${s:-0}
  passed=$((passed + t - f - e - s)); failed=$((failed + f + e)); skipped=$((skipped + s))
done
echo
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
exit "$status"
