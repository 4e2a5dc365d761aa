// RedisDialog: a new (or edited) saved Redis connection — a name, a colour, the namespace
// separator and the production flag; a URL, or host/port/db, a unix socket or Sentinels;
// user and password; TLS and SSH tunnel options (SecurityFields) — with a "Test connection"
// button. The test is the core's: the inspection
// layer opens the server read-only and reads its statistics (testRedisConnection), on a pool
// thread, never the GUI thread; the dialog shows "Testing…" and then the server's version and
// key count, or what went wrong in plain words (describeRedisFailure: "No such host: h",
// "Connection refused by 127.0.0.1:6399", "Wrong user name or password for …"), growing to
// fit the message rather than squeezing the fields. OK tests a connection not tested yet
// first; a connection whose test failed is added only if the user says so. The password goes
// to the SecretStore (system keyring, or this session only when there is none), never to
// QSettings nor into a stored URL; so does the SSH password or key passphrase. Both are
// kept under the connection's accounts (secretAccount), and an edited connection's secrets
// are shown again from there.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>
#include <QFutureWatcher>
#include <QSet>
#include <functional>

#include "workers/redis_endpoint.h"
#include "workers/source_types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace twat_cache::ui {

class SecretStore;
class SecurityFields;

class RedisDialog : public QDialog {
    Q_OBJECT

  public:
    enum class Mode { kUrl, kHost, kSocket, kSentinel };

    // `secrets` may be null (then the password lives in the returned SourceRef only).
    explicit RedisDialog(SecretStore* secrets, QWidget* parent = nullptr);
    ~RedisDialog() override;

    void setMode(Mode mode);
    Mode mode() const;
    // Fills the fields from a URL (switches to the URL tab).
    void setUrl(const QString& url);
    void setHost(const QString& host, int port, int db);
    void setSocket(const QString& path, int db);
    void setCredentials(const QString& user, const QString& password);
    // Separator of key namespaces in the sidebar's namespace tree (default ":").
    void setSeparator(const QString& separator);
    // Sentinels ("host:port, …") and the service whose master to connect to.
    void setSentinels(const QString& sentinels, const QString& service, int db);
    void setName(const QString& name);
    void setColor(const QString& color);
    void setProduction(bool production);
    void setSshPassword(const QString& password);
    // Edits the saved connection `ref`: fills every field (its secrets from the SecretStore)
    // and keeps its id, so that its secrets stay its own.
    void setConnection(const SourceRef& ref);

    // The endpoint the fields describe, or why they do not describe one.
    Result<RedisEndpoint> endpoint() const;
    // The connection to add: URL without the password, the password alongside; its id, name,
    // colour, separator and production flag.
    SourceRef sourceRef() const;
    // The SSH password or key passphrase (kept in the SecretStore, never in a URL).
    QString sshPassword() const;

    // Starts a connection test off the GUI thread (emits testFinished). Each connect and
    // command waits at most `testTimeoutMs()`.
    void testConnection();
    void setTestTimeoutMs(int ms) { m_testTimeoutMs = ms; }
    int testTimeoutMs() const { return m_testTimeoutMs; }
    bool isTesting() const { return m_watcher.isRunning(); }
    QString resultText() const;
    QString keyringText() const;

  signals:
    void testFinished(bool ok, const QString& message);

  public slots:
    // Adds the connection: at once when its test passed; after the test when it was not
    // tested yet; after asking when the test failed.
    void accept() override;

  private:
    struct ProbeOutcome {
        QString url;  // what was tested (RedisEndpoint::coreUrl)
        bool ok = false;
        QString message;
    };
    void showResult(bool ok, const QString& message);
    // Stores the passwords as asked and closes the dialog.
    void finishAccept();
    // Calls `show` with the secret of `account` once the SecretStore has it.
    void showSecret(const QString& account, const std::function<void(const QString&)>& show);

    SecretStore* m_secrets;
    QString m_id;                  // the connection's id (secretAccount)
    QSet<QString> m_shownSecrets;  // accounts whose secret an edit showed
    QLineEdit* m_name;
    QComboBox* m_color;
    QCheckBox* m_production;
    QLineEdit* m_separator;
    QTabWidget* m_tabs;
    QLineEdit* m_url;
    QLineEdit* m_host;
    QSpinBox* m_port;
    QSpinBox* m_hostDb;
    QLineEdit* m_socket;
    QSpinBox* m_socketDb;
    QLineEdit* m_sentinels;
    QLineEdit* m_service;
    QSpinBox* m_sentinelDb;
    SecurityFields* m_security;
    QLineEdit* m_user;
    QLineEdit* m_password;
    QCheckBox* m_remember;
    QLabel* m_keyring;
    QPushButton* m_testButton;
    QLabel* m_result;
    QFutureWatcher<ProbeOutcome> m_watcher;
    int m_testTimeoutMs = 3000;
    // The last finished test, to tell whether OK adds a connection known to fail.
    QString m_testedUrl;
    bool m_testedOk = false;
    bool m_acceptWhenTested = false;  // OK was pressed while the test ran
};

}  // namespace twat_cache::ui
