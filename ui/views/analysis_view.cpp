#include "views/analysis_view.h"

#include <QAction>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "views/analysis_charts.h"
#include "views/analysis_export.h"
#include "views/analysis_value_tab.h"
#include "views/source_sessions.h"
#include "views/treemap_widget.h"
#include "workers/analysis_runner.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

namespace core = ::twat_cache;
constexpr std::size_t kTop = core::NamespaceReport::kNoParent;
constexpr int kOwnKeys = -2;  // the treemap item of a namespace's own (leaf) keys

QString text(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString ttlLabel(const QString& bucket) {
    if (bucket == QLatin1String("none")) return AnalysisView::tr("no TTL");
    if (bucket == QLatin1String("expired")) return AnalysisView::tr("expired, present");
    if (bucket == QLatin1String("lt_1h")) return AnalysisView::tr("< 1 h");
    if (bucket == QLatin1String("lt_1d")) return AnalysisView::tr("< 1 day");
    if (bucket == QLatin1String("lt_7d")) return AnalysisView::tr("< 7 days");
    if (bucket == QLatin1String("ge_7d")) return AnalysisView::tr("≥ 7 days");
    return bucket;
}

// How the treemap names a namespace node.
QString nodeName(const core::NamespaceReport::Node& n) {
    if (n.other) return AnalysisView::tr("(other)");
    return n.prefix.empty() ? AnalysisView::tr("(no namespace)") : text(n.name);
}

QString share(quint64 part, quint64 whole) {
    return whole == 0
               ? QStringLiteral("–")
               : QStringLiteral("%1 %").arg(
                     100.0 * static_cast<double>(part) / static_cast<double>(whole), 0, 'f', 1);
}

}  // namespace

