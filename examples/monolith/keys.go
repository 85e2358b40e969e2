package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tetherauth/tether/account"
)

// keyFilePath is where the demo keeps its token-sealing key when TETHER_KEYS
// is not set: next to the database, "tether-demo.db" giving "tether-demo.keys".
func keyFilePath(db string) string {
	return strings.TrimSuffix(db, filepath.Ext(db)) + ".keys"
}

// loadKeyring returns the keyring that seals provider tokens: TETHER_KEYS
// when set, else the key file, created with mode 0600 on first run so that
// sealed tokens survive restarts. The key is never logged, only its id.
func loadKeyring(cfg config, log *slog.Logger) (*account.Keyring, error) {
	if cfg.Keys != "" {
		kr, err := account.ParseKeyring(cfg.Keys)
		if err != nil {
			return nil, fmt.Errorf("TETHER_KEYS: %w", err)
		}
		log.Info("token-sealing keys from TETHER_KEYS", "key_id", kr.PrimaryKeyID())
		return kr, nil
	}
	path := keyFilePath(cfg.DB)
	for range 2 {
		kr, err := readKeyFile(path, log)
		if err == nil {
			return kr, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		k := account.GenerateKey("demo-" + time.Now().UTC().Format("20060102"))
		err = writeKeyFile(path, account.EncodeKey(k)+"\n")
		if errors.Is(err, fs.ErrExist) {
			continue // another process created it first: read that one
		}
		if err != nil {
			return nil, err
		}
		log.Info("created a token-sealing key; keep this file (mode 0600) so that sealed tokens open after a restart, or set TETHER_KEYS",
			"path", path, "key_id", k.ID)
		return account.NewKeyring(k)
	}
	return nil, fmt.Errorf("key file %s: cannot create or read it", path)
}

// readKeyFile reads a keyring written in TETHER_KEYS's form. A key file
// that its group or others may read or write is refused: whoever reads it
// opens every stored token.
func readKeyFile(path string, log *slog.Logger) (*account.Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %v: others may read the key that opens every stored token; run chmod 600 %s (and consider the key compromised if others did read it)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	kr, err := account.ParseKeyring(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	log.Info("token-sealing keys from the key file", "path", path, "key_id", kr.PrimaryKeyID())
	return kr, nil
}

// writeKeyFile creates path with mode 0600, failing with fs.ErrExist when it
// exists. A partly written file is removed.
func writeKeyFile(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}
