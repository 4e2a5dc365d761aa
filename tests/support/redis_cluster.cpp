#include "redis_cluster.h"

#include <QStandardPaths>
#include <QUrl>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "redis_server.h"
#include "test_support.h"

namespace twat_cache::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kCommandTimeoutMs = 5000;
constexpr milliseconds kPollInterval{50};

std::string program(const char* name) {
    const std::string debian = std::string("/usr/bin/") + name;
    if (std::filesystem::exists(debian)) return debian;
    return QStandardPaths::findExecutable(name).toStdString();
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

// `count` distinct loopback ports that were free a moment ago; empty if the kernel has none.
std::vector<int> distinctFreePorts(std::size_t count) {
    std::set<int> seen;
    std::vector<int> ports;
    for (int tries = 0; ports.size() < count && tries < 100; ++tries) {
        const int port = freeLoopbackPort();
        if (port < 0) return {};
        if (seen.insert(port).second) ports.push_back(port);
    }
    return ports.size() == count ? ports : std::vector<int>{};
}

// One line of CLUSTER NODES: <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent>
// <pong-recv> <config-epoch> <link-state> <slot or first-last> ... Slots being imported or
// migrated appear as "[slot-<-id]" and "[slot->-id]" and are left out.
struct NodeLine {
    RedisCluster::Node node;
    std::string flags;
    std::string link;
};

std::vector<NodeLine> parseClusterNodes(const std::string& text) {
    std::vector<NodeLine> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        NodeLine n;
        std::string address, pingSent, pongReceived, epoch;
        if (!(fields >> n.node.id >> address >> n.flags >> n.node.master_id >> pingSent >>
              pongReceived >> epoch >> n.link)) {
            continue;
        }
        const std::size_t colon = address.rfind(':', address.find('@'));
        if (colon != std::string::npos) n.node.port = std::atoi(address.c_str() + colon + 1);
        n.node.master = contains(n.flags, "master");
        n.node.failed = contains(n.flags, "fail");
        if (n.node.master_id == "-") n.node.master_id.clear();
        std::string range;
        while (fields >> range) {
            if (range.empty() || range[0] == '[') continue;
            const std::size_t dash = range.find('-');
            const int first = std::atoi(range.c_str());
            const int last =
                dash == std::string::npos ? first : std::atoi(range.c_str() + dash + 1);
            n.node.slot_ranges.emplace_back(first, last);
        }
        out.push_back(std::move(n));
    }
    return out;
}

// "id master first-last ...;" or "id replica-of id;" for every node in `ids`, in id order:
// equal for two views that agree on the roles of these nodes and on the slot map.
std::string topologyText(const std::vector<NodeLine>& view, const std::set<std::string>& ids) {
    std::map<std::string, std::string> byId;
    for (const NodeLine& n : view) {
        if (ids.count(n.node.id) == 0) continue;
        std::string& text = byId[n.node.id];
        text = n.node.master ? " master" : " replica-of " + n.node.master_id;
        for (const auto& [first, last] : n.node.slot_ranges) {
            text += " " + std::to_string(first) + "-" + std::to_string(last);
        }
    }
    std::string text;
    for (const auto& [id, node] : byId) text += id + node + ";";
    return text;
}

}  // namespace

bool RedisCluster::available() {
    return RedisServer::available() && !cliProgram().empty();
}

std::string RedisCluster::skipReason() {
    return "redis-server or redis-cli not found; install them with `sudo apt-get install "
           "redis-server redis-tools` (scripts/dev.sh run installs every test dependency)";
}

std::string RedisCluster::cliProgram() {
    return program("redis-cli");
}

RedisCluster::RedisCluster() : RedisCluster(Options{}) {}

RedisCluster::RedisCluster(Options options) : m_options(std::move(options)) {}

RedisCluster::~RedisCluster() {
    // Nothing is kept on disk, so there is nothing to shut down cleanly.
    for (NodeProcess& node : m_nodes) {
        if (node.process) node.process->kill();
    }
    for (NodeProcess& node : m_nodes) {
        if (node.process) node.process->waitForFinished(5000);
    }
}

