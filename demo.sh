#!/usr/bin/env bash
# The README's main job: builds otpj and the finance examples, then runs the finance demo
# (a supervised donation system on an embedded database, with injected crashes, ending in a
# reconciliation report). Options go to the demo: ./demo.sh --help
set -euo pipefail
cd "$(dirname "$0")"
. .ci/jdk.sh
echo "demo: building with JDK $JAVA_HOME" >&2
./mvnw -B -q -DskipTests -pl finance-examples -am package
exec "$JAVA_HOME/bin/java" -jar finance-examples/target/otpj-finance-demo.jar "$@"
