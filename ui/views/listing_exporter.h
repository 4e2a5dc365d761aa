// ListingExporter: File ▸ Export Listing… — every entry of the shown source that matches the
// entries' filter (the whole keyspace, not only the rows loaded) written to a CSV or JSON Lines
// file (twat_cache/listing_export.h), streamed page by page through the source's worker, with
// a progress dialog ("N entries written of ~M") whose Cancel stops between pages. The file
// appears only when the export completes: a cancelled or failed export leaves none.
//
// Thread safety: GUI thread only; the export runs on the source's worker thread.
#pragma once

#include <QObject>
#include <QPointer>
#include <QProgressDialog>

#include "views/actions.h"

class QLineEdit;
class QMainWindow;

namespace twat_cache::ui {

class EntriesModel;
class MaintenanceController;
class SourceClient;

class ListingExporter : public QObject {
    Q_OBJECT

  public:
    // `maintenance` says which source is shown; `filter` is the entries' filter field and
    // `entries` their model (its Type filter applies too); `window` owns this and its File
    // menu gets the command.
    ListingExporter(const Actions& actions, MaintenanceController* maintenance, QLineEdit* filter,
                    const EntriesModel* entries, QMainWindow* window);

    // Exports to `path` (CSV when `csv`, else JSON Lines) without asking for a file.
    void exportTo(const QString& path, bool csv);
    bool isRunning() const { return m_client != nullptr; }
    QProgressDialog* progressDialog() const { return m_progress; }

  signals:
    // The export ended: `written` entries in `path`, or cancelled (no file), or `error`.
    void finished(const QString& path, quint64 written, bool cancelled, const QString& error);

  private:
    void chooseFile();
    void updateAction();
    void onProgress(quint64 written, quint64 scanned, quint64 total);
    void onExported(quint64 written, bool cancelled, const QString& error);

    const Actions& m_actions;
    MaintenanceController* m_maintenance;
    QLineEdit* m_filter;
    const EntriesModel* m_entries;
    QMainWindow* m_window;
    QPointer<SourceClient> m_client;  // the source being exported (null: none)
    QPointer<QProgressDialog> m_progress;
    QString m_path;
    QList<QMetaObject::Connection> m_connections;
};

}  // namespace twat_cache::ui
