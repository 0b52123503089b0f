#!/usr/bin/env bash
# Paired A/B forks: otpj as of git revision REV (A) against this checkout (B), on the same
# machine in the same run. Each pair is one JMH fork of A and one of B, back to back, in
# alternating order (A B, then B A); the summary is the median of the per-pair ratios B/A with
# a distribution-free 95% interval (io.otpj.benchmarks.Ratios).
#
#   benchmarks/ab.sh REV [--b REV_B] [--pairs N] [--iterations I] [BENCHMARK_REGEX ...]
#
# With --b, B is built from REV_B instead of this checkout.
# Default benchmarks: the call and cast figures (OtpjCall, OtpjCast). Writes the table to
# benchmarks/target/ab/summary.md. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/jdk.sh

if [ $# -lt 1 ]; then
  echo "usage: benchmarks/ab.sh REV [--pairs N] [--iterations I] [BENCHMARK_REGEX ...]" >&2
  exit 2
fi
rev=$1; shift
rev_b=""; pairs=6; iterations=3; benches=()
while [ $# -gt 0 ]; do
  case "$1" in
    --b) rev_b=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --iterations) iterations=$2; shift 2 ;;
    *) benches+=("$1"); shift ;;
  esac
done
[ ${#benches[@]} -gt 0 ] || benches=('io\.otpj\.benchmarks\.OtpjCall\.' 'io\.otpj\.benchmarks\.OtpjCast\.')

work=benchmarks/target/ab
rm -rf "$work"; mkdir -p "$work"
trees=()
trap 'for t in "${trees[@]}"; do git worktree remove --force "$t" >/dev/null 2>&1 || true; rm -rf "$t"; done' EXIT
build_rev() { # REV JAR
  local t; t=$(mktemp -d); trees+=("$t")
  git worktree add --detach "$t" "$1" >/dev/null
  (cd "$t" && ./mvnw -B -q -pl benchmarks -am -DskipTests package)
  cp "$t/benchmarks/target/otpj-benchmarks.jar" "$2"
}
echo "ab: building A = $rev ($(git rev-parse --short "$rev"))"
build_rev "$rev" "$work/A.jar"
if [ -n "$rev_b" ]; then
  echo "ab: building B = $rev_b ($(git rev-parse --short "$rev_b"))"
  build_rev "$rev_b" "$work/B.jar"
  label_b="B ($(git rev-parse --short "$rev_b"))"
else
  echo "ab: building B = this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes'))"
  ./mvnw -B -q -pl benchmarks -am -DskipTests package
  cp benchmarks/target/otpj-benchmarks.jar "$work/B.jar"
  label_b="B"
fi

jvm="-Xms2g -Xmx2g -XX:+UseG1GC --sun-misc-unsafe-memory-access=allow"
for i in $(seq 1 "$pairs"); do
  order="A B"; [ $((i % 2)) -eq 0 ] && order="B A"
  for side in $order; do
    echo "ab: pair $i/$pairs, $side"
    "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -cp "$work/$side.jar" org.openjdk.jmh.Main \
      -f 1 -wi 2 -w 1s -i "$iterations" -r 1s -jvmArgs "$jvm" -rf csv -rff "$work/$side-$i.csv" "${benches[@]}" \
      > "$work/$side-$i.log" 2>&1
  done
done
"$JAVA_HOME/bin/java" -cp "$work/B.jar" io.otpj.benchmarks.Ratios "$work" "A ($(git rev-parse --short "$rev"))" "$label_b" \
  | tee "$work/summary.md"
