// twat-cache-inspector: QApplication + MainWindow.
//
// The command line is parsed first, under a plain QCoreApplication when there is no display,
// so --help, --version and --write-demo work over ssh too. Without a display (no DISPLAY or
// WAYLAND_DISPLAY, and QT_QPA_PLATFORM unset) it then says so and exits with code 3, which
// the run script takes as "fall back to the CLI summary". When the cache root is missing or
// empty it first writes a small demo cache there (`--write-demo` does only that).
// `--read-only` starts in read-only mode.
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>
#include <memory>

#include "demo_cache.h"
#include "twat_cache/log.h"
#include "ui_resources.h"
#include "views/main_window.h"
#include "workers/source_adapter.h"

namespace {

constexpr int kExitNoDisplay = 3;

bool hasDisplay() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

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

}  // namespace

int main(int argc, char* argv[]) {
    const bool display = hasDisplay();
    // A QApplication needs a display; the parser only needs a QCoreApplication.
    std::unique_ptr<QCoreApplication> app = display
                                                ? std::make_unique<QApplication>(argc, argv)
                                                : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("twat-cache"));
    QCoreApplication::setApplicationName(QStringLiteral("twat-cache-inspector"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TWAT_CACHE_VERSION));

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
    const QCommandLineOption writeDemoOption(
        QStringLiteral("write-demo"),
        QStringLiteral("Write the demo cache into an empty or missing cache root and exit "
                       "(no display needed)."));
    parser.addOption(writeDemoOption);
    parser.addPositionalArgument(QStringLiteral("folder"),
                                 QStringLiteral("Cache folders to open (optional)."),
                                 "[folder...]");
    parser.process(*app);  // --help and --version print and exit here
    if (parser.isSet(writeDemoOption)) return writeDemo();
    if (!display) {
        std::fputs(
            "twat-cache-inspector needs a display: set DISPLAY or WAYLAND_DISPLAY (or "
            "QT_QPA_PLATFORM=offscreen); use `twat-cache` for a command-line summary.\n",
            stderr);
        return kExitNoDisplay;
    }

    QApplication::setApplicationDisplayName(QStringLiteral("twat-cache inspector"));
    QApplication::setDesktopFileName(QStringLiteral("twat-cache-inspector"));
    twat_cache::ui::initUiResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/twat-cache-inspector.svg")));

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
