// RedisEndpoint, the connection dialog's URL helper: every field (TCP, unix socket, Sentinel;
// user; TLS: ca, cert, key, sni, insecure; SSH: user@host:port, key, accept-new) survives
// fields → URL → fields; paths are percent-encoded in the query; the password is in
// coreUrl() only, never in the URL that is shown and stored; malformed URLs and options are
// refused with a message that names them (and masks a password).
#include <QtTest>

#include "workers/redis_endpoint.h"

using namespace twat_cache::ui;

Q_DECLARE_METATYPE(twat_cache::ui::RedisEndpoint)

namespace {

RedisEndpoint tcp(const QString& host, int port, int db) {
    RedisEndpoint ep;
    ep.host = host;
    ep.port = port;
    ep.db = db;
    return ep;
}

}  // namespace

class TestRedisEndpoint : public QObject {
    Q_OBJECT

  private slots:
    void roundTrips_data() {
        QTest::addColumn<RedisEndpoint>("endpoint");
        QTest::addColumn<QString>("url");
        QTest::newRow("plain") << tcp(QStringLiteral("cache.example"), 6379, 0)
                               << "redis://cache.example:6379/0";
        RedisEndpoint user = tcp(QStringLiteral("10.0.0.2"), 6380, 3);
        user.user = QStringLiteral("ann");
        QTest::newRow("user") << user << "redis://ann@10.0.0.2:6380/3";
        RedisEndpoint v6 = tcp(QStringLiteral("::1"), 7000, 1);
        QTest::newRow("ipv6") << v6 << "redis://[::1]:7000/1";
        RedisEndpoint socket;
        socket.socketPath = QStringLiteral("/run/redis/redis.sock");
        socket.db = 2;
        QTest::newRow("socket") << socket << "unix:///run/redis/redis.sock?db=2";

        RedisEndpoint tls = tcp(QStringLiteral("secure.example"), 6380, 0);
        tls.tls = {true,
                   QStringLiteral("/etc/ssl/my ca.pem"),
                   QStringLiteral("/home/a/c&d.crt"),
                   QStringLiteral("/home/a/k=1.key"),
                   QStringLiteral("redis.internal"),
                   true};
        QTest::newRow("tls, every option")
            << tls
            << "rediss://secure.example:6380/0?ca=/etc/ssl/my%20ca.pem&cert=/home/a/c%26d.crt"
               "&key=/home/a/k%3D1.key&sni=redis.internal&insecure=1";
        RedisEndpoint tlsPlain = tcp(QStringLiteral("h"), 6379, 0);
        tlsPlain.tls.enabled = true;
        QTest::newRow("tls, system CAs") << tlsPlain << "rediss://h:6379/0";

        RedisEndpoint ssh = tcp(QStringLiteral("127.0.0.1"), 6379, 5);
        ssh.ssh = {QStringLiteral("deploy"), QStringLiteral("bastion.example"), 2222,
                   QStringLiteral("/home/a/.ssh/id ed25519"), true};
        QTest::newRow("ssh") << ssh
                             << "redis://127.0.0.1:6379/5?ssh=deploy@bastion.example:2222"
                                "&ssh_key=/home/a/.ssh/id%20ed25519&ssh_accept_new=1";
        RedisEndpoint sshDefault = tcp(QStringLiteral("h"), 6379, 0);
        sshDefault.ssh.host = QStringLiteral("jump");
        QTest::newRow("ssh, port 22, no user") << sshDefault << "redis://h:6379/0?ssh=jump";

        RedisEndpoint sentinel;
        sentinel.sentinels = {QStringLiteral("s1:26379"), QStringLiteral("s2:26380")};
        sentinel.service = QStringLiteral("mymaster");
        sentinel.db = 4;
        sentinel.user = QStringLiteral("app");
        QTest::newRow("sentinel") << sentinel
                                  << "redis+sentinel://app@s1:26379,s2:26380/mymaster/4";
        RedisEndpoint both = sentinel;
        both.tls = {true, QStringLiteral("/ca.pem"), {}, {}, {}, false};
        both.ssh = {QStringLiteral("ops"), QStringLiteral("gw"), 22, {}, false};
        QTest::newRow("sentinel, tls and ssh")
            << both << "rediss+sentinel://app@s1:26379,s2:26380/mymaster/4?ca=/ca.pem&ssh=ops@gw";
    }

