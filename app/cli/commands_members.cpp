// One entry changed in place, named by its key: rename, set-value (a string), and the members
// of Redis hashes (hset, hdel), lists (lpush, rpush, lset, lrem), sets (sadd, srem) and
// sorted sets (zadd, zrem), through Source::edit. Each change is confirmed like a deletion
// (a prompt on a terminal, else --yes), shown without change by --dry-run, refused by
// --read-only, and recorded in the audit log.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli_format.h"
#include "cli_target.h"
#include "commands.h"

namespace twat_cache::cli {
using nlohmann::json;

namespace {

// Bytes as a message shows them: printable and bounded.
std::string quoted(const std::string& bytes) {
    return "'" + terminalSafe(bytes, 80) + "'";
}

// What the edit will do, in words ("set field 'f' of 'user:1'").
std::string describe(const EditRequest& r) {
    const std::string key = quoted(r.entry_id);
    const std::string at = r.index ? std::to_string(*r.index) : std::string();
    switch (r.action) {
        case EditAction::kRename:
            return "rename " + key + " to " + quoted(r.new_key);
        case EditAction::kSetValue:
            return "replace the value of " + key + " with " + std::to_string(r.value.size()) +
                   " bytes";
        case EditAction::kHashSet:
            return "set field " + quoted(r.member) + " of " + key + " to " + quoted(r.value);
        case EditAction::kHashDelete:
            return "remove field " + quoted(r.member) + " from " + key;
        case EditAction::kListPushHead:
            return "insert " + quoted(r.value) + " at the head of " + key;
        case EditAction::kListPushTail:
            return "append " + quoted(r.value) + " to " + key;
        case EditAction::kListSet:
            return "set element " + at + " of " + key + " to " + quoted(r.value);
        case EditAction::kListRemove:
            return r.index ? "remove element " + at + " from " + key
                           : "remove the first " + quoted(r.member) + " from " + key;
        case EditAction::kSetAdd:
            return "add " + quoted(r.member) + " to " + key;
        case EditAction::kZsetAdd: {
            std::ostringstream score;
            score << r.score;
            return "give " + quoted(r.member) + " of " + key + " the score " + score.str();
        }
        default:
            return "remove " + quoted(r.member) + " from " + key;
    }
}

// Opens TARGET, asks (or needs --yes), edits; returns the exit code.
int runEdit(const CliState& state, const std::string& target, const EditRequest& request) {
    auto src = openTarget(state, target, state.read_only);
    if (!src.ok()) return fail(src.status());
    const std::string what = describe(request);
    if (Status s = (*src)->supportsEdit(request.action); !s.ok()) return fail(s);
    if (state.dry_run) {
        if (state.json) {
            printJson({{"action", editActionName(request.action)}, {"dry_run", true}});
        } else {
            std::printf("would %s in %s\n", what.c_str(), (*src)->info().name.c_str());
        }
        return kExitOk;
    }
    if (!state.yes && !(*src)->readOnly()) {
        if (!stdinIsTerminal()) {
            std::fprintf(stderr, "twat-cache: refusing to %s without --yes (not a terminal)\n",
                         what.c_str());
            return kExitRefused;
        }
        std::fprintf(stderr, "%s in %s? [y/N] ", what.c_str(), (*src)->info().name.c_str());
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") return kExitRefused;
    }
    auto done = (*src)->edit(request);
    if (!done.ok()) return fail(done.status());
    const EntrySummary& e = done->entry;
    if (state.json) {
        printJson(
            {{"action", editActionName(request.action)},
             {"dry_run", false},
             {"id", e.id},
             {"type", e.type},
             {"length", optionalJson(e.length)},
             {"expires", timeJson(e.expires_ms)},
             {"audit_error", done->audit_error.empty() ? json(nullptr) : json(done->audit_error)}});
    } else {
        std::printf("done: %s%s\n", what.c_str(),
                    e.length && !e.type.empty()
                        ? (" (" + e.type + " of " + std::to_string(*e.length) + ")").c_str()
                        : "");
    }
    if (!done->audit_error.empty()) {
        std::fprintf(stderr, "twat-cache: warning: not recorded in the audit log: %s\n",
                     terminalSafe(done->audit_error).c_str());
    }
    return kExitOk;
}

// The arguments every edit command takes, and the parts some of them add.
struct EditArgs {
    std::string target;
    EditRequest request;
    std::string score;  // zadd: kept as text to say what was wrong with it
    std::optional<std::int64_t> index;
    std::optional<std::string> expect, element, valueText, file;
};

CLI::App* addEdit(CLI::App& app, const std::string& name, const std::string& help,
                  EditAction action, EditArgs& args) {
    args.request.action = action;
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("TARGET", args.target, "Cache name, path or Redis URL")->required();
    cmd->add_option("KEY", args.request.entry_id, "The entry (its id: the Redis key name)")
        ->required();
    return cmd;
}

// The whole of the file `path` into `out`; false when it cannot be opened or read (a folder,
// an I/O error), rather than a partial value.
bool readWholeFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    try {
        out.assign(std::istreambuf_iterator<char>(in), {});  // throws on a read error
    } catch (const std::exception&) {
        return false;
    }
    return !in.bad();
}

void usage(CliState& state, const std::string& message) {
    std::fprintf(stderr, "twat-cache: %s\n", message.c_str());
    state.exit_code = kExitUsage;
}

}  // namespace

