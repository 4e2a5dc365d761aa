// FilesEngine: the `files` engine, a joblib-like cache with one file per entry.
//
// A cache is one folder holding twat_cache.json (the manifest), stats.json + stats.lock (the
// shared counters, see persisted_counters.h) and entries/ab/cd/<32 hex key>.twc, one value envelope
// (format/envelope.h) per entry, fanned out over two folder levels by the key's first four hex
// digits. Writes go to a temporary file beside the entry and are renamed over it, so readers
// and crashes never see a torn entry. A hit is one open, one fstat and one read; the payload
// is checked by the envelope's checksum, so a damaged file is a miss (counted as an error and
// removed), never a wrong value.
//
// Last access is the entry file's mtime: written at store time and refreshed on a hit only
// when it is older than kTouchIntervalMs, so hits do not write. With maxsize/max_bytes set,
// an in-memory index (count, bytes, recency), built by one folder walk and kept up to date by
// this process, picks the least recently used entry to evict. Other processes' writes and
// hits reach the index when it is rebuilt (after kRescanIntervalMs); until then eviction
// order across processes is approximate (mtime-grained to kTouchIntervalMs).
//
// Thread safety: safe from many threads. File operations run without a lock; the index is
// guarded by m_mutex; counters are atomics.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "files/entry_index.h"
#include "files/persisted_counters.h"
#include "twat_cache/engine.h"

namespace twat_cache::detail {

class FilesEngine final : public Engine {
  public:
    static constexpr std::int64_t kTouchIntervalMs = 10'000;
    static constexpr std::int64_t kRescanIntervalMs = 30'000;

    // Opens (creating if needed) the cache in config.folder; see openFilesEngine().
    static Result<std::unique_ptr<Engine>> open(const ResolvedConfig& config);
    ~FilesEngine() override;

    std::string_view kind() const override { return "files"; }
    Capabilities capabilities() const override;
    Result<StoredValue> get(const Key& key) override;
    Status set(const Key& key, const Record& record) override;
    Result<bool> erase(const Key& key) override;
    Result<bool> contains(const Key& key) override;
    Status clear() override;
    Result<std::uint64_t> size() override;
    Stats stats() override;
    Result<ScanPage> scan(std::string_view cursor, std::size_t limit) override;
    Status flush() override;

  private:
    FilesEngine(const ResolvedConfig& config, mode_t dirMode, mode_t fileMode);

    bool hasLimits() const { return m_config.maxsize != 0 || m_config.max_bytes != 0; }
    // entries/ab/cd for a key's hex form, and the entry file inside it.
    std::string leafFolder(const std::string& hex) const;
    std::string entryPath(const std::string& hex) const;
    // Removes a bad or expired entry file and forgets it.
    void dropEntry(const Key& key, const std::string& path);
    Status writeEntry(const std::string& hex, std::string_view bytes, std::int64_t nowMs);
    // Builds the index by walking the folder when it is missing or stale. Needs m_mutex.
    void ensureIndexLocked();
    // Evicts least recently used entries until the limits hold. Needs m_mutex.
    void evictLocked();

    const ResolvedConfig m_config;
    const std::string m_entries;  // "<folder>/entries"
    const mode_t m_dirMode;
    const mode_t m_fileMode;
    const bool m_systemClock;  // file times need no explicit stamp
    PersistedCounters m_counters;

    std::mutex m_mutex;
    EntryIndex m_index;                 // guarded by m_mutex
    bool m_indexBuilt = false;          // guarded by m_mutex
    std::int64_t m_indexBuiltAtMs = 0;  // steady ms; guarded by m_mutex
};

}  // namespace twat_cache::detail
