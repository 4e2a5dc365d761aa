#include "dialogs/redis_dialog.h"

#include <QCheckBox>
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
      m_name(new QLineEdit(this)),
      m_separator(new QLineEdit(QStringLiteral(":"), this)),
      m_tabs(new QTabWidget(this)),
      m_url(new QLineEdit(this)),
      m_host(new QLineEdit(QStringLiteral("127.0.0.1"), this)),
      m_port(makeSpin(this, 65535, 6379)),
      m_hostDb(makeSpin(this, 1 << 16, 0)),
      m_socket(new QLineEdit(this)),
      m_socketDb(makeSpin(this, 1 << 16, 0)),
      m_user(new QLineEdit(this)),
      m_password(new QLineEdit(this)),
      m_remember(new QCheckBox(tr("Remember the password in the system keyring"), this)),
      m_keyring(new QLabel(this)),
      m_testButton(new QPushButton(tr("&Test Connection"), this)),
      m_result(new QLabel(this)) {
    setObjectName(QStringLiteral("redisDialog"));
    setWindowTitle(tr("New Redis Connection"));
    m_url->setPlaceholderText(QStringLiteral("redis://user@host:6379/0"));
    m_socket->setPlaceholderText(QStringLiteral("/run/redis/redis-server.sock"));
    m_password->setEchoMode(QLineEdit::Password);
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
    m_tabs->addTab(urlPage, tr("URL"));
    m_tabs->addTab(hostPage, tr("Host"));
    m_tabs->addTab(socketPage, tr("Unix Socket"));

    auto* credentials = new QFormLayout;
    credentials->addRow(tr("&Name:"), m_name);
    m_separator->setObjectName(QStringLiteral("separatorEdit"));
    m_separator->setMaxLength(8);
    credentials->addRow(tr("Namespace se&parator:"), m_separator);
    auto* auth = new QFormLayout;
    auth->addRow(tr("U&ser:"), m_user);
    auth->addRow(tr("Pass&word:"), m_password);
    auth->addRow(m_remember);
    auth->addRow(m_keyring);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->addButton(m_testButton, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(credentials);
    layout->addWidget(m_tabs);
    layout->addLayout(auth);
    layout->addWidget(m_result);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &RedisDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RedisDialog::reject);
    connect(m_testButton, &QPushButton::clicked, this, &RedisDialog::testConnection);
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
        m_keyring->setText(tr("The password is kept for this session only."));
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
    setMode(Mode::kUrl);
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
    }
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
    return ref;
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
                        tr("The test of %1 failed.").arg(parsed->urlWithoutPassword()),
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
    if (m_secrets && !ref.password.isEmpty()) {
        if (m_remember->isChecked()) {
            m_secrets->store(ref.location, ref.password);
        } else {
            m_secrets->remove(ref.location);
            m_secrets->keepForSession(ref.location, ref.password);
        }
    }
    QDialog::accept();
}

}  // namespace twat_cache::ui
