// A SQLite VFS that is the platform's default VFS except for one thing: on WAL files, the
// 24-byte header of a frame appended to the log is held back and sent together with the
// write that follows it at the next offset (the frame's page), as one write. SQLite appends each
// WAL frame as two writes, header then page, so a commit of three pages costs six system calls;
// with this VFS it costs three. Everything else (locks, shared memory, sync, reads) is the
// default VFS's, and a held write is flushed before any other operation on the file, so
// the bytes SQLite reads, syncs or truncates are exactly those it wrote.
//
// Thread safety: registration is done once (thread-safe); a WAL file is used by the one
// thread that holds its connection, like every SQLite file of a NOMUTEX connection.
#pragma once

#include <sqlite3.h>

namespace twat_cache::detail {

// The VFS's name for sqlite3_open_v2, registering it on first use; nullptr when it could
// not be registered (connections then use the default VFS).
const char* coalescingVfsName();

// Writes out a frame header still held for `db`'s WAL file (none is expected: the frame's
// page always follows). Called after every write transaction as a backstop. Returns an
// SQLite result code.
int flushWalWrites(sqlite3* db);

}  // namespace twat_cache::detail
