#!/usr/bin/env bash
# Executes report.ipynb headless on a demo report directory and fails if any cell fails.
#   notebooks/run.sh [REPORT_DIR] [OUT_DIR]     report: $MRF_REPORT_DIR or ../mrf-demo (repo root)
#   notebooks/run.sh --sample [OUT_DIR]          on a small fabricated report (make_sample_report.py)
# Writes OUT_DIR/report.ipynb (executed, with outputs) and OUT_DIR/report.html; OUT_DIR defaults
# to notebooks/out. Uses the system Python (/usr/bin/python3; override with MRF_PYTHON) because
# its Debian packages provide nbconvert, ipykernel, numpy, pandas and matplotlib.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${MRF_PYTHON:-/usr/bin/python3}"
sample=0
if [[ ${1:-} == --sample ]]; then
  sample=1
  shift
fi
if ((sample)); then
  report=""
  out="${1:-$here/out}"
else
  report="${1:-${MRF_REPORT_DIR:-$here/../mrf-demo}}"
  out="${2:-$here/out}"
fi

if ! "$py" -c 'import nbconvert, ipykernel, numpy, pandas, matplotlib' 2>/dev/null; then
  echo "run.sh: $py lacks nbconvert/ipykernel/numpy/pandas/matplotlib; on Debian/Ubuntu:" >&2
  echo "  apt-get install -y jupyter-nbconvert python3-nbconvert python3-ipykernel python3-matplotlib python3-pandas python3-numpy" >&2
  exit 3
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ((sample)); then
  report="$tmp/sample-report"
  "$py" "$here/make_sample_report.py" "$report"
fi
if [[ ! -d $report ]]; then
  echo "run.sh: no report directory at $report (run 'bin/mrf demo --out DIR' or pass --sample)" >&2
  exit 2
fi
report="$(cd "$report" && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

export MRF_REPORT_DIR="$report"
export MPLBACKEND=Agg
export PYDEVD_DISABLE_FILE_VALIDATION=1
export MPLCONFIGDIR="${MPLCONFIGDIR:-$tmp/mpl}"
echo "run.sh: executing report.ipynb on $report" >&2
cd "$here"
# nbconvert exits non-zero when a cell raises (allow_errors is off by default).
"$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
  --ExecutePreprocessor.kernel_name=python3 --output-dir "$out" report.ipynb
"$py" -m nbconvert --to html --output-dir "$out" "$out/report.ipynb"
echo "run.sh: wrote $out/report.ipynb and $out/report.html" >&2
