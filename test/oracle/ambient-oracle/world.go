package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbachttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/util/protomarshal"
	"istio.io/istio/pkg/workloadapi"
	"istio.io/istio/pkg/workloadapi/security"
)

// istioVersion: the proxies' version as istiod is told it (the release the platform pins).
const istioVersion = "1.30.4"

type world struct {
	p         *plan
	d         *xds.FakeDiscoveryServer
	verbose   bool
	workloads map[string]*workloadapi.Workload // namespace/pod -> the ambient index's workload
	auths     []*security.Authorization        // every policy the index converted for ztunnel
	rbac      map[string][]*rbachttp.RBAC      // waypoint + service host -> its RBAC filters
	eds       map[string][]*endpoint.ClusterLoadAssignment
}

type verdict struct {
	allowed bool
	why     string
	err     error
}

func newWorld(p *plan, d *xds.FakeDiscoveryServer, verbose bool) *world {
	w := &world{p: p, d: d, verbose: verbose, workloads: map[string]*workloadapi.Workload{},
		rbac: map[string][]*rbachttp.RBAC{}, eds: map[string][]*endpoint.ClusterLoadAssignment{}}
	for _, a := range d.AmbientIndex.All() {
		if wl := a.GetWorkload(); wl != nil {
			w.workloads[wl.GetNamespace()+"/"+wl.GetName()] = wl
			if verbose {
				fmt.Printf("# workload %s/%s: tunnel %s, policies %v, waypoint %v\n", wl.GetNamespace(), wl.GetName(), wl.GetTunnelProtocol(), wl.GetAuthorizationPolicies(), wl.GetWaypoint())
			}
		}
	}
	for _, wa := range d.AmbientIndex.Policies(nil) {
		w.auths = append(w.auths, wa.Authorization)
		if verbose {
			y, _ := protomarshal.ToYAML(wa.Authorization)
			fmt.Printf("# ztunnel policy %s/%s\n%s\n", wa.Authorization.GetNamespace(), wa.Authorization.GetName(), y)
		}
	}
	return w
}

// service: the Service a target is reached by (named after its stack, in its pods' namespace),
// its host, port and the pod port it targets.
func (w *world) service(stack string, pods []*pod) (host string, port, target uint32, err error) {
	ns := pods[0].Namespace
	for _, o := range w.p.objects {
		if str(o, "kind") != "Service" || str(o, "metadata", "namespace") != ns || str(o, "metadata", "name") != stack {
			continue
		}
		ports := list(o, "spec", "ports")
		if len(ports) == 0 {
			return "", 0, 0, fmt.Errorf("Service %s/%s has no port", ns, stack)
		}
		first, _ := ports[0].(map[string]any)
		port = uint32(number(first["port"]))
		target = port
		switch t := first["targetPort"].(type) {
		case float64:
			target = uint32(t)
		case string:
			if target = containerPort(pods[0], t); target == 0 {
				return "", 0, 0, fmt.Errorf("Service %s/%s: no container port named %q", ns, stack, t)
			}
		}
		return fmt.Sprintf("%s.%s.svc.cluster.local", stack, ns), port, target, nil
	}
	return "", 0, 0, fmt.Errorf("no Service %s/%s in the plan", ns, stack)
}

func number(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case string:
		f, _ := strconv.ParseFloat(n, 64)
		return f
	}
	return 0
}

func containerPort(pd *pod, name string) uint32 {
	for _, c := range pd.Containers {
		cm, _ := c.(map[string]any)
		ports, _ := cm["ports"].([]any)
		for _, p := range ports {
			pm, _ := p.(map[string]any)
			if pm["name"] == name {
				return uint32(number(pm["containerPort"]))
			}
		}
	}
	return 0
}

// waypointOf: the waypoint the ambient index gives a Service ("" without one), as namespace/name.
func (w *world) waypointOf(ns, host string) (string, error) {
	info := w.d.AmbientIndex.ServiceInfo(ns + "/" + host)
	if info == nil {
		return "", fmt.Errorf("the ambient index has no service %s/%s", ns, host)
	}
	gw := info.Service.GetWaypoint()
	if gw == nil {
		return "", nil
	}
	if h := gw.GetHostname(); h != nil {
		name := strings.TrimSuffix(h.GetHostname(), "."+h.GetNamespace()+".svc.cluster.local")
		return h.GetNamespace() + "/" + name, nil
	}
	if a := gw.GetAddress(); a != nil {
		addr, _ := netip.AddrFromSlice(a.GetAddress())
		for key, ip := range w.p.waypoints {
			if addr.String() == ip {
				return key, nil
			}
		}
	}
	return "", fmt.Errorf("service %s: waypoint %v is none of the plan's", host, gw)
}

