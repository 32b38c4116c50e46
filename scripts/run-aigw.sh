#!/usr/bin/env bash
# Runs aigw for the GitHub Action. Inputs arrive as environment variables (never interpolated into
# this script's text), and become one argument each.
set -euo pipefail

fail() { echo "::error title=aigw::$*" >&2; exit 2; }

case "${INPUT_COMMAND:-}" in
  validate|plan|deploy) ;;
  *) fail "command must be validate, plan or deploy (got '${INPUT_COMMAND:-}')" ;;
esac
[[ -n "${INPUT_PARAMS:-}" ]] || fail "params is required"

args=("$INPUT_COMMAND" --params "$INPUT_PARAMS")
if [[ "$INPUT_COMMAND" != validate ]]; then
  [[ -n "${INPUT_SUBSCRIPTION_ID:-}" ]] && args+=(--subscription-id "$INPUT_SUBSCRIPTION_ID")
  [[ -n "${INPUT_ARM_ENDPOINT:-}" ]] && args+=(--arm-endpoint "$INPUT_ARM_ENDPOINT")
fi
if [[ "$INPUT_COMMAND" == plan && "${INPUT_PR_COMMENT:-true}" != true ]]; then
  args+=(--no-pr-comment)
fi
if [[ "$INPUT_COMMAND" == deploy && -n "${INPUT_GITHUB_DEPLOYMENT:-}" ]]; then
  args+=(--github-deployment "$INPUT_GITHUB_DEPLOYMENT")
fi
if [[ -n "${INPUT_ARGS:-}" ]]; then
  # Split on whitespace and line breaks only: no globbing, no quotes, no expansion.
  set -f
  read -r -d '' -a extra <<< "$INPUT_ARGS" || true
  set +f
  args+=(${extra[@]+"${extra[@]}"})
fi

exec "${AIGW_BIN:-aigw}" "${args[@]}"
