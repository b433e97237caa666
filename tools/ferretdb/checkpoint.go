package main

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB's SQLite backend uses
)

// walPragmas make SQLite's write-ahead log cheap under FerretDB's load, where every update
// statement is a transaction of its own and readers are almost always active.
//
//   - synchronous(normal): syncs the log at checkpoints rather than at every commit. Nothing
//     is lost when a process dies, only the last commits on a power cut; MongoDB's default
//     write concern (journal flushed every 100 ms) makes the same trade.
//   - wal_autocheckpoint(100000): with readers always active a checkpoint can never finish,
//     and SQLite's default (every 1,000 pages) then retried one on every commit: a third of
//     FerretDB's CPU under bench:load. checkpointWAL below does that work off the write path;
//     this stays only as a bound (400 MB) should it fall behind.
//   - temp_store(memory): each INSERT of a multi-document insert (one transaction) keeps a
//     statement journal, to undo it alone on a duplicate key; past 64 KiB SQLite spilled it
//     to a temporary file, created, written and deleted in each such transaction: 5 % of
//     FerretDB's CPU under bench:load went to those system calls. Now it stays in memory.
func walPragmas(synchronous string) string {
	return "?_pragma=synchronous(" + synchronous + ")&_pragma=wal_autocheckpoint(100000)&_pragma=temp_store(memory)"
}

// checkpointWAL copies committed pages from each database's log into the database every
// interval (a PASSIVE checkpoint: it never waits for, nor blocks, readers or writers), until
// ctx ends.
func checkpointWAL(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	conns := map[string]*sql.DB{}
	defer func() {
		for _, db := range conns {
			_ = db.Close()
		}
	}()

	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}

		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			db := conns[file]
			if db == nil {
				var err error
				if db, err = sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)"); err != nil {
					logger.Warn("cannot open database for checkpoints", "file", file, "error", err)
					continue
				}
				db.SetMaxOpenConns(1)
				conns[file] = db
			}

			if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil {
				logger.Warn("checkpoint failed", "file", file, "error", err)
			}
		}
	}
}
