// clear, prune, expire and persist: plan, preview, ask, then execute in batches with progress
// and Ctrl-C.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli_format.h"
#include "cli_target.h"
#include "commands.h"

namespace twat_cache::cli {
using nlohmann::json;

namespace {

std::atomic<bool> g_cancel{false};
extern "C" void onInterrupt(int) {
    g_cancel.store(true);
}

std::string sizeText(const PlanPreview& pv) {
    return pv.bytes_known ? humanSize(pv.bytes) : std::string("size not measured");
}

}  // namespace

int runMaintenance(const CliState& state, const std::string& target, PlanRequest request,
                   const std::string& what) {
    auto src = openTarget(state, target, state.dry_run || state.read_only);
    if (!src.ok()) return fail(src.status());
    // --yes (or a "y" at the prompt below) is the explicit confirmation a whole-database
    // clear on Redis needs.
    request.confirmed = state.yes;
    auto plan = (*src)->plan(request);
    if (!plan.ok()) return fail(plan.status());
    const PlanPreview* pvp = &(*plan)->preview();
    if (!pvp->note.empty() && !state.json)
        std::fprintf(stderr, "twat-cache: %s\n", pvp->note.c_str());
    const std::string name = (*src)->info().name;
    // expire and persist change entries in place: they count updates, not deletions.
    const bool inPlace = request.action == PlanRequest::Action::kSetTtl;
    const auto doneOf = [inPlace](const ExecuteResult& r) {
        return inPlace ? r.updated : r.deleted;
    };
    auto report = [&](const ExecuteResult& r, bool dryRun) {
        if (state.json) {
            printJson(
                {{"matched", r.matched},
                 {"bytes", pvp->bytes_known ? json(pvp->bytes) : json(nullptr)},
                 {"deleted", r.deleted},
                 {"updated", r.updated},
                 {"bytes_freed", r.bytes_freed},
                 {"bytes_known", pvp->bytes_known},
                 {"note", pvp->note},
                 {"dry_run", dryRun},
                 {"cancelled", r.cancelled},
                 {"refused", r.refused},
                 {"changed", r.changed},
                 {"audit_error", r.audit_error.empty() ? json(nullptr) : json(r.audit_error)}});
        } else if (dryRun) {
            if (inPlace) {
                std::printf("would %s %llu entries of %s\n", what.c_str(),
                            static_cast<unsigned long long>(pvp->count), name.c_str());
            } else {
                std::printf("would %s %llu entries (%s) from %s\n", what.c_str(),
                            static_cast<unsigned long long>(pvp->count), sizeText(*pvp).c_str(),
                            name.c_str());
            }
            for (const auto& e : pvp->sample)
                std::printf("  %s  %s\n", humanSize(e.size).c_str(),
                            terminalSafe(e.key_text, Table::kMaxCellChars).c_str());
            if (pvp->count > pvp->sample.size())
                std::printf("  ... and %llu more\n",
                            static_cast<unsigned long long>(pvp->count - pvp->sample.size()));
        } else if (inPlace) {
            std::printf(
                "updated %llu of %llu entries%s\n", static_cast<unsigned long long>(r.updated),
                static_cast<unsigned long long>(r.matched), r.cancelled ? " (cancelled)" : "");
            if (r.changed > 0) {
                std::printf("kept %llu entries that changed since the preview\n",
                            static_cast<unsigned long long>(r.changed));
            }
        } else {
            std::printf("deleted %llu of %llu entries, freed %s%s\n",
                        static_cast<unsigned long long>(r.deleted),
                        static_cast<unsigned long long>(r.matched),
                        humanSize(r.bytes_freed).c_str(), r.cancelled ? " (cancelled)" : "");
            if (r.changed > 0) {
                std::printf("kept %llu entries that changed since the preview\n",
                            static_cast<unsigned long long>(r.changed));
            }
        }
        if (!r.audit_error.empty()) {
            std::fprintf(stderr, "twat-cache: warning: not recorded in the deletion log: %s\n",
                         terminalSafe(r.audit_error).c_str());
        }
        for (const auto& msg : r.refused)
            std::fprintf(stderr, "twat-cache: refused: %s\n", terminalSafe(msg).c_str());
    };
    if (state.dry_run || state.read_only) {
        ExecuteResult r;
        r.matched = pvp->count;
        report(r, true);
        if (!state.read_only || state.dry_run || pvp->count == 0) return kExitOk;
        std::fprintf(stderr, "twat-cache: read-only (--read-only): nothing was %s\n",
                     inPlace ? "changed" : "deleted");
        return kExitRefused;
    }
    if (pvp->count == 0) {
        report(ExecuteResult{}, false);
        return kExitOk;
    }
    if (!state.yes) {
        if (!stdinIsTerminal()) {
            std::fprintf(
                stderr,
                "twat-cache: refusing to %s %llu entries of %s without --yes (not a terminal)\n",
                what.c_str(), static_cast<unsigned long long>(pvp->count), name.c_str());
            return kExitRefused;
        }
        if (inPlace) {
            std::fprintf(stderr, "%s %llu entries of %s? [y/N] ", what.c_str(),
                         static_cast<unsigned long long>(pvp->count), name.c_str());
        } else {
            std::fprintf(stderr, "%s %llu entries (%s) from %s? [y/N] ", what.c_str(),
                         static_cast<unsigned long long>(pvp->count), sizeText(*pvp).c_str(),
                         name.c_str());
        }
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") return kExitRefused;
        if (request.action == PlanRequest::Action::kClearAll) {
            request.confirmed = true;
            plan = (*src)->plan(request);
            if (!plan.ok()) return fail(plan.status());
            pvp = &(*plan)->preview();
        }
    }
    ProgressBar bar(!state.json && stdoutIsTerminal() && pvp->count > 1000);
    std::signal(SIGINT, onInterrupt);
    auto r = (*plan)->execute(
        [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); }, &g_cancel);
    std::signal(SIGINT, SIG_DFL);
    if (!r.ok()) return fail(r.status());
    report(*r, false);
    if (r->cancelled) return kExitError;
    // A partial failure is a failure: scripts must not read "some could not go" as success.
    const std::uint64_t done = doneOf(*r);
    if (!r->refused.empty() || done < r->matched) {
        if (!state.json) {
            std::fprintf(stderr,
                         "twat-cache: %llu of %llu entries were not %s (%zu refused, %llu changed "
                         "since the preview, the rest already gone)\n",
                         static_cast<unsigned long long>(r->matched - std::min(r->matched, done)),
                         static_cast<unsigned long long>(r->matched),
                         inPlace ? "updated" : "deleted", r->refused.size(),
                         static_cast<unsigned long long>(r->changed));
        }
        if (!r->refused.empty()) return kExitError;
    }
    return kExitOk;
}

}  // namespace twat_cache::cli
