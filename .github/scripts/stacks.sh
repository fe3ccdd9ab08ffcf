#!/usr/bin/env bash
# Lists the repository's stacks as JSON for a workflow matrix, from the Pulumi.<stack>.yaml files:
#   stacks.sh envs                  ["dev","prod"]    environments: stacks named without a '-' (global)
#   stacks.sh touched <base-ref>    ["dev-backend"]   stacks a change touches: a stack's own config file,
#                                   or every stack when shared code or Pulumi.yaml changes.
# The order of the layers is not here: `npm run env` takes it from infra/layers.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."

all_stacks() {
  for f in Pulumi.*.yaml; do
    s="${f#Pulumi.}"; s="${s%.yaml}"
    if [[ "$s" =~ ^[a-z][a-z0-9]*(-[a-z0-9-]+)?$ ]]; then echo "$s"; fi
  done | sort
}

case "${1:-}" in
  envs)
    for s in $(all_stacks); do if [[ "$s" != *-* ]]; then echo "$s"; fi; done | jq -R . | jq -cs .
    ;;
  touched)
    changed="$(git diff --name-only "$2"...HEAD)"
    if [ -z "$changed" ]; then
      true
    elif grep -qvE '^(Pulumi\.[^/]+\.yaml|docs/.*|README\.md|\.github/.*)$' <<<"$changed" || grep -qx 'Pulumi.yaml' <<<"$changed"; then
      all_stacks   # code, dependencies or project config changed: every stack may change
    else
      sed -nE 's/^Pulumi\.([^/]+)\.yaml$/\1/p' <<<"$changed" | while read -r s; do if [ -f "Pulumi.$s.yaml" ]; then echo "$s"; fi; done
    fi | sort -u | jq -R . | jq -cs .
    ;;
  *)
    echo "usage: $0 envs | touched <base-ref>" >&2
    exit 2
    ;;
esac
