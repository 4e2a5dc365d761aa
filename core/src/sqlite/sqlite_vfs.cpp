// The write-coalescing VFS (see sqlite_vfs.h).
#include "sqlite/sqlite_vfs.h"

#include <sqlite3.h>

#include <cstring>

namespace twat_cache::detail {

namespace {

constexpr const char* kVfsName = "twat_cache_unix";
// The size of a WAL frame header, the only write held back.
constexpr int kFrameHeader = 24;
constexpr int kMaxHeld = kFrameHeader;

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};
sqlite3_io_methods g_methods{};

// A WAL file: the real file lives right after this header in the same allocation.
struct WalFile {
    sqlite3_file base;
    sqlite3_file* real;
    sqlite3_int64 heldOffset;
    sqlite3_int64 readOffset;  // offset of the last operation when it was a read, else -1
    int heldBytes;             // 0: nothing held
    unsigned char held[kMaxHeld];
    unsigned char* merged;  // sqlite3_malloc'd, grown on demand, freed by xClose
    int mergedSize;
};

WalFile* wal(sqlite3_file* f) {
    return reinterpret_cast<WalFile*>(f);
}

// Writes the held bytes out on their own. Every method but xWrite calls this first, so the
// file SQLite reads, syncs, truncates or closes is exactly what it wrote.
int flushHeld(WalFile* w) {
    if (w->heldBytes == 0) return SQLITE_OK;
    const int n = w->heldBytes;
    w->heldBytes = 0;
    return w->real->pMethods->xWrite(w->real, w->held, n, w->heldOffset);
}

int walWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    WalFile* w = wal(f);
    if (w->heldBytes != 0 && offset == w->heldOffset + w->heldBytes) {
        // The frame's page right after its header: one write instead of two.
        const int n = w->heldBytes;
        if (w->mergedSize < n + amount) {
            void* grown = sqlite3_realloc(w->merged, n + amount);
            if (grown == nullptr) return SQLITE_IOERR_NOMEM;
            w->merged = static_cast<unsigned char*>(grown);
            w->mergedSize = n + amount;
        }
        std::memcpy(w->merged, w->held, static_cast<std::size_t>(n));
        std::memcpy(w->merged + n, data, static_cast<std::size_t>(amount));
        w->heldBytes = 0;
        w->readOffset = -1;
        return w->real->pMethods->xWrite(w->real, w->merged, n + amount, w->heldOffset);
    }
    if (int rc = flushHeld(w); rc != SQLITE_OK) return rc;
    const bool rewrite = offset == w->readOffset;
    w->readOffset = -1;
    if (amount == kFrameHeader && !rewrite) {
        // The header of a frame being written. The WAL format makes its page the very next
        // write (walWriteOneFrame: header, then page, at the next offset), so the header
        // never stays held when SQLite publishes a commit; flushWalWrites() after every
        // engine transaction is the backstop. A header rewritten in place (checksum repair)
        // follows a read of its frame and is written at once.
        std::memcpy(w->held, data, static_cast<std::size_t>(amount));
        w->heldBytes = amount;
        w->heldOffset = offset;
        return SQLITE_OK;
    }
    return w->real->pMethods->xWrite(w->real, data, amount, offset);
}

int walClose(sqlite3_file* f) {
    WalFile* w = wal(f);
    const int flushed = flushHeld(w);
    const int rc = w->real->pMethods != nullptr ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
    sqlite3_free(w->merged);
    w->merged = nullptr;
    w->mergedSize = 0;
    return flushed != SQLITE_OK ? flushed : rc;
}

// The other methods flush, then forward to the real file.
#define TWAT_FORWARD(name, ...)                            \
    WalFile* w = wal(f);                                   \
    if (int rc = flushHeld(w); rc != SQLITE_OK) return rc; \
    return w->real->pMethods->name(w->real __VA_OPT__(, ) __VA_ARGS__)

int walRead(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
    WalFile* w = wal(f);
    if (int rc = flushHeld(w); rc != SQLITE_OK) return rc;
    w->readOffset = offset;
    return w->real->pMethods->xRead(w->real, data, amount, offset);
}
int walTruncate(sqlite3_file* f, sqlite3_int64 size) {
    TWAT_FORWARD(xTruncate, size);
}
int walSync(sqlite3_file* f, int flags) {
    TWAT_FORWARD(xSync, flags);
}
int walFileSize(sqlite3_file* f, sqlite3_int64* size) {
    TWAT_FORWARD(xFileSize, size);
}
int walLock(sqlite3_file* f, int level) {
    TWAT_FORWARD(xLock, level);
}
int walUnlock(sqlite3_file* f, int level) {
    TWAT_FORWARD(xUnlock, level);
}
int walCheckReserved(sqlite3_file* f, int* out) {
    TWAT_FORWARD(xCheckReservedLock, out);
}
int walFileControl(sqlite3_file* f, int op, void* arg) {
    TWAT_FORWARD(xFileControl, op, arg);
}
int walFetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    TWAT_FORWARD(xFetch, offset, amount, out);
}
#undef TWAT_FORWARD

