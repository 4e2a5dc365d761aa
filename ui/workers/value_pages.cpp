#include "workers/value_pages.h"

#include <QSaveFile>

namespace twat_cache::ui {
namespace {

QByteArray bytesOf(const std::string& s) {
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

std::string stdOf(const QByteArray& b) {
    return std::string(b.constData(), static_cast<std::size_t>(b.size()));
}

}  // namespace

Result<ValuePage> readValuePage(Source& source, const QByteArray& id, const ValueRequest& request) {
    ValueQuery q;
    q.cursor = stdOf(request.cursor);
    q.limit = static_cast<std::size_t>(std::max(1, request.limit));
    q.match = request.match.toStdString();
    if (request.byScore) {
        q.zset_order = ValueQuery::ZsetOrder::kScore;
        q.min_score = request.minScore.trimmed().toStdString();
        q.max_score = request.maxScore.trimmed().toStdString();
    }
    q.bytes = static_cast<std::size_t>(std::max(1, request.bytes));
    auto page = source.valuePage(stdOf(id), q);
    if (!page.ok()) return page.status();
    ValuePage out;
    out.kind = QString::fromStdString(page->kind);
    out.rows.reserve(static_cast<qsizetype>(page->rows.size()));
    for (const auto& r : page->rows) {
        ValueRow row;
        row.name = bytesOf(r.name.bytes);
        row.nameLength = r.name.length;
        row.value = bytesOf(r.value.bytes);
        row.valueLength = r.value.length;
        for (const auto& [f, v] : r.fields) row.fields.append({bytesOf(f.bytes), bytesOf(v.bytes)});
        row.moreFields = r.more_fields;
        out.rows.append(std::move(row));
    }
    out.bytes = bytesOf(page->bytes);
    out.offset = page->offset;
    out.cursor = bytesOf(page->cursor);
    out.complete = page->complete();
    out.total = page->total;
    out.groups = page->stream_groups;
    return out;
}

Result<quint64> saveValueToFile(Source& source, const QByteArray& id, const QString& path,
                                const std::function<void(quint64, quint64)>& progress,
                                const std::atomic<bool>& cancel) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Status::ioError("cannot write " + path.toStdString() + ": " +
                               file.errorString().toStdString());
    }
    ValueQuery q;
    q.bytes = kSavePageBytes;
    quint64 written = 0;
    for (;;) {
        if (cancel.load()) {
            file.cancelWriting();
            return Status::busy("cancelled");
        }
        auto page = source.valuePage(stdOf(id), q);
        if (!page.ok()) return page.status();
        if (page->kind != "string") {
            return Status::notSupported("only string values are saved to a file (this is a " +
                                        page->kind + ")");
        }
        if (page->offset != written) return Status::corruption("the value changed while saving");
        if (file.write(page->bytes.data(), static_cast<qint64>(page->bytes.size())) !=
            static_cast<qint64>(page->bytes.size())) {
            return Status::ioError("writing " + path.toStdString() + ": " +
                                   file.errorString().toStdString());
        }
        written += page->bytes.size();
        if (progress) progress(written, page->total.value_or(written));
        if (page->complete()) break;
        q.cursor = page->cursor;
    }
    if (!file.commit()) {
        return Status::ioError("saving " + path.toStdString() + ": " +
                               file.errorString().toStdString());
    }
    return written;
}

}  // namespace twat_cache::ui
