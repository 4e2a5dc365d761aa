// ProductionBanner: while a production connection is the source shown, a strip in the
// connection's colour (red by default) at the top of the window's central area —
// "PRODUCTION — read-only" — and a frame of the same colour around that area. The strip's
// button asks to allow changes for the session (the window confirms first) or makes the
// connection read-only again. Hidden for every other source.
//
// Thread safety: GUI thread only.
#pragma once

#include <QFrame>

#include "workers/source_types.h"

class QLabel;
class QPushButton;

namespace twat_cache::ui {

class ProductionBanner : public QFrame {
    Q_OBJECT

  public:
    // `framed` is the central area the banner heads; it gets the coloured frame.
    ProductionBanner(QFrame* framed, QWidget* parent = nullptr);

    // Shows the banner for `ref` when it is a production connection (else hides it):
    // `readOnly` tells whether it is open read-only, `modeOn` whether read-only mode is on
    // (then changes cannot be allowed from here).
    void showFor(const SourceRef* ref, bool readOnly, bool modeOn);
    void clear() { showFor(nullptr, false, false); }
    QString text() const;

  signals:
    void allowChangesRequested();
    void readOnlyRequested();

  private:
    QFrame* m_framed;
    QLabel* m_label;
    QPushButton* m_button;
    bool m_readOnly = true;
};

}  // namespace twat_cache::ui
