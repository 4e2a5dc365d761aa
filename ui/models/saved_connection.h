// Saved Redis connections. A saved connection is a SourceRef of kind kRedis with an id, a
// colour and the production flag: it is listed under Redis in the sidebar and kept in the
// inspector's settings with the other user sources (SourceTreeModel), never with a secret.
// Its secrets (the Redis password, the SSH password or key passphrase) live in the
// SecretStore under accounts named after its id.
//
// Thread safety: pure functions (colourIcon needs the GUI thread, as every QPixmap does).
#pragma once

#include <QIcon>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "workers/source_types.h"

namespace twat_cache::ui {

enum class SecretKind { kRedisPassword, kSshPassword };

// The SecretStore account of one secret of `ref`: "connection/<id>/redis" (or "/ssh"); a
// connection without an id (added before connections were saved) uses its URL.
QString secretAccount(const SourceRef& ref, SecretKind kind);

// A fresh connection id (a UUID without braces).
QString newConnectionId();

// `name` if it is not in `taken`, else the first free "name (2)", "name (3)", …
QString uniqueName(const QString& name, const QStringList& taken);

// The colours the connection dialog offers: (name, "#rrggbb"); the first is "None" ("").
QList<QPair<QString, QString>> connectionColors();

// The colour of a production connection's banner and frame: its own, else red.
QString productionColor(const SourceRef& ref);

// A round swatch of `color` (a null icon when it is empty), `size` pixels wide.
QIcon colorSwatch(const QString& color, int size = 14);

// The sidebar icon of a Redis connection: the Redis icon, with a swatch of its colour.
QIcon connectionIcon(const SourceRef& ref);

}  // namespace twat_cache::ui
