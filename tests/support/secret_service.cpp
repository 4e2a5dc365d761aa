#include "secret_service.h"

#include <signal.h>

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusVariant>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace twat_cache::test {
namespace fs = std::filesystem;
namespace {

const QString kSecrets = QStringLiteral("org.freedesktop.secrets");
const QString kServicePath = QStringLiteral("/org/freedesktop/secrets");
const QString kService = QStringLiteral("org.freedesktop.Secret.Service");
const QString kItem = QStringLiteral("org.freedesktop.Secret.Item");
const QString kProperties = QStringLiteral("org.freedesktop.DBus.Properties");
constexpr const char* kInstall =
    "; install it with `sudo apt-get install gnome-keyring dbus` (scripts/dev.sh test installs "
    "every test dependency)";

QString program(const char* name) {
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

// Stops `process` (SIGTERM, then SIGKILL) and waits for it.
void stop(std::unique_ptr<QProcess>& process) {
    if (!process) return;
    if (process->state() != QProcess::NotRunning) {
        process->terminate();
        if (!process->waitForFinished(5000)) {
            process->kill();
            process->waitForFinished(5000);
        }
    }
    process.reset();
}

// The first argument of `reply`, or an invalid QVariant (with `error` set) when the call
// failed.
QVariant firstArgument(const QDBusMessage& reply, std::string* error) {
    if (reply.type() == QDBusMessage::ErrorMessage || reply.arguments().isEmpty()) {
        if (error)
            *error =
                (reply.errorName() + QStringLiteral(": ") + reply.errorMessage()).toStdString();
        return {};
    }
    return reply.arguments().at(0);
}

}  // namespace

bool SecretService::available() {
    return !program("dbus-daemon").isEmpty() && !program("gnome-keyring-daemon").isEmpty();
}

std::string SecretService::skipReason() {
    if (program("dbus-daemon").isEmpty()) return std::string("dbus-daemon not found") + kInstall;
    return std::string("gnome-keyring-daemon not found") + kInstall;
}

SecretService::SecretService()
    : m_connection(QStringLiteral("twat-cache-test-secret-service")),
      m_previousAddress(qgetenv("DBUS_SESSION_BUS_ADDRESS")),
      m_hadPreviousAddress(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS")) {}

SecretService::~SecretService() {
    QDBusConnection::disconnectFromBus(m_connection);
    stop(m_keyring);
    stop(m_bus);
    if (m_hadPreviousAddress) {
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_previousAddress);
    } else {
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    }
}

std::string SecretService::start() {
    if (!available()) return skipReason();
    if (!m_dir.ok()) return "cannot create a temporary folder";
    const fs::path dir = m_dir.path();
    std::error_code ec;
    for (const char* sub : {"home", "data", "config", "cache", "runtime"}) {
        fs::create_directories(dir / sub, ec);
    }
    fs::permissions(dir / "runtime", fs::perms::owner_all, ec);  // as XDG_RUNTIME_DIR must be
    const std::string socket = (dir / "bus").string();
    {
        // A session bus with no service folders: nothing is started by D-Bus activation.
        std::ofstream conf(dir / "bus.conf");
        conf << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
             << "<busconfig><type>session</type><listen>unix:path=" << socket
             << "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
             << "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>"
             << "<allow own=\"*\"/></policy></busconfig>\n";
    }
    m_address = QStringLiteral("unix:path=") + QString::fromStdString(socket);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const auto sub = [&](const char* name) {
        return QString::fromStdString((dir / name).string());
    };
    env.insert(QStringLiteral("HOME"), sub("home"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), sub("data"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), sub("config"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), sub("cache"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), sub("runtime"));
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_address);
    for (const char* name :
         {"DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK"}) {
        env.remove(QString::fromLatin1(name));
    }

    m_bus = std::make_unique<QProcess>();
    dieWithTheTest(*m_bus);
    m_bus->setProcessEnvironment(env);
    m_bus->setProcessChannelMode(QProcess::MergedChannels);
    m_bus->start(
        program("dbus-daemon"),
        {QStringLiteral("--config-file=") + QString::fromStdString((dir / "bus.conf").string()),
         QStringLiteral("--nofork"), QStringLiteral("--nopidfile")});
    if (!m_bus->waitForStarted(5000)) return std::string("dbus-daemon did not start") + kInstall;

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); };
    while (!fs::exists(socket)) {
        if (m_bus->state() != QProcess::Running || std::chrono::steady_clock::now() > deadline) {
            return "dbus-daemon did not listen: " + m_bus->readAll().toStdString();
        }
        pause();
    }
    qputenv("DBUS_SESSION_BUS_ADDRESS", m_address.toUtf8());

    m_keyring = std::make_unique<QProcess>();
    dieWithTheTest(*m_keyring);
    m_keyring->setProcessEnvironment(env);
    m_keyring->setProcessChannelMode(QProcess::MergedChannels);
    m_keyring->start(program("gnome-keyring-daemon"),
                     {QStringLiteral("--foreground"), QStringLiteral("--components=secrets"),
                      QStringLiteral("--unlock")});
    if (!m_keyring->waitForStarted(5000)) {
        return std::string("gnome-keyring-daemon did not start") + kInstall;
    }
    // --unlock reads the login keyring's password until end of input.
    // (Written out here: no event loop runs to do it later.)
    m_keyring->write("twat-cache-throwaway");
    m_keyring->waitForBytesWritten(5000);
    m_keyring->closeWriteChannel();

    QDBusConnection bus = QDBusConnection::connectToBus(m_address, m_connection);
    if (!bus.isConnected())
        return "cannot connect to the private bus: " + bus.lastError().message().toStdString();
    while (!bus.interface()->isServiceRegistered(kSecrets).value()) {
        if (m_keyring->state() != QProcess::Running) {
            return "gnome-keyring-daemon cannot run here: " + m_keyring->readAll().toStdString();
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return "gnome-keyring-daemon did not own org.freedesktop.secrets within 10 s: " +
                   m_keyring->readAll().toStdString();
        }
        pause();
    }
    if (defaultCollection().isEmpty()) return "gnome-keyring has no default collection";
    return {};
}

