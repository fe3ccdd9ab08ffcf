#!/usr/bin/env bash
# Lists the repository's stacks as JSON for a workflow matrix, from the Pulumi.<stack>.yaml files:
#   stacks.sh envs                  ["dev","prod"]                    (global stacks = environments)
#   stacks.sh layer common          [{"env":"dev","stack":"dev-common"},...]
#   stacks.sh layer service         [{"env":"dev","stack":"dev-backend"},...]
#   stacks.sh touched <base-ref>    ["dev-backend"]   stacks a change touches: a stack's own config file,
#                                   or every stack when shared code or Pulumi.yaml changes.
set -euo pipefail
cd "$(dirname "$0")/../.."

all_stacks() {
  for f in Pulumi.*.yaml; do
    s="${f#Pulumi.}"; s="${s%.yaml}"
    if [[ "$s" =~ ^[a-z][a-z0-9]*(-[a-z0-9-]+)?$ ]]; then echo "$s"; fi
  done | sort
}

layer_of() {
  # The stack's platform:layer, as in its config file.
  sed -nE 's/^[[:space:]]*platform:layer:[[:space:]]*"?([a-z]+)"?.*$/\1/p' "Pulumi.$1.yaml" | head -n1
}

case "${1:-}" in
  envs)
    for s in $(all_stacks); do if [ "$(layer_of "$s")" = global ]; then echo "$s"; fi; done | jq -R . | jq -cs .
    ;;
  layer)
    for s in $(all_stacks); do
      if [ "$(layer_of "$s")" = "$2" ]; then jq -cn --arg env "${s%%-*}" --arg stack "$s" '{env: $env, stack: $stack}'; fi
    done | jq -cs .
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
    echo "usage: $0 envs | layer <global|common|service> | touched <base-ref>" >&2
    exit 2
    ;;
esac
