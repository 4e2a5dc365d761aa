#include "views/namespace_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeView>
#include <QVBoxLayout>

#include "models/namespace_model.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

QString notRedisText() {
    return NamespacePanel::tr("Namespaces are shown for Redis sources.");
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

void NamespacePanel::showSource(SourceClient* client) {
    const bool redis = client != nullptr && client->ref().kind == SourceKind::kRedis;
    m_client = redis ? client : nullptr;
    m_model->reset(client != nullptr ? client->ref().separator : QStringLiteral(":"));
    m_view->expandAll();
    m_complete = false;
    if (redis) {
        startScan(false);
    } else {
        m_label->setText(notRedisText());
        setScanStatus({});
    }
}

void NamespacePanel::rescan() {
    if (m_client == nullptr) return;
    m_model->reset(m_client->ref().separator);
    m_view->expandAll();
    startScan(true);
}

void NamespacePanel::startScan(bool restart) {
    m_complete = false;
    m_label->setText(tr("Scanning keys…"));
    m_client->requestNamespaces(m_budget, restart);
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
    QString text =
        report.totalKeys
            ? tr("scanned %1 of ~%2 keys")
                  .arg(locale.toString(static_cast<qulonglong>(report.scanned)),
                       locale.toString(static_cast<qulonglong>(*report.totalKeys)))
            : tr("scanned %1 keys").arg(locale.toString(static_cast<qulonglong>(report.scanned)));
    if (report.complete) text += tr(" (complete)");
    m_label->setText(text);
    setScanStatus(text);
    if (!report.complete) m_client->requestNamespaces(m_budget);
}

void NamespacePanel::setScanStatus(const QString& text) {
    m_scanStatus = text;
    emit scanStatusChanged(text);
}

}  // namespace twat_cache::ui
