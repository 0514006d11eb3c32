#!/usr/bin/env bash
# The whole test suite: unit, WebSocket, transport and real-browser tests.
# Installs what the tests drive (Debian's chromium, chromium-driver, firefox-esr, coturn,
# whose turnserver the relay test starts on loopback, and ffmpeg, whose ffprobe checks recordings) when missing,
# runs `mvn verify` on every module, then prints one summary line of all test reports.
# Extra arguments go to Maven, e.g. `bash conf/test.sh -o` to build offline.
# The console shows, module by module, each test class with its counts and every failure with
# its message; what a test class printed (its log lines included, at WARN unless
# CHORUS_TEST_LOG_LEVEL says otherwise) is in <module>/target/{surefire,failsafe}-reports/<class>-output.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# Driven over WebDriver BiDi, no geckodriver (Debian has none): web's *FirefoxIT tests.
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
[ -x /usr/bin/turnserver ] || missing+=(coturn)
# ffmpeg encodes real VP8/Opus frames for the recorder's tests, and ffprobe checks the WebM files it writes.
{ command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; } || missing+=(ffmpeg)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]} with apt-get"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  # apt's and dpkg's progress goes to a file, shown only if the install fails.
  apt_log=$(mktemp)
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; } \
    >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    echo "test.sh: apt-get could not install ${missing[*]}" >&2
    exit 1
  fi
  rm -f "$apt_log"
  # The relay test runs its own coturn through conf/coturn-loopback.sh; it does not use
  # the packaged service or /etc/turnserver.conf.
fi

status=0
# The summary below must count only this run's reports. `clean` alone is not enough: a module the
# build never reaches (an earlier one failed) keeps the reports of an older run.
rm -rf {*,*/*}/target/surefire-reports {*,*/*}/target/failsafe-reports
# -ntp: no download progress. The shade plugin's one line per bundled jar is also left out.
mvn -B -ntp -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugins.shade=warn clean verify "$@" || status=$?

# One line over every module's surefire and failsafe reports, so the total is plain
# even when Maven's own per-module lines scroll by (sfu/testkit sits one folder deeper).
passed=0 failed=0 skipped=0 failing=()
for report in {*,*/*}/target/surefire-reports/TEST-*.xml {*,*/*}/target/failsafe-reports/TEST-*.xml; do
  [ -f "$report" ] || continue
  head=$(grep -m1 -o '<testsuite [^>]*>' "$report" || true)
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$head"; }
  t=$(attr tests); f=$(attr failures); e=$(attr errors); s=$(attr skipped)
  t=${t:-0} f=${f:-0} e=${e:-0} s=${s:-0}
  passed=$((passed + t - f - e - s)); failed=$((failed + f + e)); skipped=$((skipped + s))
  if ((f + e)); then
    class=$(basename "$report" .xml); class=${class#TEST-}
    dir=$(dirname "$report")
    out="$dir/$class-output.txt"
    [ -f "$out" ] || out="(printed nothing)"
    failing+=("$class: $dir/$class.txt, output $out")
  fi
done
echo
# Where the suite's minutes go (it must stay under 15 on CI's two cores): the slowest test methods.
echo "Slowest tests (seconds):"
for report in {*,*/*}/target/surefire-reports/TEST-*.xml {*,*/*}/target/failsafe-reports/TEST-*.xml; do
  if [ -f "$report" ]; then grep -o '<testcase [^>]*>' "$report" || true; fi
done | sed -nE 's/.* name="([^"]*)" classname="([^"]*)" time="([0-9.]+)".*/\3 \2.\1/p' \
  | sed -E 's/ [a-z0-9.]*\.([A-Z])/ \1/' | sort -rn | awk 'NR <= 15 {printf "  %7.1f  %s\n", $1, $2}'
if ((${#failing[@]})); then
  echo "Failed test classes: report with stack traces, and what the class printed (its logs):"
  printf '  %s\n' "${failing[@]}"
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
exit "$status"
