#include "views/entries_columns.h"

#include <QDateTime>
#include <QEvent>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <algorithm>

#include "models/entries_model.h"
#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// The widest text a column usually shows (beside its header).
QString sampleText(int column) {
    switch (column) {
        case EntriesModel::kSize:
        case EntriesModel::kMemory:
            return bytesText(999 * 1024 + 1000);
        case EntriesModel::kCreated:
        case EntriesModel::kAccessed:
        case EntriesModel::kExpires:
            return QDateTime(QDate(2000, 12, 28), QTime(23, 58))
                .toString(QString(EntriesModel::kTimeFormat));
        case EntriesModel::kHits:
            return numberText(9999);
        case EntriesModel::kLength:
            return numberText(99999);
        case EntriesModel::kTtl:
            return QStringLiteral("59m 59s");
        case EntriesModel::kType:
            return QStringLiteral("stream");
        case EntriesModel::kEncoding:
            return QStringLiteral("quicklist");
        case EntriesModel::kComputeTime:
        case EntriesModel::kTimeSaved:  // 59 min 59 s
            return durationText(3'599'000'000'000ULL);
        default:
            return {};
    }
}

// A column's name in the settings (stable, unlike its title).
constexpr const char* kColumnNames[] = {
    "key",  "size", "stored", "accessed", "expires",  "hits",         "tag",
    "type", "ttl",  "length", "memory",   "encoding", "compute_time", "time_saved"};
static_assert(std::size(kColumnNames) == EntriesModel::kColumnCount);

// The settings name of a kind of source.
QString kindKey(SourceKind kind) {
    switch (kind) {
        case SourceKind::kNative:
            return QStringLiteral("native");
        case SourceKind::kDiskcache:
            return QStringLiteral("diskcache");
        case SourceKind::kJoblib:
            return QStringLiteral("joblib");
        case SourceKind::kFolder:
            return QStringLiteral("folder");
        case SourceKind::kRedis:
            return QStringLiteral("redis");
    }
    return QStringLiteral("folder");
}

}  // namespace

EntriesColumns::EntriesColumns(QTableView* view)
    : QObject(view),
      m_view(view),
      m_model(qobject_cast<EntriesModel*>(view->model())),
      m_ttlTimer(new QTimer(this)) {
    QHeaderView* header = view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionsMovable(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    // One line per entry, elided in the middle: wrapping would cut a key at its first
    // hyphen or slash and elide the rest ("http-…").
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideMiddle);
    view->viewport()->installEventFilter(this);
    connect(header, &QHeaderView::sectionResized, this, [this](int section) {
        if (m_fitting) return;
        (section == EntriesModel::kKey ? m_userKeyWidth : m_userWidths) = true;
        save();
    });
    connect(header, &QHeaderView::sectionMoved, this, [this] {
        if (!m_fitting) save();
    });
    connect(header, &QHeaderView::customContextMenuRequested, this,
            &EntriesColumns::showHeaderMenu);
    m_ttlTimer->setInterval(kTtlIntervalMs);
    connect(m_ttlTimer, &QTimer::timeout, this, &EntriesColumns::tick);
    if (m_model) {
        connect(m_model, &EntriesModel::columnsChanged, this, [this] {
            applyVisibility();
            fit();
        });
        // Another source (the model resets): the layout of its kind.
        connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
            if (settingsGroup() != m_kind) restore();
        });
    }
    restore();
}

QString EntriesColumns::settingsGroup() const {
    if (!m_model || !m_model->source()) return {};
    return QStringLiteral("entries/columns/") + kindKey(m_model->source()->ref().kind);
}

void EntriesColumns::restore() {
    QHeaderView* header = m_view->horizontalHeader();
    m_kind = settingsGroup();
    m_userHidden.clear();
    m_userKeyWidth = false;
    m_userWidths = false;
    m_fitting = true;
    for (int column = 0; column < header->count(); ++column) {  // the defaults' order
        header->moveSection(header->visualIndex(column), column);
    }
    if (!m_kind.isEmpty()) {
        QSettings settings;
        settings.beginGroup(m_kind);
        const QByteArray state = settings.value(QStringLiteral("state")).toByteArray();
        m_userWidths = !state.isEmpty() && header->restoreState(state);
        m_userKeyWidth = m_userWidths && settings.value(QStringLiteral("userKeyWidth")).toBool();
        const QStringList hidden = settings.value(QStringLiteral("hidden")).toStringList();
        for (int column = 1; column < EntriesModel::kColumnCount; ++column) {
            if (hidden.contains(QLatin1String(kColumnNames[column]))) m_userHidden.insert(column);
        }
    }
    // The saved state holds a sort indicator of its own: show the order in effect.
    header->setSortIndicatorShown(m_model && m_model->sortColumn() >= 0);
    if (m_model) header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    m_fitting = false;
    applyVisibility();
    fit();
}

