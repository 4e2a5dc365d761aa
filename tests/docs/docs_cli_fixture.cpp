// docs_cli_fixture: writes the cache the README's command-line examples talk about, a
// SQLite cache named `greetings` with a few entries, into the root named by TWAT_CACHE_DIR.
// Run by tests/docs/run_cli_docs.sh before it runs the documented commands. Single-threaded.

#include <twat_cache/memoize.h>

#include <array>
#include <cstdio>
#include <string>

int main() {
    auto greet = twat_cache::bcache({.name = "greetings"},
                                    [](const std::string& who) { return "hello " + who; });
    if (!greet.ok()) {
        std::fprintf(stderr, "docs_cli_fixture: cannot open the greetings cache\n");
        return 1;
    }
    const std::array<std::string, 3> names{"ada", "grace", "linus"};
    for (const auto& who : names) {
        if ((*greet)(who) != "hello " + who) return 1;
    }
    return 0;
}
