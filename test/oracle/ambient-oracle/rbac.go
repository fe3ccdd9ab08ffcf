package main

// Envoy's RBAC semantics (envoy.filters.http.rbac), over the filters istiod builds for a waypoint.
// Only what Istio's AuthorizationPolicy compiles to is modelled; anything else is an error, which
// the row reports as UNKNOWN rather than guessing.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	rbacpb "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	routepb "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	rbachttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	matcherpb "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// httpRequest is what a waypoint's RBAC filters see of a request.
type httpRequest struct {
	Principal      string // the peer's SPIFFE URI (HBONE); "" without one
	JWTIss, JWTSub string // the payload of a token the waypoint's jwt_authn filter validated
	Method, Path   string
}

// evalRBAC runs the filters in their chain order: a DENY filter that matches denies, an ALLOW
// filter that matches nothing denies; shadow-only filters (no `rules`) decide nothing.
func evalRBAC(filters []*rbachttp.RBAC, req httpRequest) (bool, string, error) {
	if len(filters) == 0 {
		return true, "no RBAC filter", nil
	}
	for _, f := range filters {
		rules := f.GetRules()
		if rules == nil {
			continue
		}
		if f.GetMatcher() != nil {
			return false, "", fmt.Errorf("RBAC matcher API not modelled")
		}
		names := make([]string, 0, len(rules.GetPolicies()))
		for n := range rules.GetPolicies() {
			names = append(names, n)
		}
		sort.Strings(names)
		var matched []string
		for _, n := range names {
			m, err := policyMatches(rules.GetPolicies()[n], req)
			if err != nil {
				return false, "", fmt.Errorf("policy %s: %w", n, err)
			}
			if m {
				matched = append(matched, n)
			}
		}
		switch rules.GetAction() {
		case rbacpb.RBAC_DENY:
			if len(matched) > 0 {
				return false, "DENY " + strings.Join(matched, ","), nil
			}
		case rbacpb.RBAC_ALLOW:
			if len(matched) == 0 {
				return false, fmt.Sprintf("no ALLOW match (%d policies)", len(names)), nil
			}
			return true, "ALLOW " + strings.Join(matched, ","), nil
		case rbacpb.RBAC_LOG:
		}
	}
	return true, "no DENY match, no ALLOW filter", nil
}

func policyMatches(p *rbacpb.Policy, req httpRequest) (bool, error) {
	if p.GetCondition() != nil || p.GetCheckedCondition() != nil {
		return false, fmt.Errorf("CEL condition not modelled")
	}
	perm, err := anyOf(p.GetPermissions(), func(x *rbacpb.Permission) (bool, error) { return permission(x, req) })
	if err != nil || !perm {
		return false, err
	}
	return anyOf(p.GetPrincipals(), func(x *rbacpb.Principal) (bool, error) { return principal(x, req) })
}

func anyOf[T any](xs []T, f func(T) (bool, error)) (bool, error) {
	for _, x := range xs {
		m, err := f(x)
		if err != nil || m {
			return m, err
		}
	}
	return false, nil
}

func allOf[T any](xs []T, f func(T) (bool, error)) (bool, error) {
	for _, x := range xs {
		m, err := f(x)
		if err != nil || !m {
			return false, err
		}
	}
	return true, nil
}

func permission(p *rbacpb.Permission, req httpRequest) (bool, error) {
	rec := func(x *rbacpb.Permission) (bool, error) { return permission(x, req) }
	switch r := p.GetRule().(type) {
	case *rbacpb.Permission_Any:
		return r.Any, nil
	case *rbacpb.Permission_AndRules:
		return allOf(r.AndRules.GetRules(), rec)
	case *rbacpb.Permission_OrRules:
		return anyOf(r.OrRules.GetRules(), rec)
	case *rbacpb.Permission_NotRule:
		m, err := permission(r.NotRule, req)
		return !m, err
	case *rbacpb.Permission_Header:
		return header(r.Header, req)
	case *rbacpb.Permission_UrlPath:
		return stringMatch(r.UrlPath.GetPath(), pathOnly(req.Path))
	}
	return false, fmt.Errorf("permission %T not modelled", p.GetRule())
}