// waypointRBAC: the RBAC filters of the waypoint's listener chain for a Service's port.
func (w *world) waypointRBAC(waypoint, host string, port uint32) ([]*rbachttp.RBAC, error) {
	key := waypoint + " " + host
	if f, ok := w.rbac[key]; ok {
		return f, nil
	}
	ns, name, _ := strings.Cut(waypoint, "/")
	proxy := w.d.SetupProxy(&model.Proxy{
		Type:            model.Waypoint,
		ID:              name + "-0." + ns,
		ConfigNamespace: ns,
		IPAddresses:     []string{w.p.waypoints[waypoint]},
		Labels: map[string]string{
			"gateway.networking.k8s.io/gateway-name": name,
			"gateway.istio.io/managed":               "istio.io-mesh-controller",
		},
		Metadata: &model.NodeMetadata{IstioVersion: istioVersion, Namespace: ns, ServiceAccount: name},
	})
	var main *listener.Listener
	for _, l := range w.d.Listeners(proxy) {
		if l.GetName() == "main_internal" {
			main = l
		}
	}
	if main == nil {
		return nil, fmt.Errorf("waypoint %s: istiod built no main_internal listener", waypoint)
	}
	chain := fmt.Sprintf("inbound-vip|%d|http|%s", port, host)
	for _, fc := range main.GetFilterChains() {
		if fc.GetName() != chain {
			continue
		}
		var out []*rbachttp.RBAC
		for _, nf := range fc.GetFilters() {
			if nf.GetName() != "envoy.filters.network.http_connection_manager" {
				continue
			}
			m := &hcm.HttpConnectionManager{}
			if err := nf.GetTypedConfig().UnmarshalTo(m); err != nil {
				return nil, err
			}
			for _, hf := range m.GetHttpFilters() {
				switch hf.GetName() {
				case "envoy.filters.http.ext_authz":
					return nil, fmt.Errorf("waypoint %s: CUSTOM (ext_authz) policies are not modelled", waypoint)
				case "envoy.filters.http.rbac":
					r := &rbachttp.RBAC{}
					if err := hf.GetTypedConfig().UnmarshalTo(r); err != nil {
						return nil, err
					}
					out = append(out, r)
					if w.verbose {
						y, _ := protomarshal.ToYAML(r)
						fmt.Printf("# waypoint %s, %s: RBAC\n%s\n", waypoint, chain, y)
					}
				}
			}
		}
		w.rbac[key] = out
		return out, nil
	}
	return nil, fmt.Errorf("waypoint %s: no filter chain %s", waypoint, chain)
}

// route: where a sidecar's or gateway's outbound cluster for the Service sends, as istiod's
// endpoints for it say: "waypoint", "pods", or "" (no such cluster at that proxy, or no endpoint).
func (w *world) route(caller *pod, targets []*pod, host string, port uint32, waypoint string) (string, error) {
	key := caller.Namespace + "/" + caller.Name
	eds, ok := w.eds[key]
	if !ok {
		typ := model.SidecarProxy
		if caller.Router {
			typ = model.Router
		}
		proxy := w.d.SetupProxy(&model.Proxy{
			Type:            typ,
			ID:              caller.Name + "." + caller.Namespace,
			ConfigNamespace: caller.Namespace,
			IPAddresses:     []string{caller.IP},
			Labels:          caller.Labels,
			Metadata:        &model.NodeMetadata{IstioVersion: istioVersion, Namespace: caller.Namespace, Labels: caller.Labels, ServiceAccount: caller.SA},
		})
		eds = w.d.Endpoints(proxy)
		w.eds[key] = eds
	}
	cluster := fmt.Sprintf("outbound|%d||%s", port, host)
	for _, cla := range eds {
		if cla.GetClusterName() != cluster {
			continue
		}
		text, _ := protojson.Marshal(cla)
		s := string(text)
		if w.verbose {
			fmt.Printf("# %s endpoints at %s: %s\n", cluster, key, s)
		}
		if waypoint != "" && hasIP(s, w.p.waypoints[waypoint]) {
			return "waypoint", nil
		}
		for _, t := range targets {
			if hasIP(s, t.IP) {
				return "pods", nil
			}
		}
		return "", nil
	}
	return "", nil
}

// hasIP: whether an endpoint of the protojson text is at `ip` (an address, or an internal
// endpoint id `<ip>:<port>`), not at an address that merely starts with it.
func hasIP(text, ip string) bool {
	return strings.Contains(text, `"`+ip+`"`) || strings.Contains(text, `"`+ip+`:`)
}

