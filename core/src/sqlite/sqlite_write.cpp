// The sqlite engine's writes: set (with spilling, compression, TTL culling and eviction),
// erase, and the batched counters and access stamps.
#include <algorithm>
#include <bit>
#include <chrono>
#include <limits>

#include "sqlite/sqlite_engine_impl.h"
#include "sqlite/sqlite_txn.h"
#include "util/expiry.h"
#include "util/fs_util.h"
#include "util/log_internal.h"
#include "util/zstd_util.h"

namespace twat_cache::detail {

namespace {

// Expired rows removed per write: enough to keep up with any steady load, small enough that
// a set never stalls on a backlog.
constexpr std::int64_t kCullBatch = 32;
// Victims removed per eviction statement.
constexpr std::int64_t kEvictBatch = 16;
// A set culls at least every kCullEvery sets, even when this process knows of no due expiry:
// other processes store entries with expiries too. Between culls an expired row is only
// dead weight (get checks the expiry), and a set over a limit always culls before evicting.
constexpr std::uint32_t kCullEvery = 32;

}  // namespace

Status SqliteEngineImpl::collectRemoved(Connection& conn, sqlite3_stmt* stmt, Removed& removed) {
    for (;;) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) return {};
        if (rc != SQLITE_ROW) return conn.error(rc, "cannot delete from");
        removed.count += 1;
        removed.bytes += sqlite3_column_int64(stmt, 0);
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
            removed.files.emplace_back(columnText(stmt, 1));
        }
    }
}

Status SqliteEngineImpl::addTotals(Connection& conn, std::int64_t count, std::int64_t bytes,
                                   std::int64_t* newCount, std::int64_t* newBytes) {
    {
        auto stmt = conn.statement(Stmt::kAddTotals);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        sqlite3_bind_int64(*stmt, 1, count);
        sqlite3_bind_int64(*stmt, 2, bytes);
        const int rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return conn.error(rc, "cannot update the totals of");
    }
    if (newCount == nullptr && newBytes == nullptr) return {};
    // Same write transaction: this reads the row just written.
    auto stmt = conn.statement(Stmt::kReadCounters);
    if (!stmt.ok()) return stmt.status();
    StmtScope scope(*stmt);
    const int rc = sqlite3_step(*stmt);
    if (rc != SQLITE_ROW) return conn.error(rc, "cannot read the totals of");
    if (newCount) *newCount = sqlite3_column_int64(*stmt, 5);
    if (newBytes) *newBytes = sqlite3_column_int64(*stmt, 6);
    return {};
}

Status SqliteEngineImpl::cullExpired(Connection& conn, std::int64_t now, Removed& culled,
                                     std::int64_t* next) {
    Removed round;
    {
        auto stmt = conn.statement(Stmt::kCullExpired);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        sqlite3_bind_int64(*stmt, 1, now);
        sqlite3_bind_int64(*stmt, 2, kCullBatch);
        if (Status s = collectRemoved(conn, *stmt, round); !s.ok()) return s;
    }
    *next = 0;
    if (round.count < kCullBatch) {
        auto stmt = conn.statement(Stmt::kNextExpiry);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        const int rc = sqlite3_step(*stmt);
        if (rc != SQLITE_ROW) return conn.error(rc, "cannot read from");
        *next = sqlite3_column_type(*stmt, 0) == SQLITE_NULL
                    ? std::numeric_limits<std::int64_t>::max()
                    : sqlite3_column_int64(*stmt, 0);
    }
    culled.count += round.count;
    culled.bytes += round.bytes;
    culled.files.insert(culled.files.end(), round.files.begin(), round.files.end());
    return {};
}

bool SqliteEngineImpl::cullDue(std::int64_t now) {
    if (m_setsSinceCull.fetch_add(1, std::memory_order_relaxed) + 1 >= kCullEvery) return true;
    return now >= m_cullDueMs.load(std::memory_order_relaxed);
}

void SqliteEngineImpl::lowerCullDue(std::int64_t expires) {
    std::int64_t due = m_cullDueMs.load(std::memory_order_relaxed);
    while (expires < due &&
           !m_cullDueMs.compare_exchange_weak(due, expires, std::memory_order_relaxed)) {
    }
}

