// RedisDialog and the connection test against a real redis-server (TCP with a password, and
// a unix socket); URL parsing; the keyring status is always stated.
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include "dialogs/redis_dialog.h"
#include "dialogs/secret_store.h"
#include "ui_fixtures.h"
#include "workers/redis_probe.h"

using namespace twat_cache::ui;
using twat_cache::test::TempDir;

namespace {
const QString kPassword = QStringLiteral("t0p-secret");
}

class TestRedisDialog : public QObject {
    Q_OBJECT

  private:
    TempDir m_dir;
    QProcess m_server;
    int m_port = 0;
    QString m_socket;

  private slots:
    void initTestCase() {
        QVERIFY(m_dir.ok());
        m_port = twat_cache::test::freeLoopbackPort();
        QVERIFY(m_port > 0);
        m_socket = QString::fromStdString((m_dir.path() / "redis.sock").string());
        m_server.setProgram(QStringLiteral("redis-server"));
        m_server.setArguments(
            {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
             QStringLiteral("127.0.0.1"), QStringLiteral("--unixsocket"), m_socket,
             QStringLiteral("--requirepass"), kPassword, QStringLiteral("--save"), QString(),
             QStringLiteral("--appendonly"), QStringLiteral("no"), QStringLiteral("--dir"),
             QString::fromStdString(m_dir.path().string())});
        m_server.start();
        QVERIFY2(m_server.waitForStarted(10000), "redis-server did not start");
        RedisEndpoint endpoint;
        endpoint.port = m_port;
        endpoint.password = kPassword;
        QVERIFY(QTest::qWaitFor([&] { return probeRedis(endpoint, 200).ok(); }, 10000));
    }

    void cleanupTestCase() {
        m_server.terminate();
        if (!m_server.waitForFinished(5000)) m_server.kill();
    }

    void parsesUrls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("db");
        QTest::addColumn<QString>("socket");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::newRow("plain") << "redis://localhost" << true << "localhost" << 6379 << 0 << ""
                               << ""
                               << "";
        QTest::newRow("full") << "redis://ann:pw@10.0.0.2:6380/3" << true << "10.0.0.2" << 6380 << 3
                              << ""
                              << "ann"
                              << "pw";
        QTest::newRow("socket") << "unix:///run/redis.sock?db=2" << true << "127.0.0.1" << 6379 << 2
                                << "/run/redis.sock"
                                << ""
                                << "";
        QTest::newRow("bad db") << "redis://h/x" << false << "" << 0 << 0 << ""
                                << ""
                                << "";
        QTest::newRow("bad scheme") << "http://h" << false << "" << 0 << 0 << ""
                                    << ""
                                    << "";
        QTest::newRow("no host") << "redis://" << false << "" << 0 << 0 << ""
                                 << ""
                                 << "";
    }

    void parsesUrls() {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        auto parsed = parseRedisUrl(url);
        QCOMPARE(parsed.ok(), ok);
        if (!ok) {
            QVERIFY(QString::fromStdString(parsed.status().message()).contains(url.left(7)));
            return;
        }
        QTEST(parsed->host, "host");
        QTEST(parsed->port, "port");
        QTEST(parsed->db, "db");
        QTEST(parsed->socketPath, "socket");
        QTEST(parsed->user, "user");
        QTEST(parsed->password, "password");
        QVERIFY(!parsed->urlWithoutPassword().contains(QStringLiteral(":pw@")));
    }

    void testsConnection_data() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");
        QTest::newRow("host") << 1 << kPassword << true << "PONG from Redis";
        QTest::newRow("socket") << 2 << kPassword << true << "PONG from Redis";
        QTest::newRow("url") << 0 << kPassword << true << "PONG from Redis";
        QTest::newRow("wrong password") << 1 << "nope" << false << "AUTH";
        QTest::newRow("no password") << 1 << "" << false << "NOAUTH";
    }

    void testsConnection() {
        QFETCH(int, mode);
        QFETCH(QString, password);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        RedisDialog dialog(nullptr);
        if (mode == 0) {
            dialog.setUrl(QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port));
        } else if (mode == 1) {
            dialog.setHost(QStringLiteral("127.0.0.1"), m_port, 0);
        } else {
            dialog.setSocket(m_socket, 0);
        }
        dialog.setCredentials({}, password);
        QSignalSpy finished(&dialog, &RedisDialog::testFinished);
        dialog.testConnection();
        QVERIFY(finished.count() == 1 || finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toBool(), ok);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
        QVERIFY(dialog.resultText().contains(message));
        // The connection's URL never carries the password.
        QVERIFY(password.isEmpty() || !dialog.sourceRef().location.contains(password));
        QCOMPARE(dialog.sourceRef().password, password);
    }

    void unreachableServerFailsWithinTheTimeout() {
        RedisDialog dialog(nullptr);
        dialog.setHost(QStringLiteral("127.0.0.1"), twat_cache::test::freeLoopbackPort(), 0);
        QSignalSpy finished(&dialog, &RedisDialog::testFinished);
        dialog.testConnection();
        QVERIFY(finished.count() == 1 || finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(finished.at(0).at(1).toString().contains(QLatin1String("127.0.0.1")));
    }

    void keyringStatusIsStated() {
        SecretStore secrets(QStringLiteral("twat-cache-inspector-test"));
        RedisDialog dialog(&secrets);
        QSignalSpy checked(&secrets, &SecretStore::backendChecked);
        QVERIFY(checked.wait(30000));
        QVERIFY(secrets.backend() != SecretStore::Backend::kUnknown);
        QCOMPARE(dialog.keyringText(), secrets.backendMessage());
        if (secrets.backend() == SecretStore::Backend::kUnavailable) {
            QVERIFY(dialog.keyringText().contains(QLatin1String("session only")));
            // Without a keyring the secret still lives for the session.
            QSignalSpy stored(&secrets, &SecretStore::stored);
            secrets.store(QStringLiteral("redis://x:1/0"), kPassword);
            QVERIFY(stored.count() == 1 || stored.wait(10000));
            QCOMPARE(stored.at(0).at(1).toBool(), false);
            QCOMPARE(secrets.sessionSecret(QStringLiteral("redis://x:1/0")), kPassword);
        }
    }
};

QTEST_MAIN(TestRedisDialog)
#include "test_redis_dialog.moc"
