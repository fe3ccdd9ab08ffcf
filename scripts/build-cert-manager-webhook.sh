#!/usr/bin/env bash
# Builds the integration suite's local cert-manager webhook (test/integration/cert-manager-webhook:
# cert-manager's own admission chain, served on 127.0.0.1) from the Go module proxy, into
# $CERT_MANAGER_WEBHOOK_HOME/bin (default ~/.cache/cert-manager-webhook). About 3 minutes cold on the
# 2-core machine; skipped (under a second) while the sources it was built from are unchanged.
# Prints the bin folder last.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/integration/cert-manager-webhook" && pwd)
H=${CERT_MANAGER_WEBHOOK_HOME:-$HOME/.cache/cert-manager-webhook}
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null || { echo "build-cert-manager-webhook.sh: go not found (need Go >= 1.26)" >&2; exit 1; }
mkdir -p "$H/bin"
stamp=$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -d' ' -f1)
if [ ! -x "$H/bin/cert-manager-webhook" ] || [ "$(cat "$H/bin/.stamp" 2>/dev/null)" != "$stamp" ]; then
  (cd "$SRC" && GOFLAGS=-buildvcs=false go build -o "$H/bin/cert-manager-webhook" .) >&2
  echo "$stamp" > "$H/bin/.stamp"
fi
echo "$H/bin"
