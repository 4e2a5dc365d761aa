// The keyring path for real: a private D-Bus with gnome-keyring (SecretService fixture) behind
// qtkeychain. A connection saved through the connection dialog has its Redis and SSH
// passwords written to the keyring by the inspector's own SecretStore (the fixture reads them
// back over D-Bus on its own); after a restart (a new window, a new store) the saved
// connection opens with the password from the keyring and lists a real redis-server's keys,
// and the edit dialog and a tunnelled connection's lookup get both passwords back; deleting a
// connection removes its passwords and only its own; the exported list holds no secret while
// the keyring holds them; no fallback text appears while the service runs; a locked keyring
// is stated, never hangs, and keeps the password for the session. Settings are isolated in a
// temporary folder; every wait is a QSignalSpy::wait or a QTRY.
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
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
#include "secret_service.h"
#include "ui_fixtures.h"
#include "ui_resources.h"
#include "views/main_window.h"
#include "views/source_sessions.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;
using twat_cache::test::RedisServer;
using twat_cache::test::SecretService;
using twat_cache::test::TempDir;

namespace {

const QString kService = QStringLiteral("twat-cache-inspector");  // the inspector's own
const QString kPassword = QStringLiteral("s3cret-redis-pw");
const QString kOtherPassword = QStringLiteral("other-redis-pw");
const QString kSshPassword = QStringLiteral("s3cret-ssh-passphrase");
const QString kKeyringText = QStringLiteral("Passwords are stored in the system keyring.");

QString redisAccount(const SourceRef& ref) {
    return secretAccount(ref, SecretKind::kRedisPassword);
}
QString sshAccount(const SourceRef& ref) {
    return secretAccount(ref, SecretKind::kSshPassword);
}

// The secret the keyring holds for `account` (read by the fixture, not by the code under
// test), or "(N items)" when it holds none or several.
QString keyringSecret(const SecretService& service, const QString& account) {
    const auto items = service.itemsWith(account);
    if (items.size() != 1) return QStringLiteral("(%1 items)").arg(items.size());
    return QString::fromUtf8(items.front().secret);
}

// What a new store (as after a restart) reads from the keyring for `account`: the secret, or
// "(not found)".
QString loadedAfterRestart(const QString& account) {
    SecretStore store(kService);
    QSignalSpy loaded(&store, &SecretStore::loaded);
    store.load(account);
    if (loaded.isEmpty() && !loaded.wait(10000)) return QStringLiteral("(no answer)");
    return loaded.at(0).at(2).toBool() ? loaded.at(0).at(1).toString()
                                       : QStringLiteral("(not found)");
}

}  // namespace

class TestKeyring : public QObject {
    Q_OBJECT

  private:
    TempDir m_settingsDir;
    TempDir m_files;
    std::unique_ptr<SecretService> m_keyring;
    std::unique_ptr<RedisServer> m_server;

