#!/usr/bin/env bash
# Builds the integration suite's local cert-manager processes (test/integration/cert-manager-local:
# cert-manager's own admission webhook, served on 127.0.0.1, and its controllers for the CA and
# self-signed issuers) from the Go module proxy, into $CERT_MANAGER_LOCAL_HOME/bin (default
# ~/.cache/cert-manager-local). About 3 minutes cold on the 2-core machine; skipped (under a second)
# while the sources they were built from are unchanged. Prints the bin folder last.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/integration/cert-manager-local" && pwd)
H=${CERT_MANAGER_LOCAL_HOME:-$HOME/.cache/cert-manager-local}
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null || { echo "build-cert-manager-local.sh: go not found (need Go >= 1.26)" >&2; exit 1; }
mkdir -p "$H/bin"
stamp=$(cd "$SRC" && cat go.mod go.sum webhook/main.go controller/main.go process/process.go | sha256sum | cut -d' ' -f1)
if [ ! -x "$H/bin/cert-manager-webhook" ] || [ ! -x "$H/bin/cert-manager-controller" ] \
   || [ "$(cat "$H/bin/.stamp" 2>/dev/null)" != "$stamp" ]; then
  (cd "$SRC" && GOFLAGS=-buildvcs=false go build -o "$H/bin/cert-manager-webhook" ./webhook \
     && GOFLAGS=-buildvcs=false go build -o "$H/bin/cert-manager-controller" ./controller) >&2
  echo "$stamp" > "$H/bin/.stamp"
fi
echo "$H/bin"