// judge: the request of a row, through the path Istio gives it, against what istiod gives the
// proxies on that path.
func (w *world) judge(r row) verdict {
	callers, targets := w.p.byStack[r.From], w.p.byStack[r.To]
	if len(callers) == 0 {
		return verdict{err: fmt.Errorf("caller %s: no Deployment in the plan", r.From)}
	}
	caller := callers[0]
	host, port, targetPort, err := w.service(r.To, targets)
	if err != nil {
		return verdict{err: err}
	}
	waypoint, err := w.waypointOf(targets[0].Namespace, host)
	if err != nil {
		return verdict{err: err}
	}
	via := "pods"
	switch {
	case caller.Ambient:
		if waypoint != "" {
			via = "waypoint" // ztunnel sends to the Service's waypoint
		}
	case caller.Sidecar || caller.Router:
		if via, err = w.route(caller, targets, host, port, waypoint); err != nil {
			return verdict{err: err}
		}
		if via == "" {
			return verdict{allowed: false, why: fmt.Sprintf("%s's proxy has no endpoint of %s (no cluster, or an empty one)", r.From, host)}
		}
	default:
		return verdict{err: fmt.Errorf("caller %s is in no data plane (no sidecar, not ambient)", r.From)}
	}
	peer := connection{Namespace: caller.Namespace, SA: caller.SA, TrustDomain: w.p.trustDomain, SrcIP: caller.IP}
	var why []string
	if via == "waypoint" {
		filters, err := w.waypointRBAC(waypoint, host, port)
		if err != nil {
			return verdict{err: err}
		}
		req := httpRequest{Principal: w.p.spiffe(caller.Namespace, caller.SA), Method: r.Method, Path: r.Path}
		if r.Token {
			if iss := w.issuer(waypoint, r.To); iss != "" {
				req.JWTIss, req.JWTSub = iss, "end-user"
			}
		}
		ok, reason, err := evalRBAC(filters, req)
		if err != nil {
			return verdict{err: fmt.Errorf("waypoint %s: %w", waypoint, err)}
		}
		if !ok {
			return verdict{allowed: false, why: "waypoint " + waypoint + ": " + reason}
		}
		why = append(why, "waypoint "+waypoint+": "+reason)
		ns, name, _ := strings.Cut(waypoint, "/")
		peer = connection{Namespace: ns, SA: name, TrustDomain: w.p.trustDomain, SrcIP: w.p.waypoints[waypoint]}
	}
	allowed := true
	for _, t := range targets {
		wl := w.workloads[t.Namespace+"/"+t.Name]
		if wl == nil {
			return verdict{err: fmt.Errorf("the ambient index has no workload for pod %s/%s", t.Namespace, t.Name)}
		}
		if wl.GetTunnelProtocol() != workloadapi.TunnelProtocol_HBONE {
			return verdict{err: fmt.Errorf("pod %s/%s is not captured by ztunnel (tunnel %s)", t.Namespace, t.Name, wl.GetTunnelProtocol())}
		}
		c := peer
		c.DstIP, c.DstPort = t.IP, targetPort
		ok, reason, err := ztunnelAllows(applicable(w.auths, wl), c)
		if err != nil {
			return verdict{err: fmt.Errorf("ztunnel at %s: %w", t.Name, err)}
		}
		allowed = allowed && ok
		why = append(why, fmt.Sprintf("ztunnel %s from %s: %s", t.Name, c.principal(), reason))
	}
	return verdict{allowed: allowed, why: strings.Join(why, "; ")}
}

// issuer: the issuer of the first JWT rule a RequestAuthentication gives the waypoint (attached
// to its Gateway or to the target's Service by targetRefs).
func (w *world) issuer(waypoint, service string) string {
	ns, name, _ := strings.Cut(waypoint, "/")
	for _, o := range w.p.objects {
		if str(o, "kind") != "RequestAuthentication" || str(o, "metadata", "namespace") != ns {
			continue
		}
		spec, _ := o["spec"].(map[string]any)
		refs, _ := spec["targetRefs"].([]any)
		for _, ref := range refs {
			rm, _ := ref.(map[string]any)
			if (rm["kind"] == "Gateway" && rm["name"] == name) || (rm["kind"] == "Service" && rm["name"] == service) {
				rules, _ := spec["jwtRules"].([]any)
				if len(rules) > 0 {
					first, _ := rules[0].(map[string]any)
					iss, _ := first["issuer"].(string)
					return iss
				}
			}
		}
	}
	return ""
}
