// SourceSessions: the sources open in the window. Each has its own SourceClient (a worker
// thread), opened on first use — a Redis source with the password kept for the session —
// and reused while the window is open; read-only mode switches them all. A source that is
// removed, or that could not be opened, is closed without waiting for its worker, so that
// choosing it again opens it afresh. The replies of every client are passed on with the
// client they came from; the window keeps those of the source it shows.
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
    // `secrets` (not owned) gives the session's Redis passwords.
    SourceSessions(SecretStore* secrets, QObject* parent = nullptr);
    // Closes every client (each waits for its worker's current request).
    ~SourceSessions() override;

    // A stable key for `ref` (its kind and location), e.g. for per-source state.
    static QString keyOf(const SourceRef& ref);

    // The client of `ref`, opened now (read-only as asked) if it was not open.
    SourceClient* client(const SourceRef& ref, bool readOnly);
    // The client of `ref` if it is open, else nullptr.
    SourceClient* find(const SourceRef& ref) const;
    // Closes the client of `ref`, if any (see SourceClient::closeLater); the pointer must
    // not be used afterwards.
    void close(const SourceRef& ref);
    // Reopens every open source read-only, or writable again.
    void setReadOnly(bool readOnly);

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
};

}  // namespace twat_cache::ui
