#pragma once

// A SQLite VFS that hands each commit's WAL frames to the operating system in
// one write instead of two per frame.
//
// SQLite writes a WAL frame as two pwrite calls (its 24-byte header, then the
// page), so a commit of 180 pages costs 360 system calls, each doing the
// page cache's per-page work again for the page it straddles; on the send
// path that was about 8% of the CPU (docs/benchmarks.md, session 9). This VFS
// wraps the default one and, for WAL files only, gathers the frames a write
// transaction appends in memory and writes them out:
//   - right after the page of a commit frame (a frame header whose "database
//     size after commit" is not zero; the WAL file format), which SQLite
//     writes before it publishes the commit in the shared wal-index, so no
//     reader, in this process or another, can see a frame that is not yet in
//     the kernel, and a commit is in the kernel before COMMIT returns: it
//     survives a kill of the process exactly as without this VFS;
//   - before any other operation on the file (read, sync, truncate, size,
//     file control, close) and before a write that does not continue what
//     is gathered;
//   - when more than kMaxGathered bytes are gathered (a transaction larger
//     than the page cache spills frames before its commit).
// A write before the end of what the transaction appended rewrites a frame
// in place (a spilled page changed again, and at COMMIT the checksums from
// it to the commit frame, which recovery after a kill trusts): it goes
// straight to the file, after what is gathered.
// What is still gathered when a connection releases the WAL write lock
// belongs to no commit (a transaction that spilled, then rolled back or
// failed) and is dropped before the lock is free: written later, it would
// overwrite the frames another connection or process commits meanwhile.
// The main database file reports power-safe overwrite (the unix VFS's
// default): SQLite then never pads a commit to a sector boundary, which would
// split its last frames around an fsync. Otherwise the main database file and
// every other file pass straight through.

namespace chat::store::sqlite {

// The name of the VFS, registered (not as the default) on the first call.
// Thread-safe. Null if SQLite could not register it.
const char* wal_write_buffer_vfs();

}  // namespace chat::store::sqlite
