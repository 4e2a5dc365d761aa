// NamespacePanel: the namespace tree of the window's Namespaces dock, and its scan.
//
// For a Redis source the panel asks the source's worker for namespace counts, a budget of
// keys at a time, and merges each report into its NamespaceModel: the tree fills in while the
// keyspace is scanned, under "scanned N of ~M keys". Each budget is a separate request, so
// the GUI thread stays free meanwhile. For a joblib store or a plain cache folder the tree is
// the entries' paths, counted the same way ("counted N entries"), with their sizes: a joblib
// store's modules, their functions and the number of calls of each; a folder's directories.
// For other sources, or none, it says which sources have namespaces. Choosing a namespace
// asks for its entries (filterRequested: a glob of the prefix, which a joblib store matches
// against each call's path).
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

    // Whether sources of `kind` have namespaces (Redis, joblib, plain folders).
    static bool appliesTo(SourceKind kind);

    // Shows the namespaces of `client` (nullptr: no source) and, for a source that has them,
    // starts counting them. The client must outlive its showing (show another or none first).
    void showSource(SourceClient* client);
    // Forgets the shown source's namespaces and counts again from the start.
    void rescan();
    // A namespace report from `client` (kept only if it is the one shown); asks for the next
    // budget until the scan is complete.
    void onReport(SourceClient* client, const NamespaceReport& report, const QString& error);

    // Keys examined per scan request (default 20000; folder sources at most kFolderBudget).
    void setBudget(quint64 keys) { m_budget = keys; }
    static constexpr quint64 kFolderBudget = 2000;
    NamespaceModel* model() const { return m_model; }
    // "scanned N of ~M keys" while a Redis keyspace is scanned ("counted N entries" for a
    // folder source); empty otherwise.
    QString scanStatus() const { return m_scanStatus; }
    bool scanComplete() const { return m_complete; }

  signals:
    void scanStatusChanged(const QString& text);
    // The user chose a namespace: the entries filter that lists its keys.
    void filterRequested(const QString& filter);
    void logLine(const QString& level, const QString& message);

  private:
    void startScan(bool restart);
    // Entries to count per request for the shown source.
    quint64 budget() const;
    // Empties the tree, with the separator and columns of the shown source.
    void resetModel();
    void setScanStatus(const QString& text);

    NamespaceModel* m_model;
    QTreeView* m_view;
    QLabel* m_label;
    SourceClient* m_client = nullptr;  // the source shown, if it has namespaces
    quint64 m_budget = 20000;
    bool m_complete = false;
    QString m_scanStatus;
};

}  // namespace twat_cache::ui
