#!/usr/bin/env bash
# Installs what the tests need (GDCM binding, PostgreSQL, Chromium, pydicom and DCMTK as independent
# DICOM oracles), starts a throwaway PostgreSQL on loopback, runs every test project, stops PostgreSQL,
# and ends with one line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_build_prerequisites
ensure_packages postgresql python3-pydicom python3-numpy dcmtk chromium orthanc orthanc-dicomweb

work=$(mktemp -d /tmp/midrc-test.XXXXXX)
chmod 755 "$work"  # the PostgreSQL server runs as the postgres user
results="$work/results"
mkdir -p "$results"
source scripts/throwaway-postgres.sh
start_postgres "$work/pg"
trap 'stop_postgres "$work/pg"; rm -rf "$work"' EXIT

echo "Building..."
dotnet build Midrc.Orchestrator.sln -c Release -nologo -v quiet -clp:ErrorsOnly
echo "Publishing the native midrc (compiled ahead of time)..."
scripts/publish-midrc.sh "$work/midrc"
export MIDRC_NATIVE="$work/midrc/midrc"

crashed=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "Running $name..."
  if ! dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false; then
    # A failing test already counts in the TRX; a host that died before writing one must count too.
    [ -f "$results/$name.trx" ] || crashed=$((crashed + 1))
  fi
done

python3 scripts/count-tests.py "$results" "$crashed"
