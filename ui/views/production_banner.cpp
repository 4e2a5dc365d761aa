#include "views/production_banner.h"

#include <QColor>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "models/saved_connection.h"

namespace twat_cache::ui {

ProductionBanner::ProductionBanner(QFrame* framed, QWidget* parent)
    : QFrame(parent), m_framed(framed), m_label(new QLabel(this)), m_button(new QPushButton(this)) {
    setObjectName(QStringLiteral("productionBanner"));
    m_label->setObjectName(QStringLiteral("productionBannerText"));
    m_button->setObjectName(QStringLiteral("productionBannerButton"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 4, 6, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_button);
    connect(m_button, &QPushButton::clicked, this, [this] {
        if (m_readOnly) {
            emit allowChangesRequested();
        } else {
            emit readOnlyRequested();
        }
    });
    setVisible(false);
}

void ProductionBanner::showFor(const SourceRef* ref, bool readOnly, bool modeOn) {
    const bool production = ref != nullptr && ref->kind == SourceKind::kRedis && ref->production;
    setVisible(production);
    if (!production) {
        m_framed->setStyleSheet({});
        return;
    }
    m_readOnly = readOnly;
    const QColor color(productionColor(*ref));
    // Black text on light colours (yellow), white on the others.
    const QString ink = color.lightnessF() > 0.6F ? QStringLiteral("#000") : QStringLiteral("#fff");
    setStyleSheet(QStringLiteral("#productionBanner { background: %1; }"
                                 "#productionBannerText { color: %2; font-weight: bold; }")
                      .arg(color.name(), ink));
    m_framed->setStyleSheet(
        QStringLiteral("#%1 { border: 3px solid %2; }").arg(m_framed->objectName(), color.name()));
    QString text = readOnly ? tr("PRODUCTION — read-only") : tr("PRODUCTION — changes allowed");
    text += QStringLiteral(": ") + ref->name;
    if (readOnly && modeOn) text += tr(" (read-only mode is on)");
    if (!readOnly) text += tr(" (this session only)");
    m_label->setText(text);
    m_button->setText(readOnly ? tr("Allow Changes…") : tr("Make Read-Only"));
    m_button->setToolTip(readOnly ? tr("Allow changes to this production connection until the "
                                       "inspector quits (asks first)")
                                  : tr("Open this production connection read-only again"));
    m_button->setVisible(!modeOn);
}

QString ProductionBanner::text() const {
    return isHidden() ? QString() : m_label->text();
}

}  // namespace twat_cache::ui
