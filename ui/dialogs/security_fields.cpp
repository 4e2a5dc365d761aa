#include "dialogs/security_fields.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>

namespace twat_cache::ui {

SecurityFields::SecurityFields(QWidget* parent)
    : QTabWidget(parent),
      m_tls(new QCheckBox(tr("Use &TLS (rediss://)"), this)),
      m_ca(nullptr),
      m_cert(nullptr),
      m_key(nullptr),
      m_sni(new QLineEdit(this)),
      m_insecure(new QCheckBox(tr("Do not verify the server's certificate (insecure)"), this)),
      m_ssh(new QCheckBox(tr("Connect through an &SSH tunnel"), this)),
      m_sshHost(new QLineEdit(this)),
      m_sshPort(new QSpinBox(this)),
      m_sshUser(new QLineEdit(this)),
      m_sshKey(nullptr),
      m_sshPassword(new QLineEdit(this)),
      m_sshAcceptNew(new QCheckBox(tr("Accept the host key if the host is new"), this)) {
    setObjectName(QStringLiteral("securityFields"));
    m_tls->setObjectName(QStringLiteral("tlsCheck"));
    m_ssh->setObjectName(QStringLiteral("sshCheck"));
    auto* tlsPage = new QWidget(this);
    auto* tlsForm = new QFormLayout(tlsPage);
    tlsForm->addRow(m_tls);
    m_ca = addPathRow(tlsForm, tr("CA certificate:"), tr("CA Certificate"), m_tlsFields);
    m_cert = addPathRow(tlsForm, tr("Client certificate:"), tr("Client Certificate"), m_tlsFields);
    m_key = addPathRow(tlsForm, tr("Client key:"), tr("Client Key"), m_tlsFields);
    m_sni->setPlaceholderText(tr("the host name"));
    tlsForm->addRow(tr("Server name (SNI):"), m_sni);
    tlsForm->addRow(m_insecure);
    m_ca->setPlaceholderText(tr("the system's CA certificates"));
    m_ca->setObjectName(QStringLiteral("caEdit"));
    m_tlsFields << m_sni << m_insecure;
    addTab(tlsPage, tr("TLS"));

    auto* sshPage = new QWidget(this);
    auto* sshForm = new QFormLayout(sshPage);
    sshForm->addRow(m_ssh);
    m_sshHost->setPlaceholderText(QStringLiteral("bastion.example.com"));
    m_sshPort->setRange(1, 65535);
    m_sshPort->setValue(22);
    auto* hostRow = new QHBoxLayout;
    hostRow->addWidget(m_sshHost, 1);
    hostRow->addWidget(m_sshPort);
    sshForm->addRow(tr("SSH host, port:"), hostRow);
    sshForm->addRow(tr("SSH user:"), m_sshUser);
    m_sshKey = addPathRow(sshForm, tr("Private key:"), tr("SSH Private Key"), m_sshFields);
    m_sshKey->setPlaceholderText(tr("the SSH agent's keys"));
    m_sshPassword->setEchoMode(QLineEdit::Password);
    m_sshPassword->setObjectName(QStringLiteral("sshPasswordEdit"));
    sshForm->addRow(tr("Password or passphrase:"), m_sshPassword);
    sshForm->addRow(m_sshAcceptNew);
    m_sshFields << m_sshHost << m_sshPort << m_sshUser << m_sshPassword << m_sshAcceptNew;
    addTab(sshPage, tr("SSH Tunnel"));

    connect(m_tls, &QCheckBox::toggled, this, &SecurityFields::updateEnabled);
    connect(m_ssh, &QCheckBox::toggled, this, &SecurityFields::updateEnabled);
    updateEnabled();
    for (QCheckBox* box : {m_tls, m_insecure, m_ssh, m_sshAcceptNew}) {
        connect(box, &QCheckBox::clicked, this, &SecurityFields::edited);
    }
    for (QLineEdit* edit : {m_ca, m_cert, m_key, m_sni, m_sshHost, m_sshUser, m_sshKey}) {
        connect(edit, &QLineEdit::editingFinished, this, &SecurityFields::edited);
    }
    connect(m_sshPort, &QSpinBox::editingFinished, this, &SecurityFields::edited);
}

QLineEdit* SecurityFields::addPathRow(QFormLayout* form, const QString& label, const QString& title,
                                      QList<QWidget*>& group) {
    auto* edit = new QLineEdit(this);
    auto* browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the file"));
    connect(browse, &QToolButton::clicked, this, [this, edit, title] {
        const QString file = QFileDialog::getOpenFileName(this, title, edit->text());
        if (!file.isEmpty()) edit->setText(file);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(label, row);
    group << edit << browse;
    return edit;
}

void SecurityFields::updateEnabled() {
    const auto enable = [](const QList<QWidget*>& fields, bool on) {
        for (QWidget* field : fields) field->setEnabled(on);
    };
    enable(m_tlsFields, m_tls->isChecked());
    enable(m_sshFields, m_ssh->isChecked());
}

void SecurityFields::setEndpoint(const RedisEndpoint& endpoint) {
    m_tls->setChecked(endpoint.tls.enabled);
    m_ca->setText(endpoint.tls.caFile);
    m_cert->setText(endpoint.tls.certFile);
    m_key->setText(endpoint.tls.keyFile);
    m_sni->setText(endpoint.tls.serverName);
    m_insecure->setChecked(endpoint.tls.insecure);
    m_ssh->setChecked(endpoint.ssh.enabled());
    m_sshHost->setText(endpoint.ssh.host);
    m_sshPort->setValue(endpoint.ssh.port);
    m_sshUser->setText(endpoint.ssh.user);
    m_sshKey->setText(endpoint.ssh.keyFile);
    m_sshAcceptNew->setChecked(endpoint.ssh.acceptNew);
}

void SecurityFields::applyTo(RedisEndpoint& endpoint) const {
    endpoint.tls = {};
    if (m_tls->isChecked() && endpoint.socketPath.isEmpty()) {
        endpoint.tls = {true,
                        m_ca->text().trimmed(),
                        m_cert->text().trimmed(),
                        m_key->text().trimmed(),
                        m_sni->text().trimmed(),
                        m_insecure->isChecked()};
    }
    endpoint.ssh = {};
    if (m_ssh->isChecked() && !m_sshHost->text().trimmed().isEmpty()) {
        endpoint.ssh = {m_sshUser->text().trimmed(), m_sshHost->text().trimmed(),
                        m_sshPort->value(), m_sshKey->text().trimmed(),
                        m_sshAcceptNew->isChecked()};
    }
}

QString SecurityFields::sshPassword() const {
    return m_ssh->isChecked() ? m_sshPassword->text() : QString();
}

void SecurityFields::setSshPassword(const QString& password) {
    m_sshPassword->setText(password);
}

}  // namespace twat_cache::ui
