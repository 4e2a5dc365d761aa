#include "views/source_sessions.h"

#include "dialogs/secret_store.h"
#include "models/saved_connection.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

SourceSessions::SourceSessions(QObject* parent)
    : QObject(parent), m_secrets(new SecretStore(QStringLiteral("twat-cache-inspector"), this)) {}

SourceSessions::~SourceSessions() {
    qDeleteAll(m_clients);
}

QString SourceSessions::keyOf(const SourceRef& ref) {
    // Two saved connections to one server (say, one of them production) are two sessions.
    const QString key =
        QString::number(static_cast<int>(ref.kind)) + QLatin1Char('|') + ref.location;
    return ref.id.isEmpty() ? key : key + QLatin1Char('|') + ref.id;
}

SourceClient* SourceSessions::find(const SourceRef& ref) const {
    return m_clients.value(keyOf(ref));
}

SourceClient* SourceSessions::client(const SourceRef& ref) {
    if (SourceClient* open = find(ref)) return open;
    SourceRef withSecret = ref;
    if (ref.kind == SourceKind::kRedis && withSecret.password.isEmpty()) {
        withSecret.password =
            m_secrets->sessionSecret(secretAccount(ref, SecretKind::kRedisPassword));
    }
    if (ref.kind == SourceKind::kRedis && withSecret.sshPassword.isEmpty()) {
        withSecret.sshPassword =
            m_secrets->sessionSecret(secretAccount(ref, SecretKind::kSshPassword));
    }
    auto* client = new SourceClient(withSecret, this, readOnlyFor(ref));
    m_clients.insert(keyOf(ref), client);
    connect(client, &SourceClient::opened, this,
            [this, client](const QString& error) { emit opened(client, error); });
    connect(client, &SourceClient::reopened, this,
            [this, client](bool nowReadOnly, const QString& error) {
                emit reopened(client, nowReadOnly, error);
            });
    connect(client, &SourceClient::statsReady, this,
            [this, client](const SourceStats& stats, const QString& error) {
                emit statsReady(client, stats, error);
            });
    connect(client, &SourceClient::detailReady, this,
            [this, client](const EntryDetail& detail, const QString& error) {
                emit detailReady(client, detail, error);
            });
    connect(client, &SourceClient::namespacesReady, this,
            [this, client](const NamespaceReport& report, const QString& error) {
                emit namespacesReady(client, report, error);
            });
    client->open();
    return client;
}

void SourceSessions::close(const SourceRef& ref) {
    if (SourceClient* client = m_clients.take(keyOf(ref))) client->closeLater();
}

void SourceSessions::forget(const SourceRef& ref) {
    if (ref.kind == SourceKind::kRedis) {
        m_secrets->remove(secretAccount(ref, SecretKind::kRedisPassword));
        m_secrets->remove(secretAccount(ref, SecretKind::kSshPassword));
    }
    m_unlocked.remove(keyOf(ref));
    close(ref);
}

bool SourceSessions::readOnlyFor(const SourceRef& ref) const {
    return m_readOnly || (ref.production && !isUnlocked(ref));
}

void SourceSessions::setReadOnly(bool readOnly) {
    m_readOnly = readOnly;
    for (SourceClient* client : std::as_const(m_clients)) {
        client->setReadOnly(readOnlyFor(client->ref()));
    }
}

void SourceSessions::setUnlocked(const SourceRef& ref, bool unlocked) {
    if (unlocked) {
        m_unlocked.insert(keyOf(ref));
    } else {
        m_unlocked.remove(keyOf(ref));
    }
    if (SourceClient* client = find(ref)) client->setReadOnly(readOnlyFor(ref));
}

namespace {

// Whether a saved connection goes through an SSH tunnel (its URL has the ssh= option).
bool usesSsh(const SourceRef& ref) {
    return ref.location.contains(QLatin1String("?ssh=")) ||
           ref.location.contains(QLatin1String("&ssh="));
}

}  // namespace

QStringList SourceSessions::secretAccounts(const SourceRef& ref) const {
    QStringList accounts{secretAccount(ref, SecretKind::kRedisPassword)};
    if (usesSsh(ref)) accounts << secretAccount(ref, SecretKind::kSshPassword);
    return accounts;
}

bool SourceSessions::needsSecretLookup(const SourceRef& ref) const {
    if (ref.kind != SourceKind::kRedis || ref.id.isEmpty() ||
        m_secrets->backend() == SecretStore::Backend::kUnavailable) {
        return false;
    }
    const QStringList accounts = secretAccounts(ref);
    for (const QString& account : accounts) {
        if (m_lookedUp.contains(account) || !m_secrets->sessionSecret(account).isEmpty()) {
            continue;
        }
        if (account == accounts.front() && !ref.password.isEmpty()) continue;  // given
        return true;
    }
    return false;
}

void SourceSessions::markSecretKnown(const SourceRef& ref) {
    for (const QString& account : secretAccounts(ref)) m_lookedUp.insert(account);
}

void SourceSessions::lookUpSecret(const SourceRef& ref, std::function<void()> then) {
    // The Redis password, then the SSH one when the connection tunnels, one after the other.
    QStringList accounts = secretAccounts(ref);
    for (const QString& account : accounts) m_lookedUp.insert(account);
    loadInTurn(std::move(accounts), std::move(then));
}

void SourceSessions::loadInTurn(QStringList accounts, std::function<void()> then) {
    if (accounts.isEmpty()) {
        then();
        return;
    }
    const QString account = accounts.takeFirst();
    // One answer for this account, then the connection goes (the context object with it).
    auto* context = new QObject(this);
    connect(m_secrets, &SecretStore::loaded, context,
            [this, context, account, rest = std::move(accounts),
             then = std::move(then)](const QString& loaded) {
                if (loaded != account) return;
                QStringList left = rest;  // the connection owns its captures
                std::function<void()> next = then;
                disconnect(m_secrets, &SecretStore::loaded, context, nullptr);
                context->deleteLater();
                loadInTurn(std::move(left), std::move(next));
            });
    m_secrets->load(account);
}

}  // namespace twat_cache::ui
