#include "views/stats_panel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "models/entries_model.h"
#include "views/saved_time_chart.h"
#include "views/stats_charts.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// The size while a big cache's byte sum is still under way over several samples (the core's
// "bytes_summed_entries"); else `otherwise`.
QString bytesPendingText(const SourceStats& stats, const QString& otherwise) {
    for (const auto& [name, value] : stats.extra) {
        if (name != QLatin1String("bytes_summed_entries")) continue;
        return StatsPanel::tr("adding up… %1 of %2 entries")
            .arg(numberText(value), numberText(stats.entries.value_or(value)));
    }
    return otherwise;
}

}  // namespace

StatsPanel::StatsPanel(QWidget* parent)
    : QWidget(parent),
      m_tabs(new QTabWidget(this)),
      m_note(new QLabel(this)),
      m_timeNote(new QLabel(this)),
      m_entriesCaption(new QLabel(this)),
      m_largest(new QTreeWidget(this)),
      m_redrawTimer(new QTimer(this)) {
    setObjectName(QStringLiteral("statsPanel"));
    setMinimumWidth(220);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    // Scrolled rather than squeezed: the charts keep a legible height in a short window.
    auto scrolled = [this](QWidget* page) {
        auto* area = new QScrollArea(this);
        area->setWidget(page);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        return area;
    };
    m_tabs->addTab(scrolled(buildCountersTab()), tr("Counters"));
    m_tabs->addTab(scrolled(buildEntriesTab()), tr("Entries"));
    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(300);
    connect(m_redrawTimer, &QTimer::timeout, this, &StatsPanel::redrawEntryCharts);
    showMessage(tr("Select a source to see its statistics."));
    redrawTimeCharts();
}

QWidget* StatsPanel::buildCountersTab() {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* form = new QFormLayout;
    const QList<QPair<QString, QString>> fields = {
        {QStringLiteral("entries"), tr("Entries")},
        {QStringLiteral("bytes"), tr("Size")},
        {QStringLiteral("hits"), tr("Hits")},
        {QStringLiteral("misses"), tr("Misses")},
        {QStringLiteral("ratio"), tr("Hit ratio")},
        {QStringLiteral("evictions"), tr("Evictions")},
        {QStringLiteral("compute"), tr("Compute time")},
        {QStringLiteral("saved"), tr("Time saved")},
    };
    for (const auto& [key, label] : fields) {
        auto* value = new QLabel(QStringLiteral("–"), page);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        form->addRow(label, value);
        m_fields.insert(key, value);
    }
    layout->addLayout(form);
    m_note->setWordWrap(true);
    m_note->setObjectName(QStringLiteral("statsNote"));
    layout->addWidget(m_note);
    QLineSeries* ratio = nullptr;
    m_ratioView = makeLineChart(tr("Hit ratio"), QStringLiteral("%"), "ratioChart", page, &ratio,
                                &m_ratioX, &m_ratioY);
    ratio->setPointsVisible(true);  // a run of one interval is a dot
    m_ratioSeries.append(ratio);
    m_ratioY->setRange(0, 100);
    m_opsView = makeLineChart(tr("Lookups per second"), tr("ops/s"), "opsChart", page, &m_opsSeries,
                              &m_opsX, &m_opsY);
    m_opsY->setRange(0, niceAxisMax(0));
    m_opsY->setLabelFormat(QStringLiteral("%g"));  // a quiet cache has fractions per second
    m_timeNote->setWordWrap(true);
    m_timeNote->setObjectName(QStringLiteral("timeNote"));
    layout->addWidget(m_timeNote);
    layout->addWidget(m_ratioView, 1);
    layout->addWidget(m_opsView, 1);
    m_savedChart = new SavedTimeChart(page);
    layout->addWidget(m_savedChart, 1);
    layout->addStretch(0);  // without the charts, the notes stay under the counters
    return page;
}

QWidget* StatsPanel::buildEntriesTab() {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_entriesCaption->setWordWrap(true);
    layout->addWidget(m_entriesCaption);
    layout->addWidget(makeBarChart(tr("Size up to"), EntryDistribution::sizeLabels(), "sizeChart",
                                   page, &m_sizeSet, &m_sizeY),
                      1);
    layout->addWidget(makeBarChart(tr("Expires within"), EntryDistribution::ttlLabels(), "ttlChart",
                                   page, &m_ttlSet, &m_ttlY),
                      1);
    m_largest->setObjectName(QStringLiteral("largestEntries"));
    m_largest->setHeaderLabels({tr("Largest entries"), tr("Size")});
    m_largest->setRootIsDecorated(false);
    m_largest->header()->setStretchLastSection(false);
    m_largest->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_largest->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_largest->setMinimumHeight(120);
    layout->addWidget(m_largest, 1);
    redrawEntryCharts();
    return page;
}

