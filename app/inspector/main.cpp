// twat-cache-inspector: QApplication + MainWindow.
//
// Without a display (no DISPLAY or WAYLAND_DISPLAY, and QT_QPA_PLATFORM unset) it says so
// and exits with code 3, which the run script takes as "fall back to the CLI summary".
// When the cache root is missing or empty it first writes a small demo cache there
// (`--write-demo` does only that, without a display). `--read-only` starts in read-only mode.
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>
#include <cstring>

#include "twat_cache/log.h"
#include "views/main_window.h"
#include "views/ui_resources.h"
#include "workers/demo_cache.h"
#include "workers/source_adapter.h"

namespace {

constexpr int kExitNoDisplay = 3;

bool hasDisplay() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

}  // namespace

// --write-demo: writes the demo cache into an empty or missing cache root and exits (no
// display needed; the run script uses it before the CLI summary).
int writeDemo() {
    const QString root = twat_cache::ui::defaultCacheRoot();
    auto wrote = twat_cache::ui::ensureDemoCache(root);
    if (!wrote.ok()) {
        std::fprintf(stderr, "twat-cache-inspector: demo cache in %s: %s\n", qPrintable(root),
                     wrote.status().toString().c_str());
        return 1;
    }
    std::fprintf(stderr, "twat-cache-inspector: %s\n",
                 *wrote
                     ? qPrintable(QStringLiteral("wrote the demo cache %1 into the empty root %2")
                                      .arg(QLatin1String(twat_cache::ui::kDemoCacheName), root))
                     : qPrintable(root + QStringLiteral(" is not empty: no demo cache written")));
    return 0;
}

int main(int argc, char* argv[]) {
    if (argc == 2 && std::strcmp(argv[1], "--write-demo") == 0) return writeDemo();
    if (!hasDisplay()) {
        std::fputs(
            "twat-cache-inspector needs a display: set DISPLAY or WAYLAND_DISPLAY (or "
            "QT_QPA_PLATFORM=offscreen); use `twat-cache` for a command-line summary.\n",
            stderr);
        return kExitNoDisplay;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("twat-cache"));
    QApplication::setApplicationName(QStringLiteral("twat-cache-inspector"));
    QApplication::setApplicationDisplayName(QStringLiteral("twat-cache inspector"));
    QApplication::setApplicationVersion(QStringLiteral(TWAT_CACHE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("twat-cache-inspector"));
    twat_cache::ui::initUiResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/twat-cache-inspector.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Browse caches, read their statistics and clean them safely."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption readOnly(
        QStringLiteral("read-only"),
        QStringLiteral("Start in read-only mode: every source is opened read-only by the core, "
                       "which refuses every change."));
    parser.addOption(readOnly);
    parser.addPositionalArgument(QStringLiteral("folder"),
                                 QStringLiteral("Cache folders to open (optional)."),
                                 "[folder...]");
    parser.process(app);

    // The log panel shows the core's messages; info unless TWAT_CACHE_LOG_LEVEL says
    // otherwise (a malformed value is reported by the core and leaves logging off).
    if (qEnvironmentVariableIsEmpty("TWAT_CACHE_LOG_LEVEL")) {
        twat_cache::setLogLevel(twat_cache::LogLevel::kInfo);
    }

    // A first-time user sees something: discovery writes a small demo cache into an empty
    // or missing cache root (off the GUI thread, before it scans).
    twat_cache::ui::MainWindow window(nullptr, /*demoWhenEmpty=*/true);
    // Before any source is opened, so that none is ever opened writable.
    if (parser.isSet(readOnly)) window.setReadOnly(true);
    for (const QString& folder : parser.positionalArguments()) {
        window.addSource(twat_cache::ui::folderSourceRef(folder));
    }
    window.show();
    return QApplication::exec();
}