AnalysisView::AnalysisView(EntriesModel* entries, QWidget* parent)
    : QWidget(parent),
      m_entries(entries),
      m_runner(new AnalysisRunner(this)),
      m_start(new QPushButton(tr("Analyze"), this)),
      m_pause(new QPushButton(tr("Pause"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_export(new QPushButton(tr("Export"), this)),
      m_mode(new QComboBox(this)),
      m_sample(new QSpinBox(this)),
      m_budget(new QDoubleSpinBox(this)),
      m_bar(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_breadcrumb(new QLabel(this)),
      m_up(new QPushButton(tr("Up"), this)),
      m_treemap(new TreemapWidget(this)),
      m_tabs(new QTabWidget(this)),
      m_types(makeBreakdownChart(tr("Bytes by type"), "analysisTypes", this)),
      m_ttl(makeBreakdownChart(tr("Bytes by time to live"), "analysisTtl", this)),
      m_largest(makeAnalysisTable({tr("Key"), tr("Type"), tr("Bytes"), tr("Length")},
                                  "analysisLargest", this)),
      m_nodes(makeAnalysisTable({tr("Master"), tr("Keys"), tr("Bytes"), tr("Share")},
                                "analysisNodes", this)),
      m_value(new AnalysisValueTab(this)),
      m_level(kTop) {
    setObjectName(QStringLiteral("analysisView"));
    m_start->setObjectName(QStringLiteral("analysisStart"));
    m_start->setToolTip(
        tr("Count every entry of the shown source: keys and bytes per "
           "namespace, type and time to live, and the largest"));
    m_pause->setObjectName(QStringLiteral("analysisPause"));
    m_cancel->setObjectName(QStringLiteral("analysisCancel"));
    m_cancel->setToolTip(tr("Stop the census; what it counted so far is shown"));
    m_mode->setObjectName(QStringLiteral("analysisMode"));
    m_mode->addItems({tr("Full census"), tr("Sample")});
    m_mode->setToolTip(
        tr("A sample (Redis) estimates every figure from a random sample of "
           "keys, with 95 % intervals: quick on huge keyspaces"));
    m_sample->setObjectName(QStringLiteral("analysisSample"));
    m_sample->setRange(100, 1'000'000);
    m_sample->setValue(10'000);
    m_sample->setSuffix(tr(" keys"));
    m_sample->setEnabled(false);
    m_budget->setObjectName(QStringLiteral("analysisBudget"));
    m_budget->setRange(0, 1000);
    m_budget->setDecimals(1);
    m_budget->setValue(2.0);
    m_budget->setSuffix(tr(" ms"));
    m_budget->setSpecialValueText(tr("off"));
    m_budget->setToolTip(
        tr("The extra latency the census may cause the server's other clients "
           "(Redis); off: as fast as it can"));
    m_bar->setObjectName(QStringLiteral("analysisProgress"));
    m_bar->setTextVisible(false);
    m_bar->setMaximumHeight(10);
    m_bar->setVisible(false);
    m_status->setObjectName(QStringLiteral("analysisStatus"));
    m_status->setWordWrap(true);
    m_breadcrumb->setObjectName(QStringLiteral("analysisBreadcrumb"));
    m_breadcrumb->setTextFormat(Qt::RichText);
    m_up->setObjectName(QStringLiteral("analysisUp"));
    m_up->setToolTip(tr("Back to the enclosing namespace"));
    m_export->setObjectName(QStringLiteral("analysisExport"));
    auto* exportMenu = new QMenu(m_export);
    exportMenu->addAction(tr("Report as &JSON…"), this, [this] { chooseExport(0); });
    exportMenu->addAction(tr("Namespaces as &CSV…"), this, [this] { chooseExport(1); });
    exportMenu->addAction(tr("Treemap as &PNG…"), this, [this] { chooseExport(2); });
    m_export->setMenu(exportMenu);

    auto* options = new QHBoxLayout;
    options->addWidget(m_start);
    options->addWidget(m_pause);
    options->addWidget(m_cancel);
    options->addSpacing(12);
    options->addWidget(m_mode);
    options->addWidget(m_sample);
    auto* budgetLabel = new QLabel(tr("Latency budget:"), this);
    budgetLabel->setBuddy(m_budget);
    options->addWidget(budgetLabel);
    options->addWidget(m_budget);
    options->addStretch(1);
    options->addWidget(m_export);
    auto* crumbs = new QHBoxLayout;
    crumbs->addWidget(m_breadcrumb, 1);
    crumbs->addWidget(m_up);

    m_tabs->setObjectName(QStringLiteral("analysisTabs"));
    m_tabs->addTab(m_types, tr("Types"));
    m_tabs->addTab(m_ttl, tr("Time to Live"));
    m_tabs->addTab(m_largest, tr("Largest"));
    m_tabs->addTab(m_value, tr("Value"));
    m_tabs->addTab(m_nodes, tr("Nodes"));
    m_tabs->setTabVisible(m_tabs->indexOf(m_nodes), false);  // a Redis Cluster's masters
    m_largest->setToolTip(tr("Click a key to list it in the entries"));
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("analysisSplitter"));
    splitter->addWidget(m_treemap);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({600, 400});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(options);
    layout->addWidget(m_bar);
    layout->addWidget(m_status);
    layout->addLayout(crumbs);
    layout->addWidget(splitter, 1);

    connect(m_start, &QPushButton::clicked, this, &AnalysisView::start);
    connect(m_pause, &QPushButton::clicked, this, [this] { setPaused(!m_runner->isPaused()); });
    connect(m_cancel, &QPushButton::clicked, this, &AnalysisView::cancel);
    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this](int mode) { m_sample->setEnabled(mode == 1); });
    connect(m_up, &QPushButton::clicked, this, &AnalysisView::up);
    connect(m_breadcrumb, &QLabel::linkActivated, this, [this](const QString& link) {
        const std::size_t level = link == QLatin1String("top") ? kTop : link.toULongLong();
        showLevel(level);
        const auto r = report();
        requestFilter(level == kTop
                          ? QString()
                          : NamespaceModel::globFor(text(r->namespaces.nodes[level].prefix),
                                                    separatorOf(m_runner->reportSource())));
    });
    connect(m_treemap, &TreemapWidget::activated, this, &AnalysisView::openItem);
    connect(m_largest, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        requestFilter(NamespaceModel::escapeGlob(item->data(0, Qt::UserRole).toString()));
    });
    connect(m_value, &AnalysisValueTab::keyActivated, this,
            [this](const QString& key) { requestFilter(NamespaceModel::escapeGlob(key)); });
    connect(m_runner, &AnalysisRunner::progressed, this, &AnalysisView::onProgress);
    connect(m_runner, &AnalysisRunner::finished, this, &AnalysisView::onFinished);
    connect(m_entries, &QAbstractItemModel::modelReset, this, &AnalysisView::onSourceShown);
    m_status->setText(
        tr("Analyze counts every entry of the shown source, on a connection of its "
           "own, while you go on browsing."));
    showReport();
    onSourceShown();
}

std::shared_ptr<const core::AnalysisReport> AnalysisView::report() const {
    return m_runner->report();
}

void AnalysisView::showTab(QWidget* page) {
    m_tabs->setCurrentWidget(page);
}

bool AnalysisView::isRunning() const {
    return m_runner->isRunning();
}

QString AnalysisView::progressText() const {
    return m_status->text();
}

void AnalysisView::setSample(int keys) {
    m_mode->setCurrentIndex(keys > 0 ? 1 : 0);
    if (keys > 0) m_sample->setValue(keys);
}

void AnalysisView::setBudgetMs(double ms) {
    m_budget->setValue(ms);
}

QString AnalysisView::separatorOf(const SourceRef& ref) const {
    if (ref.kind != SourceKind::kRedis) return QStringLiteral("/");
    return ref.separator.isEmpty() ? QStringLiteral(":") : ref.separator;
}

void AnalysisView::start() {
    SourceClient* client = m_entries->source();
    if (client == nullptr) return;
    core::AnalysisOptions options;
    options.top = 50;
    options.sample = m_mode->currentIndex() == 1 ? static_cast<std::size_t>(m_sample->value()) : 0;
    options.budget = std::chrono::microseconds(std::llround(m_budget->value() * 1000.0));
    options.separator = separatorOf(client->ref()).toStdString();
    m_runBudget = options.budget;
    m_runner->start(client->ref(), options);
    m_bar->setRange(0, 0);
    m_bar->setVisible(true);
    m_status->setText(tr("Analyzing %1…").arg(client->ref().name));
    updateButtons();
}

void AnalysisView::setPaused(bool paused) {
    m_runner->setPaused(paused);
    updateButtons();
    onProgress();
}

void AnalysisView::cancel() {
    m_runner->cancel();
    m_status->setText(tr("Cancelling…"));
    m_cancel->setEnabled(false);
}

void AnalysisView::onSourceShown() {
    if (m_entries->source() == m_shown) return;
    m_shown = m_entries->source();
    updateButtons();
}

bool AnalysisView::reportIsShown() const {
    return m_shown != nullptr && report() != nullptr &&
           SourceSessions::keyOf(m_shown->ref()) == SourceSessions::keyOf(m_runner->reportSource());
}

void AnalysisView::updateButtons() {
    const bool running = m_runner->isRunning();
    m_start->setEnabled(m_shown != nullptr);
    m_start->setText(report() != nullptr && !running ? tr("Analyze Again") : tr("Analyze"));
    m_pause->setEnabled(running);
    m_pause->setText(m_runner->isPaused() ? tr("Resume") : tr("Pause"));
    m_cancel->setEnabled(running);
    m_export->setEnabled(report() != nullptr);
    // Only a Redis source draws a random sample (Source::sample).
    const bool redis = m_shown != nullptr && m_shown->ref().kind == SourceKind::kRedis;
    if (!redis) m_mode->setCurrentIndex(0);
    m_mode->setEnabled(redis && !running);
    m_sample->setEnabled(redis && !running && m_mode->currentIndex() == 1);
    m_budget->setEnabled(!running);
}

void AnalysisView::onProgress() {
    if (!m_runner->isRunning()) return;
    const core::AnalysisProgress& p = m_runner->lastProgress();
    QString line =
        p.total ? tr("visited %1 of ~%2 keys, %3 keys/s")
                      .arg(numberText(p.visited), numberText(*p.total),
                           numberText(static_cast<quint64>(p.per_second)))
                : tr("visited %1 keys, %2 keys/s")
                      .arg(numberText(p.visited), numberText(static_cast<quint64>(p.per_second)));
    if (m_runner->isPaused()) line += tr(" — paused");
    m_status->setText(line);
    if (p.total && *p.total > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(static_cast<int>(std::min<quint64>(1000, p.visited * 1000 / *p.total)));
    }
}

void AnalysisView::onFinished(const QString& error) {
    m_bar->setVisible(false);
    updateButtons();
    if (!error.isEmpty()) {
        m_status->setText(tr("The analysis failed: %1").arg(error));
        return;
    }
    const auto r = report();
    const QString name = m_runner->reportSource().name;
    QString line;
    if (r->sampled) {
        line = tr("Estimated for %1 from a random sample of %2 of %3 keys: %4 (95 % interval "
                  "%5 to %6), in %7 s")
                   .arg(name, numberText(r->sample_size), numberText(r->population),
                        bytesText(r->bytes), bytesText(static_cast<quint64>(r->bytes_interval.low)),
                        bytesText(static_cast<quint64>(r->bytes_interval.high)))
                   .arg(static_cast<double>(r->elapsed.count()) / 1000.0, 0, 'f', 1);
    } else {
        line = tr("%1: %2, %3 in %4 s")
                   .arg(name, countText(r->keys, tr("key"), tr("keys")), bytesText(r->bytes))
                   .arg(static_cast<double>(r->elapsed.count()) / 1000.0, 0, 'f', 1);
        if (!r->complete) line += tr(" — cancelled: what was counted until then");
    }
    m_status->setText(line);
    showReport();
}

void AnalysisView::showReport() {
    const auto r = report();
    m_largest->clear();
    m_nodes->clear();
    m_value->showReport(r.get());
    if (!r) {
        m_children.clear();
        showLevel(kTop);
        return;
    }
    showBreakdown(m_types, r->types, {},
                  [](const QString& type) { return type.isEmpty() ? tr("entries") : type; });
    // Other sources have ages where Redis has none: their chart shows both kinds of buckets.
    std::map<std::string, core::AnalysisCount> ttl = r->ttl_buckets;
    showBreakdown(m_ttl, ttl,
                  {QStringLiteral("none"), QStringLiteral("expired"), QStringLiteral("lt_1h"),
                   QStringLiteral("lt_1d"), QStringLiteral("lt_7d"), QStringLiteral("ge_7d")},
                  ttlLabel);
    for (const auto& e : r->top_by_bytes) {
        auto* item = new QTreeWidgetItem(m_largest);
        item->setText(0, visibleText(text(e.key)));
        item->setData(0, Qt::UserRole, text(e.key));
        item->setText(1, text(e.type));
        item->setText(2, bytesText(e.bytes));
        item->setText(3, e.length ? numberText(*e.length) : QStringLiteral("–"));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(3, Qt::AlignRight | Qt::AlignVCenter);
    }
    for (const auto& n : r->nodes) {
        auto* item = new QTreeWidgetItem(m_nodes);
        item->setText(0, text(n.address));
        item->setText(1, numberText(n.count.keys));
        item->setText(2, bytesText(n.count.bytes));
        item->setText(3, share(n.count.bytes, r->bytes));
    }
    m_tabs->setTabVisible(m_tabs->indexOf(m_nodes), !r->nodes.empty());
    const auto& nodes = r->namespaces.nodes;
    m_children.assign(nodes.size() + 1, {});
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const std::size_t parent = nodes[i].parent;
        m_children[parent < nodes.size() ? parent : nodes.size()].push_back(i);
    }
    showLevel(kTop);
}

