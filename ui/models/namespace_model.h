// NamespaceModel: the Redis namespace tree of the sidebar.
//
//   All keys            <scanned>      (one root: the database)
//     user:             41 207         (key text before the separator, most keys first)
//     session:          12 004
//     (no namespace)        31
//
// Counts grow while the keyspace is scanned a budget at a time: setReport() updates the
// rows in place (new namespaces are appended, then rows are sorted by count), so a view
// keeps its selection and scroll position between reports.
//
// Thread safety: GUI thread only.
#pragma once

#include <QHash>
#include <QStandardItemModel>

#include "workers/source_types.h"

namespace twat_cache::ui {

class NamespaceModel : public QStandardItemModel {
    Q_OBJECT

  public:
    enum Column { kName, kKeys, kColumnCount };
    // The namespace's prefix (QString; "" for keys without a separator). Absent on the root.
    static constexpr int kPrefixRole = Qt::UserRole + 1;
    // Sort key of the count column (qulonglong).
    static constexpr int kCountRole = Qt::UserRole + 2;

    explicit NamespaceModel(QObject* parent = nullptr);

    // Forgets every namespace (a new source, or a rescan).
    void reset(const QString& separator = QStringLiteral(":"));
    void setReport(const NamespaceReport& report);

    QString separator() const { return m_separator; }
    QModelIndex rootIndex() const;
    // The key count shown for `prefix`, or 0 when it is not (yet) listed.
    quint64 keysOf(const QString& prefix) const;
    // The glob that lists the keys of the namespace at `index` ("user:*"); empty for the
    // root and for keys without a namespace (they are shown by an unfiltered listing).
    QString filterFor(const QModelIndex& index) const;

  private:
    QStandardItem* m_root = nullptr;
    QHash<QString, QList<QStandardItem*>> m_rows;  // prefix -> its row's items
    QString m_separator = QStringLiteral(":");
};

}  // namespace twat_cache::ui
