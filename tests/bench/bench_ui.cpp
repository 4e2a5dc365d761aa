// bench_ui: the inspector's responsiveness on large caches, measured on the real MainWindow
// and EntriesModel (offscreen). `bench_ui` alone makes the fixtures, runs each measure in a
// child process (so that each peak RSS is its own) and prints a table; docs/INSPECTOR.md
// has the results and the command. Bounded: about two minutes on a loaded 2-core machine.
//
//   bench_ui                         everything, with a table at the end
//   bench_ui browse <folder> <rows>  open, time to first rows, scroll until <rows> are loaded
//   bench_ui redis <url>             open, first rows, scan the whole keyspace (namespaces)
//
// UI-thread stalls are measured by a QTimer ticking every 10 ms: the worst gap between two
// ticks, less the 10 ms period, is the longest time the event loop could not run.
#include <sys/resource.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <map>
#include <string>

#include "models/entries_model.h"
#include "redis_server.h"
#include "test_support.h"
#include "views/main_window.h"
#include "views/ui_resources.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;

namespace {

constexpr int kTickMs = 10;

long peakRssKb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// Worst event-loop gap while it runs (the probe itself is a 10 ms timer).
class StallProbe {
  public:
    StallProbe() {
        m_timer.setInterval(kTickMs);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last >= 0) m_worst = std::max(m_worst, now - m_last);
            m_last = now;
        });
    }
    void start() {
        m_worst = 0;
        m_last = -1;
        m_clock.start();
        m_timer.start();
    }
    // Longest stall in ms beyond the probe's own period.
    double worstStallMs() const {
        return std::max(0.0, static_cast<double>(m_worst) / 1e6 - kTickMs);
    }

  private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    qint64 m_worst = 0;
};

// Runs the event loop until `done()` or `timeoutMs`; returns whether done() held.
template <class Pred>
bool spinUntil(Pred done, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

void result(const char* name, double value, const char* unit) {
    std::printf("%s %.2f %s\n", name, value, unit);
    std::fflush(stdout);
}

// Opens `ref` in `window` and returns the ms until its first rows are in the model.
double timeToFirstRows(MainWindow& window, const SourceRef& ref) {
    QElapsedTimer t;
    t.start();
    window.addSource(ref);
    window.entriesModel()->fetchMore({});
    if (!spinUntil([&] { return window.entriesModel()->rowCount() > 0; }, 60000)) return -1;
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

int browse(const QString& folder, int wantRows) {
    MainWindow window;
    window.resize(1200, 760);
    window.show();
    auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
    StallProbe probe;
    probe.start();
    const double first = timeToFirstRows(window, folderSourceRef(folder));
    if (first < 0) return std::fprintf(stderr, "no rows from %s\n", qPrintable(folder)), 1;
    result("first_rows_ms", first, "ms");
    // Scroll as a user dragging the scrollbar to the end would: each time the view sits at
    // the bottom, it asks the model for more.
    probe.start();
    QElapsedTimer t;
    t.start();
    EntriesModel* model = window.entriesModel();
    const bool reached = spinUntil(
        [&] {
            if (model->rowCount() >= wantRows || model->isComplete()) return true;
            view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum());
            if (model->canFetchMore({})) model->fetchMore({});
            return false;
        },
        120000);
    if (!reached) return std::fprintf(stderr, "scrolling timed out\n"), 1;
    std::printf("scroll_rows %d rows\n", model->rowCount());
    result("scroll_s", static_cast<double>(t.elapsed()) / 1000.0, "s");
    result("scroll_worst_stall_ms", probe.worstStallMs(), "ms");
    result("peak_rss_mb", static_cast<double>(peakRssKb()) / 1024.0, "MB");
    return 0;
}

int redisScan(const QString& url) {
    MainWindow window;
    window.resize(1200, 760);
    window.show();
    SourceRef ref;
    ref.kind = SourceKind::kRedis;
    ref.location = url;
    ref.name = QStringLiteral("bench");
    StallProbe probe;
    probe.start();
    QElapsedTimer t;
    t.start();
    const double first = timeToFirstRows(window, ref);
    if (first < 0) return std::fprintf(stderr, "no rows from %s\n", qPrintable(url)), 1;
    result("redis_first_rows_ms", first, "ms");
    if (!spinUntil([&] { return window.namespaceScanComplete(); }, 120000)) {
        return std::fprintf(stderr, "namespace scan timed out\n"), 1;
    }
    result("redis_scan_s", static_cast<double>(t.elapsed()) / 1000.0, "s");
    result("redis_scan_worst_stall_ms", probe.worstStallMs(), "ms");
    std::printf("redis_status %s\n", qPrintable(window.namespaceStatus().replace(' ', '_')));
    result("peak_rss_mb", static_cast<double>(peakRssKb()) / 1024.0, "MB");
    return 0;
}

// A diskcache-format cache of `n` entries (python-diskcache makes the schema; the rows go in
// by INSERT ... WITH RECURSIVE, a million per statement, until n or `budgetS` seconds).
// Returns the rows written, or -1.
long long makeDiskcache(const QString& folder, long long n, int budgetS) {
    static const char* kScript = R"(
import sys, sqlite3, time, diskcache
folder, n, budget = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
diskcache.Cache(folder).close()
db = sqlite3.connect(folder + "/cache.db")
db.execute("PRAGMA synchronous=OFF")
now, t0, done = time.time(), time.time(), 0
while done < n and (done == 0 or time.time() - t0 < budget):
    m = min(1_000_000, n - done)
    db.execute("""WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?)
        INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag,
                          size, mode, filename, value)
        SELECT printf('key-%010d', i), 1, ? + i * 0.001,
               CASE WHEN i % 10 = 0 THEN ? + 3600 ELSE NULL END, ?, 0, NULL,
               8 + i % 57, 1, NULL, randomblob(8 + i % 57) FROM c""",
               (done, done + m - 1, now, now, now))
    db.commit()
    done += m
db.execute("UPDATE Settings SET value = ? WHERE key = 'count'", (done,))
db.commit()
db.close()
print(done)
)";
    auto r = twat_cache::test::runProcess(
        twat_cache::test::pythonInterpreter(),
        {"-c", kScript, folder.toStdString(), std::to_string(n), std::to_string(budgetS)},
        (budgetS + 120) * 1000);
    if (!r.finished || r.exitCode != 0) {
        std::fprintf(stderr, "fixture failed: %s\n", r.err.c_str());
        return -1;
    }
    return std::stoll(r.out);
}

