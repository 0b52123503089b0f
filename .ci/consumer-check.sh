#!/usr/bin/env bash
# The consumer check: deploys the published modules to a file repository under target/, checks
# that the BOM manages otpj artifacts only, then builds it/consumer (a user's project outside the
# reactor that imports the BOM) against that repository and runs it on the class path and on the
# module path. Exit code 0 when all holds; non-zero with a line naming the failed step.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/jdk.sh
repo="$PWD/target/otpj-repo"
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
# This version must come from $repo, not from an earlier local install.
rm -rf "$repo" "$HOME"/.m2/repository/io/otpj/*/"$version"

echo "consumer-check: deploying otpj $version to $repo"
./mvnw -B -q -DskipTests -Dmaven.install.skip=true -DaltDeploymentRepository="otpj-it::file://$repo" \
  -pl otpj-bom,core,otpj-test,supervisor,registry,otpj-micrometer,otpj-dashboard,otpj-cluster -am deploy

for m in otpj-parent otpj-bom otpj-core otpj-test otpj-supervisor otpj-registry otpj-micrometer otpj-dashboard otpj-cluster; do
  ls "$repo/io/otpj/$m/$version/"*.pom >/dev/null 2>&1 || { echo "consumer-check: $m was not deployed" >&2; exit 1; }
done
for m in otpj-core otpj-test otpj-supervisor otpj-registry otpj-micrometer otpj-dashboard otpj-cluster; do
  for c in sources javadoc; do
    ls "$repo/io/otpj/$m/$version/"*-"$c".jar >/dev/null 2>&1 || { echo "consumer-check: $m has no -$c.jar" >&2; exit 1; }
  done
done
for m in otpj-finance-examples otpj-benchmarks; do
  [ ! -e "$repo/io/otpj/$m" ] || { echo "consumer-check: $m must not be deployed" >&2; exit 1; }
done

bom=$(ls "$repo/io/otpj/otpj-bom/$version/"*.pom)
if grep -q "<parent>" "$bom"; then echo "consumer-check: the BOM has a parent, so importing it could bring third-party versions" >&2; exit 1; fi
# What an import brings: the BOM's dependencyManagement (its own pluginManagement stays in its build).
others=$(sed -n '/<dependencyManagement>/,/<\/dependencyManagement>/s:.*<groupId>\(.*\)</groupId>.*:\1:p' "$bom" | grep -v '^io\.otpj$' || true)
managed=$(sed -n '/<dependencyManagement>/,/<\/dependencyManagement>/s:.*<artifactId>\(.*\)</artifactId>.*:\1:p' "$bom" | sort | tr '\n' ' ')
[ "$managed" = "otpj-cluster otpj-core otpj-dashboard otpj-micrometer otpj-registry otpj-supervisor otpj-test " ] || { echo "consumer-check: the BOM manages '$managed', not exactly the published modules" >&2; exit 1; }
if [ -n "$others" ]; then echo "consumer-check: the BOM names third-party groups: $others" >&2; exit 1; fi

echo "consumer-check: building it/consumer against the deployed artifacts"
rm -rf it/consumer/target
./mvnw -B -q -f it/consumer/pom.xml -Dotpj.version="$version" -Dotpj.repo="file://$repo" package

cd it/consumer/target
cp="classes:$(ls lib/*.jar | tr '\n' ':')"
"$JAVA_HOME/bin/java" -cp "$cp" com.example.consumer.App
"$JAVA_HOME/bin/java" -p "$cp" -m com.example.consumer/com.example.consumer.App