const std::vector<std::size_t>& AnalysisView::childrenOf(std::size_t level) const {
    static const std::vector<std::size_t> kNone;
    if (m_children.empty()) return kNone;
    return m_children[std::min(level, m_children.size() - 1)];
}

void AnalysisView::showLevel(std::size_t level) {
    const auto r = report();
    if (!r) {
        m_level = kTop;
        m_treemap->setItems({}, tr("Analyze the source to see where its bytes are."));
        m_breadcrumb->clear();
        m_up->setVisible(false);  // no path before a report
        return;
    }
    const auto& nodes = r->namespaces.nodes;
    m_level = level < nodes.size() ? level : kTop;
    QList<TreemapItem> items;
    quint64 childKeys = 0, childBytes = 0;
    for (const std::size_t i : childrenOf(m_level)) {
        const auto& n = nodes[i];
        TreemapItem item;
        item.name = nodeName(n);
        item.prefix = n.other            ? text(n.prefix) + tr(" (other)")
                      : n.prefix.empty() ? item.name
                                         : text(n.prefix);
        item.keys = n.keys;
        item.bytes = n.bytes;
        item.id = static_cast<int>(i);
        item.drillable = !n.other && !childrenOf(i).empty();
        quint64 partBytes = 0;
        for (const std::size_t c : childrenOf(i)) {
            item.parts << TreemapPart{nodeName(nodes[c]), nodes[c].bytes};
            partBytes += nodes[c].bytes;
        }
        if (!item.parts.isEmpty() && n.bytes > partBytes)
            item.parts << TreemapPart{tr("(keys of %1)").arg(text(n.name)), n.bytes - partBytes};
        childKeys += n.keys;
        childBytes += n.bytes;
        items << item;
    }
    QString crumbs = m_level == kTop ? QStringLiteral("<b>%1</b>").arg(tr("All"))
                                     : QStringLiteral("<a href=\"top\">%1</a>").arg(tr("All"));
    if (m_level != kTop) {
        const auto& here = nodes[m_level];
        if (here.keys > childKeys) {  // the namespace's own keys, beside its sub-namespaces
            TreemapItem own;
            own.name = tr("(keys of %1)").arg(text(here.name));
            own.prefix =
                text(here.prefix) + separatorOf(m_runner->reportSource()) + QLatin1Char('*');
            own.keys = here.keys - childKeys;
            own.bytes = here.bytes > childBytes ? here.bytes - childBytes : 0;
            own.id = kOwnKeys;
            items << own;
        }
        QStringList chain;
        for (std::size_t i = m_level; i != kTop; i = nodes[i].parent) {
            const QString name = visibleText(text(nodes[i].name)).toHtmlEscaped();
            chain.prepend(i == m_level ? QStringLiteral("<b>%1</b>").arg(name)
                                       : QStringLiteral("<a href=\"%1\">%2</a>").arg(i).arg(name));
        }
        crumbs += QStringLiteral(" › ") + chain.join(QStringLiteral(" › "));
    }
    m_breadcrumb->setText(crumbs);
    m_up->setVisible(true);
    m_up->setEnabled(m_level != kTop);
    m_treemap->setItems(items, tr("No bytes counted."));
}

