#include "views/optional_dock.h"

#include <QAction>
#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QSettings>
#include <QStyle>
#include <utility>

namespace twat_cache::ui {

OptionalDock::OptionalDock(QDockWidget* dock, QString settingsKey, QObject* parent)
    : QObject(parent), m_dock(dock), m_settingsKey(std::move(settingsKey)) {
    // The toggle's triggered() and the close button's close event are the user's doing;
    // apply()'s setVisible() is neither.
    connect(m_dock->toggleViewAction(), &QAction::triggered, this,
            [this](bool checked) { m_wanted = checked; });
    m_dock->installEventFilter(this);
    apply();
}

void OptionalDock::setApplicable(bool applicable) {
    m_applicable = applicable;
    apply();
}

void OptionalDock::setWanted(bool wanted) {
    m_wanted = wanted;
    apply();
}

void OptionalDock::apply() {
    const bool show = m_applicable && m_wanted;
    m_dock->toggleViewAction()->setEnabled(m_applicable);
    // Only a change: each stats sample says "applicable" again, and raising the dock every
    // time would take its tab bar away from the user.
    if (m_dock->isVisibleTo(m_dock->parentWidget()) == show) return;
    m_dock->setVisible(show);
    if (!show) return;
    m_dock->raise();  // its tab first among the docks it shares a tab bar with
    auto* window = qobject_cast<QMainWindow*>(m_dock->parentWidget());
    if (m_sized || window == nullptr || m_dock->widget() == nullptr || m_dock->isFloating()) return;
    m_sized = true;
    const int wanted = m_dock->widget()->sizeHint().height();
    if (m_dock->height() < wanted) {
        // The content plus the dock's title bar (and a tab bar below when it shares a place).
        const int title = m_dock->style()->pixelMetric(QStyle::PM_TitleBarHeight);
        window->resizeDocks({m_dock}, {wanted + 2 * title}, Qt::Vertical);
    }
}

void OptionalDock::save(QSettings& settings) const {
    settings.setValue(m_settingsKey, m_wanted);
}

void OptionalDock::restore(QSettings& settings) {
    m_wanted = settings.value(m_settingsKey, true).toBool();
    apply();  // restoreState() may have shown or hidden the dock by the saved layout
}

bool OptionalDock::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_dock && event->type() == QEvent::Close && m_applicable) m_wanted = false;
    return QObject::eventFilter(watched, event);
}

}  // namespace twat_cache::ui