void StatsPanel::setStats(const SourceStats& stats) {
    const QLocale locale;
    // A Redis user without INFO has counters the server keeps but will not show: the core's
    // note says so ("not permitted by the server (NOPERM ...)"), and "does not record" would
    // be wrong.
    const bool refused = stats.note.contains(QLatin1String("not permitted by the server"));
    const QString notRecorded = refused ? tr("not permitted") : notRecordedText();
    auto number = [&](const std::optional<quint64>& n) { return n ? numberText(*n) : notRecorded; };
    m_fields[QStringLiteral("entries")]->setText(number(stats.entries));
    m_fields[QStringLiteral("bytes")]->setText(stats.bytes ? bytesText(*stats.bytes)
                                                           : bytesPendingText(stats, notRecorded));
    m_fields[QStringLiteral("hits")]->setText(number(stats.hits));
    m_fields[QStringLiteral("misses")]->setText(number(stats.misses));
    m_fields[QStringLiteral("evictions")]->setText(number(stats.evictions));
    const auto duration = [&](const std::optional<quint64>& ns) {
        return ns ? durationText(*ns) : notRecordedText();
    };
    m_fields[QStringLiteral("compute")]->setText(duration(stats.computeNs));
    m_fields[QStringLiteral("saved")]->setText(duration(stats.savedNs));
    if (m_savedRecorded != stats.savedNs.has_value()) {
        m_savedRecorded = stats.savedNs.has_value();
        redrawSavedChart();
    }
    QString ratio = notRecorded;
    if (stats.countersTracked()) {
        const quint64 lookups = *stats.hits + *stats.misses;
        ratio = lookups == 0 ? tr("no lookups yet")
                             : locale.toString(100.0 * static_cast<double>(*stats.hits) /
                                                   static_cast<double>(lookups),
                                               'f', 1) +
                                   QStringLiteral(" %");
    }
    m_fields[QStringLiteral("ratio")]->setText(ratio);
    QString note = stats.note;
    if (!note.isEmpty()) note[0] = note[0].toUpper();  // the core's notes are clauses
    if (!stats.countersTracked() && !refused) {
        const QString missing = tr("This cache does not record hits and misses.");
        note = note.isEmpty() ? missing : missing + QLatin1Char(' ') + note;
    }
    m_note->setText(note);
    if (m_countersTracked != stats.countersTracked() || m_countersRefused != refused) {
        m_countersTracked = stats.countersTracked();
        m_countersRefused = refused;
        redrawTimeCharts();
    }
}

void StatsPanel::recordSample(qint64 atMs, const SourceStats& stats) {
    setStats(stats);
    if (!stats.countersTracked() && !stats.savedNs) return;
    m_samples.append({atMs, stats.hits.value_or(0), stats.misses.value_or(0), stats.savedNs});
    if (m_samples.size() > kMaxSamples) m_samples.removeFirst();
    redrawTimeCharts();
    redrawSavedChart();
}

void StatsPanel::showMessage(const QString& message) {
    for (QLabel* label : std::as_const(m_fields)) label->setText(QStringLiteral("–"));
    m_note->setText(message);
    m_countersTracked.reset();
    m_savedRecorded.reset();
    redrawTimeCharts();
    redrawSavedChart();
}

void StatsPanel::showSource(const QString& key) {
    if (key != m_sourceKey) {
        if (!m_sourceKey.isEmpty()) m_history.insert(m_sourceKey, m_samples);
        m_samples = m_history.take(key);
        m_sourceKey = key;
    }
    clearEntries();
    showMessage(key.isEmpty() ? tr("Select a source to see its statistics.") : tr("Loading…"));
}

void StatsPanel::forgetSource(const QString& key) {
    m_history.remove(key);
    if (key == m_sourceKey) m_samples.clear();
}

void StatsPanel::resetHistory() {
    m_samples.clear();
    m_countersTracked.reset();
    m_savedRecorded.reset();
    redrawTimeCharts();
    redrawSavedChart();
    clearEntries();
}

