#include "dialogs/secret_store.h"

#include <qt6keychain/keychain.h>

#include <utility>

namespace twat_cache::ui {
namespace {

// A key nobody stores: reading it tells whether the keyring answers at all.
const QString kProbeKey = QStringLiteral("twat-cache-inspector keyring probe");

}  // namespace

SecretStore::SecretStore(QString service, QObject* parent)
    : QObject(parent), m_service(std::move(service)) {}

void SecretStore::noteJobError(int error, const QString& text) {
    if (error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented ||
        error == QKeychain::OtherError) {
        m_backend = Backend::kUnavailable;
        // qtkeychain's own words add little when it has none ("Unknown error").
        const QString detail = text.isEmpty() || text == QLatin1String("Unknown error")
                                   ? QString()
                                   : QStringLiteral(" (%1)").arg(text);
        m_backendMessage =
            tr("No keyring service is running%1: the passwords are kept for this session only.")
                .arg(detail);
    }
}

namespace {

// A job owned by nobody but itself: it deletes itself once finished (autoDelete). Were it a
// child of the store, closing a window while the keyring was still answering would delete it
// under the backend's pending callback (libsecret calls back into the freed job). Its
// connections to the store end with the store.
template <class JobT>
JobT* newJob(const QString& service) {
    return new JobT(service, nullptr);
}

}  // namespace

void SecretStore::checkBackend() {
    auto* job = newJob<QKeychain::ReadPasswordJob>(m_service);
    job->setKey(kProbeKey);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job* done) {
        const auto error = done->error();
        if (error == QKeychain::NoError || error == QKeychain::EntryNotFound) {
            m_backend = Backend::kAvailable;
            m_backendMessage = tr("Passwords are stored in the system keyring.");
        } else {
            noteJobError(error, done->errorString());
            if (m_backend != Backend::kUnavailable) {
                m_backend = Backend::kUnavailable;
                m_backendMessage =
                    tr("The system keyring refused access (%1): passwords are kept for this "
                       "session only.")
                        .arg(done->errorString());
            }
        }
        emit backendChecked(m_backend, m_backendMessage);
    });
    job->start();
}

void SecretStore::store(const QString& account, const QString& secret) {
    m_session.insert(account, secret);
    if (m_backend == Backend::kUnavailable) {
        emit stored(account, false, m_backendMessage);
        return;
    }
    auto* job = newJob<QKeychain::WritePasswordJob>(m_service);
    job->setKey(account);
    job->setTextData(secret);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job* done) {
        if (done->error() == QKeychain::NoError) {
            emit stored(account, true, tr("Password saved in the system keyring."));
            return;
        }
        noteJobError(done->error(), done->errorString());
        emit stored(account, false,
                    tr("Password kept for this session only: %1").arg(done->errorString()));
    });
    job->start();
}

void SecretStore::load(const QString& account) {
    if (m_session.contains(account) || m_backend == Backend::kUnavailable) {
        emit loaded(account, m_session.value(account), m_session.contains(account));
        return;
    }
    auto* job = newJob<QKeychain::ReadPasswordJob>(m_service);
    job->setKey(account);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job* done) {
        if (done->error() != QKeychain::NoError) {
            noteJobError(done->error(), done->errorString());
            emit loaded(account, {}, false);
            return;
        }
        const QString secret = static_cast<QKeychain::ReadPasswordJob*>(done)->textData();
        m_session.insert(account, secret);
        emit loaded(account, secret, true);
    });
    job->start();
}

void SecretStore::remove(const QString& account) {
    m_session.remove(account);
    if (m_backend == Backend::kUnavailable) return;
    auto* job = newJob<QKeychain::DeletePasswordJob>(m_service);
    job->setKey(account);
    job->start();
}

}  // namespace twat_cache::ui
