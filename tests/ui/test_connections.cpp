// Saved Redis connections in the inspector: the list (name, colour, URL, separator, TLS/SSH
// options, production flag) persists in QSettings without secrets; the manager lists, edits,
// duplicates and deletes them; export writes JSON without any password even when passwords
// are stored; import merges ("name (2)") and refuses malformed files, adding nothing; a
// production connection opens read-only, shows the banner in its colour, and is writable only
// after the user allows changes for the session (the core refuses a deletion before); a saved
// connection with a password connects to a real redis-server and lists its keys; the URL tab
// and the TLS/SSH tabs agree; a TLS test reports the core's answer. Settings are isolated in a
// temporary folder; every wait is a QSignalSpy::wait or a QTRY.
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>
#include <memory>

#include "dialogs/connections_dialog.h"
#include "dialogs/redis_dialog.h"
#include "dialogs/secret_store.h"
#include "models/entries_model.h"
#include "models/saved_connection.h"
#include "models/source_tree_model.h"
#include "redis_server.h"
#include "ui_fixtures.h"
#include "ui_resources.h"
#include "views/main_window.h"
#include "views/maintenance_runner.h"
#include "views/production_banner.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisServer;
using twat_cache::test::TempDir;

namespace {

const QString kPassword = QStringLiteral("s3cret-redis-pw");
const QString kSshPassword = QStringLiteral("s3cret-ssh-passphrase");

SourceRef connection(const QString& name, const QString& url, bool production = false,
                     const QString& color = {}) {
    SourceRef ref;
    ref.kind = SourceKind::kRedis;
    ref.name = name;
    ref.location = url;
    ref.id = newConnectionId();
    ref.color = color;
    ref.production = production;
    return ref;
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("UNREADABLE");
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Runs `dialog`'s connection test and presses OK once it passed; true if it was accepted.
bool acceptTested(RedisDialog& dialog) {
    QSignalSpy finished(&dialog, &RedisDialog::testFinished);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.show();
    dialog.accept();  // tests first, then accepts
    return (accepted.count() > 0 || accepted.wait(20000)) && finished.count() == 1 &&
           finished.at(0).at(0).toBool();
}

}  // namespace

class TestConnections : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_files;
    std::unique_ptr<RedisServer> m_server;

