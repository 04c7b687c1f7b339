// A SQLite VFS over the platform's own that gathers a connection's sequential writes to its
// database and WAL files and hands them to the OS in one call.
//
// Why: SQLite writes each WAL frame as two calls (a 24-byte header, then the page) and a
// checkpoint copies the WAL into the database page by page. An import of 1M contacts made
// ~520,000 pwrite calls, and the kernel's per-call work in them (folio lookups, partial-page
// writes of frames that straddle pages) cost the writer more than a second (docs/benchmarks.md,
// "Contact import").
//
// Contract: gathered bytes reach the file before the file is synced, read where they lie,
// truncated, sized, unlocked, mapped or closed, and before a checkpoint publishes its progress
// (SQLITE_FCNTL_CKPT_DONE). Other connections see a WAL frame only once its commit is published,
// which SQLite does after the WAL sync that synchronous=FULL makes at every commit. So only a
// connection with synchronous=FULL may use this VFS (Db does that for Writes::Gathered): with
// NORMAL, a commit would be published while its frames still sat in this connection's buffer.
// Thread-safety: as SQLite's own files; a connection's files are used by one thread at a time.
#pragma once

namespace tglead::storage::sqlite {

// The VFS name for sqlite3_open_v2; registers it on first use (thread-safe).
const char* gathering_vfs_name();

}  // namespace tglead::storage::sqlite
