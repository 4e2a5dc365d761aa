// Key properties: stability across processes, pinned encodings, no collisions over a million
// distinct inputs, canonical unordered containers and floating-point zeros, hex forms.
//
// Run with --print-keys, the binary prints the keys of kStableInputs and exits: the test runs
// itself that way to compare a child process's keys with its own.
#include <QCoreApplication>
#include <QtTest>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

#include "test_support.h"
#include "twat_cache/key.h"

using namespace twat_cache;

namespace {

// The keys every process must agree on, one hex key per line.
std::string stableKeysText() {
    std::string out;
    const auto add = [&out](const Key& k) { out += k.toHex() + "\n"; };
    add(makeKey("fib", 42));
    add(makeKey("geo", std::string("Zürich"), 47.37, 8.54));
    add(makeKey("m", std::unordered_map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 3}}));
    add(makeKey("s", std::unordered_set<std::int64_t>{9, -1, 1LL << 40}));
    add(makeKey("t", std::tuple<int, double, std::string>{-1, -0.0, std::string("\0x", 2)}));
    add(makeKey("o", std::optional<std::vector<float>>{{1.f, 2.f}}, std::chrono::seconds{3}));
    return out;
}

// One random input of the collision test, with its double normalized as key mode does, so
// that two inputs are equal exactly when key mode must give them one key.
struct Input {
    std::int32_t i = 0;
    std::uint64_t dBits = 0;
    std::string s;
    auto operator<=>(const Input&) const = default;
};

double normalized(double d) {
    if (d == 0.0) return 0.0;
    if (std::isnan(d)) return std::numeric_limits<double>::quiet_NaN();
    return d;
}

// Draws from deliberately small ranges part of the time, so that many inputs are neighbours
// (one bit, one character, a shifted boundary between fields) rather than far apart.
Input randomInput(std::mt19937_64& gen) {
    static constexpr double kSpecial[] = {0.0,
                                          -0.0,
                                          1.0,
                                          -1.0,
                                          0.5,
                                          1e-310,
                                          1e300,
                                          std::numeric_limits<double>::infinity(),
                                          std::numeric_limits<double>::quiet_NaN()};
    static constexpr char kAlphabet[] = {'a', 'b', '\0', '\xff', '\x01', '"'};
    Input in;
    in.i = (gen() & 1) != 0 ? static_cast<std::int32_t>(gen() % 64) - 32
                            : static_cast<std::int32_t>(static_cast<std::uint32_t>(gen()));
    double d = 0;
    switch (gen() % 3) {
        case 0:
            d = kSpecial[gen() % std::size(kSpecial)];
            break;
        case 1:
            d = static_cast<double>(static_cast<std::int64_t>(gen() % 1000)) / 8.0;
            break;
        default:
            d = std::bit_cast<double>(gen());
            break;
    }
    const std::size_t len = gen() % 12;
    for (std::size_t k = 0; k < len; ++k) in.s += kAlphabet[gen() % std::size(kAlphabet)];
    d = normalized(d);
    in.dBits = std::bit_cast<std::uint64_t>(d);
    return in;
}

}  // namespace

class TestKeys : public QObject {
    Q_OBJECT
  private slots:
    void equalInputsEqualKeys() {
        QCOMPARE(makeKey("fib", 42), makeKey("fib", 42));
        QCOMPARE(makeKey("f", std::string("abc")), makeKey("f", std::string_view("abc")));
        QCOMPARE(makeKey("f", std::string("abc")), makeKey("f", "abc"));
        QCOMPARE(makeKey("f", std::string("abc")), makeKey("f", static_cast<const char*>("abc")));
        QCOMPARE(makeKey("f", std::vector<int>{1, 2}), makeKey("f", std::vector<int>{1, 2}));
        QVERIFY(makeKey("fib", 42) != makeKey("fib", 43));
        QVERIFY(makeKey("f", 1, 2) != makeKey("f", 2, 1));
        // Field boundaries are part of the encoding.
        QVERIFY(makeKey("f", std::string("ab"), std::string("c")) !=
                makeKey("f", std::string("a"), std::string("bc")));
        QVERIFY(makeKey("f", std::string("")) != makeKey("f"));
        QVERIFY(makeKey("f", std::optional<int>{}) != makeKey("f", std::optional<int>{0}));
    }

    void keysAgreeWithChildProcess() {
        const auto r = test::runProcess(QCoreApplication::applicationFilePath().toStdString(),
                                        {"--print-keys"}, 30000);
        QVERIFY2(r.finished && r.exitCode == 0, r.err.c_str());
        QCOMPARE(QString::fromStdString(r.out), QString::fromStdString(stableKeysText()));
    }