void addMemberCommands(CLI::App& app, CliState& state) {
    const auto run = [&state](const std::shared_ptr<EditArgs>& a) {
        return [&state, a] { state.exit_code = runEdit(state, a->target, a->request); };
    };

    auto rn = std::make_shared<EditArgs>();
    addEdit(app, "rename", "Rename a Redis key (never over an existing one)", EditAction::kRename,
            *rn)
        ->add_option("NEWKEY", rn->request.new_key, "The new key name")
        ->required();
    app.get_subcommand("rename")->callback(run(rn));

    auto sv = std::make_shared<EditArgs>();
    auto* setValue = addEdit(app, "set-value", "Replace a Redis string's value (its TTL stays)",
                             EditAction::kSetValue, *sv);
    auto* valueOpt = setValue->add_option("--value", sv->valueText, "The new value (text)");
    setValue->add_option("--file", sv->file, "Read the new value (bytes) from this file")
        ->excludes(valueOpt);
    setValue->callback([&state, sv] {
        if (!sv->valueText && !sv->file) return usage(state, "needs --value TEXT or --file F");
        if (sv->valueText) {
            sv->request.value = *sv->valueText;
        } else {
            if (!readWholeFile(*sv->file, sv->request.value)) {
                return usage(state, "--file: cannot read " + *sv->file +
                                        " (it is not a readable file): nothing was changed");
            }
        }
        state.exit_code = runEdit(state, sv->target, sv->request);
    });

    struct Simple {
        const char* name;
        const char* help;
        EditAction action;
        const char* first;   // the member's or field's name (nullptr: none)
        const char* second;  // the value's or element's name (nullptr: none)
    };
    static constexpr Simple kSimple[] = {
        {"hset", "Set a field of a Redis hash (added when new)", EditAction::kHashSet, "FIELD",
         "VALUE"},
        {"hdel", "Remove a field of a Redis hash", EditAction::kHashDelete, "FIELD", nullptr},
        {"lpush", "Insert an element at the head of a Redis list", EditAction::kListPushHead,
         nullptr, "ELEMENT"},
        {"rpush", "Append an element to a Redis list", EditAction::kListPushTail, nullptr,
         "ELEMENT"},
        {"sadd", "Add a member to a Redis set", EditAction::kSetAdd, "MEMBER", nullptr},
        {"srem", "Remove a member of a Redis set", EditAction::kSetRemove, "MEMBER", nullptr},
        {"zrem", "Remove a member of a Redis sorted set", EditAction::kZsetRemove, "MEMBER",
         nullptr},
    };
    for (const Simple& s : kSimple) {
        auto a = std::make_shared<EditArgs>();
        auto* cmd = addEdit(app, s.name, s.help, s.action, *a);
        if (s.first != nullptr) cmd->add_option(s.first, a->request.member)->required();
        if (s.second != nullptr) cmd->add_option(s.second, a->request.value)->required();
        cmd->callback(run(a));
    }

    auto ls = std::make_shared<EditArgs>();
    auto* lset = addEdit(app, "lset", "Replace the element at an index of a Redis list",
                         EditAction::kListSet, *ls);
    lset->add_option("INDEX", ls->index, "0 is the first element, -1 the last")->required();
    lset->add_option("ELEMENT", ls->request.value, "The new element")->required();
    lset->add_option("--expect", ls->expect, "Only if the element there is still this one");
    lset->callback([&state, ls] {
        ls->request.index = ls->index;
        ls->request.expected = ls->expect;
        state.exit_code = runEdit(state, ls->target, ls->request);
    });

    auto lr = std::make_shared<EditArgs>();
    auto* lrem = addEdit(app, "lrem",
                         "Remove an element of a Redis list: the first equal to ELEMENT, or the "
                         "one at --index",
                         EditAction::kListRemove, *lr);
    auto* element = lrem->add_option("ELEMENT", lr->element, "Remove the first element equal");
    lrem->add_option("--index", lr->index, "Remove the element at this index")->excludes(element);
    lrem->add_option("--expect", lr->expect, "With --index: only if the element is this one");
    lrem->callback([&state, lr] {
        if (!lr->element && !lr->index) return usage(state, "needs ELEMENT or --index N");
        if (lr->expect && !lr->index) return usage(state, "--expect needs --index");
        lr->request.member = lr->element.value_or("");
        lr->request.index = lr->index;
        lr->request.expected = lr->expect;
        state.exit_code = runEdit(state, lr->target, lr->request);
    });

    auto za = std::make_shared<EditArgs>();
    auto* zadd = addEdit(app, "zadd", "Add a member to a Redis sorted set, or change its score",
                         EditAction::kZsetAdd, *za);
    zadd->add_option("SCORE", za->score, "A number (inf and -inf too)")->required();
    zadd->add_option("MEMBER", za->request.member)->required();
    zadd->callback([&state, za] {
        char* end = nullptr;
        const double score = std::strtod(za->score.c_str(), &end);
        if (za->score.empty() || end != za->score.c_str() + za->score.size() || std::isnan(score)) {
            return usage(state, "SCORE: '" + za->score + "' is not a number");
        }
        za->request.score = score;
        state.exit_code = runEdit(state, za->target, za->request);
    });
}

}  // namespace twat_cache::cli
