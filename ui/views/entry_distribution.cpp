#include "views/entry_distribution.h"

#include <QObject>
#include <algorithm>

namespace twat_cache::ui {

void EntryDistribution::clear() {
    m_count = 0;
    m_sizes.fill(0);
    m_ttls.fill(0);
    m_largest.clear();
}

int EntryDistribution::sizeBucket(quint64 bytes) {
    quint64 limit = 64;
    for (int bucket = 0; bucket < kSizeBuckets - 1; ++bucket, limit *= 16) {
        if (bytes < limit) return bucket;
    }
    return kSizeBuckets - 1;
}

int EntryDistribution::ttlBucket(qint64 expiresMs, qint64 nowMs) {
    if (expiresMs == 0) return kTtlBuckets - 1;  // never expires
    const qint64 left = expiresMs - nowMs;
    if (left <= 0) return 0;
    constexpr qint64 kMinute = 60 * 1000;
    if (left < kMinute) return 1;
    if (left < 60 * kMinute) return 2;
    if (left < 24 * 60 * kMinute) return 3;
    return 4;
}

void EntryDistribution::add(const QList<EntryRow>& rows, qint64 nowMs) {
    for (const EntryRow& row : rows) {
        ++m_count;
        ++m_sizes.at(static_cast<std::size_t>(sizeBucket(row.size)));
        ++m_ttls.at(static_cast<std::size_t>(ttlBucket(row.expiresMs, nowMs)));
        if (m_largest.size() < kTopCount || row.size > m_largest.constLast().size) {
            // Keep the list sorted, largest first; ties keep the earlier entry first.
            auto at = std::upper_bound(
                m_largest.begin(), m_largest.end(), row,
                [](const EntryRow& a, const EntryRow& b) { return a.size > b.size; });
            m_largest.insert(at, row);
            if (m_largest.size() > kTopCount) m_largest.removeLast();
        }
    }
}

QStringList EntryDistribution::sizeLabels() {
    // Upper bounds, short enough to sit under a narrow bar.
    return {QStringLiteral("64 B"),    QStringLiteral("1 KiB"), QStringLiteral("16 KiB"),
            QStringLiteral("256 KiB"), QStringLiteral("4 MiB"), QObject::tr("more")};
}

QStringList EntryDistribution::ttlLabels() {
    return {QObject::tr("past"),  QObject::tr("1 min"), QObject::tr("1 h"),
            QObject::tr("1 day"), QObject::tr("later"), QObject::tr("never")};
}

}  // namespace twat_cache::ui
