// RedisDialog and its connection test, which is the core's (the inspection layer opens the
// server read-only and reads its statistics on a pool thread): against a real redis-server
// with a password (TCP, unix socket, URL), a wrong or missing password, a closed port, and
// servers that are not Redis (garbage, stalling), a host that does not exist, a TLS server
// reached without its CA, by plain TCP and a plain port by TLS; failures are
// said in plain words (no URL options, no library jargon) and the dialog grows to show them
// without squeezing its fields; OK tests first and asks before adding a server that failed;
// URL parsing; the keyring status is always stated. Every wait is QSignalSpy::wait on the
// dialog's testFinished or a QTRY on its state.
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>
#include <memory>

#include "dialogs/redis_dialog.h"
#include "dialogs/secret_store.h"
#include "redis_server.h"
#include "tls_certificates.h"
#include "ui_fixtures.h"
#include "workers/redis_endpoint.h"

using namespace twat_cache::ui;
using twat_cache::test::FakeTcpServer;
using twat_cache::test::RedisServer;

namespace {
const QString kPassword = QStringLiteral("t0p-secret");
}

class TestRedisDialog : public QObject {
    Q_OBJECT

  private:
    std::unique_ptr<RedisServer> m_server;
    int m_port = 0;
    QString m_socket;
    twat_cache::test::TempDir m_tlsDir;
    std::unique_ptr<RedisServer> m_tlsServer;  // started by the first TLS test

    // Runs the dialog's test and returns (ok, message) once testFinished arrives.
    static std::pair<bool, QString> runTest(RedisDialog& dialog) {
        QSignalSpy finished(&dialog, &RedisDialog::testFinished);
        dialog.testConnection();
        if (finished.count() == 0 && !finished.wait(20000)) return {false, QStringLiteral("none")};
        return {finished.at(0).at(0).toBool(), finished.at(0).at(1).toString()};
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>(
            RedisServer::Options{.unix_socket = true, .password = kPassword.toStdString()});
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
        m_port = m_server->port();
        m_socket = QString::fromStdString(m_server->unixPath());
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
        QTest::newRow("host") << 1 << kPassword << true
                              << "Connected: Redis [1-9][0-9]*\\.[0-9]+.*, db 0: 0 keys";
        QTest::newRow("socket") << 2 << kPassword << true
                                << "Connected: Redis [1-9][0-9]*\\.[0-9]+.*, db 0: 0 keys";
        QTest::newRow("url") << 0 << kPassword << true
                             << "Connected: Redis [1-9][0-9]*\\.[0-9]+.*, db 0: 0 keys";
        QTest::newRow("wrong password") << 1 << "nope" << false << "Wrong user name or password";
        QTest::newRow("no password") << 1 << "" << false << "needs a password";
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
        const auto [passed, message] = runTest(dialog);
        QCOMPARE(passed, ok);
        QVERIFY(dialog.resultText().contains(message));
        // On success: the server's version and key count (the fixture's database is empty).
        if (ok) {
            QVERIFY2(QRegularExpression(expected).match(dialog.resultText()).hasMatch(),
                     qPrintable(dialog.resultText()));
        } else {
            QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
        }
        // Neither the result nor the connection's URL ever carries the password.
        QVERIFY(password.isEmpty() || !message.contains(password));
        QVERIFY(password.isEmpty() || !dialog.sourceRef().location.contains(password));
        QCOMPARE(dialog.sourceRef().password, password);
    }

    // While the test runs the dialog says so and the button waits; the GUI thread is free
    // (the answer arrives through the event loop).
    void showsTestingWhileItRuns() {
        FakeTcpServer stall(FakeTcpServer::Mode::kStall);
        QVERIFY(stall.ok());
        RedisDialog dialog(nullptr);
        dialog.setTestTimeoutMs(300);
        dialog.setHost(QStringLiteral("127.0.0.1"), stall.port(), 0);
        QSignalSpy finished(&dialog, &RedisDialog::testFinished);
        dialog.testConnection();
        QVERIFY2(dialog.resultText().startsWith(QLatin1String("Testing")),
                 qPrintable(dialog.resultText()));
        QVERIFY(dialog.isTesting());
        auto* button = dialog.findChild<QPushButton*>();
        QVERIFY(button != nullptr);
        QVERIFY(finished.wait(20000));
        QVERIFY(!dialog.isTesting());
        const QString message = finished.at(0).at(1).toString();
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(message ==
                     QStringLiteral("No answer from 127.0.0.1:%1 within 300 ms").arg(stall.port()),
                 qPrintable(message));
        QVERIFY(dialog.resultText().startsWith(QLatin1String("Failed")));
    }

