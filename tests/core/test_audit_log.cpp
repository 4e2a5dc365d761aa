// The deletion audit log: records written and read back, rotation, torn and foreign lines,
// hostile log paths (FIFO, symlink) that neither hang nor follow, a log that cannot be written
// (the deletion stands and says so), plans recording their executions, and `twat-cache log`.
#include <sys/stat.h>
#include <unistd.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_support.h"
#include "twat_cache/audit_log.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

AuditRecord sample(std::uint64_t deleted) {
    AuditRecord r;
    r.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(deleted);
    r.user = "tester";
    r.program = "unit";
    r.pid = 42;
    r.host = "box";
    r.source = "cache";
    r.kind = "folder";
    r.location = "/somewhere/cache";
    r.action = "match_glob";
    r.what = "keys matching 'a*'";
    r.matched = deleted + 1;
    r.deleted = deleted;
    r.bytes = 100 * deleted;
    r.changed = 1;
    return r;
}

void writeFile(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

std::string readAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A plain folder with a.bin, b.bin and keep.txt, opened with the audit log at `log`.
std::unique_ptr<Source> folderSource(const fs::path& dir, const fs::path& log) {
    fs::create_directories(dir);
    writeFile(dir / "a.bin", "aaaa");
    writeFile(dir / "b.bin", "bb");
    writeFile(dir / "keep.txt", "k");
    auto info = Discovery::identify(dir);
    if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
    OpenOptions o;
    o.audit_log = log;
    auto src = Discovery::open(*info, o);
    if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
    return std::move(*src);
}

PlanRequest globRequest(const std::string& glob) {
    PlanRequest r;
    r.action = PlanRequest::Action::kMatchGlob;
    r.glob = glob;
    return r;
}

}  // namespace

class TestAuditLog : public QObject {
    Q_OBJECT

    TempDir m_tmp;

