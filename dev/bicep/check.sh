#!/usr/bin/env bash
# Builds and lints every .bicep file under infra/ and refreshes the compiled template infra/main.json.
#
# Fails (exit 1) on any Bicep error or warning (bicep itself exits 0 on warnings, so its output is
# parsed), and when the committed infra/main.json differed from a fresh build: the file is then
# rewritten and must be committed. The comparison ignores metadata._generator (Bicep version and
# templateHash), so only a real change in the template counts as stale.
#
# Which Bicep runs, first found:
#   1. $BICEP (path of a bicep binary);
#   2. in CI (CI=true) with dotnet available: the pinned version from NuGet (see 5), so that CI
#      always compiles with the version infra/main.json was built with;
#   3. bicep on PATH;
#   4. the binary `az bicep` installed (${AZURE_CONFIG_DIR:-~/.azure}/bin/bicep), run directly
#      (never `az bicep ...`, which may try to download or upgrade it);
#   5. the pinned Azure.Bicep.CommandLine.<rid> package restored from NuGet with
#      `dotnet restore dev/bicep/bicep-cli.csproj` into .tools/nuget (its tools/bicep).
# Nothing else is downloaded: builds run with --no-restore and the template uses no registry modules.
#
# Usage: bash dev/bicep/check.sh [--update]
#   --update  rewrite infra/main.json when stale and exit 0 (for developers; CI never passes it).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

update=false
for arg in "$@"; do
  case "$arg" in
    --update) update=true ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "check.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

csproj=dev/bicep/bicep-cli.csproj
pinned_version="$(sed -n 's:.*<BicepVersion[^>]*>\([0-9][0-9.]*\)</BicepVersion>.*:\1:p' "$csproj")"
if [[ -z "$pinned_version" ]]; then
  echo "check.sh: cannot read BicepVersion from $csproj" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bicep_rid() {
  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  case "$os/$arch" in
    Linux/x86_64) echo linux-x64 ;;
    Linux/aarch64 | Linux/arm64) echo linux-arm64 ;;
    Darwin/x86_64) echo osx-x64 ;;
    Darwin/arm64) echo osx-arm64 ;;
    *)
      echo "check.sh: no Bicep CLI package for $os/$arch; set BICEP to a bicep binary" >&2
      return 1
      ;;
  esac
}

# Restores the pinned Bicep CLI from NuGet (once) and prints the path of its binary.
restore_pinned_bicep() {
  local rid packages bin sdk_major
  rid="$(bicep_rid)"
  packages="$repo_root/.tools/nuget"
  bin="$packages/azure.bicep.commandline.$rid/$pinned_version/tools/bicep"
  if [[ ! -f "$bin" ]]; then
    sdk_major="$(dotnet --version | cut -d. -f1)"
    echo "check.sh: restoring Azure.Bicep.CommandLine.$rid $pinned_version from NuGet into .tools/nuget" >&2
    dotnet restore "$csproj" --packages "$packages" \
      -p:BicepTfm="net$sdk_major.0" -p:BicepRid="$rid" -p:BicepVersion="$pinned_version" \
      --nologo --verbosity quiet >&2
  fi
  if [[ ! -f "$bin" ]]; then
    echo "check.sh: restore finished but $bin is missing" >&2
    return 1
  fi
  chmod +x "$bin"
  echo "$bin"
}

find_bicep() {
  local az_bicep="${AZURE_CONFIG_DIR:-$HOME/.azure}/bin/bicep"
  if [[ -n "${BICEP:-}" ]]; then
    echo "$BICEP"
  elif [[ "${CI:-}" == "true" ]] && command -v dotnet >/dev/null 2>&1; then
    restore_pinned_bicep
  elif command -v bicep >/dev/null 2>&1; then
    command -v bicep
  elif [[ -x "$az_bicep" ]]; then
    echo "$az_bicep"
  elif command -v dotnet >/dev/null 2>&1; then
    restore_pinned_bicep
  else
    echo "check.sh: no Bicep CLI: set BICEP, install bicep or 'az bicep install', or install the .NET SDK" >&2
    return 1
  fi
}

started=$SECONDS
bicep="$(find_bicep)" || exit 2
version_line="$("$bicep" --version)"
echo "check.sh: using $bicep ($version_line)"
found_version="$(sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' <<<"$version_line")"

