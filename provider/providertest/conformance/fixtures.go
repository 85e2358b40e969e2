package conformance

import "github.com/tetherauth/tether/provider"

// fixture is a user every run signs in, with the subtest's name.
type fixture struct {
	name string
	user User
}

func ptr(b bool) *bool { return &b }

// fixtures are the accounts every run exercises.
var fixtures = []fixture{
	{"Complete", User{ID: "4815162342", Email: "ada@example.com", EmailVerified: ptr(true),
		FirstName: "Ada", LastName: "Lovelace", Username: "ada", AvatarURL: "https://avatars.example.com/ada.png"}},
	{"NoEmail", User{ID: "4815162343", FirstName: "Grace", LastName: "Hopper", Username: "grace",
		AvatarURL: "https://avatars.example.com/grace.png"}},
	{"UnverifiedEmail", User{ID: "4815162344", Email: "alan@example.com", EmailVerified: ptr(false),
		FirstName: "Alan", LastName: "Turing", Username: "alan", AvatarURL: "https://avatars.example.com/alan.png"}},
	{"NoNames", User{ID: "4815162345", Email: "anon@example.com", EmailVerified: ptr(true), Username: "anon",
		AvatarURL: "https://avatars.example.com/anon.png"}},
	// 2^53+1: a float64 rounds it to 2^53.
	{"LargeID", User{ID: "9007199254740993", Email: "big@example.com", EmailVerified: ptr(true),
		FirstName: "Big", LastName: "Number", Username: "big", AvatarURL: "https://avatars.example.com/big.png"}},
}

// want is the identity the harness implies for u.
func (h *Harness) want(u User) provider.Identity { return expected(u, h.Lacks, h.Expect) }

// expected is the identity of u at a provider that lacks l, adjusted by
// expect when set.
func expected(u User, l Lacks, expect func(User, *provider.Identity)) provider.Identity {
	w := provider.Identity{
		ProviderUserID: u.ID, EmailAddress: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Username: u.Username, AvatarURL: u.AvatarURL,
	}
	if u.Email != "" && u.EmailVerified != nil {
		w.EmailVerified = ptr(*u.EmailVerified)
	}
	if l.Email {
		w.EmailAddress = ""
	}
	if l.Email || l.EmailVerified {
		w.EmailVerified = nil
	}
	if l.Names {
		w.FirstName, w.LastName = "", ""
	}
	if l.Username {
		w.Username = ""
	}
	if l.Avatar {
		w.AvatarURL = ""
	}
	if expect != nil {
		expect(u, &w)
	}
	return w
}
