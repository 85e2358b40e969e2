package redisstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// TestEncodingKeepsEveryField sets each exported field of an account (its
// verification included) and of a flow, one at a time, and checks that it
// survives the encoding. A field added to those types without a place in
// the encoding fails here instead of vanishing on its way through Redis.
func TestEncodingKeepsEveryField(t *testing.T) {
	roundTripAccount := func(a *account.ExternalAccount) any {
		b, err := encodeAccount(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeAccount(b, a.Version)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	eachField(t, reflect.TypeFor[account.ExternalAccount](), func(path []int, name string) {
		a := &account.ExternalAccount{}
		setNonZero(t, reflect.ValueOf(a).Elem().FieldByIndex(path), name)
		got := reflect.ValueOf(roundTripAccount(a)).Elem().FieldByIndex(path)
		if got.IsZero() {
			t.Errorf("ExternalAccount.%s is lost by the encoding", name)
		}
	})
	eachField(t, reflect.TypeFor[account.Flow](), func(path []int, name string) {
		f := &account.Flow{StateHash: "h"}
		setNonZero(t, reflect.ValueOf(f).Elem().FieldByIndex(path), name)
		b, err := encodeFlow(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeFlow(f.StateHash, b)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.ValueOf(got).Elem().FieldByIndex(path).IsZero() {
			t.Errorf("Flow.%s is lost by the encoding", name)
		}
	})
}

// eachField calls fn for every exported field of struct type typ, and of
// the Verification inside it, with its index path.
func eachField(t *testing.T, typ reflect.Type, fn func(path []int, name string)) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Type == reflect.TypeFor[verification.Verification]() {
			for j := range f.Type.NumField() {
				if g := f.Type.Field(j); g.IsExported() {
					fn([]int{i, j}, f.Name+"."+g.Name)
				}
			}
			continue
		}
		fn([]int{i}, f.Name)
	}
}

// setNonZero gives v a non-zero value of its type that the encoding can
// carry.
func setNonZero(t *testing.T, v reflect.Value, name string) {
	switch v.Interface().(type) {
	case time.Time:
		v.Set(reflect.ValueOf(time.UnixMilli(1_700_000_000_123).UTC()))
		return
	case verification.Strategy:
		v.Set(reflect.ValueOf(verification.MustParseStrategy("oauth_google")))
		return
	case *verification.Error:
		v.Set(reflect.ValueOf(verification.ErrAccessDenied.WithParam("p")))
		return
	case *bool:
		yes := true
		v.Set(reflect.ValueOf(&yes))
		return
	case map[string]any:
		v.Set(reflect.ValueOf(map[string]any{"k": "v"}))
		return
	case []string:
		v.Set(reflect.ValueOf([]string{"a"}))
		return
	case []byte:
		v.Set(reflect.ValueOf([]byte{0, 1, 0xff}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x") // also a valid FlowKind and Status value for the encoding
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	default:
		t.Fatalf("field %s has type %s: teach setNonZero (and the encoding) about it", name, v.Type())
	}
}