std::vector<std::string> RedisCluster::cliOptions() const {
    std::vector<std::string> options;
    if (tls()) options.insert(options.end(), {"--tls", "--cacert", m_options.tls_ca});
    if (!m_options.password.empty()) {
        options.insert(options.end(), {"-a", m_options.password, "--no-auth-warning"});
    }
    return options;
}

std::string RedisCluster::urlScheme() const {
    std::string scheme = tls() ? "rediss://" : "redis://";
    if (!m_options.password.empty()) {
        const QByteArray escaped =
            QUrl::toPercentEncoding(QString::fromStdString(m_options.password));
        scheme += ":" + escaped.toStdString() + "@";
    }
    return scheme;
}

std::string RedisCluster::urlQuery() const {
    return tls() ? "?ca=" + queryPath(m_options.tls_ca) : "";
}

std::vector<int> RedisCluster::ports() const {
    std::vector<int> ports;
    for (const NodeProcess& node : m_nodes) ports.push_back(node.port);
    return ports;
}

std::string RedisCluster::seedUrl(int node) const {
    const int port = m_nodes.at(static_cast<std::size_t>(node)).port;
    return urlScheme() + "127.0.0.1:" + std::to_string(port) + urlQuery();
}

std::string RedisCluster::seedListUrl() const {
    std::string hosts;
    for (const NodeProcess& node : m_nodes) {
        hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(node.port);
    }
    return urlScheme() + hosts + urlQuery();
}

const RedisCluster::NodeProcess* RedisCluster::nodeOn(int port) const {
    const auto it = std::find_if(m_nodes.begin(), m_nodes.end(),
                                 [port](const NodeProcess& node) { return node.port == port; });
    return it == m_nodes.end() ? nullptr : &*it;
}

RedisCluster::NodeProcess* RedisCluster::nodeOn(int port) {
    return const_cast<NodeProcess*>(std::as_const(*this).nodeOn(port));
}

bool RedisCluster::running(const NodeProcess& node) const {
    return node.process && node.process->state() != QProcess::NotRunning;
}

std::string RedisCluster::command(int port, const QStringList& args) const {
    std::vector<std::string> argv = cliOptions();
    argv.insert(argv.end(), {"-h", "127.0.0.1", "-p", std::to_string(port)});
    for (const QString& a : args) argv.push_back(a.toStdString());
    return runProcess(cliProgram(), argv, kCommandTimeoutMs).out;
}

std::string RedisCluster::expectOk(int port, const QStringList& args) const {
    const std::string reply = command(port, args);
    if (reply == "OK\n") return {};
    return "node " + std::to_string(port) + ": " + args.join(' ').toStdString() + " answered \"" +
           reply.substr(0, reply.find_last_not_of('\n') + 1) + "\"";
}

std::string RedisCluster::launch(NodeProcess& node) const {
    const auto arg = [](const std::string& p) { return QString::fromStdString(p); };
    QStringList args{"--bind", "127.0.0.1", "--daemonize", "no", "--dir", arg(node.dir.string())};
    args += {"--save", "", "--appendonly", "no"};
    args += {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"};
    args += {"--cluster-port", QString::number(node.bus_port), "--cluster-node-timeout",
             QString::number(m_options.node_timeout_ms)};
    // Redis 7 waits 5 s for more replicas before a diskless full sync.
    args += {"--repl-diskless-sync-delay", "0"};
    if (tls()) {
        args += {"--port", "0", "--tls-port", QString::number(node.port)};
        args +=
            {"--tls-cert-file", arg(m_options.tls_cert), "--tls-key-file", arg(m_options.tls_key)};
        args += {"--tls-ca-cert-file", arg(m_options.tls_ca), "--tls-auth-clients", "no"};
        args += {"--tls-cluster", "yes", "--tls-replication", "yes"};
        if (!m_options.tls_client_cert.empty()) {
            args += {"--tls-client-cert-file", arg(m_options.tls_client_cert),
                     "--tls-client-key-file", arg(m_options.tls_client_key)};
        }
    } else {
        args += {"--port", QString::number(node.port)};
    }
    if (!m_options.password.empty()) {
        args += {"--requirepass", arg(m_options.password), "--masterauth", arg(m_options.password)};
    }
    for (const std::string& a : m_options.extra_args) args << arg(a);
    auto process = std::make_unique<QProcess>();
    const QString log = QString::fromStdString((node.dir / "redis.log").string());
    process->setStandardOutputFile(log, QIODevice::Append);
    process->setStandardErrorFile(log, QIODevice::Append);
    dieWithTheTest(*process);
    process->start(QString::fromStdString(program("redis-server")), args);
    if (!process->waitForStarted(10000)) return "could not start redis-server";
    node.process = std::move(process);
    return {};
}

std::string RedisCluster::waitForPing(const NodeProcess& node) const {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
        if (command(node.port, {"PING"}) == "PONG\n") return {};
        if (!running(node)) break;
        node.process->waitForFinished(20);  // a bounded pause that also notices an early exit
    }
    return "node " + std::to_string(node.port) + " did not answer PING (see " +
           (node.dir / "redis.log").string() + ")";
}

