// Command ambient-oracle checks the rows of a plan's access matrix whose target runs in Istio's
// ambient data plane against what istiod itself gives the proxies that enforce them.
//
// The plan is loaded into Istio's in-process discovery server (istio.io/istio/pilot/test/xds) with
// its ambient index on (PILOT_ENABLE_AMBIENT=true). For each row:
//   - the path is Istio's: an ambient caller's ztunnel sends to the target Service's waypoint when
//     the ambient index gives the Service one; a sidecar or gateway caller goes where the endpoints
//     istiod builds for its outbound cluster point (the waypoint's address, or the pods');
//   - at the waypoint, the request meets the Envoy RBAC filters istiod builds for the waypoint's
//     listener of that Service (evaluated with Envoy's RBAC semantics, rbac.go);
//   - at each target pod, ztunnel meets the policies istiod's ambient index converts for ztunnel
//     (its own translation of AuthorizationPolicy and PeerAuthentication) and binds to the pod,
//     evaluated with ztunnel's semantics (ztunnel.go), the peer being the caller or the waypoint.
//
// Usage: PILOT_ENABLE_AMBIENT=true ambient-oracle PLAN_DIR ENV TARGET...
// (reads PLAN_DIR/ENV/access.json and PLAN_DIR/ENV-*/manifests.yaml; judges the rows whose `to`
// is one of TARGET). Output: one line per row (`agree`, `DISAGREE` or `UNKNOWN`) and a summary
// `oracle: N rows, A agree, D disagree[, U unknown]`. Exit 0 all agree, 1 otherwise, 2 bad input.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config/mesh"
	istiolog "istio.io/istio/pkg/log"
	"sigs.k8s.io/yaml"
)