void AnalysisView::openItem(int index) {
    const auto r = report();
    if (!r || index < 0 || index >= m_treemap->items().size()) return;
    const TreemapItem item = m_treemap->items().at(index);
    const QString separator = separatorOf(m_runner->reportSource());
    auto globOf = [&](std::size_t node) {
        return node == kTop
                   ? QString()
                   : NamespaceModel::globFor(text(r->namespaces.nodes[node].prefix), separator);
    };
    if (item.id == kOwnKeys) {
        requestFilter(globOf(m_level));
        return;
    }
    const auto& node = r->namespaces.nodes[static_cast<std::size_t>(item.id)];
    if (node.other) {  // folded prefixes: its keys lie under the parent's prefix
        requestFilter(globOf(m_level));
        return;
    }
    if (node.prefix.empty()) {  // keys without a namespace: no filter lists just them
        requestFilter({});
        return;
    }
    requestFilter(globOf(static_cast<std::size_t>(item.id)));
    if (item.drillable) showLevel(static_cast<std::size_t>(item.id));
}

void AnalysisView::up() {
    const auto r = report();
    if (!r || m_level == kTop) return;
    const std::size_t parent = r->namespaces.nodes[m_level].parent;
    showLevel(parent);
    requestFilter(parent == kTop ? QString()
                                 : NamespaceModel::globFor(text(r->namespaces.nodes[parent].prefix),
                                                           separatorOf(m_runner->reportSource())));
}

