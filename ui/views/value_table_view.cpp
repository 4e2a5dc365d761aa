#include "views/value_table_view.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "models/value_page_model.h"
#include "views/value_editing.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

namespace twat_cache::ui {
namespace {

constexpr int kSearchDelayMs = 300;  // typing pauses this long before a new search starts
constexpr int kProgressSteps = 1000;

bool isType(const QString& type, const char* name) {
    return type == QLatin1String(name);
}

}  // namespace

ValueTableView::ValueTableView(QWidget* parent)
    : QWidget(parent),
      m_model(new ValuePageModel(this)),
      m_table(new QTableView(this)),
      m_search(new QLineEdit(this)),
      m_order(new QComboBox(this)),
      m_minScore(new QLineEdit(QStringLiteral("-inf"), this)),
      m_maxScore(new QLineEdit(QStringLiteral("+inf"), this)),
      m_more(new QPushButton(tr("Load more"), this)),
      m_save(new QPushButton(tr("Save value to file…"), this)),
      m_status(new QLabel(this)) {
    setObjectName(QStringLiteral("valueTableView"));
    m_table->setObjectName(QStringLiteral("valueTable"));
    m_search->setObjectName(QStringLiteral("valueSearch"));
    m_order->setObjectName(QStringLiteral("valueOrder"));
    m_more->setObjectName(QStringLiteral("valueLoadMore"));
    m_save->setObjectName(QStringLiteral("valueSave"));
    m_status->setObjectName(QStringLiteral("valueStatus"));
    m_search->setPlaceholderText(tr("Search (glob, e.g. user:*)"));
    m_search->setClearButtonEnabled(true);
    m_order->addItem(tr("By rank"));
    m_order->addItem(tr("By score"));
    m_minScore->setToolTip(tr("Lowest score (Redis syntax: -inf, 1.5, (1.5 exclusive)"));
    m_maxScore->setToolTip(tr("Highest score (Redis syntax: +inf, 10, (10 exclusive)"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_order);
    bar->addWidget(m_minScore);
    bar->addWidget(m_maxScore);
    bar->addWidget(m_more);
    bar->addWidget(m_save);
    m_editing = new ValueEditing(this, bar);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table);
    layout->addWidget(m_status);

    auto* searchDelay = new QTimer(this);
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(kSearchDelayMs);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this, &ValueTableView::restart);
    connect(m_order, &QComboBox::currentIndexChanged, this, [this] {
        m_minScore->setVisible(isType(m_type, "zset") && m_order->currentIndex() == 1);
        m_maxScore->setVisible(m_minScore->isVisible());
        restart();
    });
    connect(m_minScore, &QLineEdit::returnPressed, this, &ValueTableView::restart);
    connect(m_maxScore, &QLineEdit::returnPressed, this, &ValueTableView::restart);
    connect(m_model, &ValuePageModel::fetchRequested, this, &ValueTableView::requestMore);
    connect(m_more, &QPushButton::clicked, this, [this] { m_model->fetchMore(); });
    connect(m_save, &QPushButton::clicked, this, &ValueTableView::chooseSaveFile);
    clear();
}

bool ValueTableView::pages(const QString& valueType) {
    static const QStringList kTypes = {QStringLiteral("hash"),   QStringLiteral("list"),
                                       QStringLiteral("set"),    QStringLiteral("zset"),
                                       QStringLiteral("stream"), QStringLiteral("string")};
    return kTypes.contains(valueType);
}

void ValueTableView::showEntry(SourceClient* client, const QByteArray& id,
                               const QString& valueType) {
    clear();
    m_client = client;
    m_id = id;
    m_type = valueType;
    if (!m_client) return;
    m_connections = {
        connect(m_client, &SourceClient::valuePageReady, this, &ValueTableView::onPage),
        connect(m_client, &SourceClient::saveProgress, this,
                [this](quint64 done, quint64 total) {
                    if (m_progress && total > 0) {
                        m_progress->setValue(static_cast<int>(done * kProgressSteps / total));
                    }
                }),
        connect(m_client, &SourceClient::valueSaved, this,
                [this](quint64 bytes, const QString& error) {
                    if (m_progress) m_progress->deleteLater();
                    m_progress = nullptr;
                    m_save->setEnabled(true);
                    emit saveFinished(bytes, error);
                    m_status->setText(error.isEmpty() ? tr("Saved %1.").arg(bytesText(bytes))
                                                      : tr("Not saved: %1").arg(error));
                })};
    const bool searchable = isType(valueType, "hash") || isType(valueType, "set");
    m_search->setVisible(searchable);
    m_order->setVisible(isType(valueType, "zset"));
    m_minScore->setVisible(isType(valueType, "zset") && m_order->currentIndex() == 1);
    m_maxScore->setVisible(m_minScore->isVisible());
    m_save->setVisible(isType(valueType, "string"));
    m_more->setVisible(true);
    restart();
}