int walSectorSize(sqlite3_file* f) {
    WalFile* w = wal(f);
    return w->real->pMethods->xSectorSize(w->real);
}
int walDeviceCharacteristics(sqlite3_file* f) {
    WalFile* w = wal(f);
    return w->real->pMethods->xDeviceCharacteristics(w->real);
}
int walUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    WalFile* w = wal(f);
    return w->real->pMethods->xUnfetch(w->real, offset, p);
}

int vfsOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        // Not a WAL file: the real file in place, with its own methods.
        return g_real->xOpen(g_real, name, file, flags, outFlags);
    }
    WalFile* w = wal(file);
    w->real = reinterpret_cast<sqlite3_file*>(w + 1);
    w->heldBytes = 0;
    w->heldOffset = 0;
    w->readOffset = -1;
    w->merged = nullptr;
    w->mergedSize = 0;
    w->base.pMethods = nullptr;
    const int rc = g_real->xOpen(g_real, name, w->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        // SQLite calls xClose only when pMethods is set; the real file cleans itself up.
        return rc;
    }
    w->base.pMethods = &g_methods;
    return SQLITE_OK;
}

const char* registerVfs() {
    g_real = sqlite3_vfs_find(nullptr);
    if (g_real == nullptr || g_real->iVersion < 2) return nullptr;
    // Every other VFS method is the real one's, with the real VFS as `this`.
    g_vfs = *g_real;
    g_vfs.pNext = nullptr;
    g_vfs.zName = kVfsName;
    g_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + g_real->szOsFile;
    g_vfs.xOpen = vfsOpen;
    g_vfs.xDelete = [](sqlite3_vfs*, const char* n, int s) {
        return g_real->xDelete(g_real, n, s);
    };
    g_vfs.xAccess = [](sqlite3_vfs*, const char* n, int f, int* out) {
        return g_real->xAccess(g_real, n, f, out);
    };
    g_vfs.xFullPathname = [](sqlite3_vfs*, const char* n, int size, char* out) {
        return g_real->xFullPathname(g_real, n, size, out);
    };
    g_vfs.xDlOpen = [](sqlite3_vfs*, const char* n) { return g_real->xDlOpen(g_real, n); };
    g_vfs.xDlError = [](sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); };
    g_vfs.xDlSym = [](sqlite3_vfs*, void* h, const char* s) {
        return g_real->xDlSym(g_real, h, s);
    };
    g_vfs.xDlClose = [](sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); };
    g_vfs.xRandomness = [](sqlite3_vfs*, int n, char* out) {
        return g_real->xRandomness(g_real, n, out);
    };
    g_vfs.xSleep = [](sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); };
    g_vfs.xCurrentTime = [](sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); };
    g_vfs.xGetLastError = [](sqlite3_vfs*, int n, char* out) {
        return g_real->xGetLastError(g_real, n, out);
    };
    g_vfs.xCurrentTimeInt64 = [](sqlite3_vfs*, sqlite3_int64* t) {
        return g_real->xCurrentTimeInt64(g_real, t);
    };
    if (g_vfs.iVersion >= 3) {
        g_vfs.xSetSystemCall = [](sqlite3_vfs*, const char* n, sqlite3_syscall_ptr p) {
            return g_real->xSetSystemCall(g_real, n, p);
        };
        g_vfs.xGetSystemCall = [](sqlite3_vfs*, const char* n) {
            return g_real->xGetSystemCall(g_real, n);
        };
        g_vfs.xNextSystemCall = [](sqlite3_vfs*, const char* n) {
            return g_real->xNextSystemCall(g_real, n);
        };
    }
    // WAL files are unix files: version 3 methods (shared memory and memory map included);
    // the shm methods are never called on a WAL file, only on the database file.
    g_methods.iVersion = 3;
    g_methods.xClose = walClose;
    g_methods.xRead = walRead;
    g_methods.xWrite = walWrite;
    g_methods.xTruncate = walTruncate;
    g_methods.xSync = walSync;
    g_methods.xFileSize = walFileSize;
    g_methods.xLock = walLock;
    g_methods.xUnlock = walUnlock;
    g_methods.xCheckReservedLock = walCheckReserved;
    g_methods.xFileControl = walFileControl;
    g_methods.xSectorSize = walSectorSize;
    g_methods.xDeviceCharacteristics = walDeviceCharacteristics;
    g_methods.xFetch = walFetch;
    g_methods.xUnfetch = walUnfetch;
    if (sqlite3_vfs_register(&g_vfs, 0) != SQLITE_OK) return nullptr;
    return kVfsName;
}

}  // namespace

int flushWalWrites(sqlite3* db) {
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) != SQLITE_OK ||
        file == nullptr || file->pMethods != &g_methods) {
        return SQLITE_OK;
    }
    return flushHeld(wal(file));
}

const char* coalescingVfsName() {
    static const char* const name = registerVfs();
    return name;
}

}  // namespace twat_cache::detail
