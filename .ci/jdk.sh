# Sourced by .ci/run, demo.sh and benchmarks/run.sh: exports JAVA_HOME pointing at a JDK 25+,
# taken from JAVA_HOME when it is one, else searched under /usr/lib/jvm and /opt.
is_jdk25() {
  local home="$1"
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  local v
  v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null
}

if [ -n "${JAVA_HOME:-}" ] && is_jdk25 "$JAVA_HOME"; then
  :
else
  found=""
  for cand in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    if [ -d "$cand" ] && is_jdk25 "$cand"; then found="$cand"; break; fi
  done
  if [ -z "$found" ]; then
    echo "otpj: no JDK 25 found (looked at JAVA_HOME, /usr/lib/jvm and /opt). Install one (e.g. Temurin 25) and set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME="$found"
fi
export PATH="$JAVA_HOME/bin:$PATH"
