#include "dialogs/prune_value_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "workers/display_text.h"

namespace twat_cache::ui {

PruneValueDialog::PruneValueDialog(const QString& sourceName, quint64 sourceBytes, QWidget* parent)
    : QDialog(parent),
      m_sourceBytes(sourceBytes),
      m_amount(new QDoubleSpinBox(this)),
      m_unit(new QComboBox(this)),
      m_keep(new QLabel(this)) {
    setObjectName(QStringLiteral("pruneValueDialog"));
    setWindowTitle(tr("Prune Least Valuable"));
    auto* intro = new QLabel(
        tr("“%1” holds %2. The entries that saved the least compute time per byte go first "
           "(entries that record no compute time before them), until what you free is gone. "
           "You see what goes before anything is removed.")
            .arg(sourceName, bytesText(sourceBytes)),
        this);
    intro->setWordWrap(true);
    m_amount->setObjectName(QStringLiteral("pruneValueAmount"));
    m_amount->setDecimals(1);
    m_amount->setRange(0, 1'000'000'000);
    m_unit->setObjectName(QStringLiteral("pruneValueUnit"));
    m_unit->addItems({tr("% of the cache"), tr("KiB"), tr("MiB"), tr("GiB")});
    m_keep->setObjectName(QStringLiteral("pruneValueKeep"));
    auto* amountLabel = new QLabel(tr("&Free:"), this);
    amountLabel->setBuddy(m_amount);
    auto* row = new QHBoxLayout;
    row->addWidget(amountLabel);
    row->addWidget(m_amount, 1);
    row->addWidget(m_unit);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Preview…"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(row);
    layout->addWidget(m_keep);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_amount, &QDoubleSpinBox::valueChanged, this, &PruneValueDialog::update);
    connect(m_unit, &QComboBox::currentIndexChanged, this, &PruneValueDialog::update);
    setFree(10, kPercent);
    setMinimumWidth(420);
}

void PruneValueDialog::setFree(double amount, Unit unit) {
    m_unit->setCurrentIndex(unit);
    m_amount->setValue(amount);
    update();
}

quint64 PruneValueDialog::freeBytes() const {
    const double amount = m_amount->value();
    double bytes = 0;
    switch (m_unit->currentIndex()) {
        case kPercent:
            bytes = static_cast<double>(m_sourceBytes) * std::min(amount, 100.0) / 100.0;
            break;
        case kKiB:
            bytes = amount * 1024.0;
            break;
        case kMiB:
            bytes = amount * 1024.0 * 1024.0;
            break;
        default:
            bytes = amount * 1024.0 * 1024.0 * 1024.0;
            break;
    }
    return std::min(m_sourceBytes, static_cast<quint64>(std::llround(bytes)));
}

quint64 PruneValueDialog::keepBytes() const {
    return m_sourceBytes - freeBytes();
}

void PruneValueDialog::update() {
    m_amount->setSuffix(m_unit->currentIndex() == kPercent ? QStringLiteral(" %") : QString());
    m_keep->setText(tr("Frees about %1: keeps at most %2.")
                        .arg(bytesText(freeBytes()), bytesText(keepBytes())));
}

}  // namespace twat_cache::ui
