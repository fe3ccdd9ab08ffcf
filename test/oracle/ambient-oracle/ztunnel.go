package main

// ztunnel's authorization semantics over the policies istiod's ambient index sends it
// (istio.security.Authorization): the policies that apply to a pod are the GLOBAL ones (root
// namespace, no selector), the NAMESPACE ones of its namespace and the ones the index lists on the
// pod's workload (selector policies, converted PeerAuthentications). A matching DENY denies; then,
// when any ALLOW applies, one must match. In a policy, groups are OR-ed, a group's rules AND-ed,
// a rule's matches OR-ed, a match's fields AND-ed and a field's values OR-ed.

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"istio.io/istio/pkg/workloadapi"
	"istio.io/istio/pkg/workloadapi/security"
)

// connection is what ztunnel knows of an inbound connection to a pod.
type connection struct {
	Namespace, SA string // the peer's identity (its certificate); both "" without mTLS
	TrustDomain   string
	SrcIP, DstIP  string
	DstPort       uint32
}

func (c connection) principal() string {
	if c.SA == "" {
		return ""
	}
	return fmt.Sprintf("%s/ns/%s/sa/%s", c.TrustDomain, c.Namespace, c.SA)
}

// applicable: the policies ztunnel applies to `w`, by name, sorted.
func applicable(all []*security.Authorization, w *workloadapi.Workload) []*security.Authorization {
	listed := map[string]bool{}
	for _, n := range w.GetAuthorizationPolicies() {
		listed[n] = true
	}
	var out []*security.Authorization
	for _, a := range all {
		switch {
		case a.GetScope() == security.Scope_GLOBAL,
			a.GetScope() == security.Scope_NAMESPACE && a.GetNamespace() == w.GetNamespace(),
			listed[a.GetNamespace()+"/"+a.GetName()]:
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].GetNamespace()+"/"+out[i].GetName() < out[j].GetNamespace()+"/"+out[j].GetName()
	})
	return out
}

func ztunnelAllows(policies []*security.Authorization, c connection) (bool, string, error) {
	var allows, matched []string
	for _, a := range policies {
		if a.GetDryRun() {
			continue
		}
		name := a.GetNamespace() + "/" + a.GetName()
		m, err := authorizationMatches(a, c)
		if err != nil {
			return false, "", fmt.Errorf("%s: %w", name, err)
		}
		if a.GetAction() == security.Action_DENY {
			if m {
				return false, "DENY " + name, nil
			}
			continue
		}
		allows = append(allows, name)
		if m {
			matched = append(matched, name)
		}
	}
	switch {
	case len(allows) == 0:
		return true, "no ALLOW policy", nil
	case len(matched) == 0:
		return false, "no ALLOW match (" + strings.Join(allows, ", ") + ")", nil
	}
	return true, "ALLOW " + strings.Join(matched, ","), nil
}

func authorizationMatches(a *security.Authorization, c connection) (bool, error) {
	return anyOf(a.GetGroups(), func(g *security.Group) (bool, error) {
		return allOf(g.GetRules(), func(r *security.Rules) (bool, error) {
			return anyOf(r.GetMatches(), func(m *security.Match) (bool, error) { return matchMatches(m, c) })
		})
	})
}

func matchMatches(m *security.Match, c connection) (bool, error) {
	if len(m.GetExtensions()) > 0 {
		return false, fmt.Errorf("match extensions not modelled")
	}
	ns := func(s *security.StringMatch) (bool, error) { return ztStringMatch(s, c.Namespace), nil }
	pr := func(s *security.StringMatch) (bool, error) { return ztStringMatch(s, c.principal()), nil }
	sa := func(s *security.ServiceAccountMatch) (bool, error) {
		return c.SA != "" && s.GetNamespace() == c.Namespace && s.GetServiceAccount() == c.SA, nil
	}
	src := func(a *security.Address) (bool, error) { return inPrefix(a, c.SrcIP) }
	dst := func(a *security.Address) (bool, error) { return inPrefix(a, c.DstIP) }
	port := func(p uint32) (bool, error) { return p == c.DstPort, nil }
	checks := []func() (bool, error){
		func() (bool, error) { return field(m.GetNamespaces(), m.GetNotNamespaces(), ns) },
		func() (bool, error) { return field(m.GetServiceAccounts(), m.GetNotServiceAccounts(), sa) },
		func() (bool, error) { return field(m.GetPrincipals(), m.GetNotPrincipals(), pr) },
		func() (bool, error) { return field(m.GetSourceIps(), m.GetNotSourceIps(), src) },
		func() (bool, error) { return field(m.GetDestinationIps(), m.GetNotDestinationIps(), dst) },
		func() (bool, error) { return field(m.GetDestinationPorts(), m.GetNotDestinationPorts(), port) },
	}
	for _, check := range checks {
		ok, err := check()
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// field: an empty list matches anything; otherwise one of `pos` must match and none of `neg`.
func field[T any](pos, neg []T, f func(T) (bool, error)) (bool, error) {
	if len(pos) > 0 {
		m, err := anyOf(pos, f)
		if err != nil || !m {
			return false, err
		}
	}
	if len(neg) > 0 {
		m, err := anyOf(neg, f)
		if err != nil || m {
			return false, err
		}
	}
	return true, nil
}

func ztStringMatch(s *security.StringMatch, v string) bool {
	switch p := s.GetMatchType().(type) {
	case *security.StringMatch_Exact:
		return v == p.Exact
	case *security.StringMatch_Prefix:
		return strings.HasPrefix(v, p.Prefix)
	case *security.StringMatch_Suffix:
		return strings.HasSuffix(v, p.Suffix)
	case *security.StringMatch_Presence:
		return v != ""
	}
	return false
}

func inPrefix(a *security.Address, ip string) (bool, error) {
	addr, ok := netip.AddrFromSlice(a.GetAddress())
	if !ok {
		return false, fmt.Errorf("address %v not modelled", a.GetAddress())
	}
	pfx, err := addr.Prefix(int(a.GetLength()))
	if err != nil {
		return false, err
	}
	if ip == "" {
		return false, fmt.Errorf("an IP matcher (%s) but no IP known", pfx)
	}
	return pfx.Contains(netip.MustParseAddr(ip)), nil
}
