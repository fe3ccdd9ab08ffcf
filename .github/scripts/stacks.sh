#!/usr/bin/env bash
# Lists the repository's stacks as JSON for a workflow matrix (needs `npm ci` first):
#   stacks.sh envs                             ["dev","prod"]    every environment (each global stack)
#   stacks.sh envs-with <ref>                  ["dev","qa"]      the environments of this tree and of <ref>'s
#   stacks.sh changed <diff.json>...           ["dev-backend"]   the stacks whose plan changes (plan --diff --json)
#   stacks.sh changed-envs <diff.json>...      ["dev"]           the environments of those stacks
#   stacks.sh preview-envs <diff.json>...      ["dev"]           those of them that are not production
# The rules are not here: scripts/stacks.ts takes the layering from layers/layering.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node_modules/.bin/ts-node --transpile-only scripts/stacks.ts "$@"
