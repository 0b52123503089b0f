# Sourced by .ci/run, demo.sh and the benchmark scripts: exports JAVA_HOME pointing at a JDK 25+
# (the same search as ./mvnw: .mvn/find-jdk25), or stops with a line naming what to install.
JAVA_HOME="$("$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.mvn/find-jdk25")" || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