void StatsPanel::clearEntries() {
    m_distribution.clear();
    m_complete = false;
    m_total.reset();
    m_sizeOrder = 0;
    m_redrawTimer->stop();
    redrawEntryCharts();
}

void StatsPanel::addEntries(const QList<EntryRow>& rows, qint64 nowMs) {
    m_distribution.add(rows, nowMs);
    if (!m_redrawTimer->isActive()) m_redrawTimer->start();
}

QString StatsPanel::fieldText(const QString& field) const {
    QLabel* label = m_fields.value(field);
    return label ? label->text() : QString();
}

QString StatsPanel::noteText() const {
    return m_note->text();
}

QString StatsPanel::timeNoteText() const {
    return m_timeNote->text();
}

QList<QList<QPointF>> StatsPanel::ratioSegments() const {
    QList<QList<QPointF>> segments;
    bool gap = true;
    for (qsizetype i = 1; i < m_samples.size(); ++i) {
        const Sample& a = m_samples.at(i - 1);
        const Sample& b = m_samples.at(i);
        const double x = static_cast<double>(b.atMs - m_samples.constFirst().atMs) / 1000.0;
        // Counters that went down were reset (the cache was cleared): count from zero.
        const quint64 hits = b.hits >= a.hits ? b.hits - a.hits : b.hits;
        const quint64 misses = b.misses >= a.misses ? b.misses - a.misses : b.misses;
        if (hits + misses == 0) {  // no lookups, no ratio: neither 0 % nor 100 %
            gap = true;
            continue;
        }
        if (gap) segments.append(QList<QPointF>());
        gap = false;
        segments.last().append(
            {x, 100.0 * static_cast<double>(hits) / static_cast<double>(hits + misses)});
    }
    return segments;
}

QList<QPointF> StatsPanel::ratioPoints() const {
    QList<QPointF> points;
    for (const QList<QPointF>& segment : ratioSegments()) points.append(segment);
    return points;
}

QList<QPointF> StatsPanel::opsPoints() const {
    QList<QPointF> points;
    for (qsizetype i = 1; i < m_samples.size(); ++i) {
        const Sample& a = m_samples.at(i - 1);
        const Sample& b = m_samples.at(i);
        const double x = static_cast<double>(b.atMs - m_samples.constFirst().atMs) / 1000.0;
        const double seconds = std::max(0.001, static_cast<double>(b.atMs - a.atMs) / 1000.0);
        const quint64 now = b.hits + b.misses;
        const quint64 before = a.hits + a.misses;
        const quint64 lookups = now >= before ? now - before : now;
        points.append({x, static_cast<double>(lookups) / seconds});
    }
    return points;
}

bool StatsPanel::timeChartsShown() const {
    return !m_ratioView->isHidden();
}

void StatsPanel::showTab(int index) {
    m_tabs->setCurrentIndex(index);
}

void StatsPanel::redrawTimeCharts() {
    const bool tracked = m_countersTracked.value_or(false);
    m_ratioView->setHidden(!tracked);
    m_opsView->setHidden(!tracked);
    if (!m_countersTracked) {
        m_timeNote->clear();  // nothing is known yet: the note above says what is awaited
        return;
    }
    if (!tracked) {
        m_timeNote->setText(
            m_countersRefused
                ? tr("No hit-ratio or lookup charts: the server does not let this user read "
                     "its hits and misses.")
                : tr("No hit-ratio or lookup charts: this cache does not record hits and "
                     "misses."));
        return;
    }
    m_timeNote->setText(
        m_samples.size() < 2
            ? tr("Charts fill in while the window is open (one sample every "
                 "few seconds).")
            : countText(static_cast<quint64>(m_samples.size()), tr("sample"), tr("samples")));
    const QList<QList<QPointF>> ratio = ratioSegments();
    while (m_ratioSeries.size() < ratio.size()) {
        // Another run of the line: a series like the first one, on the same axes.
        auto* series = new QLineSeries;
        m_ratioView->chart()->addSeries(series);
        series->attachAxis(m_ratioX);
        series->attachAxis(m_ratioY);
        series->setPen(m_ratioSeries.constFirst()->pen());
        series->setPointsVisible(true);
        m_ratioSeries.append(series);
    }
    for (qsizetype i = 0; i < m_ratioSeries.size(); ++i) {
        m_ratioSeries.at(i)->replace(i < ratio.size() ? ratio.at(i) : QList<QPointF>());
    }
    const QList<QPointF> ops = opsPoints();
    m_opsSeries->replace(ops);
    const double span = ops.isEmpty() ? 60.0 : std::max(1.0, ops.constLast().x());
    for (QValueAxis* x : {m_ratioX, m_opsX}) {
        x->setRange(0, span);
        x->applyNiceNumbers();
    }
    double top = 0;
    for (const QPointF& p : ops) top = std::max(top, p.y());
    m_opsY->setRange(0, niceAxisMax(top));
    m_opsY->applyNiceNumbers();
}