mapfile -t files < <(find infra -name '*.bicep' -type f | LC_ALL=C sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "check.sh: no .bicep file under infra/" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs bicep, echoes its output, and counts the lines that are errors or warnings.
problems=0
run_bicep() {
  local label="$1" output status=0 count
  shift
  output="$("$bicep" "$@" 2>&1)" || status=$?
  [[ -n "$output" ]] && echo "$output"
  count="$(grep -cE '\) : (Error|Warning) ' <<<"$output" || true)"
  if [[ $status -ne 0 && $count -eq 0 ]]; then
    count=1
  fi
  echo "check.sh: $label: exit code $status, $count error(s)/warning(s)"
  problems=$((problems + count))
}

echo "check.sh: ${#files[@]} file(s): ${files[*]}"
run_bicep "build" build --no-restore --pattern 'infra/**/*.bicep' --outdir "$work/build"
run_bicep "lint" lint --no-restore --pattern 'infra/**/*.bicep'

# Advisory, never fails: how old the API versions are (a date-dependent verdict; see infra/bicepconfig.json).
advice="$("$bicep" lint --no-restore --config dev/bicep/bicepconfig.advisory.json --pattern 'infra/**/*.bicep' 2>&1 || true)"
advice="$(grep 'use-recent-api-versions' <<<"$advice" | LC_ALL=C sort -u || true)"
if [[ -n "$advice" ]]; then
  echo "check.sh: advisory (does not fail the check): newer API versions exist"
  sed 's/^/  /' <<<"$advice"
fi

# Is the committed infra/main.json what this template compiles to?
fresh="$work/build/main.json"
committed=infra/main.json
stale=false
if [[ -f "$fresh" ]]; then
  compare_js='
    const fs = require("node:fs");
    const strip = (node) => {
      if (Array.isArray(node)) return node.map(strip);
      if (node && typeof node === "object") {
        const out = {};
        for (const [key, value] of Object.entries(node)) {
          if (key === "_generator") continue;
          out[key] = strip(value);
        }
        return out;
      }
      return node;
    };
    const read = (path) => {
      try { return JSON.stringify(strip(JSON.parse(fs.readFileSync(path, "utf8")))); } catch { return null; }
    };
    process.exit(read(process.argv[1]) !== null && read(process.argv[1]) === read(process.argv[2]) ? 0 : 1);
  '
  compare_py='
import json, sys
def strip(node):
    if isinstance(node, list):
        return [strip(v) for v in node]
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "_generator"}
    return node
def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return strip(json.load(f))
    except (OSError, ValueError):
        return None
a, b = read(sys.argv[1]), read(sys.argv[2])
sys.exit(0 if a is not None and a == b else 1)
'
  if command -v node >/dev/null 2>&1; then
    node -e "$compare_js" "$fresh" "$committed" || stale=true
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c "$compare_py" "$fresh" "$committed" || stale=true
  else
    cmp -s "$fresh" "$committed" || stale=true
  fi
  if $stale; then
    cp "$fresh" "$committed"
    echo "check.sh: infra/main.json was stale (or missing); rewritten from infra/main.bicep: commit it."
    if [[ -n "$found_version" && "$found_version" != "$pinned_version" ]]; then
      echo "check.sh: note: built with Bicep $found_version, CI uses $pinned_version; if the difference is only the" \
        "Bicep version's output, rebuild with the pinned one: BICEP= CI=true bash dev/bicep/check.sh --update"
    fi
  fi
fi

elapsed=$((SECONDS - started))
if [[ $problems -gt 0 ]]; then
  echo "check.sh: FAILED: $problems Bicep error(s)/warning(s) in ${#files[@]} file(s) (${elapsed}s)" >&2
  exit 1
fi
if $stale && ! $update; then
  echo "check.sh: FAILED: infra/main.json did not match infra/main.bicep (${elapsed}s)" >&2
  exit 1
fi
if $stale; then
  echo "check.sh: OK: ${#files[@]} Bicep file(s) build and lint with no error or warning; infra/main.json updated (${elapsed}s)"
else
  echo "check.sh: OK: ${#files[@]} Bicep file(s) build and lint with no error or warning; infra/main.json is current (${elapsed}s)"
fi