    // Computed once when the encoding was written. A change here changes every stored key:
    // bump the format version in docs/FORMAT.md and make it deliberate.
    void goldenKeys_data() {
        QTest::addColumn<QString>("actual");
        QTest::addColumn<QString>("expected");
        const auto row = [](const char* name, const Key& k, const char* hex) {
            QTest::newRow(name) << QString::fromStdString(k.toHex()) << QString(hex);
        };
        row("fib(42)", makeKey("fib", 42), "58efdf2d919d44a85249520bc04af54c");
        row("tuple", makeKey("t", 7, 2.5, std::string("seven")),
            "2a7b9d12f7fd65b9509890bc74e7e846");
        row("map", makeKey("m", std::map<std::string, int>{{"x", 1}, {"y", 2}}),
            "a982159d9672e1d9edeeee54314c1690");
    }
    void goldenKeys() {
        QFETCH(QString, actual);
        QFETCH(QString, expected);
        QCOMPARE(actual, expected);
    }

    // The key is XXH3-128 of bytes written out here by hand: name, then each argument.
    void keyIsHashOfCanonicalBytes() {
        QCOMPARE(makeKey("fib", 42), hashBytes(std::string("\x03"
                                                           "fib"
                                                           "\x2a\0\0\0",
                                                           8)));
        const std::string tupleBytes = std::string("\x01t\x07\0\0\0", 6) +
                                       std::string("\0\0\0\0\0\0\x04\x40", 8) + "\x05seven";
        QCOMPARE(makeKey("t", 7, 2.5, std::string("seven")), hashBytes(tupleBytes));
        const std::string mapBytes =
            std::string("\x01m\x02", 3) + std::string("\x01x\x01\0\0\0\x01y\x02\0\0\0", 12);
        QCOMPARE(makeKey("m", std::map<std::string, int>{{"x", 1}, {"y", 2}}), hashBytes(mapBytes));
        // Key mode writes -0.0 as 0.0.
        QCOMPARE(makeKey("z", -0.0), hashBytes(std::string("\x01z\0\0\0\0\0\0\0\0", 10)));
    }

    void millionDistinctInputsNoCollision() {
        constexpr std::size_t kDraws = 1'100'000;
        std::mt19937_64 gen(0x7477617463616368ULL);
        std::vector<Input> inputs;
        inputs.reserve(kDraws);
        for (std::size_t n = 0; n < kDraws; ++n) inputs.push_back(randomInput(gen));
        std::sort(inputs.begin(), inputs.end());
        inputs.erase(std::unique(inputs.begin(), inputs.end()), inputs.end());
        QVERIFY2(inputs.size() >= 1'000'000, std::to_string(inputs.size()).c_str());
        inputs.resize(1'000'000);

        std::vector<Key> keys;
        keys.reserve(inputs.size());
        for (const Input& in : inputs) {
            keys.push_back(makeKey("c", in.i, std::bit_cast<double>(in.dBits), in.s));
        }
        std::sort(keys.begin(), keys.end());
        const auto dup = std::adjacent_find(keys.begin(), keys.end());
        if (dup != keys.end()) QFAIL(("collision on " + dup->toHex()).c_str());
    }

    void unorderedInsertionOrderDoesNotMatter() {
        std::vector<std::pair<std::string, int>> items;
        for (int i = 0; i < 300; ++i) items.emplace_back("k" + std::to_string(i * 7919), i);
        std::mt19937 gen(3);
        const Key reference = makeKey("u", std::map<std::string, int>(items.begin(), items.end()));
        std::vector<std::string> firstOrders;
        for (std::size_t buckets : {0u, 1u, 17u, 1024u, 100000u}) {
            std::shuffle(items.begin(), items.end(), gen);
            std::unordered_map<std::string, int> m(buckets);
            for (const auto& [k, v] : items) m.emplace(k, v);
            if (buckets == 1024u) m.rehash(5);
            QCOMPARE(makeKey("u", m), reference);
            firstOrders.push_back(m.begin()->first);

            std::unordered_set<std::string> s(buckets);
            for (const auto& item : items) s.insert(item.first);
            std::set<std::string> ordered(s.begin(), s.end());
            QCOMPARE(makeKey("u", s), makeKey("u", ordered));
        }
        // The containers really did iterate differently, so the test can fail.
        std::sort(firstOrders.begin(), firstOrders.end());
        QVERIFY(std::unique(firstOrders.begin(), firstOrders.end()) - firstOrders.begin() > 1);

        // Nested unordered containers are canonical too.
        std::unordered_map<int, std::unordered_set<int>> a, b(512);
        for (int i = 0; i < 50; ++i) a[i] = {i, i + 1000, -i};
        for (int i = 49; i >= 0; --i) b[i] = {-i, i + 1000, i};
        QCOMPARE(makeKey("n", a), makeKey("n", b));
    }

