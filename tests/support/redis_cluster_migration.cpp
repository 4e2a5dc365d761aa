// RedisCluster's slot migration (declared in redis_cluster.h): the steps redis-cli --cluster
// reshard takes for one slot, each on its own so that a test can act between them.
//
// Keys travel through redis-cli as --csv replies (escaped like C strings) and as quoted,
// escaped arguments on its standard input, so that binary keys survive both ways.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

#include "redis_cluster.h"

namespace twat_cache::test {
namespace {

constexpr int kCliTimeoutMs = 10000;
constexpr int kMigrateTimeoutMs = 5000;  // MIGRATE's own bound on each transfer step

// `arg` as one argument of a redis-cli input line: in double quotes, with \" \\ and \xHH.
std::string cliArgument(std::string_view arg) {
    std::string out = "\"";
    for (const char c : arg) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte >= 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof(hex), "\\x%02x", byte);
            out += hex;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The comma-separated items of one line of redis-cli --csv output: quoted strings (escaped as
// by sdscatrepr) and bare words (numbers, NULL, ERROR); nullopt when a quote is not closed.
std::optional<std::vector<std::string>> csvItems(std::string_view line) {
    std::vector<std::string> items;
    std::size_t i = 0;
    while (i < line.size()) {
        std::string item;
        if (line[i] != '"') {
            const std::size_t comma = std::min(line.find(',', i), line.size());
            item = line.substr(i, comma - i);
            i = comma;
        } else {
            bool closed = false;
            for (++i; i < line.size() && !closed; ++i) {
                if (line[i] == '"') {
                    closed = true;
                } else if (line[i] != '\\' || i + 1 >= line.size()) {
                    item += line[i];
                } else if (const char e = line[++i]; e == 'x' && i + 2 < line.size() &&
                                                     hexDigit(line[i + 1]) >= 0 &&
                                                     hexDigit(line[i + 2]) >= 0) {
                    item += static_cast<char>(hexDigit(line[i + 1]) * 16 + hexDigit(line[i + 2]));
                    i += 2;
                } else {
                    const std::string_view from = "nrtab", to = "\n\r\t\a\b";
                    const std::size_t at = from.find(e);
                    item += at == std::string_view::npos ? e : to[at];
                }
            }
            if (!closed) return std::nullopt;
        }
        items.push_back(std::move(item));
        if (i < line.size() && line[i] == ',') ++i;
    }
    return items;
}

}  // namespace

std::string RedisCluster::csvCommand(int port, const std::vector<std::string>& args,
                                     std::vector<std::string>& items) const {
    std::vector<std::string> argv = cliOptions();
    argv.insert(argv.end(), {"--csv", "-h", "127.0.0.1", "-p", std::to_string(port)});
    std::string line;
    for (const std::string& a : args) line += (line.empty() ? "" : " ") + cliArgument(a);
    const ProcessResult run = runProcess(cliProgram(), argv, kCliTimeoutMs, line + "\n");
    const std::string who = "node " + std::to_string(port) + ": " + args.front();
    // One reply is one line; nothing at all means no connection.
    if (!run.finished || run.out.empty()) return who + " got no reply " + run.err;
    auto parsed = csvItems(std::string_view(run.out).substr(0, run.out.find_last_not_of('\n') + 1));
    if (!parsed) return who + " got an unreadable reply: " + run.out;
    if (!parsed->empty() && parsed->front() == "ERROR") {
        return who + " answered " + (parsed->size() > 1 ? (*parsed)[1] : "an error");
    }
    items = std::move(*parsed);
    return {};
}

std::string RedisCluster::beginMigration(int slot, int toPort) {
    if (slot < 0 || slot >= kSlots) return "no slot " + std::to_string(slot);
    if (m_migrations.count(slot) != 0) return "slot " + std::to_string(slot) + " is migrating";
    const int fromPort = masterPortForSlot(slot);
    const NodeProcess* from = nodeOn(fromPort);
    const NodeProcess* to = nodeOn(toPort);
    if (from == nullptr) return "no master serves slot " + std::to_string(slot);
    if (to == nullptr) return "no node on port " + std::to_string(toPort);
    if (from == to) return "slot " + std::to_string(slot) + " is on " + std::to_string(toPort);
    // The target first: a client sent there by ASK must find the slot importing.
    const QString s = QString::number(slot);
    if (auto e = expectOk(toPort, {"CLUSTER", "SETSLOT", s, "IMPORTING", from->id.c_str()});
        !e.empty()) {
        return e;
    }
    if (auto e = expectOk(fromPort, {"CLUSTER", "SETSLOT", s, "MIGRATING", to->id.c_str()});
        !e.empty()) {
        return e;
    }
    m_migrations[slot] = {fromPort, toPort};
    return {};
}

std::string RedisCluster::migrateKeys(int slot, std::size_t maxKeys, std::size_t* moved) {
    if (moved != nullptr) *moved = 0;
    const auto it = m_migrations.find(slot);
    if (it == m_migrations.end()) return "slot " + std::to_string(slot) + " is not migrating";
    const Migration m = it->second;
    std::vector<std::string> keys;
    if (auto e = csvCommand(
            m.from_port,
            {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), std::to_string(maxKeys)}, keys);
        !e.empty()) {
        return e;
    }
    if (keys.empty()) return {};
    std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(m.to_port),
                                     "",        "0",         std::to_string(kMigrateTimeoutMs)};
    if (!m_options.password.empty()) migrate.insert(migrate.end(), {"AUTH", m_options.password});
    migrate.push_back("KEYS");
    migrate.insert(migrate.end(), keys.begin(), keys.end());
    std::vector<std::string> reply;
    if (auto e = csvCommand(m.from_port, migrate, reply); !e.empty()) return e;
    if (reply != std::vector<std::string>{"OK"}) {
        return "node " + std::to_string(m.from_port) + ": MIGRATE did not answer OK";
    }
    if (moved != nullptr) *moved = keys.size();
    return {};
}

