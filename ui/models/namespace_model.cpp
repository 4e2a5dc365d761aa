#include "models/namespace_model.h"

#include <QLocale>

namespace twat_cache::ui {
namespace {

QStandardItem* countItem(quint64 keys) {
    auto* item = new QStandardItem;
    item->setEditable(false);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setText(QLocale().toString(static_cast<qulonglong>(keys)));
    item->setData(static_cast<qulonglong>(keys), NamespaceModel::kCountRole);
    return item;
}

void setCount(QStandardItem* item, quint64 keys) {
    if (item->data(NamespaceModel::kCountRole).toULongLong() == keys) return;
    item->setText(QLocale().toString(static_cast<qulonglong>(keys)));
    item->setData(static_cast<qulonglong>(keys), NamespaceModel::kCountRole);
}

}  // namespace

NamespaceModel::NamespaceModel(QObject* parent) : QStandardItemModel(parent) {
    setSortRole(kCountRole);
    reset();
}

void NamespaceModel::reset(const QString& separator) {
    clear();
    m_rows.clear();
    m_separator = separator.isEmpty() ? QStringLiteral(":") : separator;
    setHorizontalHeaderLabels({tr("Namespace"), tr("Keys")});
    m_root = new QStandardItem(tr("All keys"));
    m_root->setEditable(false);
    appendRow({m_root, countItem(0)});
}

QModelIndex NamespaceModel::rootIndex() const {
    return m_root->index();
}

void NamespaceModel::setReport(const NamespaceReport& report) {
    bool added = false;
    for (const auto& [prefix, keys] : report.namespaces) {
        auto it = m_rows.find(prefix);
        if (it != m_rows.end()) {
            setCount(it->at(kKeys), keys);
            continue;
        }
        auto* name =
            new QStandardItem(prefix.isEmpty() ? tr("(no namespace)") : prefix + m_separator);
        name->setEditable(false);
        name->setData(prefix, kPrefixRole);
        name->setToolTip(prefix.isEmpty()
                             ? tr("Keys without \"%1\"").arg(m_separator)
                             : tr("Keys starting with \"%1%2\"").arg(prefix, m_separator));
        const QList<QStandardItem*> row{name, countItem(keys)};
        m_root->appendRow(row);
        m_rows.insert(prefix, row);
        added = true;
    }
    setCount(item(m_root->row(), kKeys), report.scanned);
    // Most keys first; the root's children are few enough (the core caps them) to sort often.
    if (added || !report.namespaces.isEmpty()) m_root->sortChildren(kKeys, Qt::DescendingOrder);
}

quint64 NamespaceModel::keysOf(const QString& prefix) const {
    auto it = m_rows.find(prefix);
    return it == m_rows.end() ? 0 : it->at(kKeys)->data(kCountRole).toULongLong();
}

QString NamespaceModel::filterFor(const QModelIndex& index) const {
    const QModelIndex name = index.siblingAtColumn(kName);
    const QVariant prefix = name.data(kPrefixRole);
    if (!prefix.isValid() || prefix.toString().isEmpty()) return {};
    QString glob;
    // Escape glob characters of the prefix so that "a*b" matches only itself.
    for (const QChar c : prefix.toString() + m_separator) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') ||
            c == QLatin1Char('\\')) {
            glob += QLatin1Char('\\');
        }
        glob += c;
    }
    return glob + QLatin1Char('*');
}

}  // namespace twat_cache::ui
