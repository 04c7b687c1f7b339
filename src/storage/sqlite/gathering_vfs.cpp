#include "storage/sqlite/gathering_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace tglead::storage::sqlite {

namespace {

// Sixteen 4 KiB frames a call. The platform VFS writes at most 128 KiB - 1 bytes a call (os_unix.c
// masks the length with 0x1ffff).
constexpr sqlite3_int64 kGatherBytes = 64 << 10;

// SQLite allocates szOsFile bytes for a file: this header, then the platform file it wraps.
struct GatheringFile {
  sqlite3_file base;
  sqlite3_file* real;
  char* pending;  // null for files that are not gathered (journals, temp files)
  sqlite3_int64 start;
  sqlite3_int64 used;
};

sqlite3_vfs* platform_vfs = nullptr;

GatheringFile* cast(sqlite3_file* file) { return reinterpret_cast<GatheringFile*>(file); }
const sqlite3_io_methods& real_methods(GatheringFile* f) { return *f->real->pMethods; }

int flush(GatheringFile* f) {
  if (f->used == 0) return SQLITE_OK;
  int rc = real_methods(f).xWrite(f->real, f->pending, static_cast<int>(f->used), f->start);
  f->used = 0;
  return rc;
}

int x_close(sqlite3_file* file) {
  GatheringFile* f = cast(file);
  int flushed = flush(f);
  int rc = real_methods(f).xClose(f->real);
  sqlite3_free(f->pending);
  f->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

int x_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  GatheringFile* f = cast(file);
  if (f->used > 0 && offset < f->start + f->used && offset + amount > f->start) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  return real_methods(f).xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  GatheringFile* f = cast(file);
  if (f->pending == nullptr) return real_methods(f).xWrite(f->real, data, amount, offset);
  if (f->used > 0 && offset == f->start + f->used && f->used + amount <= kGatherBytes) {
    std::memcpy(f->pending + f->used, data, static_cast<std::size_t>(amount));
    f->used += amount;
    return SQLITE_OK;
  }
  // Anything but an append goes after what is gathered, which keeps the writes in their order.
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  if (amount >= kGatherBytes) return real_methods(f).xWrite(f->real, data, amount, offset);
  std::memcpy(f->pending, data, static_cast<std::size_t>(amount));
  f->start = offset;
  f->used = amount;
  return SQLITE_OK;
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  GatheringFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xTruncate(f->real, size);
}

int x_sync(sqlite3_file* file, int flags) {
  GatheringFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xSync(f->real, flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  GatheringFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xFileSize(f->real, size);
}

int x_lock(sqlite3_file* file, int level) {
  GatheringFile* f = cast(file);
  return real_methods(f).xLock(f->real, level);
}

int x_unlock(sqlite3_file* file, int level) {
  GatheringFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xUnlock(f->real, level);
}

int x_check_reserved_lock(sqlite3_file* file, int* out) {
  GatheringFile* f = cast(file);
  return real_methods(f).xCheckReservedLock(f->real, out);
}

int x_file_control(sqlite3_file* file, int op, void* arg) {
  GatheringFile* f = cast(file);
  // A checkpoint publishes how far it copied right after this, and may skip the sync before.
  if (op == SQLITE_FCNTL_CKPT_DONE || op == SQLITE_FCNTL_SYNC || op == SQLITE_FCNTL_COMMIT_PHASETWO) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  return real_methods(f).xFileControl(f->real, op, arg);
}

int x_sector_size(sqlite3_file* file) { return real_methods(cast(file)).xSectorSize(cast(file)->real); }

int x_device_characteristics(sqlite3_file* file) {
  return real_methods(cast(file)).xDeviceCharacteristics(cast(file)->real);
}

int x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  GatheringFile* f = cast(file);
  return real_methods(f).xShmMap(f->real, region, size, extend, out);
}

int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  GatheringFile* f = cast(file);
  return real_methods(f).xShmLock(f->real, offset, n, flags);
}

