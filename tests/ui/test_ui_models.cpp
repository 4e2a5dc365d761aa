// The inspector's models under QAbstractItemModelTester: the sources tree, the lazy
// entries table over a real worker reading a real python-diskcache folder, and the Redis
// namespace tree while its reports grow.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>
#include <memory>

#include "models/entries_model.h"
#include "models/namespace_model.h"
#include "models/source_tree_model.h"
#include "ui_fixtures.h"
#include "workers/display_text.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {

constexpr int kEntries = 250;
constexpr int kPageSize = 40;

// Fetches pages until the scan ends or fails; returns the number of pages that arrived.
// (QAbstractItemModelTester may have asked for the first page already.)
int fetchAll(EntriesModel& model) {
    QSignalSpy loaded(&model, &EntriesModel::pageLoaded);
    for (int guard = 0; guard < 100 && !model.isComplete(); ++guard) {
        if (model.canFetchMore({})) model.fetchMore({});
        if (!model.isLoading()) break;
        const int before = static_cast<int>(loaded.count());
        if (!QTest::qWaitFor([&] { return loaded.count() > before; }, 10000)) return -1;
    }
    return static_cast<int>(loaded.count());
}

// One node of a hand-made namespace report: `path` is the whole prefix ("app:user"), or the
// parent's prefix + "|(other)" for a folded bucket.
struct NodeSpec {
    QString path;
    quint64 keys;
    quint64 leaf;
};

// A report as the core sends it: nodes in the given order (parents first).
NamespaceReport reportOf(const QList<NodeSpec>& specs, quint64 scanned) {
    NamespaceReport r;
    r.scanned = scanned;
    QHash<QString, int> at;
    for (const NodeSpec& spec : specs) {
        NamespaceNode n;
        n.keys = spec.keys;
        n.leafKeys = spec.leaf;
        if (spec.path.endsWith(QLatin1String("|(other)"))) {
            n.other = true;
            n.name = QStringLiteral("(other)");
            n.prefix = spec.path.chopped(8);
            n.parent = n.prefix.isEmpty() ? -1 : at.value(n.prefix, -1);
        } else {
            n.prefix = spec.path;
            const qsizetype cut = spec.path.lastIndexOf(QLatin1Char(':'));
            n.name = spec.path.mid(cut + 1);
            n.parent = cut < 0 ? -1 : at.value(spec.path.left(cut), -1);
        }
        at.insert(spec.path, static_cast<int>(r.nodes.size()));
        r.nodes << n;
    }
    return r;
}

}  // namespace

class TestUiModels : public QObject {
    Q_OBJECT

  private:
    TempDir m_dir;
    SourceRef m_ref;

  private slots:
    void initTestCase() {
        QVERIFY(m_dir.ok());
        const std::string error = twat_cache::test::makeDiskcache(m_dir.path(), kEntries, 3);
        QVERIFY2(error.empty(), error.c_str());
        m_ref = folderSourceRef(QString::fromStdString(m_dir.path().string()));
    }

    void sourceTreeGroupsByKind() {
        SourceTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        SourceRef a = folderSourceRef(QStringLiteral("/srv/caches/a"));
        a.kind = SourceKind::kDiskcache;
        SourceRef b = folderSourceRef(QStringLiteral("/srv/caches/b"));
        b.kind = SourceKind::kJoblib;
        SourceRef c = folderSourceRef(QStringLiteral("/srv/caches/c"));
        c.kind = SourceKind::kDiskcache;
        model.setDiscovered(QStringLiteral("/srv/caches"), {a, b, c});
        const QModelIndex group = model.discoveredGroup();
        QCOMPARE(model.rowCount(group), 2);  // diskcache, joblib
        QCOMPARE(model.rowCount(model.index(0, 0, group)), 2);
        QCOMPARE(model.sourceAt(model.index(0, 0, model.index(0, 0, group)))->name,
                 QStringLiteral("a"));
        QVERIFY(!model.sourceAt(group).has_value());
        QVERIFY(!(model.flags(group) & Qt::ItemIsSelectable));

        model.setDiscovered(QStringLiteral("/srv/caches"), {b}, QStringLiteral("partly read"));
        QCOMPARE(model.rowCount(group), 1);
        QCOMPARE(model.data(group, Qt::ToolTipRole).toString(), QStringLiteral("partly read"));
    }