    void failsClearly_data() {
        QTest::addColumn<int>("server");  // 0: closed port, 1: garbage, 2: hangs up
        QTest::addColumn<QString>("expected");
        QTest::newRow("closed port") << 0 << "Connection refused by 127.0.0.1:%1";
        QTest::newRow("not redis") << 1 << "127.0.0.1:%1 is not a Redis server";
        // The core's advice stays: a server that hangs up at once may expect TLS.
        QTest::newRow("hangs up") << 2
                                  << "127.0.0.1:%1 closed the connection; if the server expects "
                                     "TLS, turn on Use TLS";
    }

    void failsClearly() {
        QFETCH(int, server);
        QFETCH(QString, expected);
        std::unique_ptr<FakeTcpServer> fake;
        int port = twat_cache::test::freeLoopbackPort();
        if (server != 0) {
            fake = std::make_unique<FakeTcpServer>(server == 1 ? FakeTcpServer::Mode::kGarbage
                                                               : FakeTcpServer::Mode::kHangUp);
            QVERIFY(fake->ok());
            port = fake->port();
        }
        RedisDialog dialog(nullptr);
        dialog.setHost(QStringLiteral("127.0.0.1"), port, 0);
        const auto [passed, message] = runTest(dialog);
        QVERIFY(!passed);
        QCOMPARE(message, expected.arg(port));
    }

    // A TLS server: with its CA the test connects; without it, or by the wrong protocol, the
    // dialog keeps the core's reason and its advice, said of the server and of the TLS tab's
    // fields (not of URL options or CLI flags), and shows all of it.
    void saysWhyTlsFailed_data() {
        QTest::addColumn<QString>("url");  // %1: the TLS port, %2: the plain port, %3: the CA
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QStringList>("expected");  // parts of the message, %1/%2 as above
        QTest::newRow("trusted CA")
            << "rediss://127.0.0.1:%1/0?ca=%3" << true << QStringList{"db 0: 0 keys"};
        QTest::newRow("no CA") << "rediss://127.0.0.1:%1/0" << false
                               << QStringList{"TLS handshake with 127.0.0.1:%1: ", "is not trusted",
                                              "give its CA certificate in the TLS tab"};
        QTest::newRow("plain to TLS port")
            << "redis://127.0.0.1:%1/0" << false
            << QStringList{"127.0.0.1:%1 closed the connection",
                           "if the server expects TLS, turn on Use TLS"};
        QTest::newRow("TLS to plain port")
            << "rediss://127.0.0.1:%2/0" << false
            << QStringList{"No TLS handshake with 127.0.0.1:%2 within 1000 ms",
                           "is the server speaking TLS on this port?"};
    }

