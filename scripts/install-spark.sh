#!/usr/bin/env bash
# Installs Apache Spark for cleanroom's Spark engine into third_party/spark/ (ignored by git).
#
# Spark comes from the Python package index as pyspark, pinned to one exact version with its
# SHA-256 (spark/requirements-spark.txt, installed with pip's --require-hashes: any other
# bytes are refused), into a virtual environment of its own. Java 17 comes from the machine.
# Idempotent: a completed install (its stamp names the requirements file's hash) is left alone.
# Prints nothing but errors and one line; SPARK_HOME is third_party/spark/home.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="${root}/spark/requirements-spark.txt"
build_requirements="${root}/spark/requirements-build.txt"
dest="${root}/third_party/spark"
venv="${dest}/venv"
stamp="${dest}/installed"

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" != "17" ]; then
  echo "install-spark: Java 17 is required (openjdk-17-jre-headless); found: $(java_major || true)" >&2
  exit 1
fi

want="$(cat "${requirements}" "${build_requirements}" | sha256sum | cut -d' ' -f1)"
if [ -f "${stamp}" ] && [ "$(cat "${stamp}")" = "${want}" ] && [ -x "${dest}/home/bin/spark-submit" ]; then
  echo "install-spark: Spark already installed in ${dest}/home"
  exit 0
fi

rm -rf "${venv}" "${dest}/home" "${stamp}"
mkdir -p "${dest}/download"
python3 -m venv "${venv}"
# Download first (hash-checked), then install from those files only: no index at install time.
# pyspark is a source distribution; it is built with the pinned setuptools and wheel installed
# first (--no-build-isolation), so pip fetches no unpinned build dependencies.
pip_quiet=(--quiet --disable-pip-version-check --require-hashes --no-deps)
for r in "${build_requirements}" "${requirements}"; do
  "${venv}/bin/pip" download "${pip_quiet[@]}" -r "${r}" -d "${dest}/download"
  "${venv}/bin/pip" install "${pip_quiet[@]}" --no-index --find-links "${dest}/download" \
    --no-build-isolation -r "${r}"
done
site="$("${venv}/bin/python" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')"
ln -sfn "${site}" "${dest}/home"
[ -x "${dest}/home/bin/spark-submit" ] || { echo "install-spark: spark-submit missing" >&2; exit 1; }
echo "${want}" > "${stamp}"
echo "install-spark: Spark $("${venv}/bin/python" -c 'import pyspark; print(pyspark.__version__)') installed in ${dest}/home"
