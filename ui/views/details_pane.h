// DetailsPane: one entry's metadata and its value, shown as the source's preview (e.g. a
// decoded pickle), text, pretty JSON, hex or image; a Redis value also in pages ("Pages" tab:
// a table per type, or a hex dump of a string, loaded from the server as the user scrolls).
//
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "views/value_format.h"
#include "workers/source_types.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;

namespace twat_cache::ui {

class MaintenanceController;
class SourceClient;
class ValueTableView;

class DetailsPane : public QWidget {
    Q_OBJECT

  public:
    explicit DetailsPane(QWidget* parent = nullptr);

    // With `client` (the entry's source), a Redis value of a paged type is also shown in
    // pages, fetched from the server on demand (value_table_view.h).
    void setDetail(const EntryDetail& detail, SourceClient* client = nullptr);
    // Empties the pane and shows `message` instead (e.g. "Loading…", an error).
    void showMessage(const QString& message);

    ValueView view() const;
    void setView(ValueView view);
    QString valueText() const;
    // The message shown instead of an entry (empty while an entry is shown).
    QString messageText() const;
    // The shown entry's metadata value for `field` ("Key", "Hits", ...); empty if none.
    QString metadataValue(const QString& field) const;
    // The paged viewer ("Pages" tab), shown for Redis values of a paged type.
    ValueTableView* pagesView() const { return m_pages; }
    // Where the value pages' editing asks whether changes can be made (ValueTableView).
    void setMaintenance(MaintenanceController* maintenance);
    bool pagesShown() const;

  private:
    void render();

    QLabel* m_message;
    QTreeWidget* m_metadata;
    QComboBox* m_viewBox;
    QStackedWidget* m_stack;
    QPlainTextEdit* m_text;
    QLabel* m_image;
    QLabel* m_truncated;
    QTabWidget* m_valueTabs;
    ValueTableView* m_pages;
    QByteArray m_value;
    QString m_preview;
};

}  // namespace twat_cache::ui
