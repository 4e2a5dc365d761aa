// SecretStore: Redis passwords in the system keyring (qtkeychain), never in QSettings.
//
// Every secret is also kept in this object's memory for the session, so a connection keeps
// working when no keyring is available (headless machines, CI): the password is then
// forgotten when the inspector quits, and backendAvailable() says so. Keyring jobs are
// asynchronous; results arrive as signals.
//
// Thread safety: GUI thread only.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace twat_cache::ui {

class SecretStore : public QObject {
    Q_OBJECT

  public:
    enum class Backend { kUnknown, kAvailable, kUnavailable };

    explicit SecretStore(QString service, QObject* parent = nullptr);

    Backend backend() const { return m_backend; }
    QString backendMessage() const { return m_backendMessage; }

    // Finds out whether a keyring answers (emits backendChecked).
    void checkBackend();
    // Keeps `secret` for the session and writes it to the keyring when one is available.
    void store(const QString& account, const QString& secret);
    // Answers from the session first, else from the keyring (emits loaded).
    void load(const QString& account);
    void remove(const QString& account);
    // Keeps `secret` for this session only (the user declined the keyring).
    void keepForSession(const QString& account, const QString& secret) {
        m_session.insert(account, secret);
    }
    QString sessionSecret(const QString& account) const { return m_session.value(account); }

  signals:
    void backendChecked(twat_cache::ui::SecretStore::Backend backend, const QString& message);
    // `persisted`: written to the keyring (false: kept for this session only).
    void stored(const QString& account, bool persisted, const QString& message);
    void loaded(const QString& account, const QString& secret, bool found);

  private:
    // Records what a failed job says about the keyring.
    void noteJobError(int error, const QString& text);

    QString m_service;
    QHash<QString, QString> m_session;
    Backend m_backend = Backend::kUnknown;
    QString m_backendMessage;
};

}  // namespace twat_cache::ui