  private slots:
    void recordsRoundTripOldestFirst() {
        const fs::path log = m_tmp.path() / "rt" / "deletions.jsonl";
        for (std::uint64_t i = 1; i <= 3; ++i) QVERIFY(appendAuditRecord(log, sample(i)).ok());
        struct stat st {};
        QCOMPARE(::stat(log.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);  // deletions name keys: private to the user
        QCOMPARE(::stat(log.parent_path().c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0700u);

        auto all = readAuditLog(log, 100);
        QVERIFY2(all.ok(), all.status().toString().c_str());
        QCOMPARE(all->records.size(), std::size_t{3});
        QCOMPARE(all->skipped, 0u);
        const AuditRecord& r = all->records[2];
        QCOMPARE(r.deleted, 3u);
        QCOMPARE(r.matched, 4u);
        QCOMPARE(r.bytes, 300u);
        QCOMPARE(r.changed, 1u);
        QCOMPARE(r.user, std::string("tester"));
        QCOMPARE(r.what, std::string("keys matching 'a*'"));
        QCOMPARE(r.time_ms, 1'700'000'000'003);

        auto last = readAuditLog(log, 2);
        QVERIFY(last.ok());
        QCOMPARE(last->records.size(), std::size_t{2});
        QCOMPARE(last->records[0].deleted, 2u);
    }

    // A line torn by a crash, a foreign line, and invalid UTF-8 in a key name.
    void tornForeignAndBinaryLines() {
        const fs::path log = m_tmp.path() / "torn" / "deletions.jsonl";
        QVERIFY(appendAuditRecord(log, sample(1)).ok());
        { std::ofstream(log, std::ios::app) << "{\"time_ms\": 17\nnot json at all\n"; }
        AuditRecord odd = sample(2);
        odd.what = std::string("keys matching '\xff\xfe") + "'";
        QVERIFY(appendAuditRecord(log, odd).ok());
        auto all = readAuditLog(log, 100);
        QVERIFY2(all.ok(), all.status().toString().c_str());
        QCOMPARE(all->records.size(), std::size_t{2});
        QCOMPARE(all->skipped, 2u);
        QVERIFY(all->records[1].what.find("\xEF\xBF\xBD") != std::string::npos);  // U+FFFD
    }

    void rotatesPastItsSize() {
        const fs::path log = m_tmp.path() / "rot" / "deletions.jsonl";
        QVERIFY(appendAuditRecord(log, sample(1)).ok());
        {
            std::ofstream out(log, std::ios::app | std::ios::binary);
            const std::string filler(1 << 20, 'x');
            for (std::uint64_t at = 0; at < kAuditLogRotateBytes; at += filler.size()) {
                out << filler;
            }
            out << "\n";
        }
        QVERIFY(appendAuditRecord(log, sample(2)).ok());
        QVERIFY(fs::exists(log.string() + ".1"));
        QVERIFY(fs::file_size(log) < 4096);
        auto all = readAuditLog(log, 100);
        QVERIFY2(all.ok(), all.status().toString().c_str());
        QCOMPARE(all->records.size(), std::size_t{2});  // one from each file
        QCOMPARE(all->records[1].deleted, 2u);
    }

    // A FIFO or a symlink where the log should be: refused at once, never followed.
    void hostileLogPaths() {
        const fs::path dir = m_tmp.path() / "hostile";
        fs::create_directories(dir);
        const fs::path fifo = dir / "fifo.jsonl";
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QVERIFY(!appendAuditRecord(fifo, sample(1)).ok());
        QVERIFY(!readAuditLog(fifo, 10).ok());

        const fs::path target = dir / "elsewhere.txt";
        writeFile(target, "precious\n");
        const fs::path link = dir / "link.jsonl";
        fs::create_symlink(target, link);
        QVERIFY(!appendAuditRecord(link, sample(1)).ok());
        QCOMPARE(readAll(target), std::string("precious\n"));
    }

    void pathFollowsXdgStateHome() {
        const QByteArray saved = qgetenv("XDG_STATE_HOME");
        qputenv("XDG_STATE_HOME", "/var/tmp/state");
        QCOMPARE(auditLogPath(), fs::path("/var/tmp/state/twat-cache/deletions.jsonl"));
        qputenv("XDG_STATE_HOME", "relative/ignored");  // the specification: absolute only
        QCOMPARE(auditLogPath(), fs::path(qgetenv("HOME").toStdString()) /
                                     ".local/state/twat-cache/deletions.jsonl");
        qputenv("XDG_STATE_HOME", saved);
    }

    void planExecutionIsRecorded() {
        const fs::path log = m_tmp.path() / "exec" / "deletions.jsonl";
        auto src = folderSource(m_tmp.path() / "exec-cache", log);
        auto plan = src->plan(globRequest("*.bin"));
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QVERIFY(!fs::exists(log));  // planning records nothing
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 2u);
        QVERIFY2(r->audit_error.empty(), r->audit_error.c_str());

        auto all = readAuditLog(log, 10);
        QVERIFY(all.ok());
        QCOMPARE(all->records.size(), std::size_t{1});
        const AuditRecord& rec = all->records[0];
        QCOMPARE(rec.action, std::string("match_glob"));
        QCOMPARE(rec.what, std::string("keys matching '*.bin'"));
        QCOMPARE(rec.kind, std::string("folder"));
        QCOMPARE(rec.location, (m_tmp.path() / "exec-cache").string());
        QCOMPARE(rec.matched, 2u);
        QCOMPARE(rec.deleted, 2u);
        QCOMPARE(rec.bytes, 6u);
        QCOMPARE(rec.pid, static_cast<std::int64_t>(::getpid()));
        QVERIFY(!rec.user.empty());
        QCOMPARE(rec.program, std::string("test_audit_log"));
        QVERIFY(std::llabs(rec.time_ms - QDateTime::currentMSecsSinceEpoch()) < 600'000);
    }

    // The deletion is not undone for want of a log; the result says it was not recorded.
    void unwritableLogKeepsTheDeletion() {
        const fs::path blocker = m_tmp.path() / "not-a-folder";
        writeFile(blocker, "x");
        auto src = folderSource(m_tmp.path() / "unlogged", blocker / "deletions.jsonl");
        auto plan = src->plan(globRequest("a.bin"));
        QVERIFY(plan.ok());
        auto r = (*plan)->execute();
        QVERIFY2(r.ok(), r.status().toString().c_str());
        QCOMPARE(r->deleted, 1u);
        QVERIFY(!r->audit_error.empty());
        QVERIFY(!fs::exists(m_tmp.path() / "unlogged" / "a.bin"));
    }

    void cliClearThenLog() {
        const fs::path state = m_tmp.path() / "xdg-state";
        const QByteArray saved = qgetenv("XDG_STATE_HOME");
        qputenv("XDG_STATE_HOME", QByteArray::fromStdString(state.string()));
        const fs::path cache = m_tmp.path() / "cli-cache";
        folderSource(cache, m_tmp.path() / "unused.jsonl");

        auto cleared = test::runProcess(TWAT_CACHE_CLI,
                                        {"clear", cache.string(), "--match", "*.bin", "--yes"});
        QVERIFY2(cleared.exitCode == 0, cleared.err.c_str());
        auto shown = test::runProcess(TWAT_CACHE_CLI, {"log", "--json"});
        QVERIFY2(shown.exitCode == 0, shown.err.c_str());
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(shown.out)).object();
        QCOMPARE(doc["log"].toString().toStdString(),
                 (state / "twat-cache" / "deletions.jsonl").string());
        const QJsonArray records = doc["records"].toArray();
        QCOMPARE(records.size(), 1);
        const QJsonObject rec = records[0].toObject();
        QCOMPARE(rec["program"].toString(), QStringLiteral("twat-cache"));
        QCOMPARE(rec["action"].toString(), QStringLiteral("match_glob"));
        QCOMPARE(rec["deleted"].toInt(), 2);
        QCOMPARE(rec["bytes"].toInt(), 6);

        auto text = test::runProcess(TWAT_CACHE_CLI, {"log"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.find("keys matching '*.bin'") != std::string::npos, text.out.c_str());
        QVERIFY2(text.out.find("2 of 2, 6 B") != std::string::npos, text.out.c_str());

        // A dry run deletes nothing and records nothing.
        auto dry =
            test::runProcess(TWAT_CACHE_CLI, {"clear", cache.string(), "--all", "--dry-run"});
        QCOMPARE(dry.exitCode, 0);
        auto after = readAuditLog(state / "twat-cache" / "deletions.jsonl", 10);
        QVERIFY(after.ok());
        QCOMPARE(after->records.size(), std::size_t{1});
        qputenv("XDG_STATE_HOME", saved);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "test_audit_log.moc"
