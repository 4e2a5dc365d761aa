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

bool SourceSessions::needsSecretLookup(const SourceRef& ref) const {
    const QString account = secretAccount(ref, SecretKind::kRedisPassword);
    return ref.kind == SourceKind::kRedis && !ref.id.isEmpty() && ref.password.isEmpty() &&
           !m_lookedUp.contains(account) && m_secrets->sessionSecret(account).isEmpty() &&
           m_secrets->backend() != SecretStore::Backend::kUnavailable;
}

void SourceSessions::markSecretKnown(const SourceRef& ref) {
    m_lookedUp.insert(secretAccount(ref, SecretKind::kRedisPassword));
}

void SourceSessions::lookUpSecret(const SourceRef& ref, std::function<void()> then) {
    const QString account = secretAccount(ref, SecretKind::kRedisPassword);
    m_lookedUp.insert(account);
    // One answer for this account, then the connection goes (the context object with it).
    auto* context = new QObject(this);
    connect(m_secrets, &SecretStore::loaded, context,
            [this, context, account, then = std::move(then)](const QString& loaded) {
                if (loaded != account) return;
                const std::function<void()> next = then;  // the connection owns `then`
                disconnect(m_secrets, &SecretStore::loaded, context, nullptr);
                context->deleteLater();
                next();
            });
    m_secrets->load(account);
}

}  // namespace twat_cache::ui
