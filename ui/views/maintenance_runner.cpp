#include "views/maintenance_runner.h"

#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <algorithm>
#include <limits>

#include "dialogs/typed_confirm_dialog.h"
#include "workers/display_text.h"
#include "workers/redis_endpoint.h"

namespace twat_cache::ui {
namespace {

constexpr quint64 kIntMax = static_cast<quint64>(std::numeric_limits<int>::max());

QString entriesText(quint64 count) {
    return countText(count, QObject::tr("entry"), QObject::tr("entries"));
}

}  // namespace

QString maintenanceTitle(const MaintenanceRequest& request) {
    switch (request.kind) {
        case MaintenanceKind::kDeleteSelected:
            return QObject::tr("Delete %1")
                .arg(countText(static_cast<quint64>(request.ids.size()),
                               QObject::tr("selected entry"), QObject::tr("selected entries")));
        case MaintenanceKind::kClearExpired:
            return QObject::tr("Clear expired entries");
        case MaintenanceKind::kClearAll:
            return QObject::tr("Clear all entries");
        case MaintenanceKind::kPrune:
            return QObject::tr("Prune to %1").arg(bytesText(request.pruneToBytes));
        case MaintenanceKind::kPruneValue:
            return QObject::tr("Prune least valuable to %1").arg(bytesText(request.pruneToBytes));
        case MaintenanceKind::kSetTtl: {
            const QString which =
                request.ids.isEmpty()
                    ? QObject::tr("keys matching “%1”").arg(request.glob)
                    : countText(static_cast<quint64>(request.ids.size()),
                                QObject::tr("selected entry"), QObject::tr("selected entries"));
            return request.ttlMs
                       ? QObject::tr("Set TTL %1 on %2").arg(ttlText(*request.ttlMs), which)
                       : QObject::tr("Remove TTL of %1").arg(which);
        }
        case MaintenanceKind::kDeleteMatching:
            return QObject::tr("Delete all keys matching “%1”").arg(request.glob);
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

QString MaintenanceRunner::nothingToDoText(const PlanPreview& preview) const {
    const QString name = m_client->ref().name;
    QString text;
    switch (m_request.kind) {
        case MaintenanceKind::kDeleteSelected:
            text = tr("Nothing to delete: the selected entries are gone already.");
            break;
        case MaintenanceKind::kClearExpired:
            text = tr("Nothing to clear: no entry of “%1” has expired.").arg(name);
            break;
        case MaintenanceKind::kClearAll:
            text = tr("Nothing to clear: “%1” is empty.").arg(name);
            break;
        case MaintenanceKind::kPrune:
        case MaintenanceKind::kPruneValue:
            text = tr("Nothing to prune: “%1” already fits in %2.")
                       .arg(name, bytesText(m_request.pruneToBytes));
            break;
        case MaintenanceKind::kSetTtl:
            text = m_request.ids.isEmpty()
                       ? tr("Nothing to change: no key of “%1” matches “%2”.")
                             .arg(name, m_request.glob)
                       : tr("Nothing to change: the selected entries are gone already.");
            break;
        case MaintenanceKind::kDeleteMatching:
            text = tr("Nothing to delete: no key of “%1” matches “%2”.").arg(name, m_request.glob);
            break;
    }
    if (!preview.note.isEmpty()) text += QLatin1Char(' ') + preview.note;
    return text;
}

void MaintenanceRunner::onPlan(const PlanPreview& preview, const QString& error) {
    if (!error.isEmpty()) {
        emit finished({}, error, false);
        return;
    }
    if (preview.count == 0) {
        emit nothingToDo(nothingToDoText(preview));
        emit finished({}, {}, false);
        return;
    }
    // A plan made after the typed confirmation runs at once: the user has seen its preview.
    if (m_request.confirmed) {
        execute(preview);
        return;
    }
    if (!confirm(preview)) {
        emit finished({}, {}, false);
        return;
    }
    if (preview.needsConfirmation) {
        m_request.confirmed = true;
        m_client->requestPlan(m_request);
        return;
    }
    execute(preview);
}

bool MaintenanceRunner::confirm(const PlanPreview& preview) {
    const SourceRef& ref = m_client->ref();
    const QString size = preview.bytesKnown ? bytesText(preview.bytes) : tr("size not measured");
    const bool inPlace = m_request.kind == MaintenanceKind::kSetTtl;
    QString text =
        inPlace ? tr("%1 in “%2”: %3 will be changed.")
                      .arg(maintenanceTitle(m_request), ref.name, entriesText(preview.count))
                : tr("%1 in “%2”: %3 (%4) will be removed.")
                      .arg(maintenanceTitle(m_request), ref.name, entriesText(preview.count), size);
    if (inPlace && !preview.note.isEmpty())
        text += QLatin1Char(' ') + preview.note + QLatin1Char('.');
    QString details;
    if (!preview.sample.isEmpty()) {
        details = tr("For example:") + QStringLiteral("\n• ") +
                  preview.sample.mid(0, 10).join(QStringLiteral("\n• "));
    }
    if (preview.needsConfirmation) {
        // Type what names the whole store: the database number of a Redis server.
        const auto endpoint = parseRedisUrl(ref.location);
        const bool redis = ref.kind == SourceKind::kRedis && endpoint.ok();
        const QString expected = redis ? QString::number(endpoint->db) : ref.name;
        if (redis) {
            text += QLatin1Char(' ') + tr("This deletes every key of database %1 on %2, not "
                                          "only one cache's, and cannot be undone.")
                                           .arg(expected, ref.location);
        }
        TypedConfirmDialog dialog(maintenanceTitle(m_request), text, details, expected,
                                  redis ? tr("the database number") : tr("the source's name"),
                                  tr("Remove"), m_dialogParent);
        return dialog.exec() == QDialog::Accepted;
    }
    QMessageBox box(QMessageBox::Warning, maintenanceTitle(m_request), text,
                    QMessageBox::Ok | QMessageBox::Cancel, m_dialogParent);
    box.setInformativeText(details);
    box.button(QMessageBox::Ok)->setText(inPlace ? tr("Change") : tr("Remove"));
    box.setDefaultButton(QMessageBox::Cancel);
    return box.exec() == QMessageBox::Ok;
}

void MaintenanceRunner::execute(const PlanPreview& preview) {
    m_bytesKnown = preview.bytesKnown;
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
    ExecuteResult out = result;
    out.bytesKnown = m_bytesKnown;
    emit finished(out, error, error.isEmpty());
}

}  // namespace twat_cache::ui
