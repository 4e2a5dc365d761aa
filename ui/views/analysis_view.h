// AnalysisView: the inspector's Analysis dock (View ▸ Analysis, Ctrl+Shift+A) — where the
// entries and the bytes of the shown source are, as QDirStat and RedisInsight show them.
//
//   [Analyze] [Pause] [Cancel]  Full census ▾ / Sample N · budget 2 ms    [Export ▾]
//   ████████░░░░  visited 41,000 of ~100,000 keys, 52,300 keys/s
//   All › user › session                                                    [Up]
//   ┌ treemap of the namespaces by bytes ───┐┌ Types | Time to live | Largest | Value | Nodes ┐
//
// Analyze runs the census of the shown source (twat_cache/analysis.h) through an
// AnalysisRunner: on a connection of its own, off the GUI thread, paced by the latency budget,
// with progress, pause, resume and cancel; the source's own requests go on meanwhile. The
// treemap shows one level of the namespace tree (Redis key prefixes; folder paths elsewhere)
// by bytes: clicking a namespace opens it (drill-down) and lists its keys in the entries
// (filterRequested with its glob, "user:session:*"); the breadcrumb and Up go back. Types and
// TTL buckets are bar charts; the largest keys a list whose click lists that key; the Value tab
// the entries ranked by time saved per byte and those never hit (analysis_value_tab.h); a Redis
// Cluster's masters a table. Export writes the report as JSON (analyze --json's document),
// the namespaces as CSV, the treemap as PNG.
//
// The view follows the entries model's source (the one shown). The last report stays while
// another source is shown, under its own source's name; its clicks then filter nothing.
//
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>
#include <chrono>
#include <memory>

#include "twat_cache/analysis.h"
#include "workers/source_types.h"

class QAction;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMainWindow;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTreeWidget;

namespace twat_cache::ui {

class AnalysisRunner;
class AnalysisValueTab;
class EntriesModel;
class SourceClient;
class TreemapWidget;

class AnalysisView : public QWidget {
    Q_OBJECT

  public:
    AnalysisView(EntriesModel* entries, QWidget* parent = nullptr);

    // Starts the census of the shown source with the options of the row (a running one is
    // cancelled first). Nothing without a shown source.
    void start();
    void setPaused(bool paused);
    void cancel();
    bool isRunning() const;
    // The options row: 0 samples nothing (a census of every entry); the budget in ms (0: off).
    void setSample(int keys);
    void setBudgetMs(double ms);

    // The report shown (null before the first census ends).
    std::shared_ptr<const ::twat_cache::AnalysisReport> report() const;
    AnalysisRunner* runner() const { return m_runner; }
    TreemapWidget* treemap() const { return m_treemap; }
    AnalysisValueTab* valueTab() const { return m_value; }
    // Shows the tab of `page` (one of the tabs' widgets, e.g. valueTab()).
    void showTab(QWidget* page);
    // "visited N of ~M keys, R keys/s" while a census runs, then what it found.
    QString progressText() const;
    // The namespace node whose children the treemap shows (NamespaceReport::kNoParent: the
    // top level).
    std::size_t level() const { return m_level; }
    // What a click on the treemap's item `index` does: opens it, and lists its keys.
    void openItem(int index);
    // Back to the parent level (and its keys).
    void up();

    // Export; each returns an empty string on success, else why not.
    QString exportJson(const QString& path) const;
    QString exportCsv(const QString& path) const;
    QString exportPng(const QString& path) const;

    // Adds the view in a dock at the bottom of `window` (a tab beside its log), hidden until
    // `show` is triggered, which shows and raises it.
    static AnalysisView* addDock(QMainWindow* window, QAction* show, EntriesModel* entries);

  signals:
    // The entries should list `filter` (a glob; "" lists everything).
    void filterRequested(const QString& filter);

  private:
    void onSourceShown();
    void onProgress();
    void onFinished(const QString& error);
    void updateButtons();
    void showReport();
    void showLevel(std::size_t level);
    // The children of namespace node `level` (kNoParent: the top level), in report order.
    const std::vector<std::size_t>& childrenOf(std::size_t level) const;
    // Whether the report's source is the one shown (its clicks filter the entries).
    bool reportIsShown() const;
    QString separatorOf(const SourceRef& ref) const;
    void requestFilter(const QString& filter);
    void chooseExport(int kind);

    EntriesModel* m_entries;
    AnalysisRunner* m_runner;
    SourceClient* m_shown = nullptr;  // the entries' source when last seen
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_cancel;
    QPushButton* m_export;
    QComboBox* m_mode;
    QSpinBox* m_sample;
    QDoubleSpinBox* m_budget;
    QProgressBar* m_bar;
    QLabel* m_status;
    QLabel* m_breadcrumb;
    QPushButton* m_up;
    TreemapWidget* m_treemap;
    QTabWidget* m_tabs;
    QChartView* m_types;
    QChartView* m_ttl;
    QTreeWidget* m_largest;
    QTreeWidget* m_nodes;
    AnalysisValueTab* m_value;
    std::size_t m_level;
    // The report's namespace nodes by parent: m_children[i] for node i, the last for the top.
    std::vector<std::vector<std::size_t>> m_children;
    std::chrono::microseconds m_runBudget{0};  // the budget of the report's census
};

}  // namespace twat_cache::ui
