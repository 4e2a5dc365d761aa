// NamespacePanel: the Redis namespace tree of the window's Namespaces dock, and its scan.
//
// For a Redis source the panel asks the source's worker for namespace counts, a budget of
// keys at a time, and merges each report into its NamespaceModel: the tree fills in while the
// keyspace is scanned, under "scanned N of ~M keys". Each budget is a separate request, so
// the GUI thread stays free meanwhile. For other sources, or none, it says that namespaces
// are shown for Redis sources. Choosing a namespace asks for its keys (filterRequested).
//
// The panel never opens a source: the window tells it which one is shown (showSource) and
// passes on the namespace reports of its sources (onReport).
//
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "workers/source_types.h"

class QLabel;
class QTreeView;

namespace twat_cache::ui {

class NamespaceModel;
class SourceClient;

class NamespacePanel : public QWidget {
    Q_OBJECT

  public:
    explicit NamespacePanel(QWidget* parent = nullptr);

    // Shows the namespaces of `client` (nullptr: no source) and, for a Redis source, starts
    // scanning its keyspace. The client must outlive its showing (show another or none first).
    void showSource(SourceClient* client);
    // Forgets the shown Redis source's namespaces and scans again from the start.
    void rescan();
    // A namespace report from `client` (kept only if it is the one shown); asks for the next
    // budget until the scan is complete.
    void onReport(SourceClient* client, const NamespaceReport& report, const QString& error);

    // Keys examined per scan request (default 20000).
    void setBudget(quint64 keys) { m_budget = keys; }
    NamespaceModel* model() const { return m_model; }
    // "scanned N of ~M keys" while a Redis keyspace is scanned; empty otherwise.
    QString scanStatus() const { return m_scanStatus; }
    bool scanComplete() const { return m_complete; }

  signals:
    void scanStatusChanged(const QString& text);
    // The user chose a namespace: the entries filter that lists its keys.
    void filterRequested(const QString& filter);
    void logLine(const QString& level, const QString& message);

  private:
    void startScan(bool restart);
    void setScanStatus(const QString& text);

    NamespaceModel* m_model;
    QTreeView* m_view;
    QLabel* m_label;
    SourceClient* m_client = nullptr;  // the source shown, if it is a Redis source
    quint64 m_budget = 20000;
    bool m_complete = false;
    QString m_scanStatus;
};

}  // namespace twat_cache::ui
