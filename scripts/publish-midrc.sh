#!/usr/bin/env bash
# Publishes the midrc command a site installs: the native midrc (verify and its workers compiled ahead of time) in
# OUT, and the managed midrc it hands every other command to in OUT/lib. Usage: scripts/publish-midrc.sh [OUT]
# (default: artifacts/midrc). Needs what ./run.sh installs (the .NET SDK, g++, libgdcm-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-artifacts/midrc}")
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
dotnet publish src/Midrc.Cli.Native -c Release -r "$rid" -o "$out" -nologo -v quiet -clp:ErrorsOnly
dotnet publish src/Midrc.Cli -c Release -o "$out/lib" -nologo -v quiet -clp:ErrorsOnly
echo "midrc published to $out: run $out/midrc"
