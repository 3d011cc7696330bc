#!/usr/bin/env bash
# Builds and tests cleanroom's Spark jar (spark/pom.xml) with every file Maven resolves checked.
#
#   spark/build.sh [MAVEN GOALS...]   default goal: package (compiles, runs the JUnit tests)
#   spark/build.sh --record           rewrites maven-sha256.txt from the local repository
#
# 1. Resolve: `mvn -C dependency:go-offline` (Maven's strict checksum policy: a download whose
#    .sha1 from the repository does not match fails) into an ignored repository of our own,
#    third_party/maven-repo, so nothing from ~/.m2 is used.
# 2. Verify: every .jar and .pom in that repository must be listed in spark/maven-sha256.txt with
#    the same SHA-256; an unlisted or different file fails the build before anything compiles.
# 3. Build offline (-o) from the verified repository.
# The JUnit interop tests run the C++ binary named by CLEANROOM_BINARY.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/.." && pwd)/third_party/maven-repo"
list="${here}/maven-sha256.txt"
mvn=(mvn -B -q -f "${here}/pom.xml" -Dmaven.repo.local="${repo}")

# (-Dcleanroom.resolving: without the Spark API taken from the installed Spark, see pom.xml.)
"${mvn[@]}" -C -Dcleanroom.resolving dependency:go-offline >/dev/null
# Resolved only when a plugin runs, not by go-offline: surefire's JUnit provider and launcher,
# and the plexus-utils that Maven adds to plugins that do not declare it. Fetched here too.
for artifact in org.apache.maven.surefire:surefire-junit-platform:3.5.2 \
  org.junit.platform:junit-platform-launcher:1.9.3 org.codehaus.plexus:plexus-utils:1.1; do
  "${mvn[@]}" -C -Dcleanroom.resolving dependency:get -Dtransitive=true -Dartifact="${artifact}" >/dev/null
done

current() {
  (cd "${repo}" && find . -type f \( -name '*.jar' -o -name '*.pom' \) -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sed 's|  \./|  |')
}

if [ "${1:-}" = "--record" ]; then
  current > "${list}"
  echo "build: recorded $(wc -l < "${list}") files in ${list}"
  exit 0
fi

unexpected="$(LC_ALL=C comm -23 <(current | LC_ALL=C sort) <(LC_ALL=C sort "${list}"))"
if [ -n "${unexpected}" ]; then
  echo "build: files in ${repo} that are not in maven-sha256.txt with that SHA-256:" >&2
  echo "${unexpected}" >&2
  exit 1
fi
# The provided Hadoop jars must be the very jars the installed Spark runs with.
spark_jars="$(cd "${here}/.." && pwd)/third_party/spark/home/jars"
if [ -d "${spark_jars}" ]; then
  for jar in hadoop-client-api hadoop-client-runtime; do
    ours="$(sha256sum "${repo}/org/apache/hadoop/${jar}/3.4.1/${jar}-3.4.1.jar" | cut -d' ' -f1)"
    theirs="$(sha256sum "${spark_jars}/${jar}-3.4.1.jar" | cut -d' ' -f1)"
    [ "${ours}" = "${theirs}" ] || { echo "build: ${jar} differs from Spark's own" >&2; exit 1; }
  done
fi
"${mvn[@]}" -o "${@:-package}"