void StatsPanel::redrawSavedChart() {
    // The samples that carry a time saved (a source that starts recording one, e.g. a cache
    // reopened by a newer version, charts from then on).
    QList<SavedTimeChart::Sample> saved;
    for (const Sample& s : std::as_const(m_samples)) {
        if (s.savedNs) saved.append({s.atMs, *s.savedNs});
    }
    m_savedChart->setSamples(saved, m_savedRecorded);
}

void StatsPanel::setCoverage(const EntriesModel& model) {
    m_complete = model.isComplete();
    m_filtered = !model.filter().isEmpty();
    m_total = model.scanTotal();
    m_canSortBySize = model.isSortable(EntriesModel::kSize);
    m_sizeOrder = model.sortColumn() != EntriesModel::kSize ? 0
                  : model.sortOrder() == Qt::AscendingOrder ? 1
                                                            : -1;
    if (!m_redrawTimer->isActive()) m_redrawTimer->start();
}

QString StatsPanel::entriesCaption() const {
    return m_entriesCaption->text();
}

QString StatsPanel::largestTitle() const {
    return m_largest->headerItem()->text(0);
}

void StatsPanel::redrawEntryCharts() {
    const QLocale locale;
    // Say exactly which entries the charts and the "largest" list are about: the ones loaded
    // so far, unless the list is complete or sorted by size (largest first).
    const quint64 loaded = m_distribution.count();
    QString caption;
    QString largest = tr("Largest entries");
    if (loaded == 0) {
        caption = tr("Sizes and expiry of the entries appear as they are loaded.");
    } else if (m_complete) {
        caption =
            m_filtered
                ? (loaded == 1 ? tr("The 1 entry matching the filter.")
                               : tr("All %1 entries matching the filter.").arg(numberText(loaded)))
                : (loaded == 1 ? tr("The cache's 1 entry.")
                               : tr("All %1 entries of the cache.").arg(numberText(loaded)));
    } else {
        caption = m_total ? tr("The first %1 entries of the list, of ~%2 (scroll the list to "
                               "load more).")
                                .arg(numberText(loaded), numberText(*m_total))
                          : tr("The first %1 entries of the list (scroll the list to load more).")
                                .arg(numberText(loaded));
        if (m_sizeOrder < 0) {
            largest = m_filtered ? tr("Largest matching entries") : tr("Largest in the cache");
            caption += QLatin1Char(' ') + tr("The list is sorted by size, largest first, so the "
                                             "largest entries are among them.");
        } else {
            largest = tr("Largest of the %1 loaded").arg(numberText(loaded));
            const QString hint =
                m_sizeOrder > 0   ? tr("The list is sorted by size, smallest first: these are the "
                                         "smallest entries. Sort by Size again for the largest.")
                : m_canSortBySize ? tr("Sort the list by Size (largest first) to see the cache's "
                                       "largest entries.")
                                  : tr("This source cannot list its entries by size.");
            caption += QLatin1Char(' ') + hint;
        }
    }
    m_entriesCaption->setText(caption);
    m_largest->headerItem()->setText(0, largest);
    auto fill = [](QBarSet* set, QValueAxis* axis, const auto& counts) {
        quint64 top = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            set->replace(static_cast<int>(i), static_cast<qreal>(counts[i]));
            top = std::max(top, counts[i]);
        }
        axis->setRange(0, niceAxisMax(static_cast<double>(top)));
        axis->applyNiceNumbers();
    };
    fill(m_sizeSet, m_sizeY, m_distribution.sizeCounts());
    fill(m_ttlSet, m_ttlY, m_distribution.ttlCounts());
    m_largest->clear();
    for (const EntryRow& row : m_distribution.largest()) {
        auto* item = new QTreeWidgetItem(m_largest, {row.key, bytesText(row.size)});
        item->setToolTip(0, row.key);
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
}

}  // namespace twat_cache::ui