Status SqliteEngineImpl::evictForLimits(Connection& conn, const Key& keep, std::int64_t count,
                                        std::int64_t bytes, Removed& evicted) {
    const auto maxCount = static_cast<std::int64_t>(m_config.maxsize);
    const auto maxBytes = static_cast<std::int64_t>(m_config.max_bytes);
    const auto blob = keyBlob(keep);
    auto over = [&] {
        return (maxCount > 0 && count > maxCount) || (maxBytes > 0 && bytes > maxBytes);
    };
    // Bounded: each round removes at least one row or stops.
    while (over()) {
        Stmt which = Stmt::kVictimsFifo;
        switch (m_config.policy) {
            case Policy::kLru:
                which = Stmt::kVictimsLru;
                break;
            case Policy::kLfu:
                which = Stmt::kVictimsLfu;
                break;
            case Policy::kRr:
                which = Stmt::kVictimsRr;
                break;
            case Policy::kCost:
                which = Stmt::kVictimsCost;
                break;
            case Policy::kFifo:
            case Policy::kNone:
                break;
        }
        std::int64_t batch = maxCount > 0 && count > maxCount ? count - maxCount : 1;
        batch = std::clamp<std::int64_t>(batch, 1, kEvictBatch);
        Removed round;
        if (which == Stmt::kVictimsCost) {
            // L rises to the priority of the victims before they go (GreedyDual).
            auto stmt = conn.statement(Stmt::kCostInflate);
            if (!stmt.ok()) return stmt.status();
            StmtScope scope(*stmt);
            bindBlob(*stmt, 1, blob.data(), blob.size());
            sqlite3_bind_int64(*stmt, 2, batch);
            const int rc = sqlite3_step(*stmt);
            if (rc != SQLITE_DONE) return conn.error(rc, "cannot write the cost inflation of");
        }
        for (int attempt = 0; attempt < 2 && round.count == 0; ++attempt) {
            auto stmt = conn.statement(attempt == 0 ? which : Stmt::kVictimsFifo);
            if (!stmt.ok()) return stmt.status();
            StmtScope scope(*stmt);
            bindBlob(*stmt, 1, blob.data(), blob.size());
            sqlite3_bind_int64(*stmt, 2, batch);
            if (Status s = collectRemoved(conn, *stmt, round); !s.ok()) return s;
        }
        if (round.count == 0) break;  // only the new entry is left
        count -= round.count;
        bytes -= round.bytes;
        evicted.count += round.count;
        evicted.bytes += round.bytes;
        evicted.files.insert(evicted.files.end(), round.files.begin(), round.files.end());
    }
    return {};
}