std::string RedisCluster::start() {
    if (!available()) return skipReason();
    if (!m_dir.ok()) return "cannot create a temporary folder";
    if (m_options.masters < 3) return "a cluster needs at least 3 masters";
    if (!m_nodes.empty()) return "the cluster was started before";
    const auto count =
        static_cast<std::size_t>(m_options.masters * (1 + m_options.replicas_per_master));
    // Each node needs a bus port of its own: the default (port + 10000) may be taken or
    // beyond 65535.
    const std::vector<int> ports = distinctFreePorts(2 * count);
    if (ports.empty()) return "no free loopback ports";
    m_nodes.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        NodeProcess& node = m_nodes[i];
        node.port = ports[2 * i];
        node.bus_port = ports[2 * i + 1];
        node.dir = m_dir.path() / ("node-" + std::to_string(node.port));
        std::error_code ec;
        if (!std::filesystem::create_directory(node.dir, ec)) {
            return "cannot create " + node.dir.string();
        }
        if (std::string e = launch(node); !e.empty()) return e;
    }
    std::vector<std::string> create = cliOptions();
    create.insert(create.end(), {"--cluster", "create"});
    for (NodeProcess& node : m_nodes) {
        if (std::string e = waitForPing(node); !e.empty()) return e;
        node.id = command(node.port, {"CLUSTER", "MYID"});
        node.id.erase(node.id.find_last_not_of('\n') + 1);
        create.push_back("127.0.0.1:" + std::to_string(node.port));
    }
    create.insert(create.end(), {"--cluster-replicas",
                                 std::to_string(m_options.replicas_per_master), "--cluster-yes"});
    // It waits, without end, for the nodes to meet on the cluster bus.
    const ProcessResult made = runProcess(cliProgram(), create, 30000);
    if (!made.finished || made.exitCode != 0 || !contains(made.out, "All 16384 slots covered")) {
        return "redis-cli --cluster create failed (" + made.err + made.out +
               "); with TLS, can the nodes' client certificate authenticate clients? See " +
               (m_dir.path() / "node-*" / "redis.log").string();
    }
    return waitUntilSettled(std::chrono::seconds(30));
}

