#!/usr/bin/env bash
# Runs the integration suite (`npm run test:integration`): the real Pulumi CLI with a file backend,
# a real Kubernetes API server, and Istio's validation at admission. See docs/testing.md "Integration suite".
#
# Uses what it is given:
#   pulumi on PATH (or PULUMI=/path/to/pulumi), with the kubernetes provider plugin on PATH or installed
#   PLATFORM_KUBECONFIG   a cluster the suite may deploy to (kind, EKS, ...)
#   PLATFORM_ISTIOD_URL, PLATFORM_ISTIOD_CA   an istiod outside that cluster (else the cluster must
#                         already validate Istio objects, e.g. Istio installed in it); and, for the common
#                         stack's test, PLATFORM_ISTIOD_INJECT_DIR: the folder that istiod reads its
#                         sidecar-injection template from (the test writes the istiod chart's there);
#                         PLATFORM_ISTIOD_BIN: istiod's binary, for the canary-upgrade test's istiod per
#                         revision (that test is skipped without it)
#   PLATFORM_CERT_MANAGER_WEBHOOK_HOST   <host>:<port> of a cert-manager webhook outside that cluster
#                         (else the cluster's own, from the cert-manager chart the common stack installs)
#   PLATFORM_CERT_MANAGER_ISSUES=1   certificates are really issued on that cluster (a cert-manager
#                         controller runs: kind, EKS, or the suite's local one); then the test waits for them
#   KUBECTL               kubectl (default: kubectl on PATH)
# and sets up whatever is missing from the offline tools in SHARED_DIR (default ../shared, which CI
# has and a user's clone does not): it builds them (cached outside the clone; the first build takes
# about 35 minutes for the engine, the API server and istiod), starts a local kube-apiserver with kwok fake nodes and istiod on 127.0.0.1, and
# stops what it started when it ends. Build and run state: PLATFORM_CI_CACHE (default ~/.cache/platform-ci).
# Arguments are passed to mocha (e.g. --grep dev-payment). With PLATFORM_INTEGRATION_RUN set, that command
# runs in the same set-up instead of the suite, e.g. the real engine's benchmarks:
#   PLATFORM_INTEGRATION_RUN="npm run --silent bench:engine -- --update-docs" scripts/integration.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${SHARED_DIR:-$ROOT/../shared}
CACHE=${PLATFORM_CI_CACHE:-$HOME/.cache/platform-ci}
TOOLS=$SHARED/tools
mkdir -p "$CACHE"

say() { echo "integration: $*" >&2; }
need_tools() {
  [ -d "$TOOLS" ] || { say "$1, and there is no $TOOLS to set it up from; see docs/testing.md \"Integration suite\""; exit 2; }
}
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

build_engine=0; build_k8s=0; build_yaml=0
if [ -z "${PULUMI:-}" ] && ! command -v pulumi >/dev/null; then need_tools "no pulumi on PATH"; build_engine=1; fi
# Pulumi YAML's language host, for the other-languages test (skipped without it): from the Go module
# proxy, not ../shared (scripts/build-yaml-host.sh), when go is there to build it.
if ! command -v pulumi-language-yaml >/dev/null && { command -v go >/dev/null || [ -x /usr/local/go/bin/go ]; }; then
  build_yaml=1
fi
if [ -z "${PLATFORM_KUBECONFIG:-}" ]; then need_tools "PLATFORM_KUBECONFIG is not set"; build_k8s=1; fi

# --- builds, in parallel (each is cached: a re-run takes about a second) ---
t0=$(date +%s); pids=()
if [ "$build_engine" = 1 ]; then
  "$TOOLS/engine/build.sh" > "$CACHE/engine-build.log" 2>&1 & pids+=($!)
fi
if [ "$build_k8s" = 1 ]; then
  ( KWOK=1 "$TOOLS/k8s/build.sh" && "$TOOLS/istiod/build.sh" ) > "$CACHE/k8s-build.log" 2>&1 & pids+=($!)
  "$ROOT/scripts/build-cert-manager-local.sh" > "$CACHE/cert-manager-local-build.log" 2>&1 & pids+=($!)
fi
if [ "$build_yaml" = 1 ]; then
  "$ROOT/scripts/build-yaml-host.sh" > "$CACHE/yaml-host-build.log" 2>&1 & pids+=($!)