    // A discovered folder of no known format and the folders the user opened are told
    // apart: "plain folder" under the discovered caches, "Opened Folders" for the user's.
    void folderGroupsAreNamedApart() {
        SourceTreeModel model;
        model.setDiscovered(QStringLiteral("/srv/caches"),
                            {folderSourceRef(QStringLiteral("/srv/caches/thumbs"))});
        const QString discovered = model.index(0, 0, model.discoveredGroup()).data().toString();
        const QString opened = model.foldersGroup().data().toString();
        QCOMPARE(discovered, QStringLiteral("plain folder"));
        QCOMPARE(opened, QStringLiteral("Opened Folders"));
        QVERIFY(!opened.startsWith(discovered, Qt::CaseInsensitive));
    }

    void userSourcesAreAddedOnceAndKeepNoPassword() {
        SourceTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        SourceRef redis{SourceKind::kRedis,
                        QStringLiteral("redis://127.0.0.1:6379/0"),
                        QStringLiteral("local"),
                        QStringLiteral("s3cret"),
                        {}};
        const QModelIndex first = model.addSource(redis);
        const QModelIndex again = model.addSource(redis);
        QCOMPARE(first, again);
        QCOMPARE(model.rowCount(model.redisGroup()), 1);
        QVERIFY(model.sourceAt(first)->password.isEmpty());
        model.addSource(m_ref);
        QCOMPARE(model.userSources(SourceKind::kFolder).size(), 1);
        QVERIFY(model.removeSource(first));
        QCOMPARE(model.rowCount(model.redisGroup()), 0);
        QVERIFY(!model.removeSource(model.foldersGroup()));  // groups stay
    }

    void entriesLoadPageByPage() {
        SourceClient client(m_ref);
        client.open();
        EntriesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPageSize(kPageSize);
        model.setSource(&client);
        QVERIFY(!model.isComplete());
        const int pages = fetchAll(model);
        QVERIFY(pages > 0);
        QVERIFY(model.isComplete());
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
        QCOMPARE(model.rowCount(), kEntries + 3 + 1);
        QVERIFY(pages >= (kEntries + 4) / kPageSize);
        QStringList keys;
        for (int row = 0; row < model.rowCount(); ++row) keys << model.rowAt(row)->key;
        QVERIFY(keys.contains(QStringLiteral("key-000")));
        QVERIFY(keys.contains(QStringLiteral("key-249")));
        QVERIFY(!model.index(0, 0).data(EntriesModel::kIdRole).toByteArray().isEmpty());
    }