std::string RedisCluster::unsettled() const {
    std::set<std::string> liveIds;
    for (const NodeProcess& node : m_nodes) {
        if (running(node)) liveIds.insert(node.id);
    }
    std::optional<std::string> agreed;
    for (const NodeProcess& node : m_nodes) {
        if (!running(node)) continue;
        const std::string who = "node " + std::to_string(node.port);
        if (!contains(command(node.port, {"CLUSTER", "INFO"}), "cluster_state:ok")) {
            return who + " does not say cluster_state:ok";
        }
        const std::vector<NodeLine> view =
            parseClusterNodes(command(node.port, {"CLUSTER", "NODES"}));
        // Views agree once gossip has spread every role (redis-cli --cluster create returns
        // before the others hear that a node is a replica) and every slot's owner.
        const std::string topology = topologyText(view, liveIds);
        if (!agreed) agreed = topology;
        if (topology != *agreed) {
            return who + " disagrees with another node on the roles or the slot map";
        }
        bool replica = false;
        std::set<std::string> reachable;
        for (const NodeLine& n : view) {
            if (!n.node.slot_ranges.empty() && liveIds.count(n.node.id) == 0) {
                return who + " has slots served by " + n.node.id + ", which is not running";
            }
            const bool unreachable = n.node.failed || contains(n.flags, "handshake") ||
                                     contains(n.flags, "noaddr") || n.link != "connected";
            if (!unreachable) reachable.insert(n.node.id);
            if (contains(n.flags, "myself")) replica = !n.node.master;
        }
        for (const std::string& id : liveIds) {
            if (reachable.count(id) == 0) return who + " does not see node " + id + " as up";
        }
        if (replica &&
            !contains(command(node.port, {"INFO", "replication"}), "master_link_status:up")) {
            return who + " is a replica whose link to its master is not up";
        }
    }
    return {};
}

std::string RedisCluster::waitUntilSettled(milliseconds limit) const {
    const auto deadline = Clock::now() + limit;
    while (true) {
        const std::string why = unsettled();
        if (why.empty()) return {};
        if (Clock::now() >= deadline) {
            return "the cluster did not settle within " + std::to_string(limit.count()) +
                   " ms: " + why;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

std::vector<RedisCluster::Node> RedisCluster::nodes() const {
    for (const NodeProcess& node : m_nodes) {
        if (!running(node)) continue;
        std::vector<NodeLine> view = parseClusterNodes(command(node.port, {"CLUSTER", "NODES"}));
        if (view.empty()) continue;
        std::vector<Node> out;
        for (NodeLine& n : view) out.push_back(std::move(n.node));
        return out;
    }
    return {};
}

int RedisCluster::masterPortForSlot(int slot) const {
    for (const Node& node : nodes()) {
        if (!node.master || node.failed) continue;
        for (const auto& [first, last] : node.slot_ranges) {
            if (first <= slot && slot <= last) return node.port;
        }
    }
    return -1;
}

int RedisCluster::keySlot(const std::string& key) const {
    for (const NodeProcess& node : m_nodes) {
        if (!running(node)) continue;
        const std::string reply =
            command(node.port, {"CLUSTER", "KEYSLOT", QString::fromStdString(key)});
        if (!reply.empty() && std::isdigit(static_cast<unsigned char>(reply[0]))) {
            return std::atoi(reply.c_str());
        }
    }
    return -1;
}

void RedisCluster::killNode(int port) {
    NodeProcess* node = nodeOn(port);
    if (node == nullptr || !node->process) return;
    node->process->kill();
    node->process->waitForFinished(5000);
    node->process.reset();
}

std::string RedisCluster::waitForFailover(int deadPort, milliseconds limit) {
    const NodeProcess* node = nodeOn(deadPort);
    if (node == nullptr) return "no node on port " + std::to_string(deadPort);
    if (running(*node)) return "node " + std::to_string(deadPort) + " still runs";
    // Settled means every slot is served by a running master, so not by the dead one.
    return waitUntilSettled(limit);
}

std::string RedisCluster::restartNode(int port) {
    NodeProcess* node = nodeOn(port);
    if (node == nullptr) return "no node on port " + std::to_string(port);
    killNode(port);
    if (std::string e = launch(*node); !e.empty()) return e;
    if (std::string e = waitForPing(*node); !e.empty()) return e;
    return waitUntilSettled(std::chrono::seconds(30));
}

RedisCluster::Options tlsClusterOptions(const std::filesystem::path& pki, std::string password) {
    RedisCluster::Options o;
    o.password = std::move(password);
    o.tls_cert = (pki / "server.pem").string();
    o.tls_key = (pki / "server.key").string();
    o.tls_ca = (pki / "ca.pem").string();
    o.tls_client_cert = (pki / "client.pem").string();
    o.tls_client_key = (pki / "client.key").string();
    return o;
}

}  // namespace twat_cache::test