func principal(p *rbacpb.Principal, req httpRequest) (bool, error) {
	rec := func(x *rbacpb.Principal) (bool, error) { return principal(x, req) }
	switch r := p.GetIdentifier().(type) {
	case *rbacpb.Principal_Any:
		return r.Any, nil
	case *rbacpb.Principal_AndIds:
		return allOf(r.AndIds.GetIds(), rec)
	case *rbacpb.Principal_OrIds:
		return anyOf(r.OrIds.GetIds(), rec)
	case *rbacpb.Principal_NotId:
		m, err := principal(r.NotId, req)
		return !m, err
	case *rbacpb.Principal_Authenticated_:
		if req.Principal == "" {
			return false, nil
		}
		if r.Authenticated.GetPrincipalName() == nil {
			return true, nil
		}
		return stringMatch(r.Authenticated.GetPrincipalName(), req.Principal)
	case *rbacpb.Principal_FilterState:
		// A waypoint learns its peer from the HBONE tunnel: the peer principal in filter state.
		if r.FilterState.GetKey() != "io.istio.peer_principal" {
			return false, fmt.Errorf("filter_state %s not modelled", r.FilterState.GetKey())
		}
		if req.Principal == "" {
			return false, nil
		}
		return stringMatch(r.FilterState.GetStringMatch(), req.Principal)
	case *rbacpb.Principal_Header:
		return header(r.Header, req)
	case *rbacpb.Principal_Metadata:
		return jwtMetadata(r.Metadata, req)
	}
	return false, fmt.Errorf("principal %T not modelled", p.GetIdentifier())
}

func pathOnly(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		return p[:i]
	}
	return p
}

// header: the probe requests carry a method and a path, no other header.
func header(h *routepb.HeaderMatcher, req httpRequest) (bool, error) {
	val, present := "", false
	switch strings.ToLower(h.GetName()) {
	case ":method":
		val, present = req.Method, true
	case ":path":
		val, present = req.Path, true
	}
	var m bool
	switch s := h.GetHeaderMatchSpecifier().(type) {
	case *routepb.HeaderMatcher_StringMatch:
		if present {
			var err error
			if m, err = stringMatch(s.StringMatch, val); err != nil {
				return false, err
			}
		}
	case *routepb.HeaderMatcher_PresentMatch:
		m = present == s.PresentMatch
	case nil:
		m = present
	default:
		return false, fmt.Errorf("header matcher %T not modelled", s)
	}
	if h.GetInvertMatch() {
		// Envoy: an inverted matcher still does not match a header that is missing.
		return present && !m, nil
	}
	return m, nil
}

func stringMatch(s *matcherpb.StringMatcher, v string) (bool, error) {
	norm := func(x string) string {
		if s.GetIgnoreCase() {
			return strings.ToLower(x)
		}
		return x
	}
	v = norm(v)
	switch p := s.GetMatchPattern().(type) {
	case *matcherpb.StringMatcher_Exact:
		return v == norm(p.Exact), nil
	case *matcherpb.StringMatcher_Prefix:
		return strings.HasPrefix(v, norm(p.Prefix)), nil
	case *matcherpb.StringMatcher_Suffix:
		return strings.HasSuffix(v, norm(p.Suffix)), nil
	case *matcherpb.StringMatcher_Contains:
		return strings.Contains(v, norm(p.Contains)), nil
	case *matcherpb.StringMatcher_SafeRegex:
		re, err := regexp.Compile("^(?:" + p.SafeRegex.GetRegex() + ")$")
		if err != nil {
			return false, err
		}
		return re.MatchString(v), nil
	}
	return false, fmt.Errorf("string matcher %T not modelled", s.GetMatchPattern())
}

// jwtMetadata: the claims Istio's RBAC reads from the token jwt_authn validated (its payload in
// dynamic metadata). The probe token has an issuer and a subject; any other claim is not modelled.
func jwtMetadata(m *matcherpb.MetadataMatcher, req httpRequest) (bool, error) {
	keys := make([]string, 0, len(m.GetPath()))
	for _, seg := range m.GetPath() {
		keys = append(keys, seg.GetKey())
	}
	key := m.GetFilter() + ":" + strings.Join(keys, ".")
	var value string
	switch key {
	case "envoy.filters.http.jwt_authn:payload.iss":
		value = req.JWTIss
	case "envoy.filters.http.jwt_authn:payload.sub":
		value = req.JWTSub
	case "istio_authn:request.auth.principal":
		if req.JWTIss != "" {
			value = req.JWTIss + "/" + req.JWTSub
		}
	default:
		return false, fmt.Errorf("metadata %q not modelled", key)
	}
	var res bool
	switch x := m.GetValue().GetMatchPattern().(type) {
	case *matcherpb.ValueMatcher_PresentMatch:
		res = (value != "") == x.PresentMatch
	case *matcherpb.ValueMatcher_StringMatch:
		if value != "" {
			var err error
			if res, err = stringMatch(x.StringMatch, value); err != nil {
				return false, err
			}
		}
	default:
		return false, fmt.Errorf("value matcher %T not modelled", x)
	}
	if m.GetInvert() {
		res = !res
	}
	return res, nil
}