SourceClient* ValueTableView::client() const {
    return m_client;
}

void ValueTableView::setMaintenance(MaintenanceController* maintenance) {
    m_editing->setMaintenance(maintenance);
}

void ValueTableView::clear() {
    for (const auto& c : m_connections) disconnect(c);
    m_connections.clear();
    if (m_progress) {  // a save of the entry no longer shown stops
        if (m_client) m_client->cancelSave();
        m_progress->deleteLater();
        m_progress = nullptr;
        m_save->setEnabled(true);
    }
    if (m_client) m_client->invalidate(SourceClient::Channel::kValue);
    m_client = nullptr;
    m_id.clear();
    m_type.clear();
    m_error.clear();
    m_model->clear();
    const QSignalBlocker blockSearch(m_search);
    m_search->clear();
    for (QWidget* w : {static_cast<QWidget*>(m_search), static_cast<QWidget*>(m_order),
                       static_cast<QWidget*>(m_minScore), static_cast<QWidget*>(m_maxScore),
                       static_cast<QWidget*>(m_more), static_cast<QWidget*>(m_save)}) {
        w->setVisible(false);
    }
    m_status->clear();
    m_editing->update();
}

void ValueTableView::restart() {
    if (!m_client) return;
    m_error.clear();
    m_model->restart();
    m_editing->update();
    ValueRequest request;
    request.limit = kRowsPerPage;
    request.bytes = kStringBytesPerPage;
    request.match = m_search->text();
    request.byScore = m_order->currentIndex() == 1;
    request.minScore = m_minScore->text();
    request.maxScore = m_maxScore->text();
    m_client->requestValuePage(m_id, request, true);
    updateStatus();
}

void ValueTableView::requestMore() {
    if (!m_client) return;
    ValueRequest request;
    request.cursor = m_model->cursor();
    request.limit = kRowsPerPage;
    request.bytes = kStringBytesPerPage;
    request.match = m_search->text();
    request.byScore = m_order->currentIndex() == 1;
    request.minScore = m_minScore->text();
    request.maxScore = m_maxScore->text();
    m_client->requestValuePage(m_id, request, false);
    updateStatus();
}

void ValueTableView::onPage(const ValuePage& page, const QString& error) {
    if (!error.isEmpty()) {
        m_model->setFailed();
        m_error = error;
        updateStatus();
        return;
    }
    m_model->appendPage(page);
    m_editing->update();
    // A search that found nothing in this call's time goes on by itself.
    if (page.rows.isEmpty() && page.bytes.isEmpty() && !page.complete) {
        m_model->fetchMore();
    }
    updateStatus();
}

void ValueTableView::updateStatus() {
    m_more->setEnabled(m_model->canFetchMore());
    if (!m_error.isEmpty()) {
        m_status->setText(m_error);
        return;
    }
    const bool bytes = m_model->kind() == QLatin1String("string");
    QString text = bytes ? tr("%1 loaded").arg(bytesText(m_model->loaded()))
                         : tr("%1 loaded").arg(countText(m_model->loaded(), tr("row"), tr("rows")));
    if (m_model->total()) {
        text +=
            tr(" of %1").arg(bytes ? bytesText(*m_model->total()) : numberText(*m_model->total()));
    }
    if (m_model->groups()) {
        text += tr("; %1").arg(
            countText(*m_model->groups(), tr("consumer group"), tr("consumer groups")));
    }
    if (m_model->loading()) text += tr(" — loading…");
    if (m_model->complete() && !m_model->loading()) text += tr(" (end)");
    m_status->setText(text);
}

void ValueTableView::chooseSaveFile() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save value to file"));
    if (!path.isEmpty()) saveTo(path);
}

void ValueTableView::saveTo(const QString& path) {
    if (!m_client || m_progress) return;
    m_save->setEnabled(false);
    m_progress = new QProgressDialog(tr("Saving the value to %1…").arg(path), tr("Cancel"), 0,
                                     kProgressSteps, this);
    m_progress->setObjectName(QStringLiteral("valueSaveProgress"));
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, m_client.data(), &SourceClient::cancelSave);
    m_client->requestSaveValue(m_id, path);
}

}  // namespace twat_cache::ui
