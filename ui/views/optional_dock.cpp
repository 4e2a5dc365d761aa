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
    connect(m_dock->toggleViewAction(), &QAction::triggered, this, [this](bool checked) {
        m_wanted = checked;
        if (checked) raiseSoon();  // asked for: in front of the docks it shares a place with
    });
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
    if (!m_placed) place();
    raiseSoon();  // its tab first among the docks it shares a tab bar with
}

void OptionalDock::raiseSoon() {
    // A dock shown again gets its tab back when the window's layout next runs: raise it then.
    QMetaObject::invokeMethod(m_dock, &QWidget::raise, Qt::QueuedConnection);
}

void OptionalDock::place() {
    m_placed = true;
    auto* window = qobject_cast<QMainWindow*>(m_dock->parentWidget());
    if (window == nullptr || m_dock->isFloating()) return;
    if (m_shareWith != nullptr && !window->tabifiedDockWidgets(m_dock).contains(m_shareWith)) {
        window->tabifyDockWidget(m_shareWith, m_dock);
    }
    if (m_dock->widget() == nullptr) return;
    const int wanted = m_dock->widget()->sizeHint().height();
    if (m_dock->height() < wanted) {
        // The content plus the dock's title bar (and a tab bar below when it shares a place).
        const int title = m_dock->style()->pixelMetric(QStyle::PM_TitleBarHeight);
        window->resizeDocks({m_dock}, {wanted + 2 * title}, Qt::Vertical);
    }
}

void OptionalDock::save(QSettings& settings) const {
    settings.setValue(m_settingsKey, m_wanted);
    settings.setValue(m_settingsKey + QStringLiteral("Placed"), m_placed);
}

void OptionalDock::restore(QSettings& settings) {
    m_wanted = settings.value(m_settingsKey, true).toBool();
    m_placed = settings.value(m_settingsKey + QStringLiteral("Placed"), false).toBool();
    apply();  // restoreState() may have shown or hidden the dock by the saved layout
}

bool OptionalDock::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_dock && event->type() == QEvent::Close && m_applicable) m_wanted = false;
    return QObject::eventFilter(watched, event);
}

}  // namespace twat_cache::ui