// Runs this program in `args` mode; collects its "name value unit" lines under `prefix`.
bool child(const QStringList& args, const QString& prefix, std::map<QString, QString>& table) {
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QCoreApplication::applicationFilePath(), args);
    if (!p.waitForFinished(170000) || p.exitCode() != 0) return false;
    for (const QString& line : QString::fromUtf8(p.readAllStandardOutput()).split('\n')) {
        const QStringList parts = line.split(' ', Qt::SkipEmptyParts);
        if (parts.size() >= 2) table[prefix + parts.at(0)] = parts.mid(1).join(' ');
    }
    return true;
}

// Loads `n` keys "bench:<ns>:<i>" (10 namespaces) by redis-cli --pipe.
bool loadRedis(int port, long long n) {
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"),
              {QStringLiteral("-p"), QString::number(port), QStringLiteral("--pipe")});
    if (!cli.waitForStarted(10000)) return false;
    QByteArray batch;
    for (long long i = 0; i < n; ++i) {
        const QByteArray key = "bench:" + QByteArray::number(i % 10) + ':' + QByteArray::number(i);
        batch += "*3\r\n$3\r\nSET\r\n$" + QByteArray::number(key.size()) + "\r\n" + key +
                 "\r\n$1\r\nv\r\n";
        if (batch.size() > (1 << 20)) {
            cli.write(batch);
            cli.waitForBytesWritten(30000);
            batch.clear();
        }
    }
    cli.write(batch);
    cli.closeWriteChannel();
    return cli.waitForFinished(120000) && cli.exitCode() == 0;
}

int all() {
    QTemporaryDir work;
    std::map<QString, QString> table;
    bool ok = true;
    QElapsedTimer total;
    total.start();
    struct Size {
        const char* name;
        long long n;
        int budgetS;
        int scrollRows;
    };
    // 10k and the largest cache generated within ~60 s (10M when the machine allows).
    for (const Size& s : {Size{"10k", 10'000, 60, 5'000}, Size{"1M", 1'000'000, 60, 100'000},
                          Size{"big", 10'000'000, 60, 5'000}}) {
        const QString folder = work.filePath(QString::fromLatin1(s.name));
        QElapsedTimer t;
        t.start();
        const long long rows = makeDiskcache(folder, s.n, s.budgetS);
        if (rows < 0) return 1;
        const QString prefix = QString::fromLatin1(s.name) + '.';
        table[prefix + "fixture_rows"] = QString::number(rows) + " rows";
        table[prefix + "fixture_s"] =
            QString::number(static_cast<double>(t.elapsed()) / 1000.0, 'f', 1) + " s";
        ok = child({QStringLiteral("browse"), folder, QString::number(s.scrollRows)}, prefix,
                   table) &&
             ok;
        QDir(folder).removeRecursively();
    }
    if (twat_cache::test::RedisServer::available()) {
        twat_cache::test::RedisServer redis;
        if (redis.start().empty()) {
            QElapsedTimer t;
            t.start();
            if (loadRedis(redis.port(), 1'000'000)) {
                table["redis.load_s"] =
                    QString::number(static_cast<double>(t.elapsed()) / 1000.0, 'f', 1) + " s";
                ok = child({QStringLiteral("redis"), QString::fromStdString(redis.url())}, "redis.",
                           table) &&
                     ok;
            } else {
                ok = false;
            }
        }
    }
    std::printf("\n%-36s %s\n", "measure", "result");
    for (const auto& [name, value] : table) {
        std::printf("%-36s %s\n", qPrintable(name), qPrintable(value));
    }
    std::printf("total %.1f s\n", static_cast<double>(total.elapsed()) / 1000.0);
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char* argv[]) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("twat-cache-bench"));
    QApplication::setApplicationName(QStringLiteral("bench_ui"));
    // Isolated settings and an empty cache root: the bench never touches the user's own.
    QTemporaryDir home;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, home.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, home.path());
    qputenv("TWAT_CACHE_DIR", home.path().toUtf8());
    initUiResources();
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 4 && args.at(1) == QLatin1String("browse")) {
        return browse(args.at(2), args.at(3).toInt());
    }
    if (args.size() == 3 && args.at(1) == QLatin1String("redis")) return redisScan(args.at(2));
    if (args.size() == 1) return all();
    std::fprintf(stderr, "usage: bench_ui [browse <folder> <rows> | redis <url>]\n");
    return 2;
}
