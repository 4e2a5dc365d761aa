// twat-cache: list, inspect and clean caches from the command line.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "commands.h"

int main(int argc, char** argv) {
    CLI::App app{"twat-cache: inspect and maintain twat-cache, diskcache, joblib and Redis caches",
                 "twat-cache"};
    app.set_version_flag("--version", std::string("twat-cache ") + TWAT_CACHE_VERSION);
    twat_cache::cli::CliState state;
    twat_cache::cli::addInspectCommands(app, state);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : twat_cache::cli::kExitUsage;
    }
    if (app.get_subcommands().empty()) {
        std::printf("%s", app.help().c_str());
        return 0;
    }
    return state.exit_code;
}