fi
for pid in "${pids[@]}"; do
  wait "$pid" || { say "a tool build failed:"; tail -20 "$CACHE"/*-build.log >&2; exit 1; }
done
[ "${#pids[@]}" -gt 0 ] && say "tools built or reused in $(elapsed "$t0")"

if [ "$build_engine" = 1 ]; then
  BIN=$(tail -1 "$CACHE/engine-build.log"); export PATH=$BIN:$PATH
  say "pulumi: $BIN/pulumi ($(pulumi version))"
fi
if [ "$build_yaml" = 1 ]; then
  export PATH=$(tail -1 "$CACHE/yaml-host-build.log"):$PATH
fi

cleanup() {
  for pid in ${CM_WEBHOOK_PID:-} ${CM_CONTROLLER_PID:-}; do kill "$pid" 2>/dev/null || true; done
  # Wait until they are gone, so a next run finds the webhook's port free.
  for pid in ${CM_WEBHOOK_PID:-} ${CM_CONTROLLER_PID:-}; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
  if [ -n "${ISTIOD_PID_FILE:-}" ] && [ -f "$ISTIOD_PID_FILE" ]; then kill "$(cat "$ISTIOD_PID_FILE")" 2>/dev/null || true; fi
  if [ -n "${K8S_DIR:-}" ]; then "$TOOLS/k8s/down.sh" --wipe "$K8S_DIR" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [ "$build_k8s" = 1 ]; then
  t0=$(date +%s)
  # A run directory of the suite's own, over the binaries and kwok stages k8s/build.sh made.
  K8S_BUILT=${K8S_LOCAL_DIR:-$HOME/k8s-local}; K8S_BIN=$K8S_BUILT/bin
  K8S_DIR=$CACHE/k8s; mkdir -p "$K8S_DIR"; ln -sfn "$K8S_BIN" "$K8S_DIR/bin"; ln -sfn "$K8S_BUILT/kwok" "$K8S_DIR/kwok"
  "$TOOLS/k8s/down.sh" --wipe "$K8S_DIR" >/dev/null 2>&1 || true
  # cert-manager's webhook and controllers, as local processes (kwok runs no pods; built by
  # scripts/build-cert-manager-local.sh). The webhook: a CA of the suite's own, made for this run
  # and valid two days, signs its serving certificate for localhost (its key is deleted once it has),
  # and the API server trusts that CA through its system roots (SSL_CERT_FILE, given to the processes
  # of k8s/up.sh: etcd, the API server, kwok): the chart's webhook configurations carry no CA bundle
  # of their own until cert-manager's CA injector fills it in, and that injector is a kwok pod here.
  CM_RUN=$CACHE/cert-manager-run; rm -rf "$CM_RUN"; mkdir -p "$CM_RUN"
  (cd "$CM_RUN" \
    && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
         -subj "/CN=integration cert-manager webhook CA" -keyout ca.key -out ca.crt \
    && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
         -keyout tls.key -out tls.csr \
    && printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > tls.ext \
    && openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile tls.ext -out tls.crt \
    && { cat /etc/ssl/certs/ca-certificates.crt 2>/dev/null || true; cat ca.crt; } > roots.crt \
    && rm -f ca.key ca.srl tls.csr) 2>"$CM_RUN/pki.err" \
    || { say "could not make the cert-manager webhook's certificate:"; cat "$CM_RUN/pki.err" >&2; exit 1; }
  export PLATFORM_KUBECONFIG
  PLATFORM_KUBECONFIG=$(SSL_CERT_FILE=$CM_RUN/roots.crt KWOK=1 "$TOOLS/k8s/up.sh" "$K8S_DIR" 2>"$CACHE/k8s-up.err" | tail -1) || { cat "$CACHE/k8s-up.err" >&2; exit 1; }
  export KUBECTL=$K8S_BIN/kubectl
  # kwok's fake nodes advertise no ephemeral-storage, so pods that request some (ours do) never
  # schedule; a real node (EKS, kind) advertises its root volume: give them what a 100 GiB one has.
  for _ in $(seq 1 60); do
    [ -n "$("$KUBECTL" --kubeconfig "$PLATFORM_KUBECONFIG" get nodes -o name 2>/dev/null)" ] && break; sleep 1
  done
  "$KUBECTL" --kubeconfig "$PLATFORM_KUBECONFIG" wait --for=condition=Ready nodes --all --timeout=60s >/dev/null \
    || { say "the kwok nodes are not Ready (log: $K8S_DIR/run/logs/kwok.log)"; exit 1; }
  for node in $("$KUBECTL" --kubeconfig "$PLATFORM_KUBECONFIG" get nodes -o name); do
    "$KUBECTL" --kubeconfig "$PLATFORM_KUBECONFIG" patch "$node" --subresource=status --type=merge \
      -p '{"status":{"capacity":{"ephemeral-storage":"100Gi"},"allocatable":{"ephemeral-storage":"95Gi"}}}' >/dev/null
  done
  say "API server up in $(elapsed "$t0"): $PLATFORM_KUBECONFIG"
  t0=$(date +%s)
  # istiod reads its sidecar-injection template from ./var/lib/istio/inject when that folder holds one
  # at start, and reloads it when the files change; otherwise only from ConfigMap
  # istio-system/istio-sidecar-injector, and only if it exists at start. The suite starts istiod
  # before any chart has made that ConfigMap, so it starts it on files (injection off until a test
  # writes the istiod chart's template there: PLATFORM_ISTIOD_INJECT_DIR).
  export PLATFORM_ISTIOD_INJECT_DIR=$CACHE/istiod-run/var/lib/istio/inject
  mkdir -p "$PLATFORM_ISTIOD_INJECT_DIR"
  printf 'policy: disabled\n' > "$PLATFORM_ISTIOD_INJECT_DIR/config"
  printf '{}\n' > "$PLATFORM_ISTIOD_INJECT_DIR/values"
  mapfile -t istiod < <(cd "$CACHE/istiod-run" && KUBECTL=$KUBECTL "$TOOLS/istiod/up.sh" "$PLATFORM_KUBECONFIG" "$CACHE/istiod-run")
  [ "${#istiod[@]}" = 3 ] || { say "istiod did not start (log: $CACHE/istiod-run/istiod.log)"; exit 1; }
  export PLATFORM_ISTIOD_URL=${istiod[0]} PLATFORM_ISTIOD_CA=${istiod[1]}; ISTIOD_PID_FILE=${istiod[2]}
  # The same binary, for the tests that run istiod once per control-plane revision (mesh-canary.test.ts).
  export PLATFORM_ISTIOD_BIN=${ISTIOD_HOME:-$HOME/.cache/istiod-local}/bin/pilot-discovery
  say "istiod up in $(elapsed "$t0"): $PLATFORM_ISTIOD_URL"
  # Below Linux's ephemeral range (32768-60999 by default): a port in it can be held as the local end
  # of any outbound connection at the moment the webhook binds, which failed a CI run.
  CM_PORT=${CERT_MANAGER_WEBHOOK_PORT:-26460}
  CM_BIN=$(tail -1 "$CACHE/cert-manager-local-build.log")
  if listening "$CM_PORT"; then
    say "port $CM_PORT (cert-manager webhook) is in use; set CERT_MANAGER_WEBHOOK_PORT to a free one"; exit 1
  fi
  setsid nohup "$CM_BIN/cert-manager-webhook" --kubeconfig "$PLATFORM_KUBECONFIG" --port "$CM_PORT" \
    --tls-cert-file "$CM_RUN/tls.crt" --tls-private-key-file "$CM_RUN/tls.key" > "$CM_RUN/webhook.log" 2>&1 < /dev/null &
  CM_WEBHOOK_PID=$!
  for _ in $(seq 1 30); do listening "$CM_PORT" && break; sleep 1; done
  listening "$CM_PORT" \
    || { say "the cert-manager webhook did not start (log: $CM_RUN/webhook.log)"; exit 1; }
  export PLATFORM_CERT_MANAGER_WEBHOOK_HOST=localhost:$CM_PORT
  # Its controllers for the CA and self-signed issuers, so the certificates are really issued.
  setsid nohup "$CM_BIN/cert-manager-controller" --kubeconfig "$PLATFORM_KUBECONFIG" \
    > "$CM_RUN/controller.log" 2>&1 < /dev/null &
  CM_CONTROLLER_PID=$!
  export PLATFORM_CERT_MANAGER_ISSUES=1
  say "cert-manager webhook up: $PLATFORM_CERT_MANAGER_WEBHOOK_HOST; its controllers beside it (log: $CM_RUN/controller.log)"
fi

cd "$ROOT"
# cert-manager's CRDs, when the cluster lacks them: an exposed service's stack makes a Certificate
# even where no common stack installed cert-manager (the stand-in common stack of the service tests).
K=${KUBECTL:-kubectl}
if ! "$K" --kubeconfig "$PLATFORM_KUBECONFIG" get customresourcedefinition certificates.cert-manager.io >/dev/null 2>&1; then
  "$K" --kubeconfig "$PLATFORM_KUBECONFIG" apply --server-side -f "$ROOT"/test/fixtures/k8s-crds/cert-manager-*/ >/dev/null
  "$K" --kubeconfig "$PLATFORM_KUBECONFIG" wait --for=condition=Established --timeout=60s \
    -f "$ROOT"/test/fixtures/k8s-crds/cert-manager-*/ >/dev/null
  say "cert-manager's CRDs installed (test/fixtures/k8s-crds)"
fi
t0=$(date +%s)
status=0
if [ -n "${PLATFORM_INTEGRATION_RUN:-}" ]; then
  bash -c "$PLATFORM_INTEGRATION_RUN" || status=$?
  say "$PLATFORM_INTEGRATION_RUN ran in $(elapsed "$t0") (exit $status)"
  exit $status
fi
npm run --silent test:integration -- "$@" || status=$?
say "suite ran in $(elapsed "$t0") (exit $status)"
exit $status
