// ValueTableView: a Redis key's value in pages, never loaded whole. A table whose columns
// follow the type (models/value_page_model.h) fills as the user scrolls (or presses "Load
// more"), each page asked of the source's worker (SourceClient::requestValuePage) with the
// value channel's generation, so that replies for a key, search or order no longer shown are
// dropped. Hashes and sets have a search box (Redis MATCH glob), sorted sets a rank / score
// toggle with a score range, strings a hex dump and "Save value to file…", which streams the
// value to a file page by page on the worker, with progress and cancel. Its editing commands
// (Add…, Edit…, Remove; Edit Value… for strings) are a ValueEditing's (value_editing.h).
//
// Thread safety: GUI thread only.
#pragma once

#include <QPointer>
#include <QWidget>

#include "workers/source_types.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressDialog;
class QPushButton;
class QTableView;

namespace twat_cache::ui {

class MaintenanceController;
class SourceClient;
class ValueEditing;
class ValuePageModel;

class ValueTableView : public QWidget {
    Q_OBJECT

  public:
    static constexpr int kRowsPerPage = 200;
    static constexpr int kStringBytesPerPage = 64 * 1024;

    explicit ValueTableView(QWidget* parent = nullptr);

    // Whether values of this Redis type ("hash", "list", ...) are shown in pages.
    static bool pages(const QString& valueType);
    // Shows entry `id` of `client`'s source, a value of `valueType`, from its first page.
    void showEntry(SourceClient* client, const QByteArray& id, const QString& valueType);
    // Shows nothing and drops any page still on its way.
    void clear();

    ValuePageModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    ValueEditing* editing() const { return m_editing; }
    // What is shown: the source (nullptr: nothing), the entry and its Redis type.
    SourceClient* client() const;
    const QByteArray& entryId() const { return m_id; }
    const QString& valueType() const { return m_type; }
    // Loads the value again from its first page (after an edit).
    void reload() { restart(); }
    // Where the editing commands ask whether changes can be made now, and report them.
    void setMaintenance(MaintenanceController* maintenance);
    // Streams the shown string value to `path` (what "Save value to file…" does once a file
    // is chosen).
    void saveTo(const QString& path);

  signals:
    // A save ended: `error` empty on success.
    void saveFinished(quint64 bytes, const QString& error);

  private:
    void restart();
    void requestMore();
    void onPage(const ValuePage& page, const QString& error);
    void updateStatus();
    void chooseSaveFile();

    QPointer<SourceClient> m_client;
    QByteArray m_id;
    QString m_type;
    QString m_error;
    ValuePageModel* m_model;
    QTableView* m_table;
    QLineEdit* m_search;
    QComboBox* m_order;
    QLineEdit* m_minScore;
    QLineEdit* m_maxScore;
    QPushButton* m_more;
    QPushButton* m_save;
    QLabel* m_status;
    QProgressDialog* m_progress = nullptr;
    ValueEditing* m_editing;
    QList<QMetaObject::Connection> m_connections;
};

}  // namespace twat_cache::ui
