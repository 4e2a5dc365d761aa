// twat-cache: list, inspect and clean caches from the command line.
#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
    CLI::App app{"twat-cache: inspect and maintain twat-cache, diskcache, joblib and Redis caches",
                 "twat-cache"};
    app.set_version_flag("--version", std::string("twat-cache ") + TWAT_CACHE_VERSION);
    CLI11_PARSE(app, argc, argv);
    std::printf("%s", app.help().c_str());
    return 0;
}
