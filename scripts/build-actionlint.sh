#!/usr/bin/env bash
# Builds actionlint (github.com/rhysd/actionlint, the linter of GitHub workflow files) from the Go
# module proxy into a cache outside the clone, and prints the binary's path:
#   $PLATFORM_CI_CACHE/actionlint/actionlint   (PLATFORM_CI_CACHE defaults to ~/.cache/platform-ci)
# test/workflows.test.ts runs it over .github/workflows when it finds it (ACTIONLINT=<binary>, PATH,
# or that cache); CI (.ci/run) builds it first and requires it. Idempotent: a binary of the version
# asked for is kept (about a second); cold, about a minute on 2 cores. Needs Go (1.24 or later).
set -euo pipefail
VERSION=${ACTIONLINT_VERSION:-v1.7.12}
CACHE=${PLATFORM_CI_CACHE:-$HOME/.cache/platform-ci}
DIR=$CACHE/actionlint
BIN=$DIR/actionlint
if [ -x "$BIN" ] && [ "$(cat "$DIR/version" 2>/dev/null)" = "$VERSION" ]; then
  echo "$BIN"
  exit 0
fi
if ! command -v go >/dev/null; then
  if [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; else
    echo "build-actionlint.sh: go not found (needed to build actionlint $VERSION from the Go module proxy)" >&2
    exit 1
  fi
fi
mkdir -p "$DIR"
GOBIN=$DIR go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION" >&2
echo "$VERSION" > "$DIR/version"
echo "$BIN"
