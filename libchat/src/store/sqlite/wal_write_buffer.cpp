#include "store/sqlite/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>

namespace chat::store::sqlite {
namespace {

// Above this, gathered frames go out before their commit (one big
// transaction must not hold the whole of itself in memory twice).
constexpr std::size_t kMaxGathered = 8u << 20;
// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks the
// length to 17 bits): gathered bytes go out in pieces of this size.
constexpr std::size_t kMaxWrite = 124u << 10;
// The WAL file format: a 24-byte frame header whose bytes 4-7 (big-endian)
// hold the database size in pages after a commit, 0 for other frames.
constexpr int kFrameHeaderBytes = 24;
constexpr sqlite3_int64 kWalHeaderBytes = 32;

sqlite3_vfs* base_vfs = nullptr;  // the default VFS we wrap
sqlite3_vfs buffered_vfs{};

// Our sqlite3_file. SQLite allocates szOsFile bytes for it; the wrapped
// VFS's own file follows it in that block.
struct File {
    sqlite3_file base;  // first: SQLite sees a File* as a sqlite3_file*
    sqlite3_file* real = nullptr;
    bool wal = false;
    bool main_db = false;
    std::string database;  // the database file's name (its own, or its log's)
    // A log's gathered bytes: used by its connection's thread, and emptied
    // by whichever connection releases the write lock (discard_gathered).
    std::mutex mutex;
    std::string gathered;             // bytes not yet written, in file order
    sqlite3_int64 gathered_at = 0;    // their offset in the file
    // The end of what this write transaction appended (gathered or written):
    // a write before it rewrites a frame in place. 0 when no write
    // transaction runs (the next one starts where the log ends, or at 0).
    sqlite3_int64 appended_end = 0;
    bool commit_frame_header = false;  // the last append was a commit frame's header
};

// The open log files of each database, for discard_gathered.
std::mutex registry_mutex;
std::multimap<std::string, File*> logs;  // guarded by registry_mutex

// What a log has gathered when the write lock is released is never part of
// a commit (a commit's frames are written out at its commit frame, before
// SQLite publishes it and long before it unlocks): frames of a transaction
// that spilled and then rolled back or failed. Another connection, in this
// process or another, may write frames at the same offsets as soon as the
// lock is free, so they are dropped now, while it is still held: written
// later, they would overwrite that connection's commits.
void discard_gathered(const std::string& database) {
    std::lock_guard registry(registry_mutex);
    auto [begin, end] = logs.equal_range(database);
    for (auto it = begin; it != end; ++it) {
        std::lock_guard lock(it->second->mutex);
        it->second->gathered.clear();
        it->second->appended_end = 0;
        it->second->commit_frame_header = false;
    }
}

// WAL_WRITE_LOCK is the first of the wal-index locks (the WAL file format).
constexpr int kWalWriteLock = 0;

// Our part of the block, rounded up: the wrapped file starts here.
constexpr std::size_t kFileBytes = (sizeof(File) + 15) / 16 * 16;

File* as_file(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real_of(sqlite3_file* f) { return as_file(f)->real; }

int flush(File* f) {
    int rc = SQLITE_OK;
    for (std::size_t done = 0; done < f->gathered.size() && rc == SQLITE_OK;) {
        const std::size_t n = std::min(f->gathered.size() - done, kMaxWrite);
        rc = f->real->pMethods->xWrite(f->real, f->gathered.data() + done, static_cast<int>(n),
                                       f->gathered_at + static_cast<sqlite3_int64>(done));
        done += n;
    }
    f->gathered.clear();
    return rc;
}

bool is_commit_frame_header(const void* data, int amount, sqlite3_int64 offset) {
    if (amount != kFrameHeaderBytes || offset < kWalHeaderBytes) return false;
    const auto* b = static_cast<const unsigned char*>(data);
    return (b[4] | b[5] | b[6] | b[7]) != 0;
}

// The log's gathered bytes are its mutex's; other files have none.
std::unique_lock<std::mutex> lock_gathered(File* file) {
    return file->wal ? std::unique_lock(file->mutex) : std::unique_lock<std::mutex>();
}

int x_close(sqlite3_file* f) {
    File* file = as_file(f);
    if (file->wal) {
        std::lock_guard registry(registry_mutex);
        auto [begin, end] = logs.equal_range(file->database);
        for (auto it = begin; it != end; ++it)
            if (it->second == file) {
                logs.erase(it);
                break;
            }
    }
    int flushed = SQLITE_OK;
    {
        auto lock = lock_gathered(file);
        flushed = flush(file);
    }
    const int rc = file->real->pMethods != nullptr ? file->real->pMethods->xClose(file->real)
                                                   : SQLITE_OK;
    file->~File();
    return flushed != SQLITE_OK ? flushed : rc;
}

// Writes out what is gathered before another operation on the file.
int flush_first(sqlite3_file* f) {
    auto lock = lock_gathered(as_file(f));
    return flush(as_file(f));
}

int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
    if (int rc = flush_first(f); rc != SQLITE_OK) return rc;
    return real_of(f)->pMethods->xRead(real_of(f), out, amount, offset);
}

int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    File* file = as_file(f);
    if (!file->wal) return file->real->pMethods->xWrite(file->real, data, amount, offset);
    std::lock_guard lock(file->mutex);
    const auto end = offset + amount;
    if (offset == 0) file->appended_end = 0;  // the log starts again (its header)
    if (offset < file->appended_end) {
        // A rewrite in place: a spilled frame changed again, or, at COMMIT,
        // the checksums from there to the commit frame (recovery after a
        // kill trusts them). Rare; written at once, after what precedes it.
        if (int rc = flush(file); rc != SQLITE_OK) return rc;
        file->commit_frame_header = false;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->gathered.empty() || offset != file->gathered_at +
                                              static_cast<sqlite3_int64>(file->gathered.size())) {
        if (int rc = flush(file); rc != SQLITE_OK) return rc;
        file->gathered_at = offset;
    }
    file->gathered.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
    file->appended_end = end;
    // The page after a commit frame's header ends the commit's frames.
    const bool commit_done = file->commit_frame_header;
    file->commit_frame_header = is_commit_frame_header(data, amount, offset);
    if (commit_done || file->gathered.size() >= kMaxGathered) return flush(file);
    return SQLITE_OK;
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (int rc = flush_first(f); rc != SQLITE_OK) return rc;
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

int x_sync(sqlite3_file* f, int flags) {
    if (int rc = flush_first(f); rc != SQLITE_OK) return rc;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
    if (int rc = flush_first(f); rc != SQLITE_OK) return rc;
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

int x_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int x_unlock(sqlite3_file* f, int level) {
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}
int x_check_reserved_lock(sqlite3_file* f, int* out) {
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

int x_file_control(sqlite3_file* f, int op, void* arg) {
    if (int rc = flush_first(f); rc != SQLITE_OK) return rc;
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
// The database file claims power-safe overwrite, as SQLite's unix VFS does
// by default: SQLite then never pads a commit to a sector boundary, which
// would write the last frames in pieces around an fsync, after the point
// where we write a commit out.
int x_device_characteristics(sqlite3_file* f) {
    const int real = real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
    return as_file(f)->main_db ? real | SQLITE_IOCAP_POWERSAFE_OVERWRITE : real;
}

// Shared memory belongs to the main database file, which is never gathered.
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    const bool unlock = (flags & SQLITE_SHM_UNLOCK) != 0 && (flags & SQLITE_SHM_EXCLUSIVE) != 0;
    if (unlock && offset <= kWalWriteLock && kWalWriteLock < offset + n)
        discard_gathered(as_file(f)->database);
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    if (int rc = flush_first(f); rc != SQLITE_OK) return rc;
    return real_of(f)->pMethods->xFetch(real_of(f), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    return real_of(f)->pMethods->xUnfetch(real_of(f), offset, p);
}

// One table per iVersion the wrapped file may have (1 to 3): SQLite reads the
// optional methods only up to the version a table declares.
sqlite3_io_methods methods_for(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = x_close;
    m.xRead = x_read;
    m.xWrite = x_write;
    m.xTruncate = x_truncate;
    m.xSync = x_sync;
    m.xFileSize = x_file_size;
    m.xLock = x_lock;
    m.xUnlock = x_unlock;
    m.xCheckReservedLock = x_check_reserved_lock;
    m.xFileControl = x_file_control;
    m.xSectorSize = x_sector_size;
    m.xDeviceCharacteristics = x_device_characteristics;
    if (version >= 2) {
        m.xShmMap = x_shm_map;
        m.xShmLock = x_shm_lock;
        m.xShmBarrier = x_shm_barrier;
        m.xShmUnmap = x_shm_unmap;
    }
    if (version >= 3) {
        m.xFetch = x_fetch;
        m.xUnfetch = x_unfetch;
    }
    return m;
}
const sqlite3_io_methods kMethods[3] = {methods_for(1), methods_for(2), methods_for(3)};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    File* file = new (f) File{};
    file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kFileBytes);
    file->wal = (flags & SQLITE_OPEN_WAL) != 0;
    file->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    if (name != nullptr && (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_DB)) != 0)
        file->database = sqlite3_filename_database(name);
    const int rc = base_vfs->xOpen(base_vfs, name, file->real, flags, out_flags);
    if (rc != SQLITE_OK || file->real->pMethods == nullptr) {
        file->~File();
        f->pMethods = nullptr;  // SQLite does not close a file that failed to open
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    const int version = file->real->pMethods->iVersion;
    file->base.pMethods = &kMethods[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
    if (file->wal) {
        std::lock_guard registry(registry_mutex);
        logs.emplace(file->database, file);
    }
    return SQLITE_OK;
}

// Everything else is the wrapped VFS's.
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    return base_vfs->xDelete(base_vfs, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return base_vfs->xAccess(base_vfs, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return base_vfs->xFullPathname(base_vfs, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return base_vfs->xDlOpen(base_vfs, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { base_vfs->xDlError(base_vfs, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
    return base_vfs->xDlSym(base_vfs, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) { base_vfs->xDlClose(base_vfs, handle); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return base_vfs->xRandomness(base_vfs, n, out); }
int x_sleep(sqlite3_vfs*, int micros) { return base_vfs->xSleep(base_vfs, micros); }
int x_current_time(sqlite3_vfs*, double* out) { return base_vfs->xCurrentTime(base_vfs, out); }
int x_get_last_error(sqlite3_vfs*, int n, char* out) {
    return base_vfs->xGetLastError(base_vfs, n, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return base_vfs->xCurrentTimeInt64(base_vfs, out);
}
int x_set_system_call(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr p) {
    return base_vfs->xSetSystemCall(base_vfs, name, p);
}
sqlite3_syscall_ptr x_get_system_call(sqlite3_vfs*, const char* name) {
    return base_vfs->xGetSystemCall(base_vfs, name);
}
const char* x_next_system_call(sqlite3_vfs*, const char* name) {
    return base_vfs->xNextSystemCall(base_vfs, name);
}

bool register_vfs() {
    if (sqlite3_initialize() != SQLITE_OK) return false;
    base_vfs = sqlite3_vfs_find(nullptr);
    if (base_vfs == nullptr) return false;
    sqlite3_vfs& v = buffered_vfs;
    v.iVersion = base_vfs->iVersion < 3 ? base_vfs->iVersion : 3;
    v.szOsFile = static_cast<int>(kFileBytes) + base_vfs->szOsFile;
    v.mxPathname = base_vfs->mxPathname;
    v.zName = "chat-wal-write-buffer";
    v.xOpen = x_open;
    v.xDelete = x_delete;
    v.xAccess = x_access;
    v.xFullPathname = x_full_pathname;
    v.xDlOpen = x_dl_open;
    v.xDlError = x_dl_error;
    v.xDlSym = x_dl_sym;
    v.xDlClose = x_dl_close;
    v.xRandomness = x_randomness;
    v.xSleep = x_sleep;
    v.xCurrentTime = x_current_time;
    v.xGetLastError = x_get_last_error;
    if (v.iVersion >= 2) v.xCurrentTimeInt64 = x_current_time_int64;
    if (v.iVersion >= 3) {
        v.xSetSystemCall = x_set_system_call;
        v.xGetSystemCall = x_get_system_call;
        v.xNextSystemCall = x_next_system_call;
    }
    return sqlite3_vfs_register(&v, 0) == SQLITE_OK;
}

}  // namespace

const char* wal_write_buffer_vfs() {
    static const bool registered = register_vfs();
    return registered ? buffered_vfs.zName : nullptr;
}

}  // namespace chat::store::sqlite