std::string RedisCluster::assignMigratedSlot(int slot) {
    const auto it = m_migrations.find(slot);
    if (it == m_migrations.end()) return "slot " + std::to_string(slot) + " is not migrating";
    const Migration m = it->second;
    const QStringList setSlot{"CLUSTER", "SETSLOT", QString::number(slot), "NODE",
                              nodeOn(m.to_port)->id.c_str()};
    // The target first (it bumps its epoch, so the new owner wins everywhere), then the source
    // (which refuses while it still holds keys of the slot), then the other masters.
    for (const int port : {m.to_port, m.from_port}) {
        if (auto e = expectOk(port, setSlot); !e.empty()) return e;
    }
    for (const Node& node : nodes()) {
        const NodeProcess* process = nodeOn(node.port);
        if (!node.master || node.port == m.to_port || node.port == m.from_port ||
            process == nullptr || !running(*process)) {
            continue;
        }
        if (auto e = expectOk(node.port, setSlot); !e.empty()) return e;
    }
    m_migrations.erase(it);
    return {};
}

std::string RedisCluster::finishMigration(int slot) {
    if (auto e = assignMigratedSlot(slot); !e.empty()) return e;
    return waitUntilSettled(std::chrono::seconds(10));
}

std::string RedisCluster::reshard(int fromPort, int toPort, int slotCount) {
    std::vector<int> owned;
    for (const Node& node : nodes()) {
        if (node.port != fromPort || !node.master) continue;
        for (const auto& [first, last] : node.slot_ranges) {
            for (int s = first; s <= last; ++s) owned.push_back(s);
        }
    }
    if (slotCount < 0 || static_cast<std::size_t>(slotCount) > owned.size()) {
        return "node " + std::to_string(fromPort) + " serves " + std::to_string(owned.size()) +
               " slots, not " + std::to_string(slotCount);
    }
    owned.erase(owned.begin(), owned.end() - slotCount);
    for (const int slot : owned) {
        if (auto e = beginMigration(slot, toPort); !e.empty()) return e;
        std::size_t moved = 0;
        do {
            if (auto e = migrateKeys(slot, 1000, &moved); !e.empty()) return e;
        } while (moved > 0);
        if (auto e = assignMigratedSlot(slot); !e.empty()) return e;
    }
    return waitUntilSettled(std::chrono::seconds(30));
}

}  // namespace twat_cache::test
