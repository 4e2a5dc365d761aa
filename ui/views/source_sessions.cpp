#include "views/source_sessions.h"

#include "dialogs/secret_store.h"
#include "workers/source_client.h"

namespace twat_cache::ui {

SourceSessions::SourceSessions(QObject* parent)
    : QObject(parent), m_secrets(new SecretStore(QStringLiteral("twat-cache-inspector"), this)) {}

SourceSessions::~SourceSessions() {
    qDeleteAll(m_clients);
}

QString SourceSessions::keyOf(const SourceRef& ref) {
    return QString::number(static_cast<int>(ref.kind)) + QLatin1Char('|') + ref.location;
}

SourceClient* SourceSessions::find(const SourceRef& ref) const {
    return m_clients.value(keyOf(ref));
}

SourceClient* SourceSessions::client(const SourceRef& ref) {
    if (SourceClient* open = find(ref)) return open;
    SourceRef withSecret = ref;
    if (ref.kind == SourceKind::kRedis && withSecret.password.isEmpty()) {
        withSecret.password = m_secrets->sessionSecret(ref.location);
    }
    auto* client = new SourceClient(withSecret, this, m_readOnly);
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
    if (ref.kind == SourceKind::kRedis) m_secrets->remove(ref.location);
    close(ref);
}

void SourceSessions::setReadOnly(bool readOnly) {
    m_readOnly = readOnly;
    for (SourceClient* client : std::as_const(m_clients)) client->setReadOnly(readOnly);
}

}  // namespace twat_cache::ui
