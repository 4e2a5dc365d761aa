// SecurityFields: the TLS and SSH tunnel settings of a Redis connection, as two tabs of the
// connection dialog. They become options of the connection's URL (RedisEndpoint: rediss://,
// ca=, cert=, key=, sni=, insecure=1; ssh=user@host:port, ssh_key=, ssh_accept_new=1); TLS
// and the tunnel themselves are the core's. The SSH password or key passphrase is a secret:
// it is never part of a URL (the dialog keeps it in the SecretStore).
//
// Thread safety: GUI thread only.
#pragma once

#include <QTabWidget>

#include "workers/redis_endpoint.h"

class QCheckBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

namespace twat_cache::ui {

class SecurityFields : public QTabWidget {
    Q_OBJECT

  public:
    explicit SecurityFields(QWidget* parent = nullptr);

    // Shows the TLS and SSH settings of `endpoint`.
    void setEndpoint(const RedisEndpoint& endpoint);
    // Writes the settings shown into `endpoint` (TLS is off for a unix socket).
    void applyTo(RedisEndpoint& endpoint) const;

    QString sshPassword() const;
    void setSshPassword(const QString& password);

  signals:
    // The user changed a TLS or SSH setting (not emitted by setEndpoint).
    void edited();

  private:
    // A path field with a "…" button that picks a file; both join `group` (enabled together).
    QLineEdit* addPathRow(QFormLayout* form, const QString& label, const QString& title,
                          QList<QWidget*>& group);
    void updateEnabled();

    QCheckBox* m_tls;
    QLineEdit* m_ca;
    QLineEdit* m_cert;
    QLineEdit* m_key;
    QLineEdit* m_sni;
    QCheckBox* m_insecure;
    QCheckBox* m_ssh;
    QLineEdit* m_sshHost;
    QSpinBox* m_sshPort;
    QLineEdit* m_sshUser;
    QLineEdit* m_sshKey;
    QLineEdit* m_sshPassword;
    QCheckBox* m_sshAcceptNew;
    QList<QWidget*> m_tlsFields;
    QList<QWidget*> m_sshFields;
};

}  // namespace twat_cache::ui
