// Redis URL parsing, password masking and how Redis entries use the shared envelope (no
// server needed).
#include <QtTest>

#include "format/envelope.h"
#include "twat_cache/redis_engine.h"

using namespace twat_cache;

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

    void tlsOptions() {
        auto plain = parseRedisUrl("rediss://h:6380");
        QVERIFY2(plain.ok(), plain.status().toString().c_str());
        QVERIFY(plain->tls.enabled);
        QVERIFY(!plain->tls.insecure);
        QVERIFY(plain->tls.ca_file.empty());

        auto ep = parseRedisUrl(
            "rediss://u:pw@10.0.0.1:6380/2?ca=%2Fetc%2Fca%20dir%2Fca.pem&cert=%2Fc.pem"
            "&key=%2Fk.pem&sni=cache.example.com&insecure=1&timeout=5s");
        QVERIFY2(ep.ok(), ep.status().toString().c_str());
        QVERIFY(ep->tls.enabled);
        QCOMPARE(ep->tls.ca_file, std::string("/etc/ca dir/ca.pem"));
        QCOMPARE(ep->tls.cert_file, std::string("/c.pem"));
        QCOMPARE(ep->tls.key_file, std::string("/k.pem"));
        QCOMPARE(ep->tls.sni, std::string("cache.example.com"));
        QVERIFY(ep->tls.insecure);
        QCOMPARE(ep->host, std::string("10.0.0.1"));
        QCOMPARE(ep->db, 2);
        QCOMPARE(ep->user, std::string("u"));

        // A PEM holding both certificate and key.
        auto both = parseRedisUrl("rediss://h?cert=%2Fboth.pem");
        QVERIFY(both.ok());
        QCOMPARE(both->tls.key_file, std::string("/both.pem"));
    }

    void tlsOptionsNeedTls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("reason");
        QTest::newRow("ca on redis://") << "redis://h?ca=%2Fca.pem"
                                        << "needs TLS: use rediss://";
        QTest::newRow("insecure on redis://") << "redis://h?insecure=1"
                                              << "needs TLS";
        QTest::newRow("ca on unix://") << "unix:///s.sock?ca=%2Fca.pem"
                                       << "needs TLS";
        QTest::newRow("key without cert") << "rediss://h?key=%2Fk.pem"
                                          << "needs \"cert\"";
        QTest::newRow("insecure=yes") << "rediss://h?insecure=yes"
                                      << "insecure must be 1 or 0";
        QTest::newRow("empty ca") << "rediss://h?ca="
                                  << "needs a value";
    }
    void tlsOptionsNeedTls() {
        QFETCH(QString, url);
        QFETCH(QString, reason);
        auto ep = parseRedisUrl(url.toStdString());
        QCOMPARE(ep.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(ep.status().message().find(reason.toStdString()) != std::string::npos,
                 ep.status().message().c_str());
    }

    void sentinelUrls() {
        auto ep = parseRedisUrl(
            "redis+sentinel://alice:s%40cret@10.0.0.1,sentinel-b:26380,[::1]:26381/my%20master/3"
            "?sentinel_user=watch&sentinel_password=p%26q&timeout=1s");
        QVERIFY2(ep.ok(), ep.status().toString().c_str());
        QVERIFY(ep->sentinel.enabled());
        using Address = std::pair<std::string, int>;
        const std::vector<Address> expected{
            {"10.0.0.1", 26379}, {"sentinel-b", 26380}, {"::1", 26381}};
        QCOMPARE(ep->sentinel.addresses, expected);
        QCOMPARE(ep->sentinel.service, std::string("my master"));
        QCOMPARE(ep->sentinel.user, std::string("watch"));
        QCOMPARE(ep->sentinel.password, std::string("p&q"));
        QCOMPARE(ep->user, std::string("alice"));  // the master's login
        QCOMPARE(ep->password, std::string("s@cret"));
        QCOMPARE(ep->db, 3);
        QCOMPARE(ep->command_timeout->count(), 1000);
        QVERIFY(ep->host.empty());  // asked of the sentinels
        QVERIFY(!ep->tls.enabled);

        auto tls = parseRedisUrl("rediss+sentinel://h/svc?ca=%2Fca.pem");
        QVERIFY2(tls.ok(), tls.status().toString().c_str());
        QVERIFY(tls->tls.enabled);
        QCOMPARE(tls->tls.ca_file, std::string("/ca.pem"));
        QCOMPARE(tls->sentinel.service, std::string("svc"));
        QCOMPARE(tls->db, 0);

        auto slash = parseRedisUrl("redis+sentinel://h/svc/");
        QVERIFY(slash.ok() && slash->db == 0);

        auto plain = parseRedisUrl("redis://h:1/0");
        QVERIFY(plain.ok() && !plain->sentinel.enabled());
    }

    void rejectsMalformedSentinelUrls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no service") << "redis+sentinel://h:26379"
                                    << "no service name";
        QTest::newRow("empty service") << "redis+sentinel://h:26379/"
                                       << "no service name";
        QTest::newRow("no sentinels") << "redis+sentinel:///svc"
                                      << "no sentinel address";
        QTest::newRow("empty seed") << "redis+sentinel://a:1,,b:2/svc"
                                    << "empty address";
        QTest::newRow("trailing comma") << "redis+sentinel://a:1,/svc"
                                        << "empty address";
        QTest::newRow("seed port") << "redis+sentinel://a:1,b:x/svc"
                                   << "sentinel \"b:x\": port";
        QTest::newRow("seed no host") << "redis+sentinel://:1/svc"
                                      << "no host";
        QTest::newRow("seed ipv6") << "redis+sentinel://[::1/svc"
                                   << "unclosed [";
        QTest::newRow("db text") << "redis+sentinel://u:hunter2@h/svc/x"
                                 << "db";
        QTest::newRow("extra path") << "redis+sentinel://h/svc/1/2"
                                    << "db";
        QTest::newRow("sentinel option on redis://") << "redis://h?sentinel_password=hunter2"
                                                     << "needs a redis+sentinel:// URL";
        QTest::newRow("tls option, no tls") << "redis+sentinel://h/svc?ca=%2Fca.pem"
                                            << "needs TLS";
        QTest::newRow("bad escape") << "redis+sentinel://h/svc?sentinel_password=pa%zzss"
                                    << "escape";
    }
    void rejectsMalformedSentinelUrls() { rejectsMalformedUrls(); }

    void sshOptions() {
        auto ep = parseRedisUrl(
            "rediss://redis.internal:6380/2?ssh=deploy%40bastion.example.com%3A2222"
            "&ssh_key=%2Fk%2Fid&ssh_known_hosts=%2Fk%2Fknown&ssh_accept_new=1&ca=%2Fca.pem");
        QVERIFY2(ep.ok(), ep.status().toString().c_str());
        QCOMPARE(ep->ssh.user, std::string("deploy"));
        QCOMPARE(ep->ssh.host, std::string("bastion.example.com"));
        QCOMPARE(ep->ssh.port, 2222);
        QCOMPARE(ep->ssh.key_file, std::string("/k/id"));
        QCOMPARE(ep->ssh.known_hosts, std::string("/k/known"));
        QVERIFY(ep->ssh.accept_new);
        QCOMPARE(ep->host, std::string("redis.internal"));  // TLS still checks this name
        auto plain = parseRedisUrl("redis+sentinel://a,b/svc?ssh=[::1]");
        QVERIFY2(plain.ok(), plain.status().toString().c_str());
        QVERIFY(plain->ssh.user.empty());
        QCOMPARE(plain->ssh.host, std::string("::1"));
        QCOMPARE(plain->ssh.port, 22);
        QVERIFY(!parseRedisUrl("redis://h").value().ssh.enabled());
    }

    void rejectsMalformedSshOptions_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no host") << "redis://h?ssh=u@"
                                 << "no host";
        QTest::newRow("port") << "redis://h?ssh=u@b:99999"
                              << "port";
        QTest::newRow("unix") << "unix:///r.sock?ssh=b"
                              << "not unix sockets";
        QTest::newRow("key without ssh") << "redis://h?ssh_key=%2Fk"
                                         << "need ssh=";
        QTest::newRow("accept without ssh") << "redis://h?ssh_accept_new=1"
                                            << "need ssh=";
        QTest::newRow("accept value") << "redis://h?ssh=b&ssh_accept_new=yes"
                                      << "1 or 0";
        QTest::newRow("empty key") << "redis://h?ssh=b&ssh_key="
                                   << "needs a value";
        QTest::newRow("unknown") << "redis://h?ssh=b&ssh_port=2"
                                 << "unknown option";
    }
    void rejectsMalformedSshOptions() { rejectsMalformedUrls(); }

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
        QTest::newRow("sentinel") << "redis+sentinel://u:secret@a:1,b:2/svc?sentinel_password=s2"
                                  << "redis+sentinel://u:***@a:1,b:2/svc?sentinel_password=***";
        QTest::newRow("sentinel both")
            << "redis+sentinel://a/svc?sentinel_password=s&password=t"
            << "redis+sentinel://a/svc?sentinel_password=***&password=***";
        QTest::newRow("not an option") << "redis://h?user=my_password=x"
                                       << "redis://h?user=my_password=x";
    }
    void masksPasswords() {
        QFETCH(QString, url);
        QFETCH(QString, masked);
        QCOMPARE(QString::fromStdString(maskRedisUrl(url.toStdString())), masked);
    }

    // Redis entries hold the shared envelope (format/envelope.h); these are the two ways the
    // engine reads it: whole (GET) and by prefix (GETRANGE for contains() and scan()).
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
        std::string env;
        QVERIFY(detail::encodeEnvelope(env, {"f(1)", 42, 1000, 2000}, p, compress).ok());
        QCOMPARE(env.size() < p.size(), expectCompressed);
        std::string out;
        auto h = detail::decodeEnvelope(env, out);
        QVERIFY2(h.ok(), h.status().toString().c_str());
        QCOMPARE(out, p);
        QCOMPARE(h->type_tag, 42u);
        QCOMPARE(h->created_ms, 1000);
        QCOMPARE(h->expires_ms, 2000);
        const std::string head = env.substr(0, 300);  // the header points into it
        auto prefix = detail::parseEnvelopeHeader(head);
        QVERIFY(prefix.ok());
        QCOMPARE(std::string(prefix->key_text), std::string("f(1)"));
        const std::string fixedHead = env.substr(0, detail::kEnvelopeFixedHeader);
        auto fixed = detail::parseEnvelopeFixed(fixedHead);
        QVERIFY(fixed.ok());
        QCOMPARE(fixed->expires_ms, 2000);
        QCOMPARE(fixed->type_tag, 42u);
    }

    void envelopeRejectsCorruption_data() {
        QTest::addColumn<int>("mutation");
        QTest::newRow("bad magic") << 0;
        QTest::newRow("truncated") << 1;
        QTest::newRow("future version") << 2;
        QTest::newRow("unknown flag") << 3;
        QTest::newRow("trailing bytes") << 4;
        QTest::newRow("bad zstd") << 5;
        QTest::newRow("flipped payload bit") << 6;
    }
    void envelopeRejectsCorruption() {
        QFETCH(int, mutation);
        const std::string p(1000, 'y');
        std::string env;
        QVERIFY(detail::encodeEnvelope(env, {"k", 1, 1, 0}, p, mutation == 5).ok());
        const std::size_t payloadAt = detail::parseEnvelopeHeader(env)->payload_offset;
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
                env[5] = 4;
                break;
            case 4:
                env += "zz";
                break;
            case 5:
                env[payloadAt + 1] ^= 0x7f;  // zstd frame magic
                break;
            case 6:
                env[payloadAt + 10] ^= 0x01;  // caught by the checksum
                break;
            default:
                QFAIL("no such mutation");
        }
        std::string out;
        auto h = detail::decodeEnvelope(env, out);
        QVERIFY(!h.ok());
        QCOMPARE(h.status().code(), StatusCode::kCorruption);
    }
};

QTEST_GUILESS_MAIN(TestRedisUrl)
#include "test_redis_url.moc"
