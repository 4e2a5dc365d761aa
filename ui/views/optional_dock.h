// OptionalDock: a dock that only some sources fill (the Nodes panel: Redis Cluster sources).
//
// The dock shows while the shown source fills it (setApplicable) and the user wants it; for
// other sources it hides and its View-menu toggle is disabled. What the user wants — chosen
// with that toggle or the dock's close button while the dock applies — is kept apart from the
// automatic hiding, so a user who closed the panel does not see it come back with the next
// source that fills it, nor after a restart (save/restore, beside the window's layout).
//
// The very first time it shows (remembered in the same settings), the dock takes a tab beside
// the dock it shares a place with (setShareWith), in front, and is made as high as its
// content's size hint; afterwards the window's saved layout keeps it wherever and however large
// the user left it. (It is tabbed then rather than at start-up, so that a window that never
// shows it keeps the layout it had without it.)
//
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <QString>

class QDockWidget;
class QSettings;

namespace twat_cache::ui {

class OptionalDock : public QObject {
    Q_OBJECT

  public:
    // Manages `dock` (hidden until setApplicable(true)); `settingsKey` names the choice in
    // QSettings.
    OptionalDock(QDockWidget* dock, QString settingsKey, QObject* parent = nullptr);

    // Whether the shown source fills the dock: shows it (if wanted) or hides it.
    void setApplicable(bool applicable);
    bool isApplicable() const { return m_applicable; }
    // Whether the user wants the dock where it applies (default: yes).
    bool isWanted() const { return m_wanted; }
    void setWanted(bool wanted);
    QDockWidget* dock() const { return m_dock; }
    // The dock whose place it takes a tab in the first time it shows (nullptr: none).
    void setShareWith(QDockWidget* other) { m_shareWith = other; }
    // Whether it has ever been shown (and placed).
    bool isPlaced() const { return m_placed; }

    // Writes and reads the user's choice in the current group of `settings`.
    void save(QSettings& settings) const;
    void restore(QSettings& settings);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void apply();
    // The first showing: a tab beside m_shareWith, high enough for the content.
    void place();
    // Brings its tab to the front once the window has laid it out.
    void raiseSoon();

    QDockWidget* m_dock;
    QString m_settingsKey;
    bool m_applicable = false;
    bool m_wanted = true;
    bool m_placed = false;  // it was shown once (in this or an earlier session)
    QDockWidget* m_shareWith = nullptr;
};

}  // namespace twat_cache::ui
