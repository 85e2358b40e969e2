package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := realMain(ctx, os.Args[1:], os.Getenv, os.Stderr, log)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		log.Error("the demo stopped", "err", err)
		stop()
		os.Exit(1)
	}
}

// realMain is main without the process: it reads the configuration from
// args and getenv (usage goes to out), listens and serves until ctx ends.
func realMain(ctx context.Context, args []string, getenv func(string) string, out io.Writer, log *slog.Logger) error {
	cfg, err := parseConfig(args, getenv, out)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	return run(ctx, cfg, ln, log)
}

// run serves the demo on ln until ctx ends, then shuts down: it stops
// accepting, waits up to cfg.ShutdownTimeout for requests in flight, stops
// the expired-flow cleanup and closes the stores. It closes ln.
func run(ctx context.Context, cfg config, ln net.Listener, log *slog.Logger) error {
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = "http://" + reachableAddr(ln.Addr())
	}
	a, err := newApp(ctx, cfg, baseURL, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()

	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	// The Service's own sweep: expired flows and abandoned accounts.
	wg.Go(func() { a.svc.Run(ctx, cfg.CleanupEvery) })
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("serving the Tether demo", "url", baseURL+"/", "listen", ln.Addr().String())

	select {
	case err = <-serveErr:
		err = fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, scancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		if serr := srv.Shutdown(sctx); serr != nil {
			log.Warn("requests still in flight were cut", "err", serr)
			_ = srv.Close()
		}
		scancel()
	}
	cancel()
	wg.Wait()
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// reachableAddr is the host:port a browser on this machine reaches addr at:
// localhost when addr is a wildcard (":8080").
func reachableAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
