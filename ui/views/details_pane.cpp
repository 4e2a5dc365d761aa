#include "views/details_pane.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "views/value_table_view.h"
#include "workers/display_text.h"

namespace twat_cache::ui {

DetailsPane::DetailsPane(QWidget* parent)
    : QWidget(parent),
      m_message(new QLabel(this)),
      m_metadata(new QTreeWidget(this)),
      m_viewBox(new QComboBox(this)),
      m_stack(new QStackedWidget(this)),
      m_text(new QPlainTextEdit(this)),
      m_image(new QLabel(this)),
      m_truncated(new QLabel(this)),
      m_valueTabs(new QTabWidget(this)),
      m_pages(new ValueTableView(this)) {
    setObjectName(QStringLiteral("detailsPane"));
    m_message->setWordWrap(true);
    m_metadata->setColumnCount(2);
    m_metadata->setHeaderLabels({tr("Field"), tr("Value")});
    m_metadata->setRootIsDecorated(false);
    // Elided in the middle, as in the entries list: a bounded huge key keeps its real length
    // ("… (5,242,880 bytes)") in view, a path its file name.
    m_metadata->setTextElideMode(Qt::ElideMiddle);
    m_metadata->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);

    m_viewBox->addItem(tr("Preview"), static_cast<int>(ValueView::kPreview));
    m_viewBox->addItem(tr("Text"), static_cast<int>(ValueView::kText));
    m_viewBox->addItem(tr("JSON"), static_cast<int>(ValueView::kJson));
    m_viewBox->addItem(tr("Hex"), static_cast<int>(ValueView::kHex));
    m_viewBox->addItem(tr("Image"), static_cast<int>(ValueView::kImage));
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_image->setAlignment(Qt::AlignCenter);
    auto* imageScroll = new QScrollArea(this);
    imageScroll->setWidget(m_image);
    imageScroll->setWidgetResizable(true);
    m_stack->addWidget(m_text);
    m_stack->addWidget(imageScroll);
    m_truncated->setVisible(false);

    auto* valueBox = new QWidget(this);
    auto* valueLayout = new QVBoxLayout(valueBox);
    valueLayout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Value as:"), this));
    bar->addWidget(m_viewBox);
    bar->addStretch();
    bar->addWidget(m_truncated);
    valueLayout->addLayout(bar);
    valueLayout->addWidget(m_stack);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("detailsSplitter"));
    splitter->addWidget(m_metadata);
    m_valueTabs->setObjectName(QStringLiteral("valueTabs"));
    m_valueTabs->setDocumentMode(true);
    m_valueTabs->addTab(valueBox, tr("Value"));
    m_valueTabs->addTab(m_pages, tr("Pages"));
    m_valueTabs->setTabVisible(1, false);
    splitter->addWidget(m_valueTabs);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_message);
    layout->addWidget(splitter);

    connect(m_viewBox, &QComboBox::currentIndexChanged, this, [this] { render(); });
    showMessage(tr("Select an entry to see its metadata and value."));
}

void DetailsPane::setDetail(const EntryDetail& detail, SourceClient* client) {
    m_message->setVisible(false);
    m_metadata->clear();
    for (const auto& [label, value] : detail.metadata) {
        m_metadata->addTopLevelItem(new QTreeWidgetItem(QStringList{label, visibleText(value)}));
    }
    m_value = detail.value;
    m_preview = detail.preview;
    m_truncated->setText(tr("first %1 bytes shown").arg(detail.value.size()));
    m_truncated->setVisible(detail.truncated);
    const ValueView guess = guessValueView(m_value);
    const bool richer = guess == ValueView::kImage || guess == ValueView::kJson;
    setView(!m_preview.isEmpty() && !richer ? ValueView::kPreview : guess);
    render();
    const bool paged = client != nullptr && ValueTableView::pages(detail.valueType);
    m_valueTabs->setTabVisible(1, paged);
    if (paged) {
        m_pages->showEntry(client, detail.row.id, detail.valueType);
        // Collections browse best in pages; a string keeps its readable rendering first.
        m_valueTabs->setCurrentIndex(detail.valueType == QLatin1String("string") ? 0 : 1);
    } else {
        m_pages->clear();
        m_valueTabs->setCurrentIndex(0);
    }
}

bool DetailsPane::pagesShown() const {
    return m_valueTabs->isTabVisible(1) && m_valueTabs->currentIndex() == 1;
}

void DetailsPane::showMessage(const QString& message) {
    m_metadata->clear();
    m_value.clear();
    m_preview.clear();
    m_truncated->setVisible(false);
    m_pages->clear();
    m_valueTabs->setTabVisible(1, false);
    m_message->setText(message);
    m_message->setVisible(true);
    setView(ValueView::kText);
    render();
}

ValueView DetailsPane::view() const {
    return static_cast<ValueView>(m_viewBox->currentData().toInt());
}

void DetailsPane::setView(ValueView view) {
    m_viewBox->setCurrentIndex(m_viewBox->findData(static_cast<int>(view)));
}

QString DetailsPane::valueText() const {
    return m_text->toPlainText();
}

QString DetailsPane::messageText() const {
    return m_message->isHidden() ? QString() : m_message->text();
}

QString DetailsPane::metadataValue(const QString& field) const {
    const QList<QTreeWidgetItem*> items = m_metadata->findItems(field, Qt::MatchExactly, 0);
    return items.isEmpty() ? QString() : items.first()->text(1);
}

void DetailsPane::render() {
    switch (view()) {
        case ValueView::kPreview:
            m_text->setPlainText(m_preview.isEmpty() ? tr("(the source gave no preview)")
                                                     : visibleText(m_preview, true));
            break;
        case ValueView::kText:
            m_text->setPlainText(visibleText(valueAsText(m_value), true));
            break;
        case ValueView::kJson:
            m_text->setPlainText(
                valueAsPrettyJson(m_value).value_or(tr("(the value is not a JSON document)")));
            break;
        case ValueView::kHex:
            m_text->setPlainText(valueAsHexDump(m_value));
            break;
        case ValueView::kImage: {
            const QImage image = valueAsImage(m_value);
            if (image.isNull()) {
                m_image->setText(tr("(the value is not an image Qt can read)"));
            } else {
                m_image->setPixmap(QPixmap::fromImage(image));
            }
            m_stack->setCurrentIndex(1);
            return;
        }
    }
    m_stack->setCurrentIndex(0);
}

void DetailsPane::setMaintenance(MaintenanceController* maintenance) {
    m_pages->setMaintenance(maintenance);
}

}  // namespace twat_cache::ui
