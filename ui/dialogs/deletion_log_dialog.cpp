#include "dialogs/deletion_log_dialog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "workers/display_text.h"

namespace twat_cache::ui {
namespace {

// As `twat-cache log`: the last 100 records.
constexpr std::size_t kShownRecords = 100;

enum Column { kTime, kCache, kAction, kWhat, kRemoved, kSize, kWho, kColumnCount };

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

}  // namespace

DeletionLogDialog::DeletionLogDialog(QWidget* parent, std::filesystem::path path)
    : QDialog(parent),
      m_path(std::move(path)),
      m_status(new QLabel(this)),
      m_table(new QTableWidget(0, kColumnCount, this)) {
    setWindowTitle(tr("Deletion Log"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setHorizontalHeaderLabels(
        {tr("Time"), tr("Cache"), tr("Action"), tr("What"), tr("Removed"), tr("Size"), tr("By")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(kWhat, QHeaderView::Stretch);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* refresh = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    connect(refresh, &QPushButton::clicked, this, &DeletionLogDialog::reload);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&m_watcher, &QFutureWatcher<Loaded>::finished, this,
            [this] { display(m_watcher.result()); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(900, 420);
    reload();
}

DeletionLogDialog::~DeletionLogDialog() {
    m_watcher.waitForFinished();  // the reader holds no reference to the dialog, but finish
}

void DeletionLogDialog::reload() {
    if (m_watcher.isRunning()) return;
    m_status->setText(tr("Loading…"));
    const std::filesystem::path path = m_path;
    m_watcher.setFuture(QtConcurrent::run([path] {
        Loaded out;
        auto log = readAuditLog(path, kShownRecords);
        if (!log.ok()) {
            out.error = qs(log.status().toString());
        } else {
            out.records = std::move(log->records);
            out.skipped = log->skipped;
        }
        return out;
    }));
}

void DeletionLogDialog::display(const Loaded& log) {
    const QString where = QString::fromStdString(m_path.string());
    m_table->setRowCount(0);
    if (!log.error.isEmpty()) {
        m_status->setText(tr("Cannot read the deletion log: %1").arg(log.error));
    } else if (log.records.empty()) {
        m_status->setText(tr("No deletion recorded yet in %1.").arg(where));
    } else {
        QString text =
            tr("The last %1 recorded in %2, newest first.")
                .arg(countText(log.records.size(), tr("deletion"), tr("deletions")), where);
        if (log.skipped > 0) {
            text += QLatin1Char(' ') + tr("%1 that are not records were skipped.")
                                           .arg(countText(log.skipped, tr("line"), tr("lines")));
        }
        m_status->setText(text);
    }
    m_table->setRowCount(static_cast<int>(log.records.size()));
    int row = 0;
    for (auto it = log.records.rbegin(); it != log.records.rend(); ++it, ++row) {
        const AuditRecord& r = *it;
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(r.time_ms);
        const QString cells[kColumnCount] = {
            when.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
            qs(r.source),
            actionText(r.action),
            visibleText(qs(r.what)),
            outcomeText(r),
            r.bytes_known ? bytesText(r.bytes) : tr("not measured"),
            tr("%1 (%2)").arg(qs(r.user), qs(r.program)),
        };
        for (int column = 0; column < kColumnCount; ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column == kSize) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, column, item);
        }
        // The whole story in the tooltip: where, by whom on which host, what, what was kept.
        QString tip = tr("%1\n%2 (%3) on %4, process %5\n%6")
                          .arg(visibleText(qs(r.location)), qs(r.user), qs(r.program), qs(r.host))
                          .arg(r.pid)
                          .arg(visibleText(qs(r.what)));
        if (const QString detail = outcomeDetail(r); !detail.isEmpty()) {
            tip += QLatin1Char('\n') + detail;
        }
        for (int column = 0; column < kColumnCount; ++column)
            m_table->item(row, column)->setToolTip(tip);
    }
    emit loaded();
}

int DeletionLogDialog::recordCount() const {
    return m_table->rowCount();
}

QString DeletionLogDialog::statusText() const {
    return m_status->text();
}

QString DeletionLogDialog::outcomeText(const AuditRecord& r) {
    // As `twat-cache log` says it; the tooltip has the long form.
    if (!r.error.empty()) return tr("failed: %1").arg(visibleText(qs(r.error)));
    QString text = tr("%1 of %2").arg(numberText(r.deleted), numberText(r.matched));
    if (r.changed > 0) text += tr(", %1 changed").arg(numberText(r.changed));
    if (r.refused > 0) text += tr(", %1 refused").arg(numberText(r.refused));
    if (r.cancelled) text += tr(", cancelled");
    return text;
}

QString DeletionLogDialog::outcomeDetail(const AuditRecord& r) {
    QStringList lines;
    if (r.changed > 0) {
        lines << tr("kept %1 that changed since the preview")
                     .arg(countText(r.changed, tr("entry"), tr("entries")));
    }
    if (r.refused > 0) {
        lines
            << tr("left %1 alone for safety").arg(countText(r.refused, tr("entry"), tr("entries")));
    }
    if (r.cancelled) lines << tr("cancelled");
    return lines.join(QLatin1Char('\n'));
}

QString DeletionLogDialog::actionText(const std::string& action) {
    if (action == "delete_entries") return tr("Delete selected");
    if (action == "clear_all") return tr("Clear all");
    if (action == "clear_expired") return tr("Clear expired");
    if (action == "prune_to_bytes" || action == "prune_to_entries") return tr("Prune");
    if (action == "older_than") return tr("Older than");
    if (action == "match_glob") return tr("Delete matching");
    return qs(action);
}

}  // namespace twat_cache::ui
