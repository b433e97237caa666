// Command ferretdb runs FerretDB v1 for Nudge's local stack and tests: with its SQLite
// backend by default, or its PostgreSQL backend for comparison (npm run bench:ferretdb).
//
// It embeds FerretDB's `ferretdb` package instead of `go install`ing FerretDB's own command:
// that binary panics at start because build/version/version.txt is not in the published
// module, while the embeddable package skips the check.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "host:port to accept MongoDB wire protocol connections on")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteDir := flag.String("sqlite-dir", "data", "directory holding one SQLite file per database")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL URL for -handler postgresql")
	synchronous := flag.String("sqlite-synchronous", "normal", "SQLite synchronous pragma (see walPragmas): normal or full")
	// FerretDB logs every connection at INFO and every error reply its client already got
	// (e.g. "collection already exists") as a multi-line WARN dump: noise for a dev server.
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()

	// FerretDB allocates a document tree per document read or written, and at Go's default
	// (GOGC=100) the collector took a tenth of its CPU under load. At 400, bench:load measured
	// 10-25 % less FerretDB CPU per event for a peak heap of about 120 MiB. GOGC still overrides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: -log-level: %v\n", err)
		os.Exit(2)
	}

	if *handler == "sqlite" {
		if err := os.MkdirAll(*sqliteDir, 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: cannot create %s: %v\n", *sqliteDir, err)
			os.Exit(1)
		}
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:        logger,
		Handler:       *handler,
		SQLiteURL:     "file:" + *sqliteDir + "/" + walPragmas(*synchronous),
		PostgreSQLURL: *postgresqlURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *handler == "sqlite" {
		go checkpointWAL(ctx, *sqliteDir, 500*time.Millisecond, logger)
	}

	// Profiling for whoever measures the server under load: go tool pprof http://ADDR/debug/pprof/profile
	// (CPU), …/mutex (where goroutines waited for a lock another held).
	if addr := os.Getenv("FERRETDB_PPROF_ADDR"); addr != "" {
		runtime.SetMutexProfileFraction(10)
		go func() { logger.Error("pprof", "err", http.ListenAndServe(addr, nil)) }()
	}

	fmt.Printf("ferretdb listening on %s\n", *listenAddr)
	f.Run(ctx)
}
