#include "dialogs/redis_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <utility>

#include "dialogs/secret_store.h"
#include "dialogs/security_fields.h"
#include "models/saved_connection.h"
#include "workers/failure_text.h"
#include "workers/source_adapter.h"

namespace twat_cache::ui {
namespace {

QSpinBox* makeSpin(QWidget* parent, int max, int value) {
    auto* spin = new QSpinBox(parent);
    spin->setRange(0, max);
    spin->setValue(value);
    return spin;
}

}  // namespace

RedisDialog::RedisDialog(SecretStore* secrets, QWidget* parent)
    : QDialog(parent),
      m_secrets(secrets),
      m_id(newConnectionId()),
      m_name(new QLineEdit(this)),
      m_color(new QComboBox(this)),
      m_production(new QCheckBox(tr("P&roduction: open read-only, mark the window"), this)),
      m_separator(new QLineEdit(QStringLiteral(":"), this)),
      m_tabs(new QTabWidget(this)),
      m_url(new QLineEdit(this)),
      m_host(new QLineEdit(QStringLiteral("127.0.0.1"), this)),
      m_port(makeSpin(this, 65535, 6379)),
      m_hostDb(makeSpin(this, 1 << 16, 0)),
      m_socket(new QLineEdit(this)),
      m_socketDb(makeSpin(this, 1 << 16, 0)),
      m_sentinels(new QLineEdit(this)),
      m_service(new QLineEdit(this)),
      m_sentinelDb(makeSpin(this, 1 << 16, 0)),
      m_security(new SecurityFields(this)),
      m_user(new QLineEdit(this)),
      m_password(new QLineEdit(this)),
      m_remember(new QCheckBox(tr("Remember the passwords in the system keyring"), this)),
      m_keyring(new QLabel(this)),
      m_testButton(new QPushButton(tr("&Test Connection"), this)),
      m_result(new QLabel(this)) {
    setObjectName(QStringLiteral("redisDialog"));
    setWindowTitle(tr("New Redis Connection"));
    m_url->setPlaceholderText(QStringLiteral("redis://user@host:6379/0"));
    m_url->setToolTip(
        tr("redis://, rediss:// (TLS), redis+sentinel://h1:p1,h2:p2/SERVICE/db "
           "or unix:///path?db=N; TLS and SSH options may follow (?ca=…&ssh=…)"));
    m_sentinels->setPlaceholderText(QStringLiteral("10.0.0.1:26379, 10.0.0.2:26379"));
    m_service->setPlaceholderText(QStringLiteral("mymaster"));
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_production->setObjectName(QStringLiteral("productionCheck"));
    m_production->setToolTip(
        tr("A production connection opens read-only (changes can be "
           "allowed for one session) and colours the window while shown"));
    m_color->setObjectName(QStringLiteral("colorCombo"));
    for (const auto& [colorName, color] : connectionColors()) {
        m_color->addItem(colorSwatch(color), colorName, color);
    }
    m_socket->setPlaceholderText(QStringLiteral("/run/redis/redis-server.sock"));
    m_password->setEchoMode(QLineEdit::Password);
    m_remember->setObjectName(QStringLiteral("rememberCheck"));
    m_remember->setChecked(true);
    m_keyring->setWordWrap(true);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* urlPage = new QWidget(this);
    auto* urlForm = new QFormLayout(urlPage);
    urlForm->addRow(tr("&URL:"), m_url);
    auto* hostPage = new QWidget(this);
    auto* hostForm = new QFormLayout(hostPage);
    hostForm->addRow(tr("&Host:"), m_host);
    hostForm->addRow(tr("&Port:"), m_port);
    hostForm->addRow(tr("&Database:"), m_hostDb);
    auto* socketPage = new QWidget(this);
    auto* socketForm = new QFormLayout(socketPage);
    socketForm->addRow(tr("&Socket:"), m_socket);
    socketForm->addRow(tr("D&atabase:"), m_socketDb);
    auto* sentinelPage = new QWidget(this);
    auto* sentinelForm = new QFormLayout(sentinelPage);
    sentinelForm->addRow(tr("Senti&nels:"), m_sentinels);
    sentinelForm->addRow(tr("Ser&vice:"), m_service);
    sentinelForm->addRow(tr("Data&base:"), m_sentinelDb);
    m_tabs->addTab(urlPage, tr("URL"));
    m_tabs->addTab(hostPage, tr("Host"));
    m_tabs->addTab(socketPage, tr("Unix Socket"));
    m_tabs->addTab(sentinelPage, tr("Sentinel"));

    auto* credentials = new QFormLayout;
    credentials->addRow(tr("&Name:"), m_name);
    credentials->addRow(tr("&Colour:"), m_color);
    m_separator->setObjectName(QStringLiteral("separatorEdit"));
    m_separator->setMaxLength(8);
    credentials->addRow(tr("Namespace se&parator:"), m_separator);
    credentials->addRow(m_production);
    auto* auth = new QFormLayout;
    auth->addRow(tr("U&ser:"), m_user);
    auth->addRow(tr("Pass&word:"), m_password);
    auth->addRow(m_remember);
    auth->addRow(m_keyring);

    // Extra height goes below the fields, not into the tabs.
    m_tabs->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_security->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    setMinimumWidth(560);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->addButton(m_testButton, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(credentials);
    layout->addWidget(m_tabs);
    layout->addLayout(auth);
    layout->addWidget(m_security);
    layout->addWidget(m_result);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &RedisDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RedisDialog::reject);
    connect(m_testButton, &QPushButton::clicked, this, &RedisDialog::testConnection);
    // A URL carries its TLS and SSH options: the URL tab and the TLS and SSH tabs show the
    // same settings, whichever was edited last.
    connect(m_url, &QLineEdit::editingFinished, this, [this] {
        if (auto parsed = parseRedisUrl(m_url->text()); parsed.ok())
            m_security->setEndpoint(*parsed);
    });
    connect(m_security, &SecurityFields::edited, this, [this] {
        auto parsed = parseRedisUrl(m_url->text());
        if (mode() != Mode::kUrl || !parsed.ok()) return;
        if (m_password->text().isEmpty()) m_password->setText(parsed->password);
        m_security->applyTo(*parsed);
        m_url->setText(parsed->urlWithoutPassword());
    });
    connect(&m_watcher, &QFutureWatcher<ProbeOutcome>::finished, this, [this] {
        const ProbeOutcome outcome = m_watcher.result();
        m_testedUrl = outcome.url;
        m_testedOk = outcome.ok;
        showResult(outcome.ok, outcome.message);
        if (std::exchange(m_acceptWhenTested, false) && isVisible()) accept();
    });

    if (m_secrets) {
        m_keyring->setText(tr("Checking the system keyring…"));
        connect(m_secrets, &SecretStore::backendChecked, this,
                [this](SecretStore::Backend backend, const QString& message) {
                    m_keyring->setText(message);
                    m_remember->setEnabled(backend == SecretStore::Backend::kAvailable);
                    if (backend != SecretStore::Backend::kAvailable) m_remember->setChecked(false);
                });
        m_secrets->checkBackend();
    } else {
        m_remember->setEnabled(false);
        m_remember->setChecked(false);
        m_keyring->setText(tr("The passwords are kept for this session only."));
    }
}

RedisDialog::~RedisDialog() {
    // The test has its own timeouts; wait for it so its result has nowhere stale to go.
    m_watcher.waitForFinished();
}

void RedisDialog::setMode(Mode mode) {
    m_tabs->setCurrentIndex(static_cast<int>(mode));
}

RedisDialog::Mode RedisDialog::mode() const {
    return static_cast<Mode>(m_tabs->currentIndex());
}

void RedisDialog::setUrl(const QString& url) {
    m_url->setText(url);
    if (auto parsed = parseRedisUrl(url); parsed.ok()) m_security->setEndpoint(*parsed);
    setMode(Mode::kUrl);
}

void RedisDialog::setSentinels(const QString& sentinels, const QString& service, int db) {
    m_sentinels->setText(sentinels);
    m_service->setText(service);
    m_sentinelDb->setValue(db);
    setMode(Mode::kSentinel);
}

void RedisDialog::setName(const QString& name) {
    m_name->setText(name);
}

void RedisDialog::setColor(const QString& color) {
    const int index = m_color->findData(color);
    if (index >= 0) {
        m_color->setCurrentIndex(index);
    } else if (!color.isEmpty()) {  // a colour of another list (an imported file): keep it
        m_color->addItem(colorSwatch(color), color, color);
        m_color->setCurrentIndex(m_color->count() - 1);
    }
}

void RedisDialog::setProduction(bool production) {
    m_production->setChecked(production);
}

void RedisDialog::setSshPassword(const QString& password) {
    m_security->setSshPassword(password);
}

void RedisDialog::setConnection(const SourceRef& ref) {
    setWindowTitle(tr("Edit Redis Connection"));
    m_id = ref.id.isEmpty() ? m_id : ref.id;
    setName(ref.name);
    setColor(ref.color);
    setSeparator(ref.separator);
    setProduction(ref.production);
    auto parsed = parseRedisUrl(ref.location);
    if (!parsed.ok()) {
        setUrl(ref.location);
        return;
    }
    if (parsed->isSentinel()) {
        setSentinels(parsed->sentinels.join(QStringLiteral(", ")), parsed->service, parsed->db);
    } else if (!parsed->socketPath.isEmpty()) {
        setSocket(parsed->socketPath, parsed->db);
    } else {
        setHost(parsed->host, parsed->port, parsed->db);
    }
    m_user->setText(parsed->user);
    m_security->setEndpoint(*parsed);
    // The secrets of a connection saved before it had an id are under its URL (secretAccount).
    showSecret(secretAccount(ref, SecretKind::kRedisPassword),
               [this](const QString& secret) { m_password->setText(secret); });
    showSecret(secretAccount(ref, SecretKind::kSshPassword),
               [this](const QString& secret) { m_security->setSshPassword(secret); });
}

void RedisDialog::showSecret(const QString& account,
                             const std::function<void(const QString&)>& show) {
    if (m_secrets == nullptr) return;
    const QString known = m_secrets->sessionSecret(account);
    if (!known.isEmpty()) {
        m_shownSecrets.insert(account);
        show(known);
        return;
    }
    connect(m_secrets, &SecretStore::loaded, this,
            [this, account, show](const QString& loaded, const QString& secret, bool found) {
                if (loaded != account || !found) return;
                m_shownSecrets.insert(account);
                show(secret);
            });
    m_secrets->load(account);
}

void RedisDialog::setHost(const QString& host, int port, int db) {
    m_host->setText(host);
    m_port->setValue(port);
    m_hostDb->setValue(db);
    setMode(Mode::kHost);
}

void RedisDialog::setSocket(const QString& path, int db) {
    m_socket->setText(path);
    m_socketDb->setValue(db);
    setMode(Mode::kSocket);
}

void RedisDialog::setCredentials(const QString& user, const QString& password) {
    m_user->setText(user);
    m_password->setText(password);
}

Result<RedisEndpoint> RedisDialog::endpoint() const {
    RedisEndpoint endpoint;
    switch (mode()) {
        case Mode::kUrl: {
            auto parsed = parseRedisUrl(m_url->text());
            if (!parsed.ok()) return parsed.status();
            endpoint = *parsed;
            break;
        }
        case Mode::kHost:
            if (m_host->text().trimmed().isEmpty()) {
                return Status::invalidArgument("the host is empty");
            }
            endpoint.host = m_host->text().trimmed();
            endpoint.port = m_port->value();
            endpoint.db = m_hostDb->value();
            break;
        case Mode::kSocket:
            if (m_socket->text().trimmed().isEmpty()) {
                return Status::invalidArgument("the socket path is empty");
            }
            endpoint.socketPath = m_socket->text().trimmed();
            endpoint.db = m_socketDb->value();
            break;
        case Mode::kSentinel: {
            // Parsed as a URL, so that a Sentinel list is checked in one place.
            const QString sentinels = m_sentinels->text().remove(QLatin1Char(' '));
            const QString service = m_service->text().trimmed();
            if (sentinels.isEmpty() || service.isEmpty()) {
                return Status::invalidArgument(
                    "a Sentinel connection needs Sentinels and a service");
            }
            auto parsed = parseRedisUrl(QStringLiteral("redis+sentinel://%1/%2/%3")
                                            .arg(sentinels, service)
                                            .arg(m_sentinelDb->value()));
            if (!parsed.ok()) return parsed.status();
            endpoint = *parsed;
            break;
        }
    }
    m_security->applyTo(endpoint);
    // The fields below the tabs override what a URL carried.
    if (!m_user->text().isEmpty()) endpoint.user = m_user->text();
    if (!m_password->text().isEmpty()) endpoint.password = m_password->text();
    return endpoint;
}

SourceRef RedisDialog::sourceRef() const {
    SourceRef ref;
    ref.kind = SourceKind::kRedis;
    auto parsed = endpoint();
    if (parsed.ok()) {
        ref.location = parsed->urlWithoutPassword();
        ref.password = parsed->password;
    }
    ref.name = m_name->text().trimmed().isEmpty() ? ref.location : m_name->text().trimmed();
    if (!m_separator->text().isEmpty()) ref.separator = m_separator->text();
    ref.id = m_id;
    ref.color = m_color->currentData().toString();
    ref.production = m_production->isChecked();
    return ref;
}

QString RedisDialog::sshPassword() const {
    return m_security->sshPassword();
}

void RedisDialog::setSeparator(const QString& separator) {
    m_separator->setText(separator);
}

void RedisDialog::testConnection() {
    if (m_watcher.isRunning()) return;
    auto parsed = endpoint();
    if (!parsed.ok()) {
        showResult(false, QString::fromStdString(parsed.status().message()));
        return;
    }
    m_testButton->setEnabled(false);
    m_result->setText(tr("Testing %1…").arg(parsed->urlWithoutPassword()));
    m_watcher.setFuture(
        QtConcurrent::run([url = parsed->coreUrl(m_testTimeoutMs), endpoint = *parsed] {
            auto answer = testRedisConnection(url);
            return answer.ok()
                       ? ProbeOutcome{url, true, *answer}
                       : ProbeOutcome{url, false, describeRedisFailure(answer.status(), endpoint)};
        }));
}

QString RedisDialog::resultText() const {
    return m_result->text();
}

QString RedisDialog::keyringText() const {
    return m_keyring->text();
}

void RedisDialog::showResult(bool ok, const QString& message) {
    m_testButton->setEnabled(true);
    m_result->setText((ok ? tr("Connected: %1") : tr("Failed: %1")).arg(message));
    // Grow to fit the message (a top-level window does not follow a wrapped label's height
    // for its width by itself): the fields above keep their height.
    layout()->activate();
    const int needed = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                     : layout()->totalSizeHint().height();
    if (needed > height()) resize(width(), needed);
    emit testFinished(ok, message);
}

void RedisDialog::accept() {
    auto parsed = endpoint();
    if (!parsed.ok()) {
        showResult(false, QString::fromStdString(parsed.status().message()));
        return;
    }
    if (m_watcher.isRunning() || m_testedUrl != parsed->coreUrl(m_testTimeoutMs)) {
        // Not tested as it stands: test first, then come back here.
        m_acceptWhenTested = true;
        testConnection();
        return;
    }
    if (!m_testedOk) {
        QMessageBox ask(QMessageBox::Warning, tr("Add a Connection That Failed?"),
                        tr("The test of %1 failed.").arg(parsed->place()),
                        QMessageBox::Ok | QMessageBox::Cancel, this);
        ask.setInformativeText(m_result->text() + QStringLiteral("\n\n") +
                               tr("Add it anyway, to open when the server is up?"));
        ask.button(QMessageBox::Ok)->setText(tr("Add Anyway"));
        ask.setDefaultButton(QMessageBox::Cancel);
        if (ask.exec() != QMessageBox::Ok) return;
    }
    finishAccept();
}

void RedisDialog::finishAccept() {
    const SourceRef ref = sourceRef();
    const QList<QPair<QString, QString>> secrets = {
        {secretAccount(ref, SecretKind::kRedisPassword), ref.password},
        {secretAccount(ref, SecretKind::kSshPassword), sshPassword()}};
    for (const auto& [account, secret] : secrets) {
        if (m_secrets == nullptr) break;
        if (secret.isEmpty()) {
            // Cleared in the dialog after it was shown: forgotten.
            if (m_shownSecrets.contains(account)) m_secrets->remove(account);
        } else if (m_remember->isChecked()) {
            m_secrets->store(account, secret);
        } else {
            m_secrets->remove(account);
            m_secrets->keepForSession(account, secret);
        }
    }
    QDialog::accept();
}

}  // namespace twat_cache::ui
