#include "views/maintenance_runner.h"

#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <algorithm>
#include <limits>

namespace twat_cache::ui {
namespace {

constexpr quint64 kIntMax = static_cast<quint64>(std::numeric_limits<int>::max());

}  // namespace

QString maintenanceTitle(const MaintenanceRequest& request) {
    switch (request.kind) {
        case MaintenanceKind::kDeleteSelected:
            return QObject::tr("Delete %n selected entries", nullptr,
                               static_cast<int>(request.ids.size()));
        case MaintenanceKind::kClearExpired:
            return QObject::tr("Clear expired entries");
        case MaintenanceKind::kClearAll:
            return QObject::tr("Clear all entries");
        case MaintenanceKind::kPrune:
            return QObject::tr("Prune to %1")
                .arg(QLocale().formattedDataSize(static_cast<qint64>(request.pruneToBytes)));
    }
    return {};
}

MaintenanceRunner::MaintenanceRunner(SourceClient* client, QWidget* dialogParent, QObject* parent)
    : QObject(parent), m_client(client), m_dialogParent(dialogParent) {
    connect(client, &SourceClient::planReady, this, &MaintenanceRunner::onPlan);
    connect(client, &SourceClient::progress, this, &MaintenanceRunner::onProgress);
    connect(client, &SourceClient::executed, this, &MaintenanceRunner::onExecuted);
}

MaintenanceRunner::~MaintenanceRunner() {
    delete m_progress;
}

void MaintenanceRunner::start(const MaintenanceRequest& request) {
    m_request = request;
    m_client->requestPlan(request);
}

void MaintenanceRunner::onPlan(const PlanPreview& preview, const QString& error) {
    if (!error.isEmpty()) {
        emit finished({}, error, false);
        return;
    }
    if (preview.count == 0) {
        emit finished({}, {}, false);
        return;
    }
    const QLocale locale;
    // Sizes a source did not measure (Redis) are said to be so, not shown as "0 bytes".
    const QString size = preview.bytesKnown
                             ? locale.formattedDataSize(static_cast<qint64>(preview.bytes))
                             : tr("size not measured");
    QString text =
        tr("%1 in “%2”: %n entries (%3) will be removed.", nullptr, static_cast<int>(preview.count))
            .arg(maintenanceTitle(m_request), m_client->ref().name, size);
    QMessageBox box(QMessageBox::Warning, maintenanceTitle(m_request), text,
                    QMessageBox::Ok | QMessageBox::Cancel, m_dialogParent);
    if (!preview.sample.isEmpty()) {
        box.setInformativeText(tr("For example:") + QStringLiteral("\n• ") +
                               preview.sample.mid(0, 10).join(QStringLiteral("\n• ")));
    }
    box.button(QMessageBox::Ok)->setText(tr("Remove"));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Ok) {
        emit finished({}, {}, false);
        return;
    }
    m_progress = new QProgressDialog(maintenanceTitle(m_request), tr("Cancel"), 0,
                                     static_cast<int>(std::min<quint64>(preview.count, kIntMax)),
                                     m_dialogParent);
    m_progress->setWindowModality(Qt::WindowModal);
    m_progress->setMinimumDuration(0);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, this, [this] {
        m_progress->setLabelText(tr("Stopping after the current batch…"));
        m_client->cancelExecute();
    });
    m_client->requestExecute(preview.planId);
}

void MaintenanceRunner::onProgress(quint64 done, quint64 total) {
    if (!m_progress) return;
    m_progress->setMaximum(static_cast<int>(std::min<quint64>(total, kIntMax)));
    m_progress->setValue(static_cast<int>(std::min<quint64>(done, kIntMax)));
}

void MaintenanceRunner::onExecuted(const ExecuteResult& result, const QString& error) {
    delete m_progress;
    emit finished(result, error, error.isEmpty());
}

}  // namespace twat_cache::ui