void AnalysisView::requestFilter(const QString& filter) {
    // Another source is shown: its entries are not the report's.
    if (reportIsShown()) emit filterRequested(filter);
}

QString AnalysisView::exportJson(const QString& path) const {
    const auto r = report();
    if (!r) return tr("There is no analysis to export yet.");
    return writeAnalysisJson(path, *r, m_runner->reportSource().name, m_runBudget);
}

QString AnalysisView::exportCsv(const QString& path) const {
    const auto r = report();
    if (!r) return tr("There is no analysis to export yet.");
    return writeAnalysisCsv(path, *r);
}

QString AnalysisView::exportPng(const QString& path) const {
    return writeWidgetPng(path, m_treemap);
}

void AnalysisView::chooseExport(int kind) {
    const QString base = m_runner->reportSource().name.isEmpty()
                             ? QStringLiteral("analysis")
                             : m_runner->reportSource().name + QStringLiteral(" analysis");
    const QString filter = kind == 0   ? tr("JSON (*.json)")
                           : kind == 1 ? tr("CSV (*.csv)")
                                       : tr("PNG image (*.png)");
    const QString suffix = kind == 0   ? QStringLiteral(".json")
                           : kind == 1 ? QStringLiteral(".csv")
                                       : QStringLiteral(".png");
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Analysis"), base + suffix, filter);
    if (path.isEmpty()) return;
    const QString error = kind == 0   ? exportJson(path)
                          : kind == 1 ? exportCsv(path)
                                      : exportPng(path);
    if (!error.isEmpty()) QMessageBox::warning(this, tr("Export Analysis"), error);
}

