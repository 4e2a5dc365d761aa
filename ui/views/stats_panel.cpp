#include "views/stats_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>

namespace twat_cache::ui {

StatsPanel::StatsPanel(QWidget* parent) : QWidget(parent), m_note(new QLabel(this)) {
    setObjectName(QStringLiteral("statsPanel"));
    setMinimumWidth(200);
    auto* form = new QFormLayout(this);
    const QList<QPair<QString, QString>> fields = {
        {QStringLiteral("entries"), tr("Entries")}, {QStringLiteral("bytes"), tr("Size")},
        {QStringLiteral("hits"), tr("Hits")},       {QStringLiteral("misses"), tr("Misses")},
        {QStringLiteral("ratio"), tr("Hit ratio")}, {QStringLiteral("evictions"), tr("Evictions")},
    };
    for (const auto& [key, label] : fields) {
        auto* value = new QLabel(QStringLiteral("–"), this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        form->addRow(label, value);
        m_fields.insert(key, value);
    }
    m_note->setWordWrap(true);
    form->addRow(m_note);
    showMessage(tr("Select a source to see its statistics."));
}

void StatsPanel::setStats(const SourceStats& stats) {
    const QLocale locale;
    const QString notTracked = tr("not tracked");
    auto number = [&](const std::optional<quint64>& n) {
        return n ? locale.toString(static_cast<qulonglong>(*n)) : notTracked;
    };
    m_fields[QStringLiteral("entries")]->setText(number(stats.entries));
    m_fields[QStringLiteral("bytes")]->setText(
        stats.bytes ? locale.formattedDataSize(static_cast<qint64>(*stats.bytes)) : notTracked);
    m_fields[QStringLiteral("hits")]->setText(number(stats.hits));
    m_fields[QStringLiteral("misses")]->setText(number(stats.misses));
    m_fields[QStringLiteral("evictions")]->setText(number(stats.evictions));
    QString ratio = notTracked;
    if (stats.countersTracked()) {
        const quint64 lookups = *stats.hits + *stats.misses;
        ratio = lookups == 0 ? tr("no lookups yet")
                             : locale.toString(100.0 * static_cast<double>(*stats.hits) /
                                                   static_cast<double>(lookups),
                                               'f', 1) +
                                   QStringLiteral(" %");
    }
    m_fields[QStringLiteral("ratio")]->setText(ratio);
    QString note = stats.note;
    if (!stats.countersTracked()) {
        const QString missing = tr("This cache does not record hits and misses.");
        note = note.isEmpty() ? missing : missing + QLatin1Char(' ') + note;
    }
    m_note->setText(note);
}

void StatsPanel::showMessage(const QString& message) {
    for (QLabel* label : std::as_const(m_fields)) label->setText(QStringLiteral("–"));
    m_note->setText(message);
}

QString StatsPanel::fieldText(const QString& field) const {
    QLabel* label = m_fields.value(field);
    return label ? label->text() : QString();
}

QString StatsPanel::noteText() const {
    return m_note->text();
}

}  // namespace twat_cache::ui
