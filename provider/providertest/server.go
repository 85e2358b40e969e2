package providertest

import (
	"net/http"
	"net/http/httptest"
)

// Server is a provider listening on 127.0.0.1, with its issuer at the root of
// its URL. It embeds the Handler, whose methods control it.
type Server struct {
	*Handler
	srv *httptest.Server
}

// New starts a provider configured by cfg on an httptest.Server. Close it
// when done, usually with t.Cleanup(srv.Close).
func New(cfg Config) *Server {
	srv := httptest.NewUnstartedServer(nil)
	h := NewHandler("http://"+srv.Listener.Addr().String(), cfg)
	srv.Config.Handler = h
	srv.Start()
	return &Server{Handler: h, srv: srv}
}

// URL returns the base URL of the server, which is also its issuer.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close shuts the server down, waiting for the requests it is serving.
func (s *Server) Close() { s.srv.Close() }
