// The non-executing pickle reader on hand-made pickles: data opcodes, memo, cycles, opcodes
// that would run code, and malformed input.
#include <QtTest>

#include "inspect/pickle_reader.h"

using twat_cache::detail::PickleRenderOptions;
using twat_cache::detail::renderPickle;

namespace {
std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s.push_back(static_cast<char>(c));
    return s;
}
}  // namespace

class TestPickleReader : public QObject {
    Q_OBJECT
  private slots:
    void renders_data() {
        QTest::addColumn<QByteArray>("pickle");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const std::string& p, const char* e) {
            QTest::newRow(name) << QByteArray(p.data(), static_cast<int>(p.size())) << QString(e);
        };
        // protocol 2: (1, 'ab') built with TUPLE2
        row("tuple2", bytes({0x80, 2, 'K', 1, 0x8c, 2, 'a', 'b', 0x86, '.'}), "(1, 'ab')");
        // protocol 0 INT/booleans and NONE in a list built with MARK ... LIST
        row("list-p0",
            "(I1\nI01\nN"
            "l.",
            "[1, True, None]");
        // a list that contains itself through the memo: [[...]]
        row("cycle", bytes({0x80, 4, ']', 0x94, 'h', 0, 'a', '.'}), "[[...]]");
        // LONG1 of 9 bytes: 2**64
        row("long1", bytes({0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, '.'}), "18446744073709551616");
        row("negative-long1", bytes({0x8a, 1, 0xff, '.'}), "-1");
        // BINFLOAT 1.5 (big-endian)
        row("binfloat", bytes({'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, '.'}), "1.5");
        // dict with SETITEMS and a bytes value
        row("dict", bytes({'}', '(', 0x8c, 1, 'k', 'C', 2, 0, 0xff, 'u', '.'}),
            "{'k': b'\\x00\\xff'}");
        row("empty-set", bytes({0x8f, '.'}), "set()");
        row("frozenset", bytes({'(', 'K', 3, 0x91, '.'}), "frozenset({3})");
        // GLOBAL + REDUCE: os.system('x') is shown, never called
        row("reduce", "cposix\nsystem\n(S'x'\ntR.", "<object posix.system via REDUCE>");
        // STACK_GLOBAL + NEWOBJ + BUILD
        row("newobj", bytes({0x80, 4, 0x8c, 8,   'd', 'a', 't',  'e', 't',  'i', 'm', 'e',
                             0x8c, 4, 'd',  'a', 't', 'e', 0x93, ')', 0x81, '}', 'b', '.'}),
            "<object datetime.date via NEWOBJ>");
    }
    void renders() {
        QFETCH(QByteArray, pickle);
        QFETCH(QString, expected);
        auto r = renderPickle(
            std::string_view(pickle.constData(), static_cast<std::size_t>(pickle.size())));
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(QString::fromStdString(*r), expected);
    }

    void rejectsMalformed_data() {
        QTest::addColumn<QByteArray>("pickle");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no-stop") << QByteArray("K\x01", 2);
        QTest::newRow("truncated-string") << QByteArray(
            "X\xff\x00\x00\x00"
            "ab",
            7);
        QTest::newRow("unknown-opcode") << QByteArray("\xfe.", 2);
        QTest::newRow("underflow") << QByteArray("a.", 2);
        QTest::newRow("memo-miss") << QByteArray("h\x05.", 3);
    }
    void rejectsMalformed() {
        QFETCH(QByteArray, pickle);
        auto r = renderPickle(
            std::string_view(pickle.constData(), static_cast<std::size_t>(pickle.size())));
        QVERIFY(!r.ok());
        QCOMPARE(r.status().code(), twat_cache::StatusCode::kCorruption);
    }

    void boundsOutput() {
        // A list holding the same 1000-byte string 1000 times renders within the bound.
        std::string p = bytes({0x80, 4, ']', '('});
        p += "X" + bytes({0xe8, 0x03, 0, 0}) + std::string(1000, 'z') + bytes({0x94});
        for (int i = 0; i < 999; ++i) p += bytes({'h', 0});
        p += bytes({'e', '.'});
        auto r = renderPickle(p, PickleRenderOptions{.max_output = 3000});
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QVERIFY(r->size() <= 3003);
        QVERIFY(r->ends_with("..."));
    }

    // Lists nested 400,000 deep (issue 19): rendering stops at max_depth, and freeing the
    // tree must not recurse (it overflowed the stack at ~175k levels with 8 MB).
    void deepNestingNeitherCrashesNorRecurses() {
        constexpr int kDepth = 400'000;
        std::string p = bytes({0x80, 4});
        p += std::string(kDepth, ']');      // EMPTY_LIST
        p += std::string(kDepth - 1, 'a');  // APPEND each list into the one below it
        p += '.';
        auto r = renderPickle(p);
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QVERIFY2(r->starts_with("[[[[") && r->find("[...]") != std::string::npos, r->c_str());

        // Deeper than the opcode budget allows: a clean error, never a crash.
        std::string deeper =
            bytes({0x80, 4}) + std::string(1'000'000, ']') + std::string(999'999, 'a') + ".";
        auto refused = renderPickle(deeper);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.status().code(), twat_cache::StatusCode::kCorruption);
    }

    // A list that holds itself (memo) renders its cycle as [...] and is freed.
    void selfReferenceRendersOnce() {
        // ] q\x00 h\x00 a .  : a list, memoized, appended to itself.
        const std::string p = bytes({0x80, 4, ']', 'q', 0, 'h', 0, 'a', '.'});
        auto r = renderPickle(p);
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(*r, std::string("[[...]]"));
    }
};

QTEST_GUILESS_MAIN(TestPickleReader)
#include "test_pickle_reader.moc"