Status SqliteEngineImpl::set(const Key& key, const Record& record) {
    const std::int64_t now = m_config.clock->nowMs();
    const std::int64_t expires = expiryMs(record.ttl, m_config.ttl, now);

    std::int64_t flags = 0;
    std::optional<std::string> compressed;
    if (m_config.compress) compressed = zstdCompress(record.payload);
    const std::string_view stored = compressed ? std::string_view(*compressed) : record.payload;
    if (compressed) flags |= kFlagZstd;
    const auto entryBytes = static_cast<std::int64_t>(stored.size() + record.key_text.size());
    if (m_config.max_bytes != 0 && static_cast<std::uint64_t>(entryBytes) > m_config.max_bytes) {
        Status s = Status::invalidArgument(
            "entry of " + std::to_string(entryBytes) + " bytes exceeds max_bytes " +
            std::to_string(m_config.max_bytes) + " of sqlite cache \"" + m_config.name +
            "\"; not stored");
        noteError(s);
        return s;
    }
    const bool spill = stored.size() >= m_options.spill_threshold;
    if (spill) flags |= kFlagSpilled;

    auto lease = acquire();
    if (!lease.ok()) {
        noteError(lease.status());
        return lease.status();
    }
    Connection& conn = **lease;
    std::string newFile;
    Removed culled, replaced, evicted;
    Pending pending;
    auto fail = [&](Status s) {
        if (!newFile.empty()) removeFiles({newFile});
        if (!pending.empty()) restorePending(std::move(pending));
        noteError(s);
        return s;
    };

    WriteTxn txn(conn);
    if (Status s = txn.begin(); !s.ok()) return fail(s);
    bool culledNow = false;
    std::int64_t nextExpiry = 0;
    if (cullDue(now)) {
        if (Status s = cullExpired(conn, now, culled, &nextExpiry); !s.ok()) return fail(s);
        culledNow = true;
    }
    const auto blob = keyBlob(key);
    if (spill) {
        // Written under the write lock, so that check(fix), which also holds it, never
        // mistakes a file about to be committed for an orphan.
        newFile = newSpillName(key);
        const std::filesystem::path path = spillPath(newFile);
        if (Status s = createDirectories(path.parent_path(), m_config.secure); !s.ok()) {
            return fail(s);
        }
        if (Status s = writeFileAtomic(path, stored, m_config.secure, m_options.durable); !s.ok()) {
            newFile.clear();
            return fail(s);
        }
    }
    // A plain INSERT: a new key (the common case) needs no other statement. An existing key
    // fails the primary key (the statement alone is undone), and is deleted, counted as
    // replaced, and the INSERT runs again; the write lock keeps other writers out meanwhile.
    for (int attempt = 0;; ++attempt) {
        auto stmt = conn.statement(Stmt::kInsert);
        if (!stmt.ok()) return fail(stmt.status());
        int rc = SQLITE_OK;
        {
            StmtScope scope(*stmt);
            bindBlob(*stmt, 1, blob.data(), blob.size());
            bindText(*stmt, 2, record.key_text);
            sqlite3_bind_int64(*stmt, 3, std::bit_cast<std::int64_t>(record.type_tag));
            sqlite3_bind_int64(*stmt, 4, flags);
            sqlite3_bind_int64(*stmt, 5, now);
            sqlite3_bind_int64(*stmt, 6, expires);
            sqlite3_bind_int64(*stmt, 7, static_cast<std::int64_t>(stored.size()));
            if (!record.tag.empty()) bindText(*stmt, 8, record.tag);
            if (spill) {
                bindText(*stmt, 10, newFile);
            } else {
                bindBlob(*stmt, 9, stored.data(), stored.size());
            }
            if (record.compute_ns) {
                sqlite3_bind_int64(*stmt, 11, static_cast<std::int64_t>(*record.compute_ns));
            }
            rc = sqlite3_step(*stmt);
        }
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_CONSTRAINT_PRIMARYKEY || attempt != 0) {
            return fail(conn.error(rc, "cannot write to"));
        }
        auto del = conn.statement(Stmt::kDeleteKey);
        if (!del.ok()) return fail(del.status());
        StmtScope scope(*del);
        bindBlob(*del, 1, blob.data(), blob.size());
        if (Status s = collectRemoved(conn, *del, replaced); !s.ok()) return fail(s);
    }
    if (m_trackAccess) {
        // Only lru/lfu/cost read the stamps; other policies skip the row (and its page write).
        const bool cost = m_config.policy == Policy::kCost;
        auto stmt = conn.statement(cost ? Stmt::kStampCost : Stmt::kStamp);
        if (!stmt.ok()) return fail(stmt.status());
        StmtScope scope(*stmt);
        bindBlob(*stmt, 1, blob.data(), blob.size());
        sqlite3_bind_int64(*stmt, 2, now);
        if (cost) {
            sqlite3_bind_double(
                *stmt, 3, costDensity(record.compute_ns, static_cast<std::int64_t>(stored.size())));
        }
        const int rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return fail(conn.error(rc, "cannot write access stamps to"));
    }
    const bool limited = m_config.maxsize != 0 || m_config.max_bytes != 0;
    std::int64_t count = 0, bytes = 0;
    if (Status s = addTotals(conn, 1 - culled.count - replaced.count,
                             entryBytes - culled.bytes - replaced.bytes, limited ? &count : nullptr,
                             limited ? &bytes : nullptr);
        !s.ok()) {
        return fail(s);
    }
    auto isOver = [&] {
        return (m_config.maxsize != 0 && static_cast<std::uint64_t>(count) > m_config.maxsize) ||
               (m_config.max_bytes != 0 && static_cast<std::uint64_t>(bytes) > m_config.max_bytes);
    };
    if (isOver() && !culledNow) {
        // Expired entries go before any live entry is evicted (or a full cache refuses).
        Removed late;
        if (Status s = cullExpired(conn, now, late, &nextExpiry); !s.ok()) return fail(s);
        culledNow = true;
        if (late.count != 0) {
            if (Status s = addTotals(conn, -late.count, -late.bytes, &count, &bytes); !s.ok()) {
                return fail(s);
            }
            culled.count += late.count;
            culled.bytes += late.bytes;
            culled.files.insert(culled.files.end(), late.files.begin(), late.files.end());
        }
    }
    if (isOver()) {
        if (m_config.policy == Policy::kNone) {
            txn.rollback();
            if (!newFile.empty()) removeFiles({newFile});
            Status full = Status::unavailable("sqlite cache \"" + m_config.name + "\" is full (" +
                                              std::to_string(count - 1) + " entries, " +
                                              std::to_string(bytes - entryBytes) +
                                              " bytes) and its policy is none; entry not stored");
            noteError(full);
            return full;
        }
        if (m_trackAccess) {
            // The victims are chosen by access stamps: bring the batched ones in first.
            pending = takePending();
            if (Status s = applyPending(conn, pending); !s.ok()) return fail(s);
        }
        if (Status s = evictForLimits(conn, key, count, bytes, evicted); !s.ok()) return fail(s);
        if (evicted.count != 0) {
            if (Status s = addTotals(conn, -evicted.count, -evicted.bytes, nullptr, nullptr);
                !s.ok()) {
                return fail(s);
            }
        }
    }
    if (Status s = txn.commit(); !s.ok()) return fail(s);

    if (culledNow) {
        m_setsSinceCull.store(0, std::memory_order_relaxed);
        m_cullDueMs.store(nextExpiry, std::memory_order_relaxed);
    }
    if (expires != 0) lowerCullDue(expires);
    m_expirations.fetch_add(static_cast<std::uint64_t>(culled.count), std::memory_order_relaxed);
    m_evictions.fetch_add(static_cast<std::uint64_t>(evicted.count), std::memory_order_relaxed);
    if (record.compute_ns) m_computeNs.fetch_add(*record.compute_ns, std::memory_order_relaxed);
    removeFiles(culled.files);
    removeFiles(replaced.files);
    removeFiles(evicted.files);
    if (!replaced.files.empty() || m_trackAccess) {
        std::lock_guard lock(m_accessMutex);
        m_access.erase(key);  // a stamp of the old value must not touch the new one
    }
    noteOp(conn);
    return {};
}

