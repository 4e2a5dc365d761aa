#include "views/namespace_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>

#include "models/namespace_model.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

QString notRedisText() {
    return NamespacePanel::tr("Namespaces are shown for Redis, joblib and plain folder sources.");
}

}  // namespace

NamespacePanel::NamespacePanel(QWidget* parent)
    : QWidget(parent),
      m_model(new NamespaceModel(this)),
      m_view(new QTreeView(this)),
      m_label(new QLabel(this)) {
    m_view->setObjectName(QStringLiteral("namespacesView"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(NamespaceModel::kName, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(NamespaceModel::kKeys, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(NamespaceModel::kBytes, QHeaderView::ResizeToContents);
    m_view->expandAll();
    m_label->setObjectName(QStringLiteral("namespaceStatus"));
    m_label->setWordWrap(true);
    m_label->setText(notRedisText());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_view);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& index) {
                if (index.isValid()) emit filterRequested(m_model->filterFor(index));
            });
}

bool NamespacePanel::appliesTo(SourceKind kind) {
    return kind == SourceKind::kRedis || kind == SourceKind::kJoblib || kind == SourceKind::kFolder;
}

void NamespacePanel::showSource(SourceClient* client) {
    const bool applies = client != nullptr && appliesTo(client->ref().kind);
    m_client = applies ? client : nullptr;
    resetModel();
    m_complete = false;
    if (applies) {
        startScan(false);
    } else {
        m_label->setText(notRedisText());
        setScanStatus({});
    }
}

void NamespacePanel::rescan() {
    if (m_client == nullptr) return;
    resetModel();
    startScan(true);
}

quint64 NamespacePanel::budget() const {
    // A folder entry costs a stat (a joblib call also its folder's sizes), a Redis key a
    // share of a SCAN: smaller steps keep the worker free for the entries between them.
    const bool redis = m_client != nullptr && m_client->ref().kind == SourceKind::kRedis;
    return redis ? m_budget : std::min<quint64>(m_budget, kFolderBudget);
}

void NamespacePanel::resetModel() {
    const bool redis = m_client != nullptr && m_client->ref().kind == SourceKind::kRedis;
    // A folder source's namespaces are its paths; only they count bytes.
    if (m_client == nullptr || redis) {
        m_model->reset(m_client ? m_client->ref().separator : QStringLiteral(":"));
    } else {
        m_model->reset(QStringLiteral("/"), NamespaceModel::Noun::kEntries);
    }
    m_view->setColumnHidden(NamespaceModel::kBytes, m_client == nullptr || redis);
    m_view->expandAll();
}

void NamespacePanel::startScan(bool restart) {
    m_complete = false;
    m_label->setText(m_model->separator() == QLatin1String("/") &&
                             m_client->ref().kind != SourceKind::kRedis
                         ? tr("Counting entries…")
                         : tr("Scanning keys…"));
    m_client->requestNamespaces(budget(), restart);
}

void NamespacePanel::onReport(SourceClient* client, const NamespaceReport& report,
                              const QString& error) {
    if (client == nullptr || client != m_client) return;
    if (!error.isEmpty()) {
        m_label->setText(error);
        setScanStatus({});
        emit logLine(QStringLiteral("error"), error);
        return;
    }
    m_model->setReport(report);
    m_view->expand(m_model->rootIndex());
    m_complete = report.complete;
    const QLocale locale;
    const QString scanned = locale.toString(static_cast<qulonglong>(report.scanned));
    QString text =
        client->ref().kind != SourceKind::kRedis ? tr("counted %1 entries").arg(scanned)
        : report.totalKeys
            ? tr("scanned %1 of ~%2 keys")
                  .arg(scanned, locale.toString(static_cast<qulonglong>(*report.totalKeys)))
            : tr("scanned %1 keys").arg(scanned);
    if (report.complete) text += tr(" (complete)");
    m_label->setText(text);
    setScanStatus(text);
    if (!report.complete) m_client->requestNamespaces(budget());
}

void NamespacePanel::setScanStatus(const QString& text) {
    m_scanStatus = text;
    emit scanStatusChanged(text);
}

}  // namespace twat_cache::ui