    // Saves a connection as the user does: the connection dialog (passwords in its fields,
    // "Remember the passwords" on), tested, then OK ("Add Anyway" when the test fails), and
    // the window's save. Waits until the keyring answered for each password; returns the
    // connection, or an empty one (with a failure recorded) when that did not happen.
    SourceRef saveThroughDialog(MainWindow& window, const QString& name, const QString& url,
                                const QString& password, const QString& sshPassword) {
        RedisDialog dialog(window.secrets());
        dialog.setName(name);
        dialog.setUrl(url);
        dialog.setCredentials({}, password);
        if (!sshPassword.isEmpty()) dialog.setSshPassword(sshPassword);
        auto* remember = dialog.findChild<QCheckBox*>(QStringLiteral("rememberCheck"));
        QSignalSpy checked(window.secrets(), &SecretStore::backendChecked);
        if (!checked.wait(10000) || remember == nullptr || !remember->isChecked()) {
            qWarning("the dialog does not offer the keyring: %s", qPrintable(dialog.keyringText()));
            return {};
        }
        QSignalSpy tested(&dialog, &RedisDialog::testFinished);
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        QSignalSpy stored(window.secrets(), &SecretStore::stored);
        dialog.show();
        dialog.testConnection();
        if (!tested.wait(20000)) {
            qWarning("the connection test did not finish");
            return {};
        }
        // A failed test asks whether to add it anyway (the tunnelled one leads nowhere).
        if (!tested.at(0).at(0).toBool()) {
            twat_cache::test::answerNextMessageBox(QMessageBox::Ok, nullptr);
        }
        dialog.accept();
        if (accepted.isEmpty() && !accepted.wait(10000)) {
            qWarning("the dialog was not accepted");
            return {};
        }
        const int secrets = sshPassword.isEmpty() ? 1 : 2;
        for (int i = 0; i < 100 && stored.count() < secrets; ++i) stored.wait(100);
        if (stored.count() != secrets) {
            qWarning("%d of %d passwords stored", int(stored.count()), secrets);
            return {};
        }
        for (const QList<QVariant>& answer : std::as_const(stored)) {
            // Persisted in the keyring, not only kept for the session.
            if (!answer.at(1).toBool()) {
                qWarning("not persisted: %s", qPrintable(answer.at(2).toString()));
                return {};
            }
        }
        const SourceRef saved = dialog.sourceRef();
        window.saveConnection({}, saved);
        return saved;
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_settingsDir.ok() && m_files.ok());
        twat_cache::test::isolateSettings(m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("twat-cache-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_keyring"));
        qputenv("TWAT_CACHE_DIR", QByteArray::fromStdString(m_settingsDir.path().string()));
        initUiResources();
        if (!SecretService::available()) QSKIP(SecretService::skipReason().c_str());
        // Before anything opens the session bus: qtkeychain must find this one.
        m_keyring = std::make_unique<SecretService>();
        const std::string error = m_keyring->start();
        QVERIFY2(error.empty(), error.c_str());
        if (!RedisServer::available()) return;  // the test that needs it skips
        m_server = std::make_unique<RedisServer>(
            RedisServer::Options{.unix_socket = false, .password = kPassword.toStdString()});
        const std::string started = m_server->start();
        QVERIFY2(started.empty(), started.c_str());
        const QStringList out = twat_cache::test::redisPython(
            m_server->url(), "for i in range(3): r.set('shop:order:%d' % i, 'v')\nprint('ok')");
        QCOMPARE(out, QStringList{QStringLiteral("ok")});
    }

    void init() { QSettings().clear(); }

    void serviceFoundNoFallback() {
        MainWindow window;
        RedisDialog dialog(window.secrets());
        QSignalSpy checked(window.secrets(), &SecretStore::backendChecked);
        QVERIFY(checked.wait(10000));
        QCOMPARE(window.secrets()->backend(), SecretStore::Backend::kAvailable);
        QCOMPARE(dialog.keyringText(), kKeyringText);
        auto* remember = dialog.findChild<QCheckBox*>(QStringLiteral("rememberCheck"));
        QVERIFY(remember && remember->isEnabled() && remember->isChecked());
        // Not one label of the dialog speaks of a missing keyring or a session-only password.
        for (const QLabel* label : dialog.findChildren<QLabel*>()) {
            QVERIFY2(!label->text().contains(QLatin1String("session only")),
                     qPrintable(label->text()));
            QVERIFY2(!label->text().contains(QLatin1String("No keyring")),
                     qPrintable(label->text()));
        }
    }

    void passwordOpensSavedConnectionAfterRestart() {
        if (!m_server) QSKIP(RedisServer::skipReason().c_str());
        SourceRef saved;
        {
            MainWindow window;
            saved = saveThroughDialog(
                window, QStringLiteral("shop"),
                QStringLiteral("redis://127.0.0.1:%1/0").arg(m_server->port()), kPassword, {});
            QVERIFY(!saved.id.isEmpty());
        }
        QVERIFY(!saved.location.contains(kPassword));
        QCOMPARE(keyringSecret(*m_keyring, redisAccount(saved)), kPassword);

        // The restart: a new window and store that never saw the password.
        MainWindow window;
        window.show();
        QVERIFY(window.secrets()->sessionSecret(redisAccount(saved)).isEmpty());
        ConnectionsDialog manager(window.sourcesModel(), window.secrets(), &window);
        connect(&manager, &ConnectionsDialog::connectRequested, &window, &MainWindow::addSource);
        QVERIFY(manager.select(QStringLiteral("shop")));
        QSignalSpy loaded(window.entriesModel(), &EntriesModel::pageLoaded);
        manager.connectSelected();
        // Read from the keyring first, then opened with it (not opened without it meanwhile).
        auto* message = window.findChild<QLabel*>(QStringLiteral("entriesMessage"));
        QTRY_VERIFY2_WITH_TIMEOUT(window.currentSource() != nullptr &&
                                      window.currentSource()->state() == SourceClient::State::kOpen,
                                  qPrintable(message->text()), 15000);
        QCOMPARE(window.currentSource()->ref().id, saved.id);
        QCOMPARE(window.secrets()->sessionSecret(redisAccount(saved)), kPassword);
        window.entriesModel()->fetchMore({});
        QVERIFY(loaded.count() > 0 || loaded.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(window.entriesModel()->isComplete(), 15000);
        QCOMPARE(window.entriesModel()->lastError(), QString());
        QCOMPARE(twat_cache::test::loadedKeys(*window.entriesModel()),
                 (QStringList{QStringLiteral("shop:order:0"), QStringLiteral("shop:order:1"),
                              QStringLiteral("shop:order:2")}));
    }

    void tunnelPasswordsComeBackAfterRestart() {
        const int port = twat_cache::test::freeLoopbackPort();
        const QString url = QStringLiteral("redis://127.0.0.1:%1/0?ssh=ops@127.0.0.1:%1").arg(port);
        SourceRef saved;
        {
            MainWindow window;
            saved = saveThroughDialog(window, QStringLiteral("via bastion"), url, kOtherPassword,
                                      kSshPassword);
            QVERIFY(!saved.id.isEmpty());
        }
        QCOMPARE(keyringSecret(*m_keyring, redisAccount(saved)), kOtherPassword);
        QCOMPARE(keyringSecret(*m_keyring, sshAccount(saved)), kSshPassword);

        // Opening it in a new session reads both passwords from the keyring first.
        SourceSessions sessions;
        QVERIFY(sessions.needsSecretLookup(saved));
        bool done = false;
        sessions.lookUpSecret(saved, [&done] { done = true; });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QCOMPARE(sessions.secrets()->sessionSecret(redisAccount(saved)), kOtherPassword);
        QCOMPARE(sessions.secrets()->sessionSecret(sshAccount(saved)), kSshPassword);
        QVERIFY(!sessions.needsSecretLookup(saved));

        // Edit… fills both password fields from the keyring.
        SecretStore store(kService);
        RedisDialog edit(&store);
        edit.setConnection(saved);
        QTRY_COMPARE_WITH_TIMEOUT(edit.sshPassword(), kSshPassword, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(edit.sourceRef().password, kOtherPassword, 10000);
    }

    void deletingRemovesOnlyItsPasswords() {
        const int port = twat_cache::test::freeLoopbackPort();
        MainWindow window;
        const SourceRef doomed = saveThroughDialog(
            window, QStringLiteral("doomed"),
            QStringLiteral("redis://127.0.0.1:%1/0?ssh=ops@127.0.0.1:%1").arg(port), kPassword,
            kSshPassword);
        const SourceRef kept = saveThroughDialog(window, QStringLiteral("kept"),
                                                 QStringLiteral("redis://127.0.0.1:%1/1").arg(port),
                                                 kOtherPassword, {});
        QVERIFY(!doomed.id.isEmpty() && !kept.id.isEmpty());
        QCOMPARE(keyringSecret(*m_keyring, redisAccount(doomed)), kPassword);
        QCOMPARE(keyringSecret(*m_keyring, sshAccount(doomed)), kSshPassword);

        ConnectionsDialog manager(window.sourcesModel(), window.secrets(), &window);
        connect(&manager, &ConnectionsDialog::removeRequested, &window,
                &MainWindow::removeConnection);
        QVERIFY(manager.select(QStringLiteral("doomed")));
        twat_cache::test::answerNextMessageBox(QMessageBox::Yes, nullptr);
        manager.deleteConnection();
        QCOMPARE(manager.list()->topLevelItemCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(m_keyring->itemsWith(redisAccount(doomed)).empty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(m_keyring->itemsWith(sshAccount(doomed)).empty(), 10000);
        QCOMPARE(loadedAfterRestart(redisAccount(doomed)), QStringLiteral("(not found)"));
        QCOMPARE(loadedAfterRestart(sshAccount(doomed)), QStringLiteral("(not found)"));
        QCOMPARE(keyringSecret(*m_keyring, redisAccount(kept)), kOtherPassword);
        QCOMPARE(loadedAfterRestart(redisAccount(kept)), kOtherPassword);
    }

    void exportHoldsNoSecret() {
        const int port = twat_cache::test::freeLoopbackPort();
        MainWindow window;
        const SourceRef saved = saveThroughDialog(
            window, QStringLiteral("exported"),
            QStringLiteral("redis://127.0.0.1:%1/2?ssh=ops@127.0.0.1:%1").arg(port), kPassword,
            kSshPassword);
        QVERIFY(!saved.id.isEmpty());
        // The keyring has them: the export had them at hand.
        QCOMPARE(keyringSecret(*m_keyring, redisAccount(saved)), kPassword);
        QCOMPARE(keyringSecret(*m_keyring, sshAccount(saved)), kSshPassword);
        const QString path = QString::fromStdString((m_files.path() / "export.json").string());
        QCOMPARE(window.exportConnectionsTo(path), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("\"exported\""));
        QVERIFY2(!text.contains(kPassword.toUtf8()), text.constData());
        QVERIFY2(!text.contains(kSshPassword.toUtf8()), text.constData());
        QVERIFY2(!text.contains("password"), text.constData());
        QVERIFY2(!text.contains(saved.id.toUtf8()), text.constData());  // the accounts
    }

    // Last: it leaves the keyring locked. What the user meets when the keyring is locked
    // (a screen lock) and no prompter can unlock it: the keyring counts as present (reading
    // an absent entry needs no unlock), a saved password cannot be read, and a new one is
    // kept for the session, with the keyring's reason — all within a bound, never a hang.
    void lockedKeyringIsStated() {
        const QString account = QStringLiteral("connection/locked-test/redis");
        {
            SecretStore before(kService);
            QSignalSpy stored(&before, &SecretStore::stored);
            before.store(account, kPassword);
            QVERIFY(stored.count() > 0 || stored.wait(10000));
            QVERIFY(stored.at(0).at(1).toBool());
        }
        QCOMPARE(keyringSecret(*m_keyring, account), kPassword);
        const std::string error = m_keyring->lockDefault();
        QVERIFY2(error.empty(), error.c_str());

        SecretStore store(kService);  // as after a restart
        QSignalSpy checked(&store, &SecretStore::backendChecked);
        store.checkBackend();
        QVERIFY(checked.wait(10000));
        QCOMPARE(store.backend(), SecretStore::Backend::kAvailable);
        QCOMPARE(store.backendMessage(), kKeyringText);
        QSignalSpy loaded(&store, &SecretStore::loaded);
        store.load(account);
        QVERIFY(loaded.count() > 0 || loaded.wait(10000));
        QCOMPARE(loaded.at(0).at(2).toBool(), false);
        QSignalSpy stored(&store, &SecretStore::stored);
        store.store(account, kOtherPassword);
        QVERIFY(stored.count() > 0 || stored.wait(10000));
        QCOMPARE(stored.at(0).at(1).toBool(), false);
        const QString said = stored.at(0).at(2).toString();
        QVERIFY2(said.startsWith(QLatin1String("Password kept for this session only")) &&
                     said.contains(QLatin1String("locked")),
                 qPrintable(said));
        QCOMPARE(store.sessionSecret(account), kOtherPassword);
        QVERIFY(m_keyring->isLocked());
    }
};

QTEST_MAIN(TestKeyring)
#include "test_keyring.moc"