Result<bool> SqliteEngineImpl::erase(const Key& key) {
    Result<bool> removed = eraseUncounted(key);
    if (!removed.ok()) noteError(removed.status());
    return removed;
}

Result<bool> SqliteEngineImpl::eraseUncounted(const Key& key) {
    const auto blob = keyBlob(key);
    auto removed = deleteRows(TotalsUpdate::kSubtract, [&](Connection& conn, Removed& out) {
        auto stmt = conn.statement(Stmt::kDeleteKey);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        bindBlob(*stmt, 1, blob.data(), blob.size());
        return collectRemoved(conn, *stmt, out);
    });
    if (!removed.ok()) return removed.status();
    return *removed > 0;
}

Result<std::int64_t> SqliteEngineImpl::deleteRows(
    TotalsUpdate totals, const std::function<Status(Connection&, Removed&)>& run) {
    auto lease = acquire();
    if (!lease.ok()) return lease.status();
    Connection& conn = **lease;
    Removed removed;
    WriteTxn txn(conn);
    if (Status s = txn.begin(); !s.ok()) return s;
    if (Status s = run(conn, removed); !s.ok()) return s;
    if (totals == TotalsUpdate::kReset) {
        if (Status s = conn.exec("UPDATE counters SET count = 0, bytes = 0 WHERE id = 0",
                                 "cannot reset the totals of");
            !s.ok()) {
            return s;
        }
    } else if (removed.count == 0) {
        return std::int64_t{0};  // nothing changed: the transaction rolls back
    } else if (Status s = addTotals(conn, -removed.count, -removed.bytes, nullptr, nullptr);
               !s.ok()) {
        return s;
    }
    if (Status s = txn.commit(); !s.ok()) return s;
    removeFiles(removed.files);
    return removed.count;
}

// ---- batched counters and access stamps ----------------------------------------------------

SqliteEngineImpl::Pending SqliteEngineImpl::takePending() {
    Pending p;
    p.hits = m_hits.exchange(0, std::memory_order_relaxed);
    p.misses = m_misses.exchange(0, std::memory_order_relaxed);
    p.evictions = m_evictions.exchange(0, std::memory_order_relaxed);
    p.expirations = m_expirations.exchange(0, std::memory_order_relaxed);
    p.errors = m_errors.exchange(0, std::memory_order_relaxed);
    p.compute_ns = m_computeNs.exchange(0, std::memory_order_relaxed);
    p.saved_ns = m_savedNs.exchange(0, std::memory_order_relaxed);
    if (m_trackAccess) {
        std::lock_guard lock(m_accessMutex);
        p.access.swap(m_access);
    }
    return p;
}

