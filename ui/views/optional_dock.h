// OptionalDock: a dock that only some sources fill (the Nodes panel: Redis Cluster sources).
//
// The dock shows while the shown source fills it (setApplicable) and the user wants it; for
// other sources it hides and its View-menu toggle is disabled. What the user wants — chosen
// with that toggle or the dock's close button while the dock applies — is kept apart from the
// automatic hiding, so a user who closed the panel does not see it come back with the next
// source that fills it, nor after a restart (save/restore, beside the window's layout). The
// first time it shows in a session, a dock lower than its content's size hint (it shares its place
// with a lower dock, such as the log) is made that high, once: later the user's size stands.
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

    // Writes and reads the user's choice in the current group of `settings`.
    void save(QSettings& settings) const;
    void restore(QSettings& settings);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void apply();

    QDockWidget* m_dock;
    QString m_settingsKey;
    bool m_applicable = false;
    bool m_wanted = true;
    bool m_sized = false;  // the first showing grew it to its content's height
};

}  // namespace twat_cache::ui
