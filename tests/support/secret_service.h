// Test fixture for the system keyring: a private session D-Bus (dbus-daemon) with a real
// gnome-keyring-daemon on it serving the Secret Service (org.freedesktop.secrets), so that
// qtkeychain, and the inspector's SecretStore over it, talk to a real keyring.
//
// Everything lives in a temporary folder: the bus socket, the bus configuration (no service
// folders, so D-Bus activation cannot start a desktop's own keyring or prompter), and HOME,
// XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_RUNTIME_DIR of the daemons, so the
// user's real keyrings are never read or written. gnome-keyring is started with --unlock and
// a throwaway password on stdin: it then creates the "login" keyring, unlocked, and makes it
// the default collection. start() points DBUS_SESSION_BUS_ADDRESS of this process at the
// private bus (call it before anything opens the session bus); the destructor stops both
// daemons and restores the variable. When a program is missing, available() is false and
// skipReason() says what to install: tests QSKIP with that text.
//
// The fixture also reads the keyring on its own (through QtDBus on a private connection),
// to check what the code under test wrote without going through it.
//
// Thread safety: none; use it from the test thread.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QProcess>
#include <QString>
#include <memory>
#include <string>
#include <vector>

#include "test_support.h"

namespace twat_cache::test {

class SecretService {
  public:
    // One item of the default collection, as the Secret Service describes it.
    struct Item {
        QString label;
        QMap<QString, QString> attributes;
        QByteArray secret;  // empty when the collection is locked
    };

    // Whether dbus-daemon and gnome-keyring-daemon exist.
    static bool available();
    // "gnome-keyring-daemon not found; install it with ...".
    static std::string skipReason();

    SecretService();
    ~SecretService();
    SecretService(const SecretService&) = delete;
    SecretService& operator=(const SecretService&) = delete;

    // Starts the bus and the keyring, sets DBUS_SESSION_BUS_ADDRESS, and waits (at most
    // 10 s) until org.freedesktop.secrets has an owner on the bus. Returns an empty string
    // on success, else what went wrong.
    std::string start();

    // The bus address ("unix:path=…").
    const QString& address() const { return m_address; }

    // The items of the default collection, with their secrets; an empty error on success.
    std::vector<Item> items(std::string* error = nullptr) const;
    // The items of the default collection with an attribute whose value is `value`.
    std::vector<Item> itemsWith(const QString& value) const;

    // Locks the default collection, as a screen lock does; empty on success, else why not.
    std::string lockDefault() const;
    // Whether the default collection is locked.
    bool isLocked() const;

  private:
    // The default collection's object path, or empty.
    QString defaultCollection() const;

    TempDir m_dir;
    QString m_address;
    QString m_connection;  // name of the fixture's own QDBusConnection
    QByteArray m_previousAddress;
    bool m_hadPreviousAddress = false;
    std::unique_ptr<QProcess> m_bus;
    std::unique_ptr<QProcess> m_keyring;
};

}  // namespace twat_cache::test