AnalysisView* AnalysisView::addDock(QMainWindow* window, QAction* show, EntriesModel* entries) {
    auto* view = new AnalysisView(entries, window);
    auto* dock = new QDockWidget(tr("Analysis"), window);
    dock->setObjectName(QStringLiteral("analysisDock"));  // saveState() needs names
    dock->setWidget(view);
    window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide();
    dock->toggleViewAction()->setVisible(false);  // View ▸ Analysis (`show`) stands for it
    connect(show, &QAction::triggered, dock, [window, dock] {
        // Shown in a place of its own: a tab beside the Log. (Done here, not at start-up, so
        // that a window that never shows it keeps its saved layout exactly.)
        auto* log = window->findChild<QDockWidget*>(QStringLiteral("logDock"));
        if (!dock->isVisible() && !dock->isFloating() && log != nullptr && log->isVisible() &&
            window->tabifiedDockWidgets(dock).isEmpty()) {
            window->tabifyDockWidget(log, dock);
        }
        dock->show();
        dock->raise();
        // The treemap wants room: at least 45 % of the window's height the first time.
        if (!dock->isFloating() && dock->height() < window->height() * 2 / 5) {
            window->resizeDocks({dock}, {window->height() * 45 / 100}, Qt::Vertical);
        }
    });
    return view;
}

}  // namespace twat_cache::ui
