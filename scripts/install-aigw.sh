#!/usr/bin/env bash
# Installs aigw for the GitHub Action: a release archive for this runner's OS and architecture,
# verified against the release's SHA256SUMS before it is used, cached in the runner tool cache
# (@actions/tool-cache layout: $RUNNER_TOOL_CACHE/aigw/<version>/<arch>/ + <arch>.complete);
# or, with AIGW_BUILD_FROM_SOURCE=true, built from the action's own source with cargo.
#
# Inputs (environment): AIGW_VERSION, AIGW_BUILD_FROM_SOURCE, AIGW_ACTION_PATH,
# AIGW_RELEASE_REPOSITORY (owner/repo), AIGW_RELEASE_BASE_URL (overrides the download location,
# e.g. a mirror), RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH.
# Output: `path` (the aigw executable) in $GITHUB_OUTPUT; its directory is added to $GITHUB_PATH.
set -euo pipefail

fail() { echo "::error title=aigw install::$*" >&2; exit 1; }

version="${AIGW_VERSION:-}"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || fail "version '${AIGW_VERSION:-}' is not a release version like 0.1.0"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64)   target=x86_64-unknown-linux-musl;  arch=x64;   exe=aigw ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl; arch=arm64; exe=aigw ;;
  macOS/X64)   target=x86_64-apple-darwin;        arch=x64;   exe=aigw ;;
  macOS/ARM64) target=aarch64-apple-darwin;       arch=arm64; exe=aigw ;;
  Windows/X64) target=x86_64-pc-windows-msvc;     arch=x64;   exe=aigw.exe ;;
  *) fail "no aigw build for RUNNER_OS=${RUNNER_OS:-?} RUNNER_ARCH=${RUNNER_ARCH:-?}; set build-from-source: true" ;;
esac

publish() {
  local path="$1"
  echo "path=$path" >> "${GITHUB_OUTPUT:-/dev/null}"
  dirname "$path" >> "${GITHUB_PATH:-/dev/null}"
  echo "aigw $("$path" --version 2>/dev/null | awk '{print $2}') ready at $path"
}

if [[ "${AIGW_BUILD_FROM_SOURCE:-false}" == "true" ]]; then
  command -v cargo >/dev/null || fail "build-from-source needs a Rust toolchain (cargo) on the runner"
  root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/aigw-source-build"
  # The binary is the workspace member crates/aigw-cli; --locked builds with the workspace's Cargo.lock.
  cargo install --locked --path "${AIGW_ACTION_PATH:?}/crates/aigw-cli" --root "$root" >&2
  publish "$root/bin/$exe"
  exit 0
fi

cache="${RUNNER_TOOL_CACHE:?RUNNER_TOOL_CACHE is not set}/aigw/$version/$arch"
if [[ -f "$cache.complete" && -x "$cache/$exe" ]]; then
  publish "$cache/$exe"
  exit 0
fi

base="${AIGW_RELEASE_BASE_URL:-https://github.com/${AIGW_RELEASE_REPOSITORY:?AIGW_RELEASE_REPOSITORY is not set}/releases/download/v$version}"
asset="aigw-$version-$target.tar.gz"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/aigw-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# https only (file: for a local mirror), redirects included: release assets redirect to a CDN.
fetch() { curl --fail --silent --show-error --location --retry 3 --proto '=https,file' --proto-redir '=https' -o "$1" "$2"; }
fetch "$work/$asset" "$base/$asset" || fail "cannot download $base/$asset"
fetch "$work/SHA256SUMS" "$base/SHA256SUMS" || fail "cannot download $base/SHA256SUMS"

expected="$(awk -v a="$asset" '$2 == a || $2 == "*"a { print $1 }' "$work/SHA256SUMS")"
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "SHA256SUMS has no checksum for $asset"
if command -v sha256sum >/dev/null; then
  actual="$(sha256sum "$work/$asset" | awk '{print $1}')"
else
  actual="$(shasum -a 256 "$work/$asset" | awk '{print $1}')"
fi
[[ "$actual" == "$expected" ]] || fail "checksum mismatch for $asset: expected $expected, got $actual; refusing to run it"

rm -rf "$cache" "$cache.complete"
mkdir -p "$cache"
# GNU tar (Git Bash on Windows) reads "D:\..." as a remote host unless told otherwise, as
# @actions/tool-cache does.
tar_local=()
[[ "$RUNNER_OS" == Windows ]] && tar_local=(--force-local)
tar ${tar_local[@]+"${tar_local[@]}"} -xzf "$work/$asset" -C "$cache"
[[ -f "$cache/$exe" ]] || fail "$asset does not contain $exe"
chmod +x "$cache/$exe"
touch "$cache.complete"
publish "$cache/$exe"