    void mapAndUnorderedMapAgree() {
        const std::map<int, std::string> ordered{{1, "a"}, {256, "b"}, {-1, "c"}, {65536, ""}};
        const std::unordered_map<int, std::string> unordered(ordered.begin(), ordered.end());
        QCOMPARE(makeKey("m", ordered), makeKey("m", unordered));
        const std::set<double> os{-1.5, 0.0, 2.0, 1e10};
        const std::unordered_set<double> us(os.begin(), os.end());
        QCOMPARE(makeKey("m", os), makeKey("m", us));
        // A different value is a different key.
        auto changed = ordered;
        changed[1] = "z";
        QVERIFY(makeKey("m", changed) != makeKey("m", ordered));
    }

    void signedZeroAndNaN() {
        QCOMPARE(makeKey("z", -0.0), makeKey("z", 0.0));
        QCOMPARE(makeKey("z", -0.0f), makeKey("z", 0.0f));
        QCOMPARE(makeKey("z", std::vector<double>{-0.0, 1.0}),
                 makeKey("z", std::vector<double>{0.0, 1.0}));
        QCOMPARE(makeKey("z", std::numeric_limits<double>::quiet_NaN()),
                 makeKey("z", -std::numeric_limits<double>::quiet_NaN()));
        QCOMPARE(makeKey("z", std::numeric_limits<double>::quiet_NaN()),
                 makeKey("z", std::bit_cast<double>(0x7ff0000000000001ULL)));
        QVERIFY(makeKey("z", 0.0) != makeKey("z", std::numeric_limits<double>::denorm_min()));
        QVERIFY(makeKey("z", 0.0) != makeKey("z", 0.0f));  // different widths, different bytes
    }

    void cacheNameIsPartOfKey() {
        QVERIFY(makeKey("a", 1) != makeKey("b", 1));
        QVERIFY(makeKey("", 1) != makeKey("a", 1));
        QVERIFY(makeKey("fib") != makeKey("fi"));
        // Name and first argument do not run into each other.
        QVERIFY(makeKey("a", std::string("bc")) != makeKey("ab", std::string("c")));
    }

    void hexRoundTrip() {
        std::mt19937_64 gen(11);
        for (int i = 0; i < 1000; ++i) {
            const Key k{gen(), gen()};
            const std::string hex = k.toHex();
            QCOMPARE(hex.size(), 32u);
            auto back = Key::fromHex(hex);
            QVERIFY2(back.ok(), back.status().toString().c_str());
            QVERIFY(*back == k);
        }
        QCOMPARE(Key{}.toHex(), std::string(32, '0'));
        QCOMPARE((Key{0x0123456789abcdefULL, 0xfedcba9876543210ULL}.toHex()),
                 std::string("0123456789abcdeffedcba9876543210"));
        QCOMPARE((Key{~0ULL, ~0ULL}.toHex()), std::string(32, 'f'));
    }

    void fromHexRejectsBadInput_data() {
        QTest::addColumn<QString>("hex");
        const QString good = "0123456789abcdeffedcba9876543210";
        QTest::newRow("empty") << QString();
        QTest::newRow("short") << good.left(31);
        QTest::newRow("long") << good + "0";
        QTest::newRow("upper case") << good.toUpper();
        QTest::newRow("non-hex") << QString(good).replace(5, 1, "g");
        QTest::newRow("0x prefix") << "0x" + good.left(30);
        QTest::newRow("space") << QString(good).replace(0, 1, " ");
        QTest::newRow("sign in low half") << QString(good).replace(16, 1, "+");
        QTest::newRow("sign in high half") << QString(good).replace(0, 1, "-");
        QTest::newRow("NUL") << QString(good).replace(20, 1, QChar(0));
    }
    void fromHexRejectsBadInput() {
        QFETCH(QString, hex);
        const QByteArray bytes = hex.toLatin1();
        const auto r = Key::fromHex(
            std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        QVERIFY(!r.ok());
        QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(r.status().toString().find("key") != std::string::npos,
                 r.status().toString().c_str());
    }
};

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--print-keys") == 0) {
        std::fputs(stableKeysText().c_str(), stdout);
        return 0;
    }
    QCoreApplication app(argc, argv);
    TestKeys test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_keys.moc"
