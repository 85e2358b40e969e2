package catalog

import (
	"fmt"
	"reflect"

	"github.com/tetherauth/tether/provider"
)

// CapabilitiesOf returns what the Provider type P declares by the
// interfaces it embeds.
func CapabilitiesOf(p any) Capabilities {
	_, refresh := p.(provider.Refresher)
	_, revoke := p.(provider.Revoker)
	_, verify := p.(provider.IDTokenVerifier)
	return Capabilities{Refresh: refresh, Revoke: revoke, VerifyIDToken: verify}
}

// capabilitiesOf is CapabilitiesOf of a *P.
func capabilitiesOf[P any]() Capabilities { return CapabilitiesOf(new(P)) }

// fill returns a *P whose every field, an embedded interface
// (provider.Provider and the capabilities P has), holds g. A P with
// another field, or an interface g lacks, is a programming error of the
// catalogue package, reported when its New runs in its tests.
func fill[P any](g provider.Provider) (*P, error) {
	p := new(P)
	v := reflect.ValueOf(p).Elem()
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("catalog: %T is not a struct", *p)
	}
	gv := reflect.ValueOf(g)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.Anonymous || f.Type.Kind() != reflect.Interface || !gv.Type().Implements(f.Type) {
			return nil, fmt.Errorf("catalog: %T.%s is not an interface %T has", *p, f.Name, g)
		}
		v.Field(i).Set(gv)
	}
	return p, nil
}
