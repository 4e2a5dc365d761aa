#include "views/search_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>

#include "models/entries_model.h"

namespace twat_cache::ui {
namespace {

QString number(qulonglong n) {
    return QLocale().toString(n);
}

QString number(int n) {
    return QLocale().toString(n);
}

// "scanned 120,000 of ~300,000 entries" (or "keys" for Redis).
QString progressText(const EntriesModel& model) {
    const bool redis = model.source() && model.source()->ref().kind == SourceKind::kRedis;
    const QString noun = redis ? SearchBar::tr("keys") : SearchBar::tr("entries");
    const auto total = model.scanTotal();
    return total ? SearchBar::tr("scanned %1 of ~%2 %3")
                       .arg(number(model.scanned()), number(*total), noun)
                 : SearchBar::tr("scanned %1 %2").arg(number(model.scanned()), noun);
}

QString matchesText(int n) {
    return n == 1 ? SearchBar::tr("1 match") : SearchBar::tr("%1 matches").arg(number(n));
}

}  // namespace

SearchBar::SearchBar(EntriesModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_type(new QComboBox(this)),
      m_label(new QLabel(this)),
      m_button(new QPushButton(this)) {
    setObjectName(QStringLiteral("searchBar"));
    m_type->setObjectName(QStringLiteral("typeFilter"));
    m_type->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);  // not the whole row
    m_type->addItem(tr("All types"), QString());
    for (const char* type : {"string", "hash", "list", "set", "zset", "stream"}) {
        m_type->addItem(QString::fromLatin1(type), QString::fromLatin1(type));
    }
    m_type->setToolTip(
        tr("List only keys of one type (SCAN … TYPE; a server older than Redis 6.0 is asked "
           "each key's type, a slower full scan)"));
    connect(m_type, &QComboBox::activated, this,
            [this] { m_model->setTypeFilter(m_type->currentData().toString()); });
    m_label->setObjectName(QStringLiteral("searchStatus"));
    m_label->setWordWrap(true);
    m_button->setObjectName(QStringLiteral("searchStopButton"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 0, 0);
    layout->addWidget(m_type);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_button);
    layout->addStretch();  // keeps the Type filter left while the status line is hidden
    connect(m_model, &EntriesModel::searchChanged, this, &SearchBar::refresh);
    connect(m_button, &QPushButton::clicked, this, [this] {
        if (m_model->isStopped()) {
            m_model->continueSearch();
        } else {
            m_model->stopSearch();
        }
    });
    refresh();
}

QString SearchBar::text() const {
    return m_label->text();
}

QString SearchBar::loadedText(const EntriesModel& model) {
    const int rows = model.rowCount();
    QString text = rows == 1 ? tr("1 entry loaded") : tr("%1 entries loaded").arg(number(rows));
    if (model.isLoading()) {
        text += model.scanned() > 0 ? tr(" (searching…)") : tr(" (loading…)");
    } else if (model.isStopped()) {
        text += tr(" (search stopped)");
    } else if (!model.isComplete()) {
        text += tr(" (more on scroll)");
    }
    if (model.isFiltered()) text += tr(", filtered");
    return text;
}

void SearchBar::refresh() {
    const bool redis = m_model->source() && m_model->source()->ref().kind == SourceKind::kRedis;
    m_type->setVisible(redis);
    const int typeIndex = m_type->findData(m_model->typeFilter());
    m_type->setCurrentIndex(typeIndex < 0 ? 0 : typeIndex);
    const bool filtered = m_model->isFiltered();
    const bool searching = m_model->isLoading() && (filtered || m_model->scanned() > 0);
    const bool status = m_model->source() != nullptr && m_model->lastError().isEmpty() &&
                        (filtered || searching || m_model->isStopped());
    setVisible(status || redis);
    m_label->setVisible(status);
    m_button->setVisible(status);
    if (!status) return;
    const int found = m_model->rowCount();
    QString text;
    if (m_model->isStopped()) {
        text = tr("Search stopped: %1; %2").arg(matchesText(found), progressText(*m_model));
    } else if (searching) {
        text = m_model->scanned() == 0
                   ? tr("Searching…")
                   : tr("Searching… %1, %2 so far").arg(progressText(*m_model), matchesText(found));
    } else if (m_model->isComplete()) {
        text = tr("%1 (complete)").arg(matchesText(found));
    } else {
        text =
            tr("%1 so far; %2 (scroll for more)").arg(matchesText(found), progressText(*m_model));
    }
    if (!m_model->scanNote().isEmpty()) text += QStringLiteral(" — ") + m_model->scanNote();
    m_label->setText(text);
    m_label->setToolTip(progressText(*m_model));
    m_button->setVisible(searching || m_model->isStopped());
    m_button->setText(m_model->isStopped() ? tr("Continue") : tr("Stop"));
    m_button->setToolTip(m_model->isStopped() ? tr("Search on from where it stopped")
                                              : tr("Stop searching; the matches found stay"));
}

}  // namespace twat_cache::ui
