#!/usr/bin/env bash
# Shared by run.sh and test.sh: install what is missing, quickly skip what is there.
# Debian/Ubuntu only; every step is idempotent.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PKG...: installs the Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]} (Debian packages)..."
  if [ -z "${MIDRC_APT_UPDATED:-}" ]; then
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
    export MIDRC_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is needed and was not found on PATH. Install it (https://dot.net) and run this again." >&2
    exit 2
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

# The GDCM C# binding (the DICOM toolkit the curation library reads files with).
ensure_runtime_packages() {
  ensure_packages libgdcm-cil
}

# The header reader's native walk (src/Midrc.Curation/Native) is compiled by the build against GDCM's C++ headers.
ensure_native_build_tools() {
  ensure_packages libgdcm-dev g++
}

# Node and npm: the build installs the pages' front-end packages (src/Midrc.Orchestrator/package.json) with npm ci.
ensure_node() {
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
}

# What building and running the orchestrator needs, for run.sh and test.sh alike.
ensure_build_prerequisites() {
  ensure_dotnet
  ensure_runtime_packages
  ensure_native_build_tools
  ensure_node
  dotnet tool restore >/dev/null
}
