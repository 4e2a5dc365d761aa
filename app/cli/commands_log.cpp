// log: what clear and prune (and the inspector) deleted, from the audit log.
#include <cstdio>
#include <memory>
#include <string>

#include "cli_format.h"
#include "cli_target.h"
#include "commands.h"
#include "twat_cache/audit_log.h"
#include "twat_cache/clock.h"

namespace twat_cache::cli {
using nlohmann::json;

namespace {

struct LogArgs {
    std::size_t limit = 50;
    std::string file;
};

json recordJson(const AuditRecord& r) {
    return {{"time", isoTimeUtc(r.time_ms)},
            {"time_ms", r.time_ms},
            {"user", r.user},
            {"program", r.program},
            {"pid", r.pid},
            {"host", r.host},
            {"source", r.source},
            {"kind", r.kind},
            {"location", r.location},
            {"action", r.action},
            {"what", r.what},
            {"matched", r.matched},
            {"deleted", r.deleted},
            {"updated", r.updated},
            {"bytes", r.bytes_known ? json(r.bytes) : json(nullptr)},
            {"changed", r.changed},
            {"refused", r.refused},
            {"cancelled", r.cancelled},
            {"error", r.error.empty() ? json(nullptr) : json(r.error)}};
}

std::string outcomeText(const AuditRecord& r) {
    if (!r.error.empty()) return "failed: " + r.error;
    // A plan or edit that changes entries in place (TTLs, names, values) counts those.
    const bool inPlace = r.updated > 0 && r.deleted == 0;
    std::string out = std::to_string(inPlace ? r.updated : r.deleted) + " of " +
                      std::to_string(r.matched) + (inPlace ? " updated" : "");
    if (r.bytes_known && r.bytes > 0) out += ", " + humanSize(r.bytes);
    if (r.changed > 0) out += ", " + std::to_string(r.changed) + " changed";
    if (r.refused > 0) out += ", " + std::to_string(r.refused) + " refused";
    if (r.cancelled) out += ", cancelled";
    return out;
}

int runLog(const CliState& state, const LogArgs& args) {
    const auto path = args.file.empty() ? auditLogPath() : std::filesystem::path(args.file);
    auto log = readAuditLog(path, args.limit);
    if (!log.ok()) return fail(log.status());
    if (state.json) {
        json records = json::array();
        for (const auto& r : log->records) records.push_back(recordJson(r));
        printJson({{"log", path.string()}, {"records", records}, {"skipped_lines", log->skipped}});
        return kExitOk;
    }
    if (log->records.empty()) {
        std::printf("No deletions recorded yet (%s)\n", terminalSafe(path.string()).c_str());
    } else {
        Table table({"time", "who", "cache", "action", "what", "deleted"});
        for (const auto& r : log->records) {
            table.add({isoTimeUtc(r.time_ms), r.user + " (" + r.program + ")", r.source, r.action,
                       r.what, outcomeText(r)});
        }
        table.print(stdout);
    }
    if (log->skipped > 0) {
        std::fprintf(stderr, "twat-cache: %llu lines of %s are not log records (skipped)\n",
                     static_cast<unsigned long long>(log->skipped),
                     terminalSafe(path.string()).c_str());
    }
    return kExitOk;
}

}  // namespace

void addLogCommand(CLI::App& app, CliState& state) {
    auto args = std::make_shared<LogArgs>();
    auto* log = app.add_subcommand(
        "log", "What clear and prune deleted: the deletion log, oldest first (last --limit)");
    log->add_option("--limit", args->limit, "Records to show (default 50)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    log->add_option("--file", args->file, "Read this log instead of the default one");
    log->callback([&state, args] { state.exit_code = runLog(state, *args); });
}

}  // namespace twat_cache::cli
