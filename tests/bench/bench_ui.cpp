// bench_ui: the inspector's responsiveness on large caches, measured on the real MainWindow
// and EntriesModel (offscreen). `bench_ui` alone makes the fixtures, runs each measure in a
// child process (so that each peak RSS is its own) and prints a table; docs/INSPECTOR.md
// has the results and the command. The diskcache fixtures (10k, 1M and 10M entries) are
// kept in bench_ui_fixtures/ beside the program and reused while their parameters match:
// the first run spends about a minute making the 10M one, later runs about two minutes in all.
//
//   bench_ui [--no-fixture-cache]    everything, with a side-by-side table at the end
//   bench_ui --quick                 tiny sizes (1k/10k/100k, 20k Redis keys): the CI smoke
//   bench_ui browse <folder> <rows>  open, time to first rows, scroll until <rows> are loaded
//   bench_ui redis <url>             open, first rows, scan the whole keyspace (namespaces)
//   bench_ui bigkeys <url> <path>    big values (see loadBigKeys): first page, scrolling the
//                                    value pages, saving the string to <path>
//
// UI-thread stalls are measured by a QTimer ticking every 10 ms: the worst gap between two
// ticks, less the 10 ms period, is the longest time the event loop could not run.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "diskcache_fixture.h"
#include "models/entries_model.h"
#include "models/value_page_model.h"
#include "redis_commands.h"
#include "redis_server.h"
#include "test_support.h"
#include "ui_resources.h"
#include "views/details_pane.h"
#include "views/main_window.h"
#include "views/value_table_view.h"
#include "workers/source_client.h"

using namespace twat_cache::ui;

namespace {

constexpr int kTickMs = 10;

// This process's own peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux carries
// that over exec from the forked parent, which holds the generated fixtures' pages.
long peakRssKb() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) return line.mid(6).trimmed().split(' ').value(0).toLong();
    }
    return -1;
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

// The big values of `bench_ui bigkeys`: a hash of `hashFields` fields, a list of
// `listElements` elements and a string of `stringMb` MiB, as keys big:hash, big:list and
// big:string.
struct BigKeys {
    int hashFields = 100'000;
    int listElements = 1'000'000;
    int stringMb = 100;
};

bool loadBigKeys(int port, const BigKeys& big) {
    constexpr int kChunk = 10'000;
    std::vector<std::vector<std::string>> commands;
    for (int from = 0; from < big.hashFields; from += kChunk) {
        std::vector<std::string> hset = {"HSET", "big:hash"};
        for (int i = from; i < std::min(big.hashFields, from + kChunk); ++i) {
            hset.push_back("field:" + std::to_string(i));
            hset.push_back("value of field " + std::to_string(i));
        }
        commands.push_back(std::move(hset));
    }
    for (int from = 0; from < big.listElements; from += kChunk) {
        std::vector<std::string> rpush = {"RPUSH", "big:list"};
        for (int i = from; i < std::min(big.listElements, from + kChunk); ++i) {
            rpush.push_back("element " + std::to_string(i));
        }
        commands.push_back(std::move(rpush));
    }
    std::string value(static_cast<size_t>(big.stringMb) << 20, '\0');
    for (size_t i = 0; i < value.size(); ++i)
        value[i] = static_cast<char>((i * 31 + i / 4096) & 0xff);
    commands.push_back({"SET", "big:string", std::move(value)});
    return twat_cache::test::runRedisCommands(port, commands);
}

// Selects the entry `key` and returns the ms until its first value page is shown (-1: none).
double selectBigKey(MainWindow& window, const QString& key, const QString& type) {
    const QList<EntryRow>& rows = window.entriesModel()->rows();
    int row = -1;
    for (int i = 0; i < rows.size(); ++i) {
        if (rows[i].key == key) row = i;
    }
    if (row < 0) return -1;
    ValuePageModel* pages = window.detailsPane()->pagesView()->model();
    auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
    QElapsedTimer t;
    t.start();
    view->setCurrentIndex(window.entriesModel()->index(row, 0));
    if (!spinUntil([&] { return pages->kind() == type && pages->rowCount() > 0; }, 60000)) {
        return -1;
    }
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    // A string opens on its readable rendering; the user turns to its Pages tab (hex dump).
    if (auto* tabs = window.detailsPane()->findChild<QTabWidget*>()) tabs->setCurrentIndex(1);
    return ms;
}

