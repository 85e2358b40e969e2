package huggingface_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/huggingface"
)

// A Hugging Face provider needs only the OAuth app's credentials; its
// metadata names the issuer whose ID tokens it accepts.
func ExampleNew() {
	p, err := huggingface.New(huggingface.Config{Credentials: provider.Credentials{
		ClientID:     "2b8f6c1e-0d4a-4c7e-9a31-5f2e8b7c6d10",
		ClientSecret: "hf-client-secret", // os.Getenv("HF_CLIENT_SECRET")
	}})
	if err != nil {
		log.Fatal(err)
	}
	_, refreshes := any(p).(provider.Refresher)
	fmt.Println(p.Strategy(), p.Metadata().Issuer, p.Metadata().DefaultScopes, refreshes)
	// Output: oauth_huggingface https://huggingface.co [openid profile email] false
}