    void saysWhyTlsFailed() {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        QFETCH(QStringList, expected);
        if (!m_tlsServer) {
            QVERIFY(m_tlsDir.ok());
            const std::string made = twat_cache::test::makeTestCertificates(m_tlsDir.path());
            QVERIFY2(made.empty(), made.c_str());
            const auto pem = [this](const char* name) { return (m_tlsDir.path() / name).string(); };
            RedisServer::Options options;
            options.tls_cert = pem("server.pem");
            options.tls_key = pem("server.key");
            options.tls_ca = pem("ca.pem");
            m_tlsServer = std::make_unique<RedisServer>(options);
            const std::string error = m_tlsServer->start();
            QVERIFY2(error.empty(), error.c_str());
        }
        const QString ca = QString::fromStdString((m_tlsDir.path() / "ca.pem").string());
        const auto fill = [&](const QString& text) {
            return QString(text)
                .replace(QLatin1String("%1"), QString::number(m_tlsServer->tlsPort()))
                .replace(QLatin1String("%2"), QString::number(m_tlsServer->port()))
                .replace(QLatin1String("%3"), ca);
        };
        RedisDialog dialog(nullptr);
        dialog.setTestTimeoutMs(1000);
        dialog.setUrl(fill(url));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const auto [passed, message] = runTest(dialog);
        QCOMPARE(passed, ok);
        for (const QString& part : expected) {
            QVERIFY2(message.contains(fill(part)), qPrintable(message));
        }
        for (const char* jargon : {"?ca=", "--tls", "?insecure", "rediss://", "?sni"}) {
            QVERIFY2(!message.contains(QLatin1String(jargon)), qPrintable(message));
        }
        // The whole message is on screen: wrapped in the dialog, not cut.
        QCoreApplication::processEvents();
        QLabel* shown = nullptr;
        for (QLabel* label : dialog.findChildren<QLabel*>()) {
            if (label->isVisible() && label->text().contains(message)) shown = label;
        }
        QVERIFY2(shown != nullptr, qPrintable(dialog.resultText()));
        QVERIFY(shown->wordWrap());
        QVERIFY2(shown->height() >= shown->heightForWidth(shown->width()),
                 qPrintable(QStringLiteral("%1 < %2")
                                .arg(shown->height())
                                .arg(shown->heightForWidth(shown->width()))));
        QVERIFY(shown->mapTo(&dialog, QPoint(0, shown->height())).y() <= dialog.height());
    }

    // As a person would say it: the host, not the URL with its options, nor the resolver's
    // words; and the dialog grows to show it, the fields above keep their height.
    void saysFailuresInPlainWords() {
        RedisDialog dialog(nullptr);
        dialog.setHost(QStringLiteral("no-such-host.invalid"), 6379, 0);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const auto [passed, message] = runTest(dialog);
        QVERIFY(!passed);
        QCOMPARE(message, QStringLiteral("No such host: no-such-host.invalid"));
        QCOMPARE(dialog.resultText(), QStringLiteral("Failed: No such host: no-such-host.invalid"));
        QCoreApplication::processEvents();
        for (const char* label : {"&Host:", "&Port:", "&Database:"}) {
            QWidget* field = nullptr;
            for (QLabel* candidate : dialog.findChildren<QLabel*>()) {
                if (candidate->text() == QLatin1String(label)) field = candidate->buddy();
            }
            QVERIFY2(field != nullptr, label);
            QVERIFY2(field->height() >= field->minimumSizeHint().height(),
                     qPrintable(QStringLiteral("%1 %2 < %3")
                                    .arg(QLatin1String(label))
                                    .arg(field->height())
                                    .arg(field->minimumSizeHint().height())));
        }
        QVERIFY(dialog.height() >= dialog.minimumSizeHint().height());

        // A long message (a bad URL is quoted whole) wraps and the dialog grows for it.
        const int before = dialog.height();
        dialog.setUrl(QStringLiteral("http://") + QStringLiteral("very-long-name ").repeated(30));
        const auto [parsed, why] = runTest(dialog);
        QVERIFY2(!parsed && why.size() > 300, qPrintable(why));
        QCoreApplication::processEvents();
        QVERIFY2(dialog.height() > before, qPrintable(QString::number(dialog.height())));
        for (QLineEdit* url : dialog.findChildren<QLineEdit*>()) {
            if (!url->isVisible()) continue;
            QVERIFY2(url->height() >= url->minimumSizeHint().height(),
                     qPrintable(QString::number(url->height())));
        }
    }

    // OK on a server that refused: the dialog asks, and adds it only when told to; OK on
    // an untested one tests it first.
    void okOnAFailedServerAsks() {
        const int port = twat_cache::test::freeLoopbackPort();
        RedisDialog dialog(nullptr);
        dialog.setHost(QStringLiteral("127.0.0.1"), port, 0);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QString asked;
        twat_cache::test::answerNextMessageBox(QMessageBox::Cancel, &asked);
        ok->click();  // not tested yet: tests first, then asks
        QTRY_VERIFY_WITH_TIMEOUT(!asked.isEmpty(), 10000);
        QVERIFY2(asked.contains(QLatin1String("Connection refused")), qPrintable(asked));
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        asked.clear();
        twat_cache::test::answerNextMessageBox(QMessageBox::Ok, &asked);  // "Add Anyway"
        ok->click();  // tested already: asks at once
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 10000);
        QVERIFY(!asked.isEmpty());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
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
