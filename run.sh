#!/usr/bin/env bash
# Installs what is missing, builds, and starts the orchestrator on the embedded defaults (SQLite,
# in-process jobs, mail to a pickup folder) with the demo program, at http://127.0.0.1:5080.
# Extra arguments go to the orchestrator, e.g. ./run.sh --urls http://127.0.0.1:5081
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_build_prerequisites
echo "Building..."
dotnet build src/Midrc.Orchestrator -c Release -nologo -v quiet -clp:ErrorsOnly
echo "Starting Midrc.Orchestrator (at http://127.0.0.1:5080 unless --urls says otherwise; data in ./data; Ctrl+C to stop)"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
exec dotnet src/Midrc.Orchestrator/bin/Release/net10.0/Midrc.Orchestrator.dll "$@"