// Each big key: the time to its first value page, then `pagesToScroll` pages more by
// scrolling the value table to its end, with the worst UI stall meanwhile; then the string
// saved to `savePath`. Prints "<key>.<measure> value unit" lines.
int bigKeys(const QString& url, const QString& savePath, int pagesToScroll) {
    MainWindow window;
    window.resize(1200, 760);
    window.show();
    SourceRef ref;
    ref.kind = SourceKind::kRedis;
    ref.location = url;
    ref.name = QStringLiteral("bigkeys");
    if (timeToFirstRows(window, ref) < 0) return std::fprintf(stderr, "no rows\n"), 1;
    if (!spinUntil([&] { return window.entriesModel()->rowCount() >= 3; }, 60000)) {
        return std::fprintf(stderr, "the big keys did not all show\n"), 1;
    }
    ValueTableView* viewer = window.detailsPane()->pagesView();
    StallProbe probe;
    for (const char* name : {"hash", "list", "string"}) {
        const QString key = QStringLiteral("big:") + QLatin1String(name);
        probe.start();
        const double first = selectBigKey(window, key, QLatin1String(name));
        if (first < 0) return std::fprintf(stderr, "no page of %s\n", qPrintable(key)), 1;
        const int want = viewer->model()->rowCount() * (1 + pagesToScroll);
        QElapsedTimer t;
        t.start();
        spinUntil(
            [&] {
                if (viewer->model()->rowCount() >= want || viewer->model()->complete()) {
                    return true;
                }
                viewer->table()->scrollToBottom();
                return false;
            },
            60000);
        const std::string prefix = std::string(name) + '.';
        result((prefix + "first_page_ms").c_str(), first, "ms");
        result((prefix + "scroll_pages").c_str(), pagesToScroll, "pages");
        result((prefix + "scroll_s").c_str(), static_cast<double>(t.elapsed()) / 1000.0, "s");
        result((prefix + "worst_stall_ms").c_str(), probe.worstStallMs(), "ms");
    }
    // "Save value to file…" on the string, streamed a page at a time by the worker.
    quint64 saved = 0;
    QString error;
    bool finished = false;
    QObject::connect(viewer, &ValueTableView::saveFinished, [&](quint64 bytes, const QString& e) {
        saved = bytes;
        error = e;
        finished = true;
    });
    probe.start();
    QElapsedTimer t;
    t.start();
    viewer->saveTo(savePath);
    if (!spinUntil([&] { return finished; }, 300000) || !error.isEmpty()) {
        return std::fprintf(stderr, "save failed: %s\n", qPrintable(error)), 1;
    }
    result("string.save_s", static_cast<double>(t.elapsed()) / 1000.0, "s");
    result("string.save_mb", static_cast<double>(saved) / (1 << 20), "MiB");
    result("string.save_worst_stall_ms", probe.worstStallMs(), "ms");
    QFile::remove(savePath);
    result("peak_rss_mb", static_cast<double>(peakRssKb()) / 1024.0, "MB");
    return 0;
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

// "10k", "1M", "10M": the column names of the side-by-side table.
QString countName(long long n) {
    if (n >= 1'000'000 && n % 1'000'000 == 0) return QString::number(n / 1'000'000) + 'M';
    if (n >= 1'000 && n % 1'000 == 0) return QString::number(n / 1'000) + 'k';
    return QString::number(n);
}

struct Options {
    std::vector<long long> sizes{10'000, 1'000'000, 10'000'000};
    std::vector<int> scrollRows{5'000, 100'000, 5'000};
    long long redisKeys = 1'000'000;
    BigKeys big;
    QString fixtureDir;  // cached fixtures; empty: a temporary folder
};

int all(const Options& opt) {
    QTemporaryDir work;
    const QString fixtureRoot = opt.fixtureDir.isEmpty() ? work.path() : opt.fixtureDir;
    const bool reuse = !opt.fixtureDir.isEmpty();
    std::map<QString, QString> table;
    bool ok = true;
    QElapsedTimer total;
    total.start();
    QStringList columns;
    for (size_t k = 0; k < opt.sizes.size(); ++k) {
        const long long n = opt.sizes[k];
        const QString name = countName(n);
        columns << name;
        const QString folder = fixtureRoot + QStringLiteral("/diskcache-") + name;
        const auto f = twat_cache::bench::makeDiskcacheFixture(folder.toStdString(), n, reuse,
                                                               twat_cache::bench::benchPython());
        if (!f.ok) return std::fprintf(stderr, "fixture: %s\n", f.error.c_str()), 1;
        const QString prefix = name + '.';
        table[prefix + "fixture_rows"] = QString::number(f.rows);
        table[prefix + (f.reused ? "fixture_reused_s" : "fixture_made_s")] =
            QString::number(f.seconds, 'f', 1);
        ok = child({QStringLiteral("browse"), folder, QString::number(opt.scrollRows[k])}, prefix,
                   table) &&
             ok;
    }
    // Side by side: one row per measure, one column per cache size.
    QStringList measures;
    for (const auto& [key, value] : table) {
        const QString m = key.section('.', 1);
        if (!measures.contains(m)) measures << m;
    }
    std::printf("\n%-28s", "measure");
    for (const QString& c : columns) std::printf(" %12s", qPrintable(c));
    std::printf("\n");
    for (const QString& m : measures) {
        std::printf("%-28s", qPrintable(m));
        for (const QString& c : columns) {
            const auto it = table.find(c + '.' + m);
            // The first word of "name value unit" is the value.
            const QString v =
                it == table.end() ? QStringLiteral("-") : it->second.section(' ', 0, 0);
            std::printf(" %12s", qPrintable(v));
        }
        std::printf("\n");
    }
    std::map<QString, QString> redisTable;
    if (twat_cache::test::RedisServer::available()) {
        twat_cache::test::RedisServer redis;
        if (redis.start().empty()) {
            QElapsedTimer t;
            t.start();
            if (loadRedis(redis.port(), opt.redisKeys)) {
                redisTable["redis.keys"] = QString::number(opt.redisKeys);
                redisTable["redis.load_s"] =
                    QString::number(static_cast<double>(t.elapsed()) / 1000.0, 'f', 1) + " s";
                ok = child({QStringLiteral("redis"), QString::fromStdString(redis.url())}, "redis.",
                           redisTable) &&
                     ok;
            } else {
                ok = false;
            }
        }
    }
    // Big values, on a server of their own (so that the 1M keys above play no part).
    if (twat_cache::test::RedisServer::available()) {
        twat_cache::test::RedisServer redis;
        if (redis.start().empty() && loadBigKeys(redis.port(), opt.big)) {
            redisTable["bigkeys.sizes"] =
                QStringLiteral("hash %1 fields, list %2 elements, string %3 MiB")
                    .arg(opt.big.hashFields)
                    .arg(opt.big.listElements)
                    .arg(opt.big.stringMb);
            ok = child({QStringLiteral("bigkeys"), QString::fromStdString(redis.url()),
                        work.filePath(QStringLiteral("saved-value")), QStringLiteral("20")},
                       "bigkeys.", redisTable) &&
                 ok;
        } else {
            ok = false;
        }
    }
    std::printf("\n%-36s %s\n", "redis measure", "result");
    for (const auto& [name, value] : redisTable) {
        std::printf("%-36s %s\n", qPrintable(name), qPrintable(value));
    }
    std::printf("\ntotal %.1f s\n", static_cast<double>(total.elapsed()) / 1000.0);
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
    if (args.size() == 5 && args.at(1) == QLatin1String("bigkeys")) {
        return bigKeys(args.at(2), args.at(3), args.at(4).toInt());
    }
    Options opt;
    // Generated caches are kept beside the program (the build folder) for the next run.
    opt.fixtureDir = QCoreApplication::applicationDirPath() + QStringLiteral("/bench_ui_fixtures");
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--quick")) {
            // Smoke-test sizes: seconds, not minutes; fixtures in a temporary folder.
            opt.sizes = {1'000, 10'000, 100'000};
            opt.scrollRows = {500, 2'000, 500};
            opt.redisKeys = 20'000;
            opt.big = {.hashFields = 10'000, .listElements = 20'000, .stringMb = 4};
            opt.fixtureDir.clear();
        } else if (args.at(i) == QLatin1String("--no-fixture-cache")) {
            opt.fixtureDir.clear();
        } else {
            std::fprintf(stderr,
                         "usage: bench_ui [--quick] [--no-fixture-cache] | browse <folder> <rows>"
                         " | redis <url> | bigkeys <url> <save-path> <pages>\n");
            return 2;
        }
    }
    return all(opt);
}