void SqliteEngineImpl::restorePending(Pending&& p) {
    m_hits.fetch_add(p.hits, std::memory_order_relaxed);
    m_misses.fetch_add(p.misses, std::memory_order_relaxed);
    m_evictions.fetch_add(p.evictions, std::memory_order_relaxed);
    m_expirations.fetch_add(p.expirations, std::memory_order_relaxed);
    m_errors.fetch_add(p.errors, std::memory_order_relaxed);
    m_computeNs.fetch_add(p.compute_ns, std::memory_order_relaxed);
    m_savedNs.fetch_add(p.saved_ns, std::memory_order_relaxed);
    if (!p.access.empty()) {
        std::lock_guard lock(m_accessMutex);
        for (auto& [key, a] : p.access) {
            Access& mine = m_access[key];
            mine.accessed = std::max(mine.accessed, a.accessed);
            mine.count += a.count;
            mine.density = a.density;
        }
    }
}

Status SqliteEngineImpl::applyPending(Connection& conn, const Pending& p) {
    if (p.hits + p.misses + p.evictions + p.expirations + p.errors + p.compute_ns + p.saved_ns !=
        0) {
        auto stmt = conn.statement(Stmt::kAddCounters);
        if (!stmt.ok()) return stmt.status();
        StmtScope scope(*stmt);
        sqlite3_bind_int64(*stmt, 1, static_cast<std::int64_t>(p.hits));
        sqlite3_bind_int64(*stmt, 2, static_cast<std::int64_t>(p.misses));
        sqlite3_bind_int64(*stmt, 3, static_cast<std::int64_t>(p.evictions));
        sqlite3_bind_int64(*stmt, 4, static_cast<std::int64_t>(p.expirations));
        sqlite3_bind_int64(*stmt, 5, static_cast<std::int64_t>(p.errors));
        sqlite3_bind_int64(*stmt, 6, static_cast<std::int64_t>(p.compute_ns));
        sqlite3_bind_int64(*stmt, 7, static_cast<std::int64_t>(p.saved_ns));
        const int rc = sqlite3_step(*stmt);
        if (rc != SQLITE_DONE) return conn.error(rc, "cannot update the counters of");
    }
    if (!p.access.empty()) {
        const bool cost = m_config.policy == Policy::kCost;
        auto stmt = conn.statement(cost ? Stmt::kTouchCost : Stmt::kTouch);
        if (!stmt.ok()) return stmt.status();
        for (const auto& [key, a] : p.access) {
            const auto blob = keyBlob(key);
            StmtScope scope(*stmt);
            bindBlob(*stmt, 1, blob.data(), blob.size());
            sqlite3_bind_int64(*stmt, 2, a.accessed);
            sqlite3_bind_int64(*stmt, 3, a.count);
            if (cost) sqlite3_bind_double(*stmt, 4, a.density);
            const int rc = sqlite3_step(*stmt);
            if (rc != SQLITE_DONE) return conn.error(rc, "cannot update access stamps in");
        }
    }
    return {};
}

Status SqliteEngineImpl::flushPending(Connection& conn, bool opportunistic) {
    m_flushSchedule.restart();
    Pending p = takePending();
    if (p.empty()) return {};
    if (opportunistic) sqlite3_busy_timeout(conn.db(), 0);
    Status status;
    {
        WriteTxn txn(conn);
        status = txn.begin();
        if (status.ok()) status = applyPending(conn, p);
        if (status.ok()) status = txn.commit();
    }
    if (opportunistic) {
        sqlite3_busy_timeout(conn.db(), static_cast<int>(m_options.busy_timeout.count()));
    }
    if (!status.ok()) restorePending(std::move(p));
    return status;
}

void SqliteEngineImpl::noteOp(Connection& conn) {
    if (!m_flushSchedule.note()) return;
    Status s = flushPending(conn, /*opportunistic=*/true);
    if (!s.ok() && s.code() != StatusCode::kBusy) {
        logger().warn("sqlite cache \"{}\": cannot write counters: {}", m_config.name,
                      s.toString());
    }
}

Status SqliteEngineImpl::flush() {
    auto lease = acquire();
    if (!lease.ok()) return lease.status();
    return flushPending(**lease, /*opportunistic=*/false);
}

}  // namespace twat_cache::detail
