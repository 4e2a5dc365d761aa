// EntryDistribution: what the statistics panel shows of the entries loaded so far: a size
// histogram, expiry (TTL) buckets and the largest entries.
//
// It grows with each page the entries model receives (add()), so the work per page is
// proportional to the page, never to everything loaded; the panel redraws from it behind a
// timer. Sizes fall in powers-of-16 buckets (< 64 B, < 1 KiB, < 16 KiB, < 256 KiB, < 4 MiB,
// larger); expiry in buckets relative to `nowMs` at the time of add().
//
// Thread safety: a plain value; use from one thread at a time.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <array>

#include "workers/source_types.h"

namespace twat_cache::ui {

class EntryDistribution {
  public:
    static constexpr int kSizeBuckets = 6;
    static constexpr int kTtlBuckets = 6;
    static constexpr int kTopCount = 8;

    void clear();
    // Counts `rows`; expiry buckets are relative to `nowMs` (Unix ms).
    void add(const QList<EntryRow>& rows, qint64 nowMs);

    quint64 count() const { return m_count; }
    const std::array<quint64, kSizeBuckets>& sizeCounts() const { return m_sizes; }
    const std::array<quint64, kTtlBuckets>& ttlCounts() const { return m_ttls; }
    // The largest entries seen, largest first (at most kTopCount).
    const QList<EntryRow>& largest() const { return m_largest; }

    // Bucket labels (upper bounds): "64 B", "1 KiB", ..., "more"; and "past" (expired),
    // "1 min", "1 h", "1 day", "later", "never".
    static QStringList sizeLabels();
    static QStringList ttlLabels();
    static int sizeBucket(quint64 bytes);
    static int ttlBucket(qint64 expiresMs, qint64 nowMs);

  private:
    quint64 m_count = 0;
    std::array<quint64, kSizeBuckets> m_sizes{};
    std::array<quint64, kTtlBuckets> m_ttls{};
    QList<EntryRow> m_largest;
};

}  // namespace twat_cache::ui
