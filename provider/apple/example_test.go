package apple_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider/apple"
)

// New takes the Services ID, the team id, and the "Sign in with Apple" key
// (its id and its .p8 file); it makes the client secret JWTs itself.
func ExampleNew() {
	// In production: p8, err := os.ReadFile("AuthKey_KEY1234567.p8")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	p8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	p, err := apple.New(apple.Config{
		ClientID:   "com.example.web",
		TeamID:     "TEAM123456",
		KeyID:      "KEY1234567",
		PrivateKey: p8,
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Issuer, md.DefaultScopes)

	_, err = apple.New(apple.Config{ClientID: "com.example.web", TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: []byte("not a key")})
	fmt.Println(err)
	// Output:
	// oauth_apple https://appleid.apple.com [openid name email]
	// apple: Config.PrivateKey is not PEM (the .p8 file's content is)
}
