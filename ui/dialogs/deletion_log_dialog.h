// DeletionLogDialog: the last deletions recorded in the audit log (twat_cache/audit_log.h),
// newest first, in a read-only table — what `twat-cache log` prints, for the inspector's
// users. The log is read on a pool thread (readAuditLog()); the dialog says "Loading…" until
// it arrives, and Refresh reads it again.
//
// Thread safety: GUI thread only.
#pragma once

#include <QDialog>
#include <QFutureWatcher>
#include <filesystem>
#include <vector>

#include "twat_cache/audit_log.h"

class QLabel;
class QTableWidget;

namespace twat_cache::ui {

class DeletionLogDialog : public QDialog {
    Q_OBJECT

  public:
    // Reads the log at `path` (by default the one every deletion is recorded in).
    explicit DeletionLogDialog(QWidget* parent = nullptr,
                               std::filesystem::path path = auditLogPath());
    ~DeletionLogDialog() override;

    // How many records are shown, and the line above them.
    int recordCount() const;
    QString statusText() const;
    QTableWidget* table() const { return m_table; }

    // Reads the log again (on a pool thread).
    void reload();

    // One record's "Removed" cell, as `twat-cache log` says it: "2 of 3, 1 changed,
    // cancelled"; and in long form for its tooltip ("kept 1 entry that changed since the
    // preview"), empty when all went as previewed.
    static QString outcomeText(const AuditRecord& record);
    static QString outcomeDetail(const AuditRecord& record);
    // The action in words: "clear_all" -> "Clear all".
    static QString actionText(const std::string& action);

  signals:
    // The log was read (or could not be); the table shows it.
    void loaded();

  private:
    struct Loaded {
        std::vector<AuditRecord> records;  // oldest first, as readAuditLog() gives them
        quint64 skipped = 0;
        QString error;  // why the log could not be read; empty when it was
    };
    void display(const Loaded& log);

    std::filesystem::path m_path;
    QLabel* m_status;
    QTableWidget* m_table;
    QFutureWatcher<Loaded> m_watcher;
};

}  // namespace twat_cache::ui
