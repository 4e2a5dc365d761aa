#include "views/analysis_value_tab.h"

#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <cmath>

#include "views/analysis_charts.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

namespace core = ::twat_cache;

QString text(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace

AnalysisValueTab::AnalysisValueTab(QWidget* parent)
    : QWidget(parent),
      m_neverHit(new QLabel(this)),
      m_mostTitle(new QLabel(tr("<b>Most valuable</b> — time saved per byte"), this)),
      m_leastTitle(new QLabel(tr("<b>Least valuable</b> — pruned first"), this)),
      m_most(makeAnalysisTable({tr("Key"), tr("Bytes"), tr("Hits"), tr("Saved"), tr("Per KiB")},
                               "analysisMostValuable", this)),
      m_least(makeAnalysisTable({tr("Key"), tr("Bytes"), tr("Hits"), tr("Saved"), tr("Per KiB")},
                                "analysisLeastValuable", this)) {
    setObjectName(QStringLiteral("analysisValue"));
    m_neverHit->setObjectName(QStringLiteral("analysisNeverHit"));
    m_neverHit->setWordWrap(true);
    const QString tip =
        tr("An entry's value is the compute time it saved (hits × compute time), or where the "
           "source counts no hits its compute time. Click a key to list it in the entries.");
    for (QTreeWidget* table : {m_most, m_least}) {
        table->setToolTip(tip);
        // Keys of one function differ at their end (its arguments): keep both ends in view.
        table->setTextElideMode(Qt::ElideMiddle);
        connect(table, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
            emit keyActivated(item->data(0, Qt::UserRole).toString());
        });
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_neverHit);
    layout->addWidget(m_mostTitle);
    layout->addWidget(m_most, 1);
    layout->addWidget(m_leastTitle);
    layout->addWidget(m_least, 1);
    showReport(nullptr);
}

void AnalysisValueTab::fill(QTreeWidget* table, const std::vector<core::AnalysisEntry>& entries) {
    table->clear();
    for (const auto& e : entries) {
        auto* item = new QTreeWidgetItem(table);
        item->setText(0, visibleText(text(e.key)));
        item->setToolTip(0, visibleText(text(e.key)));
        item->setData(0, Qt::UserRole, text(e.key));
        item->setText(1, bytesText(e.bytes));
        item->setText(2, e.hits ? numberText(*e.hits) : notRecordedMark());
        if (!e.hits) item->setToolTip(2, notRecordedText());
        item->setText(3, durationText(e.value_ns.value_or(0)));
        item->setText(4, durationText(static_cast<quint64>(
                             std::llround(e.value_per_byte.value_or(0) * 1024.0))));
        for (int c = 1; c <= 4; ++c) item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    }
}

void AnalysisValueTab::showReport(const core::AnalysisReport* r) {
    const bool recorded = r != nullptr && r->value_recorded;
    fill(m_most, recorded ? r->top_by_value : std::vector<core::AnalysisEntry>{});
    fill(m_least, recorded ? r->least_by_value : std::vector<core::AnalysisEntry>{});
    for (QWidget* w : std::initializer_list<QWidget*>{m_mostTitle, m_most, m_leastTitle, m_least})
        w->setVisible(r == nullptr || recorded);
    if (r == nullptr) {
        m_neverHit->setText(tr("Analyze the source to rank its entries by the time they save."));
        return;
    }
    QString line;
    if (r->never_hit) {
        const QString older = ttlText(r->never_hit_older.count());
        line = tr("Never hit, stored over %1 ago: %2, %3")
                   .arg(older, countText(r->never_hit->keys, tr("entry"), tr("entries")),
                        bytesText(r->never_hit->bytes));
    } else {
        line = tr("Never hit: %1 (the source counts no hits per entry).").arg(notRecordedText());
    }
    if (!recorded) {
        line += QLatin1Char('\n') + tr("Value (time saved per byte): %1 — no entry records the "
                                       "time it took to compute.")
                                        .arg(notRecordedText());
    }
    m_neverHit->setText(line);
}

}  // namespace twat_cache::ui