    QString file(const char* name) const {
        return QString::fromStdString((m_files.path() / name).string());
    }
    QString serverUrl() const { return QString::fromStdString(m_server->url()); }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_files.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("twat-cache-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_connections"));
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        initUiResources();
        if (!RedisServer::available()) return;  // the tests that need it skip
        m_server = std::make_unique<RedisServer>(
            RedisServer::Options{.unix_socket = false, .password = kPassword.toStdString()});
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        const QStringList out = twat_cache::test::redisPython(
            m_server->url(),
            "for i in range(7): r.set('shop:order:%d' % i, 'v')\nr.set('plain', 'x')\n"
            "print('ok')");
        QCOMPARE(out, QStringList{QStringLiteral("ok")});
    }

    void init() { QSettings().clear(); }

    void listPersistsWithoutSecrets() {
        SourceRef prod = connection(QStringLiteral("orders (prod)"),
                                    QStringLiteral("rediss://app@db.example:6380/2?ca=/etc/ca.pem"
                                                   "&ssh=ops@bastion:2222"),
                                    true, QStringLiteral("#c62828"));
        prod.separator = QStringLiteral("/");
        prod.password = kPassword;
        const SourceRef local =
            connection(QStringLiteral("local"), QStringLiteral("redis://127.0.0.1:1/0"), false,
                       QStringLiteral("#2e7d32"));
        {
            MainWindow window;
            window.saveConnection({}, prod);
            window.saveConnection({}, local);
            // Saved at once, not only when the window closes (a crash keeps them).
        }
        MainWindow restored;
        const QList<SourceRef> list = restored.sourcesModel()->userSources(SourceKind::kRedis);
        QCOMPARE(list.size(), 2);
        const SourceRef& back = list.at(0);
        QCOMPARE(back.name, prod.name);
        QCOMPARE(back.location, prod.location);
        QCOMPARE(back.id, prod.id);
        QCOMPARE(back.color, prod.color);
        QCOMPARE(back.separator, QStringLiteral("/"));
        QVERIFY(back.production);
        QVERIFY(back.password.isEmpty());
        QCOMPARE(list.at(1).id, local.id);
        QVERIFY(!list.at(1).production);
        QSettings settings;
        for (const QString& key : settings.allKeys()) {
            QVERIFY2(!settings.value(key).toString().contains(kPassword), qPrintable(key));
        }
        // An edit replaces the connection in place (same id), keeping its position.
        SourceRef edited = back;
        edited.name = QStringLiteral("orders");
        edited.production = false;
        restored.saveConnection(back, edited);
        const auto after = restored.sourcesModel()->userSources(SourceKind::kRedis);
        QCOMPARE(after.size(), 2);
        QCOMPARE(after.at(0).name, QStringLiteral("orders"));
        QVERIFY(!after.at(0).production);
    }

    void exportHasNoSecrets() {
        if (!m_server) QSKIP(RedisServer::skipReason().c_str());
        MainWindow window;
        // A connection saved through the dialog, with both passwords stored.
        RedisDialog dialog(window.secrets());
        dialog.setName(QStringLiteral("with secrets"));
        dialog.setHost(QStringLiteral("127.0.0.1"), m_server->port(), 0);
        dialog.setCredentials(QStringLiteral("default"), kPassword);
        dialog.setSshPassword(kSshPassword);  // kept, though the SSH tab is off
        dialog.setColor(QStringLiteral("#1565c0"));
        QVERIFY(acceptTested(dialog));
        const SourceRef saved = dialog.sourceRef();
        window.saveConnection({}, saved);
        QCOMPARE(window.secrets()->sessionSecret(secretAccount(saved, SecretKind::kRedisPassword)),
                 kPassword);
        window.saveConnection(
            {}, connection(QStringLiteral("tls"), QStringLiteral("rediss://h:6380/1?insecure=1")));

        QCOMPARE(window.exportConnectionsTo(file("export.json")), QString());
        const QByteArray text = readAll(file("export.json"));
        QVERIFY2(!text.contains(kPassword.toUtf8()), text.constData());
        QVERIFY2(!text.contains(kSshPassword.toUtf8()), text.constData());
        QVERIFY(!text.contains("password"));
        QVERIFY(!text.contains(saved.id.toUtf8()));  // ids (the keyring accounts) stay home
        QVERIFY(text.contains("\"with secrets\""));
        QVERIFY(text.contains("rediss://h:6380/1?insecure=1"));
        QVERIFY(text.contains("#1565c0"));
    }

    void importMergesWithSuffixes() {
        const SourceRef a = connection(QStringLiteral("cache"), QStringLiteral("redis://a:6379/0"),
                                       true, QStringLiteral("#ef6c00"));
        const SourceRef b = connection(QStringLiteral("queue"), QStringLiteral("redis://b:6379/1"));
        {
            MainWindow source;
            source.saveConnection({}, a);
            source.saveConnection({}, b);
            QCOMPARE(source.exportConnectionsTo(file("two.json")), QString());
        }
        QSettings().clear();
        MainWindow window;
        window.saveConnection(
            {}, connection(QStringLiteral("cache"), QStringLiteral("redis://other:6379/0")));
        window.saveConnection({}, b);  // the same as the file's
        bool ok = false;
        const QString outcome = window.importConnectionsFrom(file("two.json"), &ok);
        QVERIFY2(ok, qPrintable(outcome));
        QVERIFY2(outcome.contains(QLatin1String("Imported 1 connection")), qPrintable(outcome));
        QVERIFY2(outcome.contains(QLatin1String("1 already saved")), qPrintable(outcome));
        const auto list = window.sourcesModel()->userSources(SourceKind::kRedis);
        QCOMPARE(list.size(), 3);
        QCOMPARE(list.at(2).name, QStringLiteral("cache (2)"));
        QCOMPARE(list.at(2).location, a.location);
        QCOMPARE(list.at(2).color, a.color);
        QVERIFY(list.at(2).production);
        QVERIFY(!list.at(2).id.isEmpty() && list.at(2).id != a.id);
    }

    void importRefusesMalformedFiles_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("says");
        const QByteArray head = "{\"format\": \"twat-cache-inspector connections\", ";
        QTest::newRow("not json") << QByteArray("{\"format\": ") << "invalid JSON";
        QTest::newRow("other json") << QByteArray("[1, 2]") << "\"format\"";
        QTest::newRow("version") << head + "\"version\": 9, \"connections\": []}"
                                 << "version 9";
        QTest::newRow("no list") << head + "\"version\": 1, \"connections\": {}}"
                                 << "not a list";
        QTest::newRow("no name")
            << head + "\"version\": 1, \"connections\": [{\"url\": \"redis://h/0\"}]}"
            << "connection 1 has no name";
        QTest::newRow("bad url") << head +
                                        "\"version\": 1, \"connections\": ["
                                        "{\"name\": \"ok\", \"url\": \"redis://ok/0\"}, "
                                        "{\"name\": \"bad\", \"url\": \"ftp://x\"}]}"
                                 << "connection “bad”";
    }

    void importRefusesMalformedFiles() {
        QFETCH(QByteArray, text);
        QFETCH(QString, says);
        QVERIFY(writeFile(file("bad.json"), text));
        MainWindow window;
        bool ok = true;
        const QString outcome = window.importConnectionsFrom(file("bad.json"), &ok);
        QVERIFY(!ok);
        QVERIFY2(outcome.startsWith(QLatin1String("Cannot import")), qPrintable(outcome));
        QVERIFY2(outcome.contains(says), qPrintable(outcome));
        QCOMPARE(window.sourcesModel()->userSources(SourceKind::kRedis).size(), 0);
    }

    void managerListsEditsDuplicatesDeletes() {
        MainWindow window;
        SourceRef prod = connection(QStringLiteral("prod"),
                                    QStringLiteral("rediss://app@db:6380/3?insecure=1&ssh=ops@gw"),
                                    true, QStringLiteral("#6a1b9a"));
        window.saveConnection({}, prod);
        window.secrets()->keepForSession(secretAccount(prod, SecretKind::kRedisPassword),
                                         kPassword);
        ConnectionsDialog dialog(window.sourcesModel(), window.secrets());
        connect(&dialog, &ConnectionsDialog::saveRequested, &window, &MainWindow::saveConnection);
        connect(&dialog, &ConnectionsDialog::removeRequested, &window,
                &MainWindow::removeConnection);
        QTreeWidget* list = dialog.list();
        QCOMPARE(list->topLevelItemCount(), 1);
        const QTreeWidgetItem* row = list->topLevelItem(0);
        QCOMPARE(row->text(ConnectionsDialog::kName), QStringLiteral("prod"));
        QCOMPARE(row->text(ConnectionsDialog::kUrl), prod.location);
        QCOMPARE(row->text(ConnectionsDialog::kDatabase), QStringLiteral("3"));
        QCOMPARE(row->text(ConnectionsDialog::kTls), QStringLiteral("yes, unverified"));
        QCOMPARE(row->text(ConnectionsDialog::kSsh), QStringLiteral("ops@gw:22"));
        QVERIFY(row->text(ConnectionsDialog::kProduction).startsWith(QLatin1String("yes")));
        QVERIFY(!row->icon(ConnectionsDialog::kName).isNull());  // the colour swatch

        dialog.duplicateConnection();
        QCOMPARE(list->topLevelItemCount(), 2);
        const auto copy = dialog.selected();
        QVERIFY(copy.has_value());
        QCOMPARE(copy->name, QStringLiteral("prod (2)"));
        QVERIFY(copy->id != prod.id);
        QCOMPARE(window.secrets()->sessionSecret(secretAccount(*copy, SecretKind::kRedisPassword)),
                 kPassword);

        QVERIFY(dialog.select(QStringLiteral("prod")));
        twat_cache::test::answerNextMessageBox(QMessageBox::Yes, nullptr);
        dialog.deleteConnection();
        QCOMPARE(list->topLevelItemCount(), 1);
        QCOMPARE(list->topLevelItem(0)->text(ConnectionsDialog::kName), QStringLiteral("prod (2)"));
        QVERIFY(window.secrets()
                    ->sessionSecret(secretAccount(prod, SecretKind::kRedisPassword))
                    .isEmpty());
    }

    void productionOpensReadOnlyWithBanner() {
        if (!m_server) QSKIP(RedisServer::skipReason().c_str());
        MainWindow window;
        window.resize(1100, 700);
        window.show();
        SourceRef prod =
            connection(QStringLiteral("shop (prod)"), serverUrl(), true, QStringLiteral("#ef6c00"));
        window.secrets()->keepForSession(secretAccount(prod, SecretKind::kRedisPassword),
                                         kPassword);
        window.saveConnection({}, prod);
        window.addSource(prod);
        QVERIFY(window.currentSource());
        QVERIFY(window.currentSource()->isReadOnly());
        QVERIFY(!window.isReadOnly());  // not the global mode: this connection only
        ProductionBanner* banner = window.productionBanner();
        QVERIFY(banner->isVisible());
        QVERIFY2(banner->text().startsWith(QStringLiteral("PRODUCTION — read-only")),
                 qPrintable(banner->text()));
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSource()->state() == SourceClient::State::kOpen,
                                 15000);
        // Drawn in the connection's colour, at the top of the central area.
        const QImage strip = banner->grab().toImage();
        QCOMPARE(strip.pixelColor(3, 3), QColor(QStringLiteral("#ef6c00")));
        QCOMPARE(banner->parentWidget(), window.centralWidget());
        QVERIFY(banner->geometry().top() <= 3);  // inside the 3-pixel frame
        QAction* clearAll = window.actions().clearAll;
        QVERIFY(!clearAll->isEnabled());
        auto* indicator = window.findChild<QLabel*>(QStringLiteral("readOnlyIndicator"));
        QVERIFY(indicator->isVisible());
        QCOMPARE(indicator->text(), QStringLiteral("Production connection: read-only"));
        QVERIFY2(clearAll->toolTip().contains(QLatin1String("production")),
                 qPrintable(clearAll->toolTip()));

        // The core itself refuses: a deletion asked of the source past the window's guard is
        // denied, and the key stays.
        {
            MaintenanceRunner runner(window.currentSource(), &window);
            QSignalSpy finished(&runner, &MaintenanceRunner::finished);
            twat_cache::test::answerNextMessageBox(QMessageBox::Ok, nullptr);
            runner.start({MaintenanceKind::kDeleteSelected, {QByteArray("shop:order:1")}, 0});
            QVERIFY(finished.wait(20000));
            const QString error = finished.at(0).at(1).toString();
            QVERIFY2(error.startsWith(QLatin1String("permission denied")), qPrintable(error));
        }
        QVERIFY(
            twat_cache::test::redisKeys(m_server->url()).contains(QStringLiteral("shop:order:1")));

        // Allowing changes asks first; Cancel keeps it read-only.
        twat_cache::test::answerNextMessageBox(QMessageBox::Cancel, nullptr);
        window.findChild<QPushButton*>(QStringLiteral("productionBannerButton"))->click();
        QVERIFY(window.currentSource()->isReadOnly());
        QString asked;
        twat_cache::test::answerNextMessageBox(QMessageBox::Yes, &asked);
        window.findChild<QPushButton*>(QStringLiteral("productionBannerButton"))->click();
        QVERIFY2(asked.contains(QLatin1String("production")), qPrintable(asked));
        QVERIFY(!window.currentSource()->isReadOnly());
        QVERIFY(banner->text().contains(QLatin1String("changes allowed")));
        QTRY_VERIFY_WITH_TIMEOUT(clearAll->isEnabled(), 15000);
        // And back.
        window.allowProductionChanges(false);
        QVERIFY(window.currentSource()->isReadOnly());
        QVERIFY(!clearAll->isEnabled());

        // Another source: no banner, no frame. (Its password is not known this session: the
        // window says where to enter it.)
        window.addSource(connection(QStringLiteral("plain"), serverUrl()));
        QVERIFY(!banner->isVisible());
        QVERIFY(window.centralWidget()->styleSheet().isEmpty());
        auto* message = window.findChild<QLabel*>(QStringLiteral("entriesMessage"));
        QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QLatin1String("needs a password")),
                                 15000);
        QVERIFY2(message->text().contains(QLatin1String("Manage Connections")),
                 qPrintable(message->text()));
    }

    void savedConnectionConnectsAndListsKeys() {
        if (!m_server) QSKIP(RedisServer::skipReason().c_str());
        MainWindow window;
        window.show();
        RedisDialog dialog(window.secrets());
        dialog.setName(QStringLiteral("shop"));
        dialog.setHost(QStringLiteral("127.0.0.1"), m_server->port(), 0);
        dialog.setCredentials({}, kPassword);
        QVERIFY(acceptTested(dialog));
        const SourceRef saved = dialog.sourceRef();
        QVERIFY(!saved.location.contains(kPassword));
        window.saveConnection({}, saved);

        ConnectionsDialog manager(window.sourcesModel(), window.secrets(), &window);
        connect(&manager, &ConnectionsDialog::connectRequested, &window, &MainWindow::addSource);
        QVERIFY(manager.select(QStringLiteral("shop")));
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        manager.connectSelected();
        QVERIFY(window.currentSource());
        QCOMPARE(window.currentSource()->ref().id, saved.id);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.entriesModel()->isComplete() || window.entriesModel()->rowCount() == 8, 15000);
        QCOMPARE(window.entriesModel()->lastError(), QString());
        QStringList expected;
        for (int i = 0; i < 7; ++i) expected << QStringLiteral("shop:order:%1").arg(i);
        expected << QStringLiteral("plain");
        expected.sort();
        QCOMPARE(twat_cache::test::loadedKeys(*window.entriesModel()), expected);
    }

    // Editing a saved connection shows every field; saving it unchanged gives it back as it was.
    void editShowsEveryField_data() {
        QTest::addColumn<QString>("url");
        QTest::newRow("host") << "redis://ann@10.0.0.2:6380/3";
        QTest::newRow("socket") << "unix:///run/redis/redis.sock?db=2";
        QTest::newRow("tls and ssh")
            << "rediss://app@db.example:6380/1?ca=/etc/my%20ca.pem&cert=/c.pem&key=/k.pem"
               "&sni=db.internal&insecure=1&ssh=ops@gw:2222&ssh_key=/id&ssh_accept_new=1";
        QTest::newRow("sentinel") << "rediss+sentinel://app@s1:26379,s2:26380/mymaster/4?ssh=gw";
    }

    void editShowsEveryField() {
        QFETCH(QString, url);
        SourceRef ref = connection(QStringLiteral("edited"), url, true, QStringLiteral("#6a1b9a"));
        ref.separator = QStringLiteral("/");
        SecretStore secrets(QStringLiteral("twat-cache-test"));
        secrets.keepForSession(secretAccount(ref, SecretKind::kRedisPassword), kPassword);
        secrets.keepForSession(secretAccount(ref, SecretKind::kSshPassword), kSshPassword);
        RedisDialog dialog(&secrets);
        dialog.setConnection(ref);
        const SourceRef back = dialog.sourceRef();
        QCOMPARE(back.location, url);
        QCOMPARE(back.id, ref.id);
        QCOMPARE(back.name, ref.name);
        QCOMPARE(back.color, ref.color);
        QCOMPARE(back.separator, ref.separator);
        QVERIFY(back.production);
        QCOMPARE(back.password, kPassword);
        QCOMPARE(dialog.sshPassword(),
                 url.contains(QLatin1String("ssh=")) ? kSshPassword : QString());
    }

    void urlAndOptionTabsAgree() {
        RedisDialog dialog(nullptr);
        dialog.setUrl(QStringLiteral("redis://ann:pw@h:6379/0?ssh=ops@gw:2222"));
        auto* ssh = dialog.findChild<QCheckBox*>(QStringLiteral("sshCheck"));
        auto* tls = dialog.findChild<QCheckBox*>(QStringLiteral("tlsCheck"));
        QVERIFY(ssh && tls);
        QVERIFY(ssh->isChecked());  // the URL's options fill their tab
        ssh->click();               // and the tabs rewrite the URL
        tls->click();
        auto* url = dialog.findChildren<QLineEdit*>().first();
        for (QLineEdit* edit : dialog.findChildren<QLineEdit*>()) {
            if (edit->text().startsWith(QLatin1String("redis"))) url = edit;
        }
        QCOMPARE(url->text(), QStringLiteral("rediss://ann@h:6379/0"));
        QCOMPARE(dialog.sourceRef().location, QStringLiteral("rediss://ann@h:6379/0"));
        QCOMPARE(dialog.sourceRef().password, QStringLiteral("pw"));  // moved to its field
    }

    void tlsTestReportsTheCoresAnswer() {
        // TLS is the core's: the dialog writes rediss:// and its options and reports what the
        // core says, whatever it is, without the password.
        RedisDialog dialog(nullptr);
        dialog.setUrl(QStringLiteral("rediss://127.0.0.1:1/0?ca=/nonexistent/ca.pem"));
        dialog.setCredentials({}, kPassword);
        QCOMPARE(dialog.sourceRef().location,
                 QStringLiteral("rediss://127.0.0.1:1/0?ca=/nonexistent/ca.pem"));
        QSignalSpy finished(&dialog, &RedisDialog::testFinished);
        dialog.testConnection();
        QVERIFY(finished.count() == 1 || finished.wait(20000));
        QVERIFY(!finished.at(0).at(0).toBool());
        const QString message = finished.at(0).at(1).toString();
        QVERIFY(!message.isEmpty());
        QVERIFY2(!message.contains(kPassword), qPrintable(message));
        // Said of the server, not of the whole URL with its options.
        QVERIFY2(message.contains(QLatin1String("127.0.0.1:1")), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1String("?ca=")), qPrintable(message));
    }
};

QTEST_MAIN(TestConnections)
#include "test_connections.moc"
