package apple

import (
	"encoding/json"
	"strings"

	"github.com/tetherauth/tether/provider"
)

// maxUserParam bounds the "user" parameter read; Apple's is well under.
const maxUserParam = 4 << 10

// maxNameLength bounds each name taken from it.
const maxNameLength = 256

// firstAuthorization is the "user" parameter of a first authorization.
type firstAuthorization struct {
	Name struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"name"`
}

// mapIdentity takes the names of the callback's "user" parameter, when
// there is one; a malformed one is ignored rather than failing a sign-in
// over a name.
func mapIdentity(id *provider.Identity, _ map[string]any, params map[string][]string) error {
	vs := params["user"]
	if len(vs) != 1 || len(vs[0]) > maxUserParam {
		return nil
	}
	var u firstAuthorization
	if json.Unmarshal([]byte(vs[0]), &u) != nil {
		return nil
	}
	id.FirstName = cleanName(u.Name.FirstName)
	id.LastName = cleanName(u.Name.LastName)
	return nil
}

// cleanName trims a name and drops it when it is too long or holds control
// characters.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxNameLength || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ""
	}
	return s
}
