package account

// FlowSecretsOf opens f's sealed secrets, for tests that look for them
// where they must not be.
func FlowSecretsOf(s *Service, f *Flow) (verifier, nonce string, err error) {
	fs, err := s.openFlowSecrets(f)
	return fs.Verifier, fs.Nonce, err
}
