#!/usr/bin/env bash
# Builds Pulumi YAML's language host (pulumi-language-yaml) from its Go module
# github.com/pulumi/pulumi-yaml at $PULUMI_YAML_VERSION (default v1.25.0, the one the Go module proxy
# serves), into $PULUMI_YAML_HOME/bin (default ~/.cache/pulumi-yaml-host), outside the clone. The
# integration suite puts that folder on PATH so the Pulumi CLI finds the host as an ambient plugin for
# the YAML example (examples/yaml-service). Cold: about 20 minutes on a shared 2-core machine (it
# compiles its own pulumi/pkg); afterwards skipped in under a second while the version is unchanged.
# Prints the bin folder last.
set -euo pipefail
VERSION=${PULUMI_YAML_VERSION:-v1.25.0}
H=${PULUMI_YAML_HOME:-$HOME/.cache/pulumi-yaml-host}
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null || { echo "build-yaml-host.sh: go not found (need Go >= 1.24)" >&2; exit 1; }
mkdir -p "$H/bin"
if [ ! -x "$H/bin/pulumi-language-yaml" ] || [ "$(cat "$H/bin/.stamp" 2>/dev/null)" != "$VERSION" ]; then
  # `go install module@version` builds exactly the module's own go.mod (it has no replace directive).
  GOBIN="$H/bin" GOFLAGS=-buildvcs=false go install -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=${VERSION#v}" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$VERSION" >&2
  echo "$VERSION" > "$H/bin/.stamp"
fi
echo "$H/bin"
