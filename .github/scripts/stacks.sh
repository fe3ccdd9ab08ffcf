#!/usr/bin/env bash
# Lists the repository's stacks as JSON for a workflow matrix (needs `npm ci` first):
#   stacks.sh envs                     ["dev","prod"]    every environment (each global stack)
#   stacks.sh touched <base-ref>       ["dev-backend"]   the stacks a change touches
#   stacks.sh touched-envs <base-ref>  ["dev"]           the environments of those stacks
# The rules are not here: scripts/stacks.ts takes the layering from layers/layering.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node_modules/.bin/ts-node --transpile-only scripts/stacks.ts "$@"
