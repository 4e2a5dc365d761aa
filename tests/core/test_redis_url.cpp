// Redis URL parsing, password masking and the Redis entry envelope (no server needed).
#include <QtTest>

#include "redis/redis_envelope.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;

namespace {

// A Record without designated initializers (Record's fields have no default initializers).
Record rec(std::string_view payload, std::string_view text = {}, std::uint64_t tag = 0,
           std::optional<std::chrono::milliseconds> ttl = std::nullopt) {
    Record r;
    r.key_text = text;
    r.type_tag = tag;
    r.payload = payload;
    r.ttl = ttl;
    return r;
}

}  // namespace

class TestRedisUrl : public QObject {
    Q_OBJECT
  private slots:
    void parsesValidUrls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("unixPath");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<int>("db");
        QTest::newRow("host only") << "redis://cache.lan"
                                   << "cache.lan" << 6379 << ""
                                   << ""
                                   << "" << 0;
        QTest::newRow("port and db") << "redis://127.0.0.1:6390/2"
                                     << "127.0.0.1" << 6390 << ""
                                     << ""
                                     << "" << 2;
        QTest::newRow("password only") << "redis://:pw@h:1"
                                       << "h" << 1 << ""
                                       << ""
                                       << "pw" << 0;
        QTest::newRow("acl user") << "redis://alice:s%40cret@h/15"
                                  << "h" << 6379 << ""
                                  << "alice"
                                  << "s@cret" << 15;
        QTest::newRow("ipv6") << "redis://[::1]:7000"
                              << "::1" << 7000 << ""
                              << ""
                              << "" << 0;
        QTest::newRow("trailing slash") << "redis://h/"
                                        << "h" << 6379 << ""
                                        << ""
                                        << "" << 0;
        QTest::newRow("unix") << "unix:///run/redis.sock"
                              << "" << 6379 << "/run/redis.sock"
                              << ""
                              << "" << 0;
        QTest::newRow("unix db password") << "unix:///tmp/r.sock?db=3&password=x%26y"
                                          << "" << 6379 << "/tmp/r.sock"
                                          << ""
                                          << "x&y" << 3;
    }
    void parsesValidUrls() {
        QFETCH(QString, url);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, unixPath);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(int, db);
        auto ep = parseRedisUrl(url.toStdString());
        QVERIFY2(ep.ok(), ep.status().toString().c_str());
        QCOMPARE(QString::fromStdString(ep->host), host);
        QCOMPARE(ep->port, port);
        QCOMPARE(QString::fromStdString(ep->unix_path), unixPath);
        QCOMPARE(QString::fromStdString(ep->user), user);
        QCOMPARE(QString::fromStdString(ep->password), password);
        QCOMPARE(ep->db, db);
    }

    void parsesOptions() {
        auto ep = parseRedisUrl("redis://h:1/0?connect_timeout=250ms&timeout=2s&pool_size=3");
        QVERIFY2(ep.ok(), ep.status().toString().c_str());
        QCOMPARE(ep->connect_timeout->count(), 250);
        QCOMPARE(ep->command_timeout->count(), 2000);
        QCOMPARE(*ep->pool_size, 3);
    }

    void rejectsMalformedUrls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("reason");
        QTest::newRow("scheme") << "http://h"
                                << "scheme";
        QTest::newRow("no host") << "redis://:6379"
                                 << "no host";
        QTest::newRow("port text") << "redis://h:abc"
                                   << "port";
        QTest::newRow("port range") << "redis://h:70000"
                                    << "port";
        QTest::newRow("empty port") << "redis://h:/1"
                                    << "empty port";
        QTest::newRow("db text") << "redis://u:hunter2@h/x"
                                 << "db";
        QTest::newRow("negative db") << "redis://h/-1"
                                     << "db";
        QTest::newRow("unknown option") << "redis://h?colour=red"
                                        << "unknown option";
        QTest::newRow("bad timeout") << "redis://h?timeout=soon"
                                     << "timeout";
        QTest::newRow("relative unix") << "unix://run/redis.sock"
                                       << "absolute path";
        QTest::newRow("bad escape") << "redis://u:pa%zzss@h"
                                    << "escape";
    }
    void rejectsMalformedUrls() {
        QFETCH(QString, url);
        QFETCH(QString, reason);
        auto ep = parseRedisUrl(url.toStdString());
        QVERIFY(!ep.ok());
        QCOMPARE(ep.status().code(), StatusCode::kInvalidArgument);
        const std::string msg = ep.status().message();
        QVERIFY2(msg.find(reason.toStdString()) != std::string::npos, msg.c_str());
        // The message names the URL, with the password masked.
        QVERIFY2(msg.find(maskRedisUrl(url.toStdString())) != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("hunter2") == std::string::npos, msg.c_str());
        QVERIFY2(msg.find("pa%zzss") == std::string::npos, msg.c_str());
    }

    void tlsIsNotSupported() {
        auto ep = parseRedisUrl("rediss://h:6380");
        QCOMPARE(ep.status().code(), StatusCode::kNotSupported);
    }

    void masksPasswords_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("masked");
        QTest::newRow("none") << "redis://h:1/0"
                              << "redis://h:1/0";
        QTest::newRow("userinfo") << "redis://u:secret@h:1/0"
                                  << "redis://u:***@h:1/0";
        QTest::newRow("password only") << "redis://:secret@h"
                                       << "redis://:***@h";
        QTest::newRow("user only") << "redis://u@h"
                                   << "redis://u@h";
        QTest::newRow("@ in password") << "redis://u:a@b@h"
                                       << "redis://u:***@h";
        QTest::newRow("query") << "unix:///s.sock?db=1&password=secret&timeout=1s"
                               << "unix:///s.sock?db=1&password=***&timeout=1s";
    }
    void masksPasswords() {
        QFETCH(QString, url);
        QFETCH(QString, masked);
        QCOMPARE(QString::fromStdString(maskRedisUrl(url.toStdString())), masked);
    }

    void envelopeRoundTrip_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("compress");
        QTest::addColumn<bool>("expectCompressed");
        QTest::newRow("empty") << QByteArray() << false << false;
        QTest::newRow("binary") << QByteArray("a\0b\xff", 4) << true << false;
        QTest::newRow("compressible") << QByteArray(10000, 'x') << true << true;
        QTest::newRow("compress off") << QByteArray(10000, 'x') << false << false;
    }
    void envelopeRoundTrip() {
        QFETCH(QByteArray, payload);
        QFETCH(bool, compress);
        QFETCH(bool, expectCompressed);
        const std::string p(payload.constData(), static_cast<std::size_t>(payload.size()));
        const Record r = rec(p, "f(1)", 42);
        const std::string env = detail::encodeEnvelope(r, 1000, 2000, compress, 128);
        QCOMPARE(env.size() < p.size(), expectCompressed);
        auto v = detail::decodeEnvelope(env, "entry");
        QVERIFY2(v.ok(), v.status().toString().c_str());
        QCOMPARE(v->payload, p);
        QCOMPARE(v->type_tag, 42u);
        QCOMPARE(v->created_ms, 1000);
        QCOMPARE(v->expires_ms, 2000);
        auto h = detail::decodeEnvelopeHeader(env.substr(0, detail::kEnvelopeHeaderMax), "entry");
        QVERIFY(h.ok());
        QCOMPARE(h->key_text, std::string("f(1)"));
    }

    void envelopeRejectsCorruption_data() {
        QTest::addColumn<int>("mutation");
        QTest::newRow("bad magic") << 0;
        QTest::newRow("truncated") << 1;
        QTest::newRow("future version") << 2;
        QTest::newRow("unknown flag") << 3;
        QTest::newRow("trailing bytes") << 4;
        QTest::newRow("bad zstd") << 5;
    }
    void envelopeRejectsCorruption() {
        QFETCH(int, mutation);
        const std::string p(1000, 'y');
        const Record r = rec(p, "k", 1);
        std::string env = detail::encodeEnvelope(r, 1, 0, mutation == 5, 16);
        switch (mutation) {
            case 0:
                env[0] = 'X';
                break;
            case 1:
                env.resize(env.size() - 10);
                break;
            case 2:
                env[4] = 9;
                break;
            case 3:
                env[6] = 4;
                break;
            case 4:
                env += "zz";
                break;
            case 5:
                env[detail::kEnvelopeFixedSize + 1 + 4] ^= 0x7f;
                break;  // zstd frame magic
            default:
                QFAIL("no such mutation");
        }
        auto v = detail::decodeEnvelope(env, "redis key twat_cache:c:00");
        QVERIFY(!v.ok());
        QCOMPARE(v.status().code(), StatusCode::kCorruption);
        QVERIFY(v.status().message().find("twat_cache:c:00") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestRedisUrl)
#include "test_redis_url.moc"