    void filterRestartsTheScan_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("expected");
        QTest::newRow("substring") << QStringLiteral("key-01") << 10;
        QTest::newRow("glob") << QStringLiteral("key-2?9") << 5;
        QTest::newRow("expired ones") << QStringLiteral("old-") << 3;
        QTest::newRow("nothing") << QStringLiteral("no such key") << 0;
    }

    void filterRestartsTheScan() {
        QFETCH(QString, filter);
        QFETCH(int, expected);
        SourceClient client(m_ref);
        client.open();
        EntriesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPageSize(kPageSize);
        model.setSource(&client);
        model.fetchMore({});
        // Changing the filter while the first page is in flight drops that page.
        QSignalSpy dropped(&client, &SourceClient::staleReplyDropped);
        model.setFilter(filter);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(fetchAll(model) > 0);
        QVERIFY(dropped.count() == 1 || dropped.wait(10000));
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
        QCOMPARE(model.rowCount(), expected);
        for (int row = 0; row < model.rowCount(); ++row) {
            QVERIFY(model.rowAt(row)->key.startsWith(filter.left(4)));
        }
    }

    // Sorting by Size restarts the scan in the source's size order (descending here), across
    // pages; a column the source cannot sort by (Tag) is ignored.
    void sortBySizeReordersRows() {
        SourceClient client(m_ref);
        client.open();
        EntriesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPageSize(kPageSize);
        model.setSource(&client);
        QVERIFY(!model.isSortable(EntriesModel::kSize));  // not known before a page arrives
        QVERIFY(fetchAll(model) > 0);
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
        const int total = model.rowCount();
        QCOMPARE(total, kEntries + 3 + 1);
        QStringList natural;
        for (int row = 0; row < total; ++row) natural << model.rowAt(row)->key;

        QVERIFY(model.isSortable(EntriesModel::kSize));
        QVERIFY(!model.isSortable(EntriesModel::kTag));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy sortChanged(&model, &EntriesModel::sortChanged);
        model.sort(EntriesModel::kTag, Qt::AscendingOrder);  // unsupported: nothing happens
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.sortColumn(), -1);
        QCOMPARE(model.rowCount(), total);

        model.sort(EntriesModel::kSize, Qt::DescendingOrder);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(sortChanged.count(), 1);
        QCOMPARE(model.sortColumn(), static_cast<int>(EntriesModel::kSize));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(fetchAll(model) > 1);
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
        QCOMPARE(model.rowCount(), total);
        QStringList sorted;
        for (int row = 0; row < total; ++row) {
            sorted << model.rowAt(row)->key;
            if (row > 0) QVERIFY(model.rowAt(row - 1)->size >= model.rowAt(row)->size);
        }
        QVERIFY(sorted != natural);                            // really reordered
        QCOMPARE(sorted.first(), QStringLiteral("json-doc"));  // the largest value
        natural.sort();
        sorted.sort();
        QCOMPARE(sorted, natural);  // the same entries, each once

        model.sort(EntriesModel::kSize, Qt::AscendingOrder);
        QVERIFY(fetchAll(model) > 1);
        QCOMPARE(model.rowCount(), total);
        for (int row = 1; row < total; ++row) {
            QVERIFY(model.rowAt(row - 1)->size <= model.rowAt(row)->size);
        }
    }

    void namespaceTreeGrowsInPlace() {
        NamespaceModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setReport(
            reportOf({{"app", 5, 1}, {"app:user", 4, 0}, {"app:user:1", 4, 4}, {"", 1, 1}}, 6));
        QCOMPARE(model.rowCount(model.rootIndex()), 2);
        const QModelIndex user = model.indexOf(QStringLiteral("app:user"));
        QVERIFY(user.isValid());
        QCOMPARE(user.parent(), model.indexOf(QStringLiteral("app")));
        QCOMPARE(user.data().toString(), QStringLiteral("user:"));
        const QPersistentModelIndex one = model.indexOf(QStringLiteral("app:user:1"));
        QCOMPARE(one.parent(), user);
        QCOMPARE(model.rowCount(one), 0);

        // A later report: more keys, new namespaces at several depths, a folded bucket, and a
        // new top-level namespace that overtakes "app". The tree changes without a reset, and
        // indexes held across the update still point at their namespaces.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setReport(reportOf({{"session", 9, 9},
                                  {"app", 8, 1},
                                  {"app:user", 6, 0},
                                  {"app:user:1", 4, 4},
                                  {"app:user:2", 2, 2},
                                  {"app|(other)", 1, 0},
                                  {"", 1, 1}},
                                 18));
        QCOMPARE(resets.count(), 0);
        QVERIFY(inserted.count() >= 3);  // top level, under app, under app:user
        QVERIFY(changed.count() >= 2);
        QCOMPARE(one.data(NamespaceModel::kPrefixRole).toString(), QStringLiteral("app:user:1"));
        QCOMPARE(model.index(0, 0, model.rootIndex()).data(NamespaceModel::kPrefixRole).toString(),
                 QStringLiteral("session"));
        QCOMPARE(model.keysOf(QStringLiteral("app")), quint64{8});
        QCOMPARE(model.keysOf(QStringLiteral("app:user:2")), quint64{2});
        QCOMPARE(model.rootIndex()
                     .siblingAtColumn(NamespaceModel::kKeys)
                     .data(NamespaceModel::kCountRole),
                 QVariant(qulonglong{18}));
        const QModelIndex app = model.indexOf(QStringLiteral("app"));
        QCOMPARE(model.rowCount(app), 2);
        const QModelIndex other = model.index(1, 0, app);  // "(other)" stays last
        QVERIFY(other.data(NamespaceModel::kOtherRole).toBool());
        QCOMPARE(other.data().toString(), QStringLiteral("(other)"));

        // Filters: the subtree's glob; "(other)" lists its parent's keys; no namespace: all.
        QCOMPARE(model.filterFor(user), QStringLiteral("app:user:*"));
        QCOMPARE(model.filterFor(other), QStringLiteral("app:*"));
        QCOMPARE(model.filterFor(model.indexOf(QString())), QString());
        QCOMPARE(model.filterFor(model.rootIndex()), QString());

        // Many growing reports under the tester: counts only grow, nodes only appear.
        for (quint64 step = 1; step <= 30; ++step) {
            QList<NodeSpec> specs = {{"session", 9 + step, 9 + step}, {"app", 8 + step * 2, 1}};
            specs.append({"app:user", 6 + step * 2, 0});
            for (quint64 u = 1; u <= step + 1; ++u) {
                specs.append({QStringLiteral("app:user:%1").arg(u), u <= 2 ? 2 + step : 1, 1});
            }
            specs.append({"", 1, 1});
            model.setReport(reportOf(specs, 18 + step * 3));
        }
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowCount(model.indexOf(QStringLiteral("app:user"))), 31);
        QCOMPARE(one.data(NamespaceModel::kCountRole).toULongLong(), quint64{32});
        QCOMPARE(one.row(), 0);  // most keys first
    }

    void namespaceFilterEscapesGlobs() {
        NamespaceModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reset(QStringLiteral("/"));
        NamespaceReport r;
        r.scanned = 2;
        r.nodes = {{QStringLiteral("a*b[1]"), QStringLiteral("a*b[1]"), -1, 2, 2, false}};
        model.setReport(r);
        QCOMPARE(model.index(0, 0, model.rootIndex()).data().toString(), QStringLiteral("a*b[1]/"));
        QCOMPARE(model.filterFor(model.index(0, 0, model.rootIndex())),
                 QStringLiteral("a\\*b\\[1\\]/*"));
    }

    void headersAndDisplay() {
        EntriesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), static_cast<int>(EntriesModel::kColumnCount));
        QCOMPARE(model.headerData(EntriesModel::kKey, Qt::Horizontal).toString(),
                 QStringLiteral("Key"));
        QVERIFY(!model.canFetchMore({}));  // no source
    }

    // The Size column and the statistics say "1 byte", not "1 bytes" (QLocale's form).
    void sizesReadInTheRightNumber_data() {
        QTest::addColumn<quint64>("bytes");
        QTest::addColumn<QString>("text");
        QTest::newRow("none") << quint64{0} << "0 bytes";
        QTest::newRow("one") << quint64{1} << "1 byte";
        QTest::newRow("two") << quint64{2} << "2 bytes";
    }

    void sizesReadInTheRightNumber() {
        QFETCH(quint64, bytes);
        QTEST(bytesText(bytes), "text");
    }
};

QTEST_GUILESS_MAIN(TestUiModels)
#include "test_ui_models.moc"