QString SecretService::defaultCollection() const {
    QDBusMessage call = QDBusMessage::createMethodCall(kSecrets, kServicePath, kService,
                                                       QStringLiteral("ReadAlias"));
    call << QStringLiteral("default");
    const QVariant path = firstArgument(QDBusConnection(m_connection).call(call), nullptr);
    const QString value = path.value<QDBusObjectPath>().path();
    return value == QLatin1String("/") ? QString() : value;
}

bool SecretService::isLocked() const {
    QDBusMessage call = QDBusMessage::createMethodCall(kSecrets, defaultCollection(), kProperties,
                                                       QStringLiteral("Get"));
    call << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    const QVariant locked = firstArgument(QDBusConnection(m_connection).call(call), nullptr);
    return locked.value<QDBusVariant>().variant().toBool();
}

std::string SecretService::lockDefault() const {
    QDBusMessage call =
        QDBusMessage::createMethodCall(kSecrets, kServicePath, kService, QStringLiteral("Lock"));
    call << QVariant::fromValue(QList<QDBusObjectPath>{QDBusObjectPath(defaultCollection())});
    std::string error;
    firstArgument(QDBusConnection(m_connection).call(call), &error);
    if (error.empty() && !isLocked()) error = "the default collection is still unlocked";
    return error;
}

std::vector<SecretService::Item> SecretService::items(std::string* error) const {
    std::string ignored;
    std::string& why = error ? *error : ignored;
    why.clear();
    QDBusConnection bus(m_connection);
    const auto property = [&](const QString& path, const QString& interface, const char* name) {
        QDBusMessage call =
            QDBusMessage::createMethodCall(kSecrets, path, kProperties, QStringLiteral("Get"));
        call << interface << QString::fromLatin1(name);
        return firstArgument(bus.call(call), &why).value<QDBusVariant>().variant();
    };
    // A "plain" session: the secrets come back unencrypted, over this private connection.
    QDBusMessage open = QDBusMessage::createMethodCall(kSecrets, kServicePath, kService,
                                                       QStringLiteral("OpenSession"));
    open << QStringLiteral("plain") << QVariant::fromValue(QDBusVariant(QString()));
    const QDBusMessage opened = bus.call(open);
    if (opened.type() == QDBusMessage::ErrorMessage || opened.arguments().size() < 2) {
        why = "OpenSession: " + opened.errorMessage().toStdString();
        return {};
    }
    const auto session = opened.arguments().at(1).value<QDBusObjectPath>();
    QList<QDBusObjectPath> paths;
    property(defaultCollection(), QStringLiteral("org.freedesktop.Secret.Collection"), "Items")
            .value<QDBusArgument>() >>
        paths;
    std::vector<Item> found;
    for (const QDBusObjectPath& path : std::as_const(paths)) {
        Item item;
        item.label = property(path.path(), kItem, "Label").toString();
        property(path.path(), kItem, "Attributes").value<QDBusArgument>() >> item.attributes;
        QDBusMessage get = QDBusMessage::createMethodCall(kSecrets, path.path(), kItem,
                                                          QStringLiteral("GetSecret"));
        get << QVariant::fromValue(session);
        std::string locked;
        const QVariant secret = firstArgument(bus.call(get), &locked);
        if (secret.isValid()) {
            // (session, parameters, value, content type)
            const auto argument = secret.value<QDBusArgument>();
            QDBusObjectPath itsSession;
            QByteArray parameters;
            QString contentType;
            argument.beginStructure();
            argument >> itsSession >> parameters >> item.secret >> contentType;
            argument.endStructure();
        }
        found.push_back(std::move(item));
    }
    QDBusMessage close = QDBusMessage::createMethodCall(
        kSecrets, session.path(), QStringLiteral("org.freedesktop.Secret.Session"),
        QStringLiteral("Close"));
    bus.call(close);
    return found;
}

std::vector<SecretService::Item> SecretService::itemsWith(const QString& value) const {
    std::vector<Item> matching;
    for (Item& item : items()) {
        if (std::find(item.attributes.cbegin(), item.attributes.cend(), value) !=
            item.attributes.cend()) {
            matching.push_back(std::move(item));
        }
    }
    return matching;
}

}  // namespace twat_cache::test
