// twat-cache-inspector: QApplication + MainWindow.
//
// Without a display (no DISPLAY or WAYLAND_DISPLAY, and QT_QPA_PLATFORM unset) it says so
// and exits with code 3, which the run script takes as "fall back to the CLI summary".
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

#include "twat_cache/log.h"
#include "views/main_window.h"
#include "views/ui_resources.h"

namespace {

constexpr int kExitNoDisplay = 3;

bool hasDisplay() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

}  // namespace

int main(int argc, char* argv[]) {
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
    parser.addPositionalArgument(QStringLiteral("folder"),
                                 QStringLiteral("Cache folders to open (optional)."),
                                 "[folder...]");
    parser.process(app);

    // The log panel shows the core's messages; info unless TWAT_CACHE_LOG_LEVEL says
    // otherwise (a malformed value is reported by the core and leaves logging off).
    if (qEnvironmentVariableIsEmpty("TWAT_CACHE_LOG_LEVEL")) {
        twat_cache::setLogLevel(twat_cache::LogLevel::kInfo);
    }

    twat_cache::ui::MainWindow window;
    for (const QString& folder : parser.positionalArguments()) {
        window.addSource(twat_cache::ui::folderSourceRef(folder));
    }
    window.show();
    return QApplication::exec();
}
