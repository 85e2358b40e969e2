package account

import (
	"encoding/json"
	"errors"
)

// flowSecrets are what a flow must keep secret until its callback: the
// PKCE verifier and the OpenID Connect nonce. They reach the flow store only
// sealed (Flow.Secrets), so that a store's contents, or a backup of them,
// are not enough to complete a flow.
type flowSecrets struct {
	Verifier string `json:"v"`
	Nonce    string `json:"n,omitempty"`
}

// flowAD binds sealed flow secrets to their flow: secrets copied onto
// another flow do not open.
func flowAD(stateHash string) []byte { return []byte("tether/flow:" + stateHash) }

func (s *Service) sealFlowSecrets(stateHash string, fs flowSecrets) []byte {
	b, _ := json.Marshal(fs) // two strings: cannot fail
	return s.keyring.Seal(b, flowAD(stateHash))
}

func (s *Service) openFlowSecrets(f *Flow) (flowSecrets, error) {
	var fs flowSecrets
	b, err := s.keyring.Open(f.Secrets, flowAD(f.StateHash))
	if err != nil {
		return fs, err
	}
	if err := json.Unmarshal(b, &fs); err != nil || fs.Verifier == "" {
		return fs, errors.New("account: sealed flow secrets are malformed")
	}
	return fs, nil
}
