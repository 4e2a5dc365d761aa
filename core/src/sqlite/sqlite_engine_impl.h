// SqliteEngineImpl: the implementation behind twat_cache::SqliteEngine (sqlite_engine.h).
//
// Split over sqlite_engine.cpp (open, get/set/erase, batching of counters) and
// sqlite_maintenance.cpp (clear, evictTag, scan, check). Private to the core.
//
// Thread safety: every public method may run on any thread. Connections come from m_idle
// (guarded by m_poolMutex); batched counters are atomics; batched access stamps are guarded
// by m_accessMutex. A forked child notices the new pid and starts over with fresh
// connections and zero pending counters.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sqlite/sqlite_db.h"
#include "sqlite/sqlite_format.h"
#include "twat_cache/sqlite_engine.h"
#include "util/flush_schedule.h"

namespace twat_cache::detail {

class SqliteEngineImpl final : public SqliteEngine {
  public:
    SqliteEngineImpl(ResolvedConfig config, SqliteOptions options,
                     std::unique_ptr<Connection> first);
    ~SqliteEngineImpl() override;

    std::string_view kind() const override { return "sqlite"; }
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
    Result<std::uint64_t> evictTag(std::string_view tag) override;
    Result<SqliteCheckReport> check(bool fix) override;
    const std::filesystem::path& folder() const override { return m_config.folder; }

    // Policy cost: an entry's compute time per stored byte (1 ns when not recorded).
    static double costDensity(const std::optional<std::uint64_t>& computeNs, std::int64_t size) {
        const double cost =
            computeNs ? static_cast<double>(std::max<std::uint64_t>(*computeNs, 1)) : 1.0;
        return cost / static_cast<double>(std::max<std::int64_t>(size, 1));
    }

    // Creates the schema of a new database or validates an existing one.
    static Status ensureSchema(Connection& conn, const ResolvedConfig& config);

  private:
    // A borrowed connection, returned to the pool when the lease ends.
    class Lease {
      public:
        Lease(SqliteEngineImpl* engine, std::unique_ptr<Connection> conn)
            : m_engine(engine), m_conn(std::move(conn)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (m_conn) m_engine->release(std::move(m_conn));
        }
        Connection& operator*() const { return *m_conn; }
        Connection* operator->() const { return m_conn.get(); }

      private:
        SqliteEngineImpl* m_engine;
        std::unique_ptr<Connection> m_conn;
    };

    struct Access {
        std::int64_t accessed = 0;
        std::int64_t count = 0;
        double density = 0;  // policy cost: compute time / stored bytes of the entry
    };
    // Counters and stamps taken out of memory to be written; put back if the write fails.
    struct Pending {
        std::uint64_t hits = 0, misses = 0, evictions = 0, expirations = 0, errors = 0;
        std::uint64_t compute_ns = 0, saved_ns = 0;
        std::unordered_map<Key, Access, KeyHash> access;
        bool empty() const {
            return hits + misses + evictions + expirations + errors + compute_ns + saved_ns == 0 &&
                   access.empty();
        }
    };
    // Files to delete once the transaction that dropped their rows has committed.
    struct Removed {
        std::int64_t count = 0;
        std::int64_t bytes = 0;
        std::vector<std::string> files;
    };

    Result<Lease> acquire();
    void release(std::unique_ptr<Connection> conn);

    Pending takePending();
    void restorePending(Pending&& pending);
    Status applyPending(Connection& conn, const Pending& pending);
    // Writes pending counters in a transaction of its own. `opportunistic`: give up at once
    // when another connection holds the write lock (used from get, which must not wait).
    Status flushPending(Connection& conn, bool opportunistic);
    void noteOp(Connection& conn);
    // Counts one failed get/set/erase in Stats::errors (once per failure; see stats.h).
    void noteError(const Status& status);
    Result<bool> eraseUncounted(const Key& key);

    // Deletes rows in one write transaction: `run` executes a DELETE ... RETURNING bytes,
    // filename statement through collectRemoved; then the totals are decremented (or reset
    // to 0), the transaction commits and the removed rows' value files are deleted.
    enum class TotalsUpdate { kSubtract, kReset };
    Result<std::int64_t> deleteRows(TotalsUpdate totals,
                                    const std::function<Status(Connection&, Removed&)>& run);
    // Runs a DELETE ... RETURNING bytes, filename statement to completion.
    Status collectRemoved(Connection& conn, sqlite3_stmt* stmt, Removed& removed);
    Status addTotals(Connection& conn, std::int64_t count, std::int64_t bytes,
                     std::int64_t* newCount, std::int64_t* newBytes);
    // Deletes up to kCullBatch expired rows into `culled`; `next` receives the earliest
    // expiry left (INT64_MAX: none), or 0 when the batch was full (more may be due).
    Status cullExpired(Connection& conn, std::int64_t now, Removed& culled, std::int64_t* next);
    // Whether a set at `now` should cull: an expiry this process knows of is due, or
    // kCullEvery sets went by without a cull (other processes' entries expire too).
    bool cullDue(std::int64_t now);
    void lowerCullDue(std::int64_t expires);
    Status evictForLimits(Connection& conn, const Key& keep, std::int64_t count, std::int64_t bytes,
                          Removed& evicted);
    void removeFiles(const std::vector<std::string>& names);
    std::string newSpillName(const Key& key);
    std::filesystem::path spillPath(std::string_view name) const { return m_dataDir / name; }
    // Finds bad rows, rows with a missing value file and (deleting them when `fix`) orphan
    // files. Runs inside check()'s write transaction.
    Status checkFiles(Connection& conn, bool fix, SqliteCheckReport& report,
                      std::vector<std::int64_t>& badRowids, std::vector<std::string>& toRemove);

    const ResolvedConfig m_config;
    const SqliteOptions m_options;
    const std::filesystem::path m_dbPath;
    const std::filesystem::path m_dataDir;
    const bool m_trackAccess;  // lru/lfu need access stamps

    std::mutex m_poolMutex;
    std::vector<std::unique_ptr<Connection>> m_idle;  // guarded by m_poolMutex
    pid_t m_pid;                                      // guarded by m_poolMutex

    std::atomic<std::uint64_t> m_hits{0}, m_misses{0}, m_evictions{0}, m_expirations{0},
        m_errors{0}, m_computeNs{0}, m_savedNs{0};
    FlushSchedule m_flushSchedule;  // when batched counters and stamps are written
    // The earliest expiry (clock ms) this process knows may be stored; 0: unknown, cull.
    std::atomic<std::int64_t> m_cullDueMs{0};
    std::atomic<std::uint32_t> m_setsSinceCull{0};

    std::mutex m_accessMutex;
    std::unordered_map<Key, Access, KeyHash> m_access;  // guarded by m_accessMutex
};

}  // namespace twat_cache::detail
