// SourceSessions: the sources open in the window. Each has its own SourceClient (a worker
// thread), opened on first use — a Redis source with the password kept for the session in
// the sessions' SecretStore — and reused while the window is open; read-only mode switches
// them all, and the ones opened later. A source that is removed, or that could not be
// opened, is closed without waiting for its worker, so that choosing it again opens it
// afresh. The replies of every client are passed on with the client they came from; the
// window keeps those of the source it shows.
//
// A production connection opens read-only even when read-only mode is off, until the user
// unlocks it for the session (setUnlocked); read-only mode still wins over an unlock. A saved
// connection's password is looked up in the keyring once per session before it is opened
// (lookUpSecret), when no password is known for it yet.
//
// Thread safety: GUI thread only.
#pragma once

#include <QMap>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <functional>

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

    // A stable key for `ref` (its kind, location and connection id), e.g. for per-source
    // state.
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
    // Reopens every open source read-only, or writable again (production connections stay
    // read-only unless unlocked).
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }
    // Whether `ref` is opened read-only: read-only mode, or a production connection that was
    // not unlocked.
    bool readOnlyFor(const SourceRef& ref) const;
    // Allows changes to the production connection `ref` for this session (or takes that back)
    // and reopens it if it is open.
    void setUnlocked(const SourceRef& ref, bool unlocked);
    bool isUnlocked(const SourceRef& ref) const { return m_unlocked.contains(keyOf(ref)); }

    // Whether `ref`'s secrets should be read from the keyring before it is opened: a saved
    // Redis connection (with an id) whose password — or, when it tunnels through SSH, whose
    // SSH password — is not known this session nor looked up yet, and a keyring not known
    // to be missing.
    bool needsSecretLookup(const SourceRef& ref) const;
    // Reads `ref`'s passwords (Redis, then SSH when it tunnels) from the keyring into the
    // session, then calls `then` (at once when the keyring is known to be missing).
    void lookUpSecret(const SourceRef& ref, std::function<void()> then);
    // `ref`'s secrets were just entered (the connection dialog): no keyring lookup for it.
    void markSecretKnown(const SourceRef& ref);

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
    // The keyring accounts of `ref`'s secrets: the Redis password's, and the SSH password's
    // when the connection tunnels.
    QStringList secretAccounts(const SourceRef& ref) const;
    // Loads each account in turn, then calls `then`.
    void loadInTurn(QStringList accounts, std::function<void()> then);

    SecretStore* m_secrets;
    QMap<QString, SourceClient*> m_clients;  // by keyOf(); children of this object
    bool m_readOnly = false;
    QSet<QString> m_unlocked;  // keyOf() of production connections allowed to change
    QSet<QString> m_lookedUp;  // secret accounts read from the keyring this session
};

}  // namespace twat_cache::ui
