// Value renderings of the details pane: text, pretty JSON, hex dump, image, and the guess.
#include <QBuffer>
#include <QImage>
#include <QTreeWidget>
#include <QtTest>

#include "views/details_pane.h"
#include "views/value_format.h"

using namespace twat_cache::ui;

Q_DECLARE_METATYPE(twat_cache::ui::ValueView)

namespace {

QByteArray pngBytes() {
    QImage image(4, 3, QImage::Format_RGB32);
    image.fill(Qt::red);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

}  // namespace

class TestValueFormat : public QObject {
    Q_OBJECT

  private slots:
    void guessesTheView_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<ValueView>("view");
        QTest::newRow("empty") << QByteArray() << ValueView::kText;
        QTest::newRow("text") << QByteArray("hello, world\n") << ValueView::kText;
        QTest::newRow("utf-8") << QByteArray("gr\xc3\xbc\xc3\x9f") << ValueView::kText;
        QTest::newRow("json") << QByteArray(R"({"a": [1, 2]})") << ValueView::kJson;
        QTest::newRow("binary") << QByteArray("\x80\x04\x95\x00", 4) << ValueView::kHex;
        QTest::newRow("control") << QByteArray("a\x01z", 3) << ValueView::kHex;
        QTest::newRow("png") << pngBytes() << ValueView::kImage;
    }

    void guessesTheView() {
        QFETCH(QByteArray, value);
        QFETCH(ValueView, view);
        QCOMPARE(guessValueView(value), view);
    }

    void prettyPrintsJson() {
        const auto pretty = valueAsPrettyJson(R"({"b":1,"a":[true,null]})");
        QVERIFY(pretty.has_value());
        QVERIFY(pretty->contains(QStringLiteral("\n    \"a\": [\n")));
        QVERIFY(!valueAsPrettyJson("{not json").has_value());
    }

    void dumpsHex() {
        const QString dump = valueAsHexDump(QByteArray("ABCDEFGHIJKLMNOPQ\x01", 18));
        const QStringList lines = dump.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0).startsWith(QStringLiteral("00000000  41 42 43")));
        QVERIFY(lines.at(0).endsWith(QStringLiteral("|ABCDEFGHIJKLMNOP|")));
        QVERIFY(lines.at(1).startsWith(QStringLiteral("00000010  51 01")));
        QVERIFY(lines.at(1).endsWith(QStringLiteral("|Q.|")));
    }

    void decodesImages() {
        const QImage image = valueAsImage(pngBytes());
        QCOMPARE(image.size(), QSize(4, 3));
        QVERIFY(valueAsImage("not an image").isNull());
    }

    void detailsPanePrefersThePreview() {
        DetailsPane pane;
        EntryDetail detail;
        detail.value = QByteArray("\x80\x04\x95\x10", 4);  // a pickle's first bytes
        detail.preview = QStringLiteral("{'lat': 1.5}");
        detail.metadata = {{QStringLiteral("Key"), QStringLiteral("geo(1)")}};
        pane.setDetail(detail);
        QCOMPARE(pane.view(), ValueView::kPreview);
        QCOMPARE(pane.valueText(), detail.preview);
        pane.setView(ValueView::kHex);
        QVERIFY(pane.valueText().startsWith(QStringLiteral("00000000  80 04 95 10")));
        detail.preview.clear();
        detail.value = R"({"x": 1})";
        pane.setDetail(detail);
        QCOMPARE(pane.view(), ValueView::kJson);
        QVERIFY(pane.valueText().contains(QStringLiteral("\"x\": 1")));
    }

    // Issue 19 item 7: a key, preview or value with ESC, BEL, CR, DEL or a C1 control shows
    // them as escapes; none reaches the view raw (it could hide or overwrite what is shown).
    void detailsPaneShowsControlCharacters() {
        const QString hostile = QStringLiteral(
            "a\x1b[2J\x07"
            "b\rc\x7f\u009b\x00"
            "d");
        const QString shown = QStringLiteral("a\\x1b[2J\\x07b\\rc\\x7f\\u009b\\x00d");
        DetailsPane pane;
        EntryDetail detail;
        detail.preview = hostile + QStringLiteral("\nline two");
        detail.value = hostile.toUtf8();
        detail.metadata = {{QStringLiteral("Key"), hostile}};
        pane.setDetail(detail);
        QCOMPARE(pane.view(), ValueView::kPreview);
        QCOMPARE(pane.valueText(), shown + QStringLiteral("\nline two"));  // lines stay lines
        QCOMPARE(pane.metadataValue(QStringLiteral("Key")), shown);
        pane.setView(ValueView::kText);
        QCOMPARE(pane.valueText(), shown);
    }

    // A huge key is bounded by the core and ends with its real length ("… (5,242,880
    // bytes)"): the pane elides its Key row in the middle, so that the length stays in view.
    void detailsPaneKeepsAHugeKeysLength() {
        const QString bounded =
            QString(1024, QLatin1Char('x')) + QStringLiteral("… (5,242,880 bytes)");
        DetailsPane pane;
        pane.resize(600, 400);
        EntryDetail detail;
        detail.metadata = {{QStringLiteral("Key"), bounded}, {QStringLiteral("Size"), "12"}};
        pane.setDetail(detail);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        auto* tree = pane.findChild<QTreeWidget*>();
        QVERIFY(tree != nullptr);
        const QTreeWidgetItem* key = tree->topLevelItem(0);
        const int width = tree->visualItemRect(key).width() - tree->columnWidth(0);
        QVERIFY(width > 100);
        const QString drawn =
            tree->fontMetrics().elidedText(key->text(1), tree->textElideMode(), width);
        QVERIFY2(drawn.endsWith(QStringLiteral("(5,242,880 bytes)")), qPrintable(drawn));
        QVERIFY2(drawn.startsWith(QStringLiteral("xxx")), qPrintable(drawn));
    }
};

QTEST_MAIN(TestValueFormat)
#include "test_value_format.moc"
