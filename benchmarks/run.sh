#!/usr/bin/env bash
# The README's benchmark command: builds otpj core and the benchmarks, then runs the suite.
#
#   benchmarks/run.sh            quick mode (default): a few minutes, writes docs/benchmarks.md
#   benchmarks/run.sh --full     proper forks and iterations (half an hour and more)
#   benchmarks/run.sh --smoke    tiny iterations: checks the suite runs end to end, writes no report
#   benchmarks/run.sh --prof-gc  adds JMH's GC profiler (allocation per operation) to the report
#   benchmarks/run.sh --out FILE | --no-docs    where the report goes
#   benchmarks/run.sh --ratios   paired forks otpj ÷ peer with intervals (about 10 minutes; options:
#                                --budget SECONDS, --min-pairs N, --max-pairs N, --only TEXT,
#                                --out FILE, --no-docs); writes its section of docs/benchmarks.md
#
# Run it on an otherwise idle machine: the figures are sensitive to other load.
set -euo pipefail
cd "$(dirname "$0")/.."

. .ci/jdk.sh
echo "benchmarks: using JDK at $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"

# Builds the benchmarks and what they depend on (core, the parent POM) from this checkout.
./mvnw -B -q -pl benchmarks -am -DskipTests package

# JMH runs inside this JVM too, and JMH 1.37 calls sun.misc.Unsafe: the flag only silences
# JDK 25's warning about it (see docs/benchmarks.md).
exec "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -jar benchmarks/target/otpj-benchmarks.jar "$@"