type row struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Token   bool   `json:"token"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

// obj is a Kubernetes object as the plan writes it.
type obj = map[string]any

func die(f string, a ...any) { fmt.Fprintf(os.Stderr, "ambient-oracle: "+f+"\n", a...); os.Exit(2) }

// failer is the test.Failer the fake discovery server needs: a failure ends the program.
type failer struct{}

func (failer) Fail()                     { die("discovery server: failed") }
func (failer) FailNow()                  { die("discovery server: failed") }
func (failer) Fatal(a ...any)            { die("discovery server: %s", fmt.Sprint(a...)) }
func (failer) Fatalf(s string, a ...any) { die("discovery server: "+s, a...) }
func (failer) Log(...any)                {}
func (failer) Logf(string, ...any)       {}
func (failer) TempDir() string           { d, _ := os.MkdirTemp("", "ambient-oracle"); return d }
func (failer) Helper()                   {}
func (failer) Cleanup(func())            {}
func (failer) Skip(...any)               {}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// kept: the kinds istiod reads for this question; the rest of a plan (quotas, HPAs, network
// policies, monitors, CRDs) does not change what a proxy is given.
var kept = map[string]bool{
	"Namespace": true, "ServiceAccount": true, "Service": true,
	"AuthorizationPolicy": true, "PeerAuthentication": true, "RequestAuthentication": true,
	"DestinationRule": true, "Gateway": true, "HTTPRoute": true,
}

// pod is one pod the oracle makes for a Deployment (or a stand-in), and its proxy when it has one.
type pod struct {
	Name, Namespace, SA, IP string
	Labels                  map[string]string
	Ambient                 bool // its namespace is in ambient mode: ztunnel serves it
	Sidecar                 bool // a sidecar is injected (its namespace asks for one)
	Router                  bool // the ingress gateway
	Stack                   string
	Containers              []any // the Deployment's containers (their ports name the Service's target ports)
	hbone                   bool  // a sidecar of an ambient environment's istiod, which listens on HBONE
}

type plan struct {
	env, trustDomain, rootNS, gwNS, gwName, dataPlane string
	namespaces                                        map[string]obj
	objects                                           []obj
	pods                                              []*pod
	byStack                                           map[string][]*pod
	waypoints                                         map[string]string // namespace/name -> IP of its pod
	ips                                               int
}

func (p *plan) nextIP(prefix string) string {
	p.ips++
	return fmt.Sprintf("%s.%d.%d", prefix, p.ips/250, p.ips%250+1)
}

// at: the value at a path of nested maps, or nil.
func at(o obj, path ...string) any {
	var cur any = o
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func str(o obj, path ...string) string {
	s, _ := at(o, path...).(string)
	return s
}

func list(o obj, path ...string) []any {
	l, _ := at(o, path...).([]any)
	return l
}

func strMap(o obj, path ...string) map[string]string {
	out := map[string]string{}
	m, _ := at(o, path...).(map[string]any)
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func readPlan(planDir, env string) *plan {
	p := &plan{
		env: env, trustDomain: "cluster.local", rootNS: "istio-system", gwNS: "istio-ingress",
		gwName: "istio-ingressgateway", dataPlane: "sidecar",
		namespaces: map[string]obj{}, byStack: map[string][]*pod{}, waypoints: map[string]string{},
	}
	dirs, _ := filepath.Glob(filepath.Join(planDir, env+"-*"))
	sort.Strings(dirs)
	var deployments []struct {
		stack string
		o     obj
	}
	for _, dir := range dirs {
		stack := strings.TrimPrefix(filepath.Base(dir), env+"-")
		if b, err := os.ReadFile(filepath.Join(dir, "outputs.json")); err == nil {
			var o map[string]any
			if err := json.Unmarshal(b, &o); err != nil {
				die("%s/outputs.json: %v", dir, err)
			}
			set := func(key string, to *string) {
				if v, ok := o[key].(string); ok && v != "" {
					*to = v
				}
			}
			set("trustDomain", &p.trustDomain)
			set("istioNamespace", &p.rootNS)
			set("gatewayNamespace", &p.gwNS)
			set("gatewayName", &p.gwName)
			set("dataPlane", &p.dataPlane)
		}
		b, err := os.ReadFile(filepath.Join(dir, "manifests.yaml"))
		if err != nil {
			continue
		}
		for _, doc := range docSep.Split(string(b), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var o obj
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				die("%s/manifests.yaml: %v", dir, err)
			}
			if o == nil {
				continue
			}
			kind := str(o, "kind")
			switch {
			case kind == "Deployment":
				deployments = append(deployments, struct {
					stack string
					o     obj
				}{stack, o})
			case kind == "Namespace":
				p.namespaces[str(o, "metadata", "name")] = o
			case kind == "Gateway" && !strings.HasPrefix(str(o, "apiVersion"), "gateway.networking.k8s.io/"):
				// an Istio ingress Gateway: routing at the edge, not an access question
			case kept[kind]:
				p.objects = append(p.objects, o)
			}
		}
	}
	// Namespaces the matrix names without a stack of theirs: the gateway's, the outsider's, the root.
	for _, ns := range []string{p.rootNS, p.gwNS, "default"} {
		if _, ok := p.namespaces[ns]; !ok {
			labels := map[string]any{}
			if ns == "default" && p.dataPlane == "ambient" {
				labels["istio.io/dataplane-mode"] = "ambient"
			}
			if ns == "default" && p.dataPlane != "ambient" {
				labels["istio-injection"] = "enabled"
			}
			p.namespaces[ns] = obj{"apiVersion": "v1", "kind": "Namespace", "metadata": obj{"name": ns, "labels": labels}}
		}
	}
	for _, d := range deployments {
		ns := str(d.o, "metadata", "namespace")
		labels := strMap(d.o, "spec", "template", "metadata", "labels")
		sa := str(d.o, "spec", "template", "spec", "serviceAccountName")
		if sa == "" {
			sa = "default"
		}
		nsLabels := strMap(p.namespaces[ns], "metadata", "labels")
		pd := &pod{
			Name: str(d.o, "metadata", "name") + "-0", Namespace: ns, SA: sa, Labels: labels, Stack: d.stack,
			Ambient: nsLabels["istio.io/dataplane-mode"] == "ambient",
			Sidecar: nsLabels["istio-injection"] == "enabled" || nsLabels["istio.io/rev"] != "",
			IP:      p.nextIP("10.1"),
		}
		pd.Containers = list(d.o, "spec", "template", "spec", "containers")
		pd.hbone = pd.Sidecar && p.dataPlane == "ambient"
		p.pods = append(p.pods, pd)
		p.byStack[d.stack] = append(p.byStack[d.stack], pd)
	}
	// The matrix's callers without a Deployment in the plan: the ingress gateway (istiod serves it
	// as a router) and the outsider (a workload of the `default` namespace, in the environment's
	// data plane).
	gw := &pod{Name: p.gwName + "-0", Namespace: p.gwNS, SA: p.gwName, Router: true, IP: p.nextIP("10.1"),
		Labels: map[string]string{"app": p.gwName, "istio": p.gwName}, Stack: "ingress-gateway"}
	out := &pod{Name: "outsider-0", Namespace: "default", SA: "default", IP: p.nextIP("10.1"),
		Labels: map[string]string{"app": "outsider"}, Stack: "outsider",
		Ambient: p.dataPlane == "ambient", Sidecar: p.dataPlane != "ambient"}
	p.pods = append(p.pods, gw, out)
	p.byStack["ingress-gateway"] = []*pod{gw}
	p.byStack["outsider"] = []*pod{out}
	return p
}

// standIns: what the cluster holds beside the plan once istiod's gateway controller has deployed
// each waypoint `Gateway` (a Deployment and Service named after it, its service account, and the
// Gateway's address in its status), and a ClusterIP for every Service.
func (p *plan) standIns() {
	for _, o := range p.objects {
		switch str(o, "kind") {
		case "Service":
			spec, _ := o["spec"].(map[string]any)
			if spec == nil {
				spec = obj{}
				o["spec"] = spec
			}
			if _, ok := spec["clusterIP"]; !ok {
				spec["clusterIP"] = p.nextIP("10.96")
			}
		case "Gateway":
			if str(o, "spec", "gatewayClassName") != "istio-waypoint" {
				continue
			}
			name, ns := str(o, "metadata", "name"), str(o, "metadata", "namespace")
			host := fmt.Sprintf("%s.%s.svc.cluster.local", name, ns)
			o["status"] = obj{"addresses": []any{obj{"type": "Hostname", "value": host}}}
			ip := p.nextIP("10.2")
			p.waypoints[ns+"/"+name] = ip
			p.pods = append(p.pods, &pod{Name: name + "-0", Namespace: ns, SA: name, IP: ip, Stack: "waypoint " + ns + "/" + name,
				Labels: map[string]string{
					"gateway.networking.k8s.io/gateway-name": name,
					"gateway.istio.io/managed":               "istio.io-mesh-controller",
					"istio.io/dataplane-mode":                "none",
				}})
			p.objects = append(p.objects,
				obj{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": obj{"name": name, "namespace": ns}},
				obj{"apiVersion": "v1", "kind": "Service",
					"metadata": obj{"name": name, "namespace": ns, "labels": obj{
						"gateway.networking.k8s.io/gateway-name": name, "gateway.istio.io/managed": "istio.io-mesh-controller",
						"istio.io/gateway-name": name}},
					"spec": obj{"clusterIP": p.nextIP("10.96"),
						"selector": obj{"gateway.networking.k8s.io/gateway-name": name},
						"ports":    []any{obj{"name": "mesh", "port": 15008, "appProtocol": "hbone"}}}})
		}
	}
}

// podObject: the pod as the API server would hold it once scheduled and ready. An ambient pod
// carries the annotation Istio's CNI agent sets when it redirects the pod's traffic to ztunnel.
func (pd *pod) object() obj {
	annotations := obj{}
	if pd.Ambient {
		annotations["ambient.istio.io/redirection"] = "enabled"
	}
	labels := obj{}
	for k, v := range pd.Labels {
		labels[k] = v
	}
	if pd.Sidecar {
		// What Istio's injector adds: the sidecar, its mTLS mode, and with istiod's ambient profile
		// (ISTIO_META_ENABLE_HBONE) the HBONE tunnel ztunnel reaches the sidecar by.
		annotations["sidecar.istio.io/status"] = `{"containers":["istio-proxy"]}`
		labels["security.istio.io/tlsMode"] = "istio"
		if pd.hbone {
			labels["networking.istio.io/tunnel"] = "http"
		}
	}
	return obj{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": obj{"name": pd.Name, "namespace": pd.Namespace, "labels": labels, "annotations": annotations},
		"spec": obj{"serviceAccountName": pd.SA, "nodeName": "node-0",
			"containers": pd.containers()},
		"status": obj{"phase": "Running", "podIP": pd.IP, "podIPs": []any{obj{"ip": pd.IP}},
			"conditions": []any{obj{"type": "Ready", "status": "True"}}},
	}
}

// endpointSlices: what the EndpointSlice controller makes of each Service with a selector: the
// ready pods it selects, at the ports its target ports name.
func (p *plan) endpointSlices() []obj {
	var out []obj
	for _, o := range p.objects {
		if str(o, "kind") != "Service" {
			continue
		}
		sel := strMap(o, "spec", "selector")
		if len(sel) == 0 {
			continue
		}
		name, ns := str(o, "metadata", "name"), str(o, "metadata", "namespace")
		var eps []any
		var first *pod
		for _, pd := range p.pods {
			if pd.Namespace != ns || !subset(sel, pd.Labels) {
				continue
			}
			if first == nil {
				first = pd
			}
			eps = append(eps, obj{"addresses": []any{pd.IP}, "conditions": obj{"ready": true},
				"targetRef": obj{"kind": "Pod", "name": pd.Name, "namespace": ns}})
		}
		if first == nil {
			continue
		}
		var ports []any
		for _, sp := range list(o, "spec", "ports") {
			spm, _ := sp.(map[string]any)
			port := number(spm["port"])
			switch t := spm["targetPort"].(type) {
			case float64:
				port = t
			case string:
				port = float64(containerPort(first, t))
			}
			ports = append(ports, obj{"name": spm["name"], "port": port, "protocol": "TCP"})
		}
		out = append(out, obj{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
			"metadata":  obj{"name": name + "-slice", "namespace": ns, "labels": obj{"kubernetes.io/service-name": name}},
			"endpoints": eps, "ports": ports})
	}
	return out
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (pd *pod) containers() []any {
	if len(pd.Containers) > 0 {
		return pd.Containers
	}
	return []any{obj{"name": "app", "image": "app"}}
}

func (p *plan) yaml() string {
	var docs []string
	add := func(o obj) {
		b, err := yaml.Marshal(o)
		if err != nil {
			die("yaml: %v", err)
		}
		docs = append(docs, string(b))
	}
	names := make([]string, 0, len(p.namespaces))
	for n := range p.namespaces {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add(p.namespaces[n])
	}
	for _, o := range p.objects {
		add(o)
	}
	for _, pd := range p.pods {
		add(pd.object())
	}
	for _, o := range p.endpointSlices() {
		add(o)
	}
	// What istiod and the cluster add: the waypoint GatewayClass istiod installs, and the node the pods run on.
	add(obj{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": obj{"name": "istio-waypoint"},
		"spec": obj{"controllerName": "istio.io/mesh-controller"}})
	add(obj{"apiVersion": "v1", "kind": "Node", "metadata": obj{"name": "node-0"}})
	return strings.Join(docs, "\n---\n")
}

func (p *plan) spiffe(ns, sa string) string {
	return fmt.Sprintf("spiffe://%s/ns/%s/sa/%s", p.trustDomain, ns, sa)
}

func main() {
	if len(os.Args) < 4 {
		die("usage: PILOT_ENABLE_AMBIENT=true ambient-oracle PLAN_DIR ENV TARGET...")
	}
	if !features.EnableAmbient {
		die("PILOT_ENABLE_AMBIENT=true is required: istiod builds no ambient index without it")
	}
	planDir, env, targets := os.Args[1], os.Args[2], os.Args[3:]
	// istiod's own log goes to stderr, warnings and errors only: stdout is the verdicts.
	lo := istiolog.DefaultOptions()
	lo.OutputPaths, lo.ErrorOutputPaths = []string{"stderr"}, []string{"stderr"}
	lo.SetDefaultOutputLevel(istiolog.OverrideScopeName, istiolog.WarnLevel)
	if err := istiolog.Configure(lo); err != nil {
		die("log: %v", err)
	}
	verbose := os.Getenv("ORACLE_VERBOSE") != ""
	p := readPlan(planDir, env)
	p.standIns()

	b, err := os.ReadFile(filepath.Join(planDir, env, "access.json"))
	if err != nil {
		die("%v", err)
	}
	var rows []row
	if err := json.Unmarshal(b, &rows); err != nil {
		die("access.json: %v", err)
	}
	want := map[string]bool{}
	for _, t := range targets {
		if len(p.byStack[t]) == 0 {
			die("target %s: no Deployment in %s/%s-%s/manifests.yaml", t, planDir, env, t)
		}
		want[t] = true
	}

	m := mesh.DefaultMeshConfig()
	m.TrustDomain = p.trustDomain
	m.RootNamespace = p.rootNS
	all := p.yaml()
	if dump := os.Getenv("ORACLE_DUMP"); dump != "" {
		_ = os.WriteFile(dump, []byte(all), 0o644)
	}
	d := xds.NewFakeDiscoveryServer(failer{}, xds.FakeOptions{ConfigString: all, KubernetesObjectString: all, MeshConfig: m})
	w := newWorld(p, d, verbose)

	agree, disagree, unknown, judged := 0, 0, 0, 0
	for _, r := range rows {
		if !want[r.To] {
			continue
		}
		judged++
		v := w.judge(r)
		tok := ""
		if r.Token {
			tok = " (token)"
		}
		line := fmt.Sprintf("%s -> %s %s %s%s: project=%v istio=%v [%s]", r.From, r.To, r.Method, r.Path, tok, r.Allowed, v.allowed, v.why)
		switch {
		case v.err != nil:
			unknown++
			fmt.Printf("UNKNOWN  %s: %v\n", line, v.err)
		case v.allowed == r.Allowed:
			agree++
			fmt.Printf("agree    %s\n", line)
		default:
			disagree++
			fmt.Printf("DISAGREE %s (project reason: %s)\n", line, r.Reason)
		}
	}
	summary := fmt.Sprintf("oracle: %d rows, %d agree, %d disagree", judged, agree, disagree)
	if unknown > 0 {
		summary += fmt.Sprintf(", %d unknown", unknown)
	}
	fmt.Println(summary)
	if disagree > 0 || unknown > 0 || judged == 0 {
		os.Exit(1)
	}
}
