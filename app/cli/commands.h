// The twat-cache subcommands over the inspection layer: list, stats, inspect, analyze, clear,
// prune, expire, persist, the one-entry edits (rename, set-value, hset, ... zrem), info,
// slowlog, and log (what clear, prune and the edits changed).
//
// Exit codes (documented in --help): 0 ok, 1 error (cache unreadable, not found, I/O, or
// some entries of a clear/prune that could not be deleted, a cancelled run),
// 2 usage (bad arguments), 3 refused (a destructive command without --yes when not on a
// terminal, a declined confirmation, or a read-only cache).
//
// Thread safety: used by main() on one thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "twat_cache/inspect.h"

namespace twat_cache::cli {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRefused = 3;

// Options shared by every subcommand, and the exit code the chosen one sets.
struct CliState {
    std::string root;             // --root; default: the twat_cache cache root
    bool json = false;            // --json
    bool dry_run = false;         // --dry-run
    bool yes = false;             // --yes
    bool read_only = false;       // --read-only: never delete
    bool verbose = false;         // --verbose
    std::string separator = ":";  // --separator: Redis namespace separator
    // --tls-ca, --tls-cert, --tls-key, --tls-insecure: TLS options of a Redis URL target
    // (they make a redis:// URL rediss://).
    std::string tls_ca, tls_cert, tls_key;
    bool tls_insecure = false;
    // --ssh user@host[:port], --ssh-key, --ssh-known-hosts, --ssh-accept-new: an SSH tunnel
    // for a Redis URL target (ssh=, ssh_key=, ssh_known_hosts=, ssh_accept_new=1).
    std::string ssh, ssh_key, ssh_known_hosts;
    bool ssh_accept_new = false;
    int exit_code = kExitOk;
};

// Plans, previews, asks (or needs --yes), and executes a clear or prune; returns the exit
// code. `what` names the action in messages ("delete", "prune", "set the TTL of").
int runMaintenance(const CliState& state, const std::string& target, PlanRequest request,
                   const std::string& what);

// `inspect --entry ID --page`: prints one page of the entry's value (Source::valuePage).
int runValuePage(const CliState& state, Source& src, const std::string& entry,
                 const ValueQuery& query);

// Adds the global options and the inspection subcommands to `app`.
void addInspectCommands(CLI::App& app, CliState& state);

// Adds `expire` and `persist`: set or remove the TTL of the entries named by --key or
// matching --match, as a plan like clear's.
void addEditCommands(CLI::App& app, CliState& state);
// Adds the one-entry edits: rename, set-value, and the members of Redis hashes (hset, hdel),
// lists (lpush, rpush, lset, lrem), sets (sadd, srem) and sorted sets (zadd, zrem).
void addMemberCommands(CLI::App& app, CliState& state);

// Adds `analyze`: the census of a cache (twat_cache/analysis.h).
void addAnalyzeCommand(CLI::App& app, CliState& state);

// Adds `info` and `slowlog`: a Redis server's own figures and its slow log (read-only).
void addServerCommands(CLI::App& app, CliState& state);

// Adds `log`: the deletion audit log (twat_cache/audit_log.h), newest last.
void addLogCommand(CLI::App& app, CliState& state);

}  // namespace twat_cache::cli
