// PostgresStore: batch compliance jobs (issue 16, api/compliance.h).
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

namespace {

constexpr const char* kJobColumns =
    "id, app_id, project_id, type, name, resumable, status, upload_token, download_token, created_at, upload_expires_at,"
    " download_expires_at, ids_checked, checking_until, upload_session";

// Row `i` of `rows` (kJobColumns in order, then `result` and `ids` when `with_result`).
ComplianceJob JobRow(const Rows& rows, int i, bool with_result) {
  ComplianceJob job;
  job.id = rows.Int(i, 0);
  job.app_id = rows.Int(i, 1);
  job.project_id = rows.Int(i, 2);
  job.type = std::string(rows.Text(i, 3));
  job.name = std::string(rows.Text(i, 4));
  job.resumable = rows.Int(i, 5) != 0;
  job.status = std::string(rows.Text(i, 6));
  job.upload_token = std::string(rows.Text(i, 7));
  job.download_token = std::string(rows.Text(i, 8));
  job.created_at = rows.Int(i, 9);
  job.upload_expires_at = rows.Int(i, 10);
  job.download_expires_at = rows.Int(i, 11);
  job.ids_checked = rows.Int(i, 12);
  job.checking_until = rows.Int(i, 13);
  job.upload_session = std::string(rows.Text(i, 14));
  if (with_result) {
    job.result = std::string(rows.Text(i, 15));
    job.ids = std::string(rows.Text(i, 16));
  }
  return job;
}

// A conditional one-row UPDATE's answer: whether it changed the row.
Result<bool> OneChanged(Result<int64_t> changed) {
  if (!changed.ok()) return changed.status();
  return *changed == 1;
}

}  // namespace

Status PostgresStore::InsertComplianceJob(const ComplianceJob& job) {
  return Write([&]() -> Status {
    auto rows = Query(
        "INSERT INTO compliance_jobs (id, app_id, project_id, type, name, resumable, status, upload_token, download_token,"
        " created_at, upload_expires_at, download_expires_at, result, ids_checked)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        Params()
            .Add(job.id)
            .Add(job.app_id)
            .Add(job.project_id)
            .Add(job.type)
            .Add(job.name)
            .Add(int64_t(job.resumable ? 1 : 0))
            .Add(job.status)
            .Add(job.upload_token)
            .Add(job.download_token)
            .Add(job.created_at)
            .Add(job.upload_expires_at)
            .Add(job.download_expires_at)
            .Add(job.result)
            .Add(job.ids_checked));
    return rows.status();
  });
}

Result<std::optional<ComplianceJob>> PostgresStore::GetComplianceJob(Id id) {
  auto rows = Query(std::string("SELECT ") + kJobColumns + ", result, ids FROM compliance_jobs WHERE id = ?",
                    Params().Add(id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<ComplianceJob>();
  return std::optional<ComplianceJob>(JobRow(*rows, 0, true));
}

Result<std::optional<ComplianceJob>> PostgresStore::FindComplianceJobByToken(std::string_view token) {
  auto rows = Query(std::string("SELECT ") + kJobColumns +
                        ", result, ids FROM compliance_jobs WHERE upload_token = ? OR download_token = ?",
                    Params().Add(token).Add(token));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<ComplianceJob>();
  return std::optional<ComplianceJob>(JobRow(*rows, 0, true));
}

Result<std::vector<ComplianceJob>> PostgresStore::ListComplianceJobs(Id app_id, std::string_view type) {
  auto rows = Query(std::string("SELECT ") + kJobColumns +
                        " FROM compliance_jobs WHERE app_id = ? AND type = ? ORDER BY id DESC",
                    Params().Add(app_id).Add(type));
  if (!rows.ok()) return rows.status();
  std::vector<ComplianceJob> jobs;
  for (int i = 0; i < rows->size(); ++i) jobs.push_back(JobRow(*rows, i, false));
  return jobs;
}

Result<bool> PostgresStore::StartComplianceJob(Id id, std::string_view ids, TimeMs checking_until) {
  return OneChanged(Changed("UPDATE compliance_jobs SET status = 'in_progress', ids = ?, checking_until = ?"
                   " WHERE id = ? AND status = 'created'",
                   Params().Add(ids).Add(checking_until).Add(id)));
}

Result<bool> PostgresStore::BeginComplianceUpload(Id id, std::string_view session) {
  return OneChanged(Changed("UPDATE compliance_jobs SET upload_session = ?, ids = '' WHERE id = ? AND status = 'created'",
                            Params().Add(session).Add(id)));
}

Result<bool> PostgresStore::AppendComplianceUpload(Id id, std::string_view session, int64_t offset,
                                                   std::string_view chunk) {
  return OneChanged(Changed("UPDATE compliance_jobs SET ids = ids || CAST(? AS TEXT) WHERE id = ? AND status = 'created'"
                            " AND upload_session = ? AND upload_session <> '' AND octet_length(ids) = ?",
                            Params().Add(chunk).Add(id).Add(session).Add(offset)));
}

Result<bool> PostgresStore::RenewComplianceJob(Id id, TimeMs checking_until) {
  return OneChanged(Changed("UPDATE compliance_jobs SET checking_until = ? WHERE id = ? AND status = 'in_progress'",
                   Params().Add(checking_until).Add(id)));
}

Result<bool> PostgresStore::ResumeComplianceJob(Id id, TimeMs now, TimeMs checking_until) {
  return OneChanged(Changed("UPDATE compliance_jobs SET checking_until = ? WHERE id = ? AND status = 'in_progress'"
                   " AND checking_until <= ?",
                   Params().Add(checking_until).Add(id).Add(now)));
}

Result<bool> PostgresStore::FinishComplianceJob(Id id, std::string_view status, std::string_view result,
                                                int64_t ids_checked) {
  bool changed = false;
  Status s = Write([&]() -> Status {
    auto rows = Query(
        "UPDATE compliance_jobs SET status = ?, result = ?, ids_checked = ?, ids = '' WHERE id = ? AND status = 'in_progress'",
        Params().Add(status).Add(result).Add(ids_checked).Add(id));
    if (!rows.ok()) return rows.status();
    changed = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return changed;
}

}  // namespace sluice::pg