    void roundTrips() {
        QFETCH(RedisEndpoint, endpoint);
        QFETCH(QString, url);
        QCOMPARE(endpoint.urlWithoutPassword(), url);
        auto parsed = parseRedisUrl(url);
        QVERIFY2(parsed.ok(), parsed.status().message().c_str());
        QCOMPARE(*parsed, endpoint);
        QCOMPARE(parsed->urlWithoutPassword(), url);
    }

    void passwordOnlyInTheCoreUrl() {
        RedisEndpoint ep = tcp(QStringLiteral("h"), 6379, 0);
        ep.user = QStringLiteral("ann");
        ep.password = QStringLiteral("p@ss&w=rd");
        ep.tls.enabled = true;
        ep.ssh.host = QStringLiteral("gw");
        QVERIFY(!ep.urlWithoutPassword().contains(QLatin1String("p@ss")));
        const QString core = ep.coreUrl(3000);
        QCOMPARE(core, QStringLiteral("rediss://ann@h:6379/0?ssh=gw&password=p%40ss%26w%3Drd"
                                      "&connect_timeout=3000ms&timeout=3000ms"));
        // The core's URL parses back to the same endpoint, password included.
        auto parsed = parseRedisUrl(ep.coreUrl());
        QVERIFY2(parsed.ok(), parsed.status().message().c_str());
        QCOMPARE(*parsed, ep);
        // A password in the user part is read, and dropped from the stored URL.
        auto inUrl = parseRedisUrl(QStringLiteral("redis://ann:secret@h/2"));
        QVERIFY(inUrl.ok());
        QCOMPARE(inUrl->password, QStringLiteral("secret"));
        QCOMPARE(inUrl->urlWithoutPassword(), QStringLiteral("redis://ann@h:6379/2"));
    }

    void refusesMalformed_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("says");
        QTest::newRow("scheme") << "http://h"
                                << "must start with redis://";
        QTest::newRow("no host") << "redis://"
                                 << "has no host";
        QTest::newRow("db") << "redis://h/x"
                            << "database \"x\" is not a number";
        QTest::newRow("port") << "redis://h:99999/0"
                              << "is not host:port";
        QTest::newRow("tls option without tls") << "redis://h/0?ca=/x"
                                                << "needs a rediss:// URL";
        QTest::newRow("unknown option") << "redis://h/0?colour=red"
                                        << "unknown option \"colour\"";
        QTest::newRow("no service") << "redis+sentinel://s1:26379"
                                    << "Sentinel service";
        QTest::newRow("bad sentinel") << "redis+sentinel://s1:x/m"
                                      << "Sentinel \"s1:x\"";
        QTest::newRow("ssh") << "redis://h/0?ssh=u@"
                             << "is not user@host[:port]";
        QTest::newRow("flag") << "rediss://h/0?insecure=maybe"
                              << "takes 1 or 0";
        QTest::newRow("socket") << "unix://relative.sock"
                                << "needs unix:///path";
    }

    void refusesMalformed() {
        QFETCH(QString, url);
        QFETCH(QString, says);
        auto parsed = parseRedisUrl(url);
        QVERIFY(!parsed.ok());
        const QString message = QString::fromStdString(parsed.status().message());
        QVERIFY2(message.contains(says), qPrintable(message));
        QVERIFY2(message.contains(url), qPrintable(message));
    }

    void errorsMaskThePassword() {
        auto parsed = parseRedisUrl(QStringLiteral("redis://ann:hunter2@h/x"));
        QVERIFY(!parsed.ok());
        const QString message = QString::fromStdString(parsed.status().message());
        QVERIFY2(!message.contains(QLatin1String("hunter2")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("ann:****@h")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestRedisEndpoint)
#include "test_redis_endpoint.moc"