void x_shm_barrier(sqlite3_file* file) {
  GatheringFile* f = cast(file);
  real_methods(f).xShmBarrier(f->real);
}

int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  GatheringFile* f = cast(file);
  return real_methods(f).xShmUnmap(f->real, delete_flag);
}

int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  GatheringFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xFetch(f->real, offset, amount, out);
}

int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  GatheringFile* f = cast(file);
  return real_methods(f).xUnfetch(f->real, offset, page);
}

const sqlite3_io_methods kMethods = {
    3,           x_close,       x_read,     x_write,       x_truncate,    x_sync,  x_file_size,
    x_lock,      x_unlock,      x_check_reserved_lock,     x_file_control, x_sector_size,
    x_device_characteristics,   x_shm_map,  x_shm_lock,    x_shm_barrier, x_shm_unmap,
    x_fetch,     x_unfetch,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  GatheringFile* f = cast(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->pending = nullptr;
  f->start = 0;
  f->used = 0;
  int rc = platform_vfs->xOpen(platform_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (f->real->pMethods == nullptr || f->real->pMethods->iVersion < 3) {
    // Only platforms with shared memory and mmap support run this VFS; none here lacks them.
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  if (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) {
    f->pending = static_cast<char*>(sqlite3_malloc64(kGatherBytes));
    if (f->pending == nullptr) {
      f->real->pMethods->xClose(f->real);
      return SQLITE_NOMEM;
    }
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return platform_vfs->xDelete(platform_vfs, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return platform_vfs->xAccess(platform_vfs, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return platform_vfs->xFullPathname(platform_vfs, name, size, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return platform_vfs->xDlOpen(platform_vfs, name); }
void x_dl_error(sqlite3_vfs*, int size, char* out) { platform_vfs->xDlError(platform_vfs, size, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return platform_vfs->xDlSym(platform_vfs, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) { platform_vfs->xDlClose(platform_vfs, handle); }
int x_randomness(sqlite3_vfs*, int size, char* out) { return platform_vfs->xRandomness(platform_vfs, size, out); }
int x_sleep(sqlite3_vfs*, int micros) { return platform_vfs->xSleep(platform_vfs, micros); }
int x_current_time(sqlite3_vfs*, double* out) { return platform_vfs->xCurrentTime(platform_vfs, out); }
int x_get_last_error(sqlite3_vfs*, int size, char* out) {
  return platform_vfs->xGetLastError(platform_vfs, size, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return platform_vfs->xCurrentTimeInt64(platform_vfs, out);
}

constexpr const char* kName = "tglead-gathering";

}  // namespace

const char* gathering_vfs_name() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    if (sqlite3_initialize() != SQLITE_OK) throw std::runtime_error("sqlite3_initialize failed");
    platform_vfs = sqlite3_vfs_find(nullptr);
    if (platform_vfs == nullptr || platform_vfs->iVersion < 2) throw std::runtime_error("no usable SQLite VFS");
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(GatheringFile)) + platform_vfs->szOsFile;
    vfs.mxPathname = platform_vfs->mxPathname;
    vfs.zName = kName;
    vfs.xOpen = x_open;
    vfs.xDelete = x_delete;
    vfs.xAccess = x_access;
    vfs.xFullPathname = x_full_pathname;
    vfs.xDlOpen = x_dl_open;
    vfs.xDlError = x_dl_error;
    vfs.xDlSym = x_dl_sym;
    vfs.xDlClose = x_dl_close;
    vfs.xRandomness = x_randomness;
    vfs.xSleep = x_sleep;
    vfs.xCurrentTime = x_current_time;
    vfs.xGetLastError = x_get_last_error;
    vfs.xCurrentTimeInt64 = x_current_time_int64;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) throw std::runtime_error("cannot register the gathering VFS");
  });
  return kName;
}

}  // namespace tglead::storage::sqlite
