// SourceSessions: the sources open in the window. Each has its own SourceClient (a worker
// thread), opened on first use — a Redis source with the password kept for the session in
// the sessions' SecretStore — and reused while the window is open; read-only mode switches
// them all, and the ones opened later. A source that is removed, or that could not be
// opened, is closed without waiting for its worker, so that choosing it again opens it
// afresh. The replies of every client are passed on with the client they came from; the
// window keeps those of the source it shows.
//
// Thread safety: GUI thread only.
#pragma once

#include <QMap>
#include <QObject>

#include "workers/source_types.h"

namespace twat_cache::ui {

class SecretStore;
class SourceClient;

class SourceSessions : public QObject {
    Q_OBJECT

  public:
    explicit SourceSessions(QObject* parent = nullptr);
    // Closes every client (each waits for its worker's current request).
    ~SourceSessions() override;

    // A stable key for `ref` (its kind and location), e.g. for per-source state.
    static QString keyOf(const SourceRef& ref);

    // The Redis passwords of the session (and those kept in the desktop's keychain).
    SecretStore* secrets() const { return m_secrets; }

    // The client of `ref`, opened now (read-only if the sessions are) if it was not open.
    SourceClient* client(const SourceRef& ref);
    // The client of `ref` if it is open, else nullptr.
    SourceClient* find(const SourceRef& ref) const;
    // Closes the client of `ref`, if any (see SourceClient::closeLater); the pointer must
    // not be used afterwards.
    void close(const SourceRef& ref);
    // Closes the client of `ref` and forgets its Redis password (the user removed it).
    void forget(const SourceRef& ref);
    // Reopens every open source read-only, or writable again.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

  signals:
    void opened(twat_cache::ui::SourceClient* client, const QString& error);
    void reopened(twat_cache::ui::SourceClient* client, bool readOnly, const QString& error);
    void statsReady(twat_cache::ui::SourceClient* client, const twat_cache::ui::SourceStats& stats,
                    const QString& error);
    void detailReady(twat_cache::ui::SourceClient* client,
                     const twat_cache::ui::EntryDetail& detail, const QString& error);
    void namespacesReady(twat_cache::ui::SourceClient* client,
                         const twat_cache::ui::NamespaceReport& report, const QString& error);

  private:
    SecretStore* m_secrets;
    QMap<QString, SourceClient*> m_clients;  // by keyOf(); children of this object
    bool m_readOnly = false;
};

}  // namespace twat_cache::ui
