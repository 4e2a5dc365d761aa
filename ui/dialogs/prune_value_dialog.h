// PruneValueDialog: asks how much Cache ▸ Prune Least Valuable… should free — an amount in
// bytes (KiB, MiB, GiB) or a percentage of the source's current size — and says what stays:
//
//   “fib” holds 120 MiB. The entries that saved the least compute time per byte go first …
//   Free: [ 10.0 ] [% of the cache ▾]
//   Keeps at most 108 MiB.                                   [Cancel] [Preview…]
//
// keepBytes() is what the core's prune plan keeps at most (PlanRequest::limit); the preview,
// confirmation and execution follow in MaintenanceRunner.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace twat_cache::ui {

class PruneValueDialog : public QDialog {
    Q_OBJECT

  public:
    enum Unit { kPercent = 0, kKiB, kMiB, kGiB };

    // `sourceBytes`: the source's size now, against which the amount is taken.
    PruneValueDialog(const QString& sourceName, quint64 sourceBytes, QWidget* parent = nullptr);

    // Free `amount` of `unit` (the fields the user fills in).
    void setFree(double amount, Unit unit);
    // The bytes to free, and what stays at most: the source's size less them (never below 0).
    quint64 freeBytes() const;
    quint64 keepBytes() const;

  private:
    void update();

    quint64 m_sourceBytes;
    QDoubleSpinBox* m_amount;
    QComboBox* m_unit;
    QLabel* m_keep;
};

}  // namespace twat_cache::ui
