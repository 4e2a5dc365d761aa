// expire and persist: set or remove the TTL of the entries named by --key or matching --match
// (the whole keyspace), through a kSetTtl plan run like clear's (runMaintenance).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "twat_cache/config.h"

namespace twat_cache::cli {

namespace {

struct TtlArgs {
    std::string target, match, ttl;
    std::vector<std::string> keys;
};

// The subcommand's TARGET, --match and --key (one of the two is required).
CLI::App* addTtlCommand(CLI::App& app, const std::string& name, const std::string& help,
                        TtlArgs& args) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("TARGET", args.target, "Cache name, path or Redis URL")->required();
    auto* match = cmd->add_option("--match", args.match, "Entries whose key matches this glob");
    auto* key = cmd->add_option("--key", args.keys, "This entry (its id: the Redis key name)");
    match->excludes(key);
    return cmd;
}

int runTtl(CliState& state, const TtlArgs& args, std::optional<std::chrono::milliseconds> ttl,
           const std::string& what) {
    if (args.match.empty() == args.keys.empty()) {
        std::fprintf(stderr, "twat-cache: needs --match GLOB or --key KEY\n");
        return kExitUsage;
    }
    PlanRequest req;
    req.action = PlanRequest::Action::kSetTtl;
    req.glob = args.match;
    req.entry_ids = args.keys;
    req.ttl = ttl;
    return runMaintenance(state, args.target, req, what);
}

}  // namespace

void addEditCommands(CLI::App& app, CliState& state) {
    auto ea = std::make_shared<TtlArgs>();
    auto* expire =
        addTtlCommand(app, "expire", "Set the TTL of entries (Redis keys) by name or pattern", *ea);
    expire->add_option("--ttl", ea->ttl, "The time to live (30s, 5m, 1h, 7d)")->required();
    expire->callback([&state, ea] {
        auto ttl = parseDuration(ea->ttl);
        if (!ttl.ok() || ttl->count() <= 0) {
            std::fprintf(stderr, "twat-cache: --ttl: %s\n",
                         ttl.ok() ? "must be more than 0 (remove a TTL with persist)"
                                  : ttl.status().message().c_str());
            state.exit_code = kExitUsage;
            return;
        }
        state.exit_code = runTtl(state, *ea, *ttl, "set a TTL of " + ea->ttl + " on");
    });

    auto pa = std::make_shared<TtlArgs>();
    auto* persist = addTtlCommand(
        app, "persist", "Remove the TTL of entries (Redis keys): they stay until deleted", *pa);
    persist->callback(
        [&state, pa] { state.exit_code = runTtl(state, *pa, std::nullopt, "remove the TTL of"); });
}

}  // namespace twat_cache::cli