void EntriesColumns::applyVisibility() {
    QHeaderView* header = m_view->horizontalHeader();
    m_fitting = true;
    for (int column = 0; column < header->count(); ++column) {
        const bool kept = !m_model || m_model->isColumnKept(column);
        const bool hidden =
            column != EntriesModel::kKey && (!kept || m_userHidden.contains(column));
        if (header->isSectionHidden(column) != hidden) m_view->setColumnHidden(column, hidden);
    }
    m_fitting = false;
    if (header->isSectionHidden(EntriesModel::kTtl)) {
        m_ttlTimer->stop();
    } else if (!m_ttlTimer->isActive()) {
        m_ttlTimer->start();
    }
}

void EntriesColumns::setColumnShown(int column, bool shown) {
    if (column <= EntriesModel::kKey || column >= EntriesModel::kColumnCount) return;
    if (shown) {
        m_userHidden.remove(column);
    } else {
        m_userHidden.insert(column);
    }
    applyVisibility();
    fit();
    save();
}

void EntriesColumns::save() const {
    if (m_kind.isEmpty()) return;
    QStringList hidden;
    for (const int column : m_userHidden) hidden << QLatin1String(kColumnNames[column]);
    hidden.sort();
    QSettings settings;
    settings.beginGroup(m_kind);
    settings.setValue(QStringLiteral("state"), m_view->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("hidden"), hidden);
    settings.setValue(QStringLiteral("userKeyWidth"), m_userKeyWidth);
}

void EntriesColumns::showHeaderMenu(const QPoint& pos) {
    QHeaderView* header = m_view->horizontalHeader();
    QMenu menu(header);
    menu.setObjectName(QStringLiteral("columnsMenu"));
    for (int column = EntriesModel::kKey + 1; column < EntriesModel::kColumnCount; ++column) {
        if (m_model && !m_model->isColumnKept(column)) continue;
        QAction* action = menu.addAction(
            m_view->model()->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString());
        action->setCheckable(true);
        action->setChecked(!m_userHidden.contains(column));
        connect(action, &QAction::toggled, this,
                [this, column](bool shown) { setColumnShown(column, shown); });
    }
    menu.addSeparator();
    QAction* reset = menu.addAction(tr("Reset Columns"));
    reset->setStatusTip(tr("Every column of this kind of source, in its usual order and width"));
    connect(reset, &QAction::triggered, this, [this] {
        if (!m_kind.isEmpty()) QSettings().remove(m_kind);
        restore();
    });
    menu.exec(header->mapToGlobal(pos));
}

void EntriesColumns::tick() {
    const int rows = m_model ? m_model->rowCount() : 0;
    if (rows == 0) return;
    const int first = m_view->rowAt(0);
    if (first < 0) return;
    const int last = m_view->rowAt(m_view->viewport()->height() - 1);
    m_model->refreshTtl(first, last < 0 ? rows - 1 : last);
}

void EntriesColumns::fit() {
    QHeaderView* header = m_view->horizontalHeader();
    const QFontMetrics text = m_view->fontMetrics();
    const QFontMetrics bold(header->font());
    QStyle* style = m_view->style();
    const int margins = 2 * style->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header) + 4;
    // A header's title leaves room for the sort indicator.
    const int mark = style->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header);
    m_fitting = true;
    int others = 0;
    for (int column = 0; column < header->count(); ++column) {
        if (column == EntriesModel::kKey || header->isSectionHidden(column)) continue;
        if (!m_userWidths) {
            const QString title =
                m_view->model()->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
            m_view->setColumnWidth(column, std::max(bold.horizontalAdvance(title) + mark,
                                                    text.horizontalAdvance(sampleText(column))) +
                                               margins);
        }
        others += m_view->columnWidth(column);
    }
    if (!m_userKeyWidth) {
        m_view->setColumnWidth(EntriesModel::kKey,
                               std::max(kMinKeyWidth, m_view->viewport()->width() - others));
    }
    m_fitting = false;
}

bool EntriesColumns::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize && !m_userKeyWidth) fit();
    return QObject::eventFilter(watched, event);
}

}  // namespace twat_cache::ui
