// SqliteStore: batch compliance jobs (issue 16, api/compliance.h).
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

namespace {

constexpr const char* kJobColumns =
    "id, app_id, project_id, type, name, resumable, status, upload_token, download_token, created_at, upload_expires_at,"
    " download_expires_at, ids_checked, checking_until, upload_session";

// The columns of kJobColumns, in order, then `result` and `ids` (columns 15 and 16) when `with_result`.
ComplianceJob JobRow(const Stmt& s, bool with_result) {
  ComplianceJob job;
  job.id = s.Int(0);
  job.app_id = s.Int(1);
  job.project_id = s.Int(2);
  job.type = std::string(s.Text(3));
  job.name = std::string(s.Text(4));
  job.resumable = s.Int(5) != 0;
  job.status = std::string(s.Text(6));
  job.upload_token = std::string(s.Text(7));
  job.download_token = std::string(s.Text(8));
  job.created_at = s.Int(9);
  job.upload_expires_at = s.Int(10);
  job.download_expires_at = s.Int(11);
  job.ids_checked = s.Int(12);
  job.checking_until = s.Int(13);
  job.upload_session = std::string(s.Text(14));
  if (with_result) {
    job.result = std::string(s.Text(15));
    job.ids = std::string(s.Text(16));
  }
  return job;
}

}  // namespace

Status SqliteStore::InsertComplianceJob(const ComplianceJob& job) {
  auto s = db_->Prepare(
      "INSERT INTO compliance_jobs (id, app_id, project_id, type, name, resumable, status, upload_token, download_token,"
      " created_at, upload_expires_at, download_expires_at, result, ids_checked) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!s.ok()) return s.status();
  s->Bind(1, job.id);
  s->Bind(2, job.app_id);
  s->Bind(3, job.project_id);
  s->Bind(4, job.type);
  s->Bind(5, job.name);
  s->Bind(6, int64_t(job.resumable ? 1 : 0));
  s->Bind(7, job.status);
  s->Bind(8, job.upload_token);
  s->Bind(9, job.download_token);
  s->Bind(10, job.created_at);
  s->Bind(11, job.upload_expires_at);
  s->Bind(12, job.download_expires_at);
  s->Bind(13, job.result);
  s->Bind(14, job.ids_checked);
  return s->Run();
}

Result<std::optional<ComplianceJob>> SqliteStore::GetComplianceJob(Id id) {
  auto s = db_->Prepare(std::string("SELECT ") + kJobColumns + ", result, ids FROM compliance_jobs WHERE id = ?");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ComplianceJob>();
  return std::optional<ComplianceJob>(JobRow(*s, true));
}

Result<std::optional<ComplianceJob>> SqliteStore::FindComplianceJobByToken(std::string_view token) {
  auto s = db_->Prepare(std::string("SELECT ") + kJobColumns +
                        ", result, ids FROM compliance_jobs WHERE upload_token = ?1 OR download_token = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, token);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ComplianceJob>();
  return std::optional<ComplianceJob>(JobRow(*s, true));
}

Result<std::vector<ComplianceJob>> SqliteStore::ListComplianceJobs(Id app_id, std::string_view type) {
  auto s = db_->Prepare(std::string("SELECT ") + kJobColumns +
                        " FROM compliance_jobs WHERE app_id = ? AND type = ? ORDER BY id DESC");
  if (!s.ok()) return s.status();
  s->Bind(1, app_id);
  s->Bind(2, type);
  std::vector<ComplianceJob> jobs;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    jobs.push_back(JobRow(*s, false));
  }
  return jobs;
}

Result<bool> SqliteStore::StartComplianceJob(Id id, std::string_view ids, TimeMs checking_until) {
  auto s = db_->Prepare(
      "UPDATE compliance_jobs SET status = 'in_progress', ids = ?, checking_until = ? WHERE id = ? AND status = 'created'");
  if (!s.ok()) return s.status();
  s->Bind(1, ids);
  s->Bind(2, checking_until);
  s->Bind(3, id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::BeginComplianceUpload(Id id, std::string_view session) {
  auto s = db_->Prepare("UPDATE compliance_jobs SET upload_session = ?, ids = '' WHERE id = ? AND status = 'created'");
  if (!s.ok()) return s.status();
  s->Bind(1, session);
  s->Bind(2, id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::AppendComplianceUpload(Id id, std::string_view session, int64_t offset, std::string_view chunk) {
  // length() of a TEXT counts characters up to a NUL; its bytes are the length of the BLOB.
  auto s = db_->Prepare(
      "UPDATE compliance_jobs SET ids = ids || ? WHERE id = ? AND status = 'created' AND upload_session = ? AND upload_session <> ''"
      " AND length(CAST(ids AS BLOB)) = ?");
  if (!s.ok()) return s.status();
  s->Bind(1, chunk);
  s->Bind(2, id);
  s->Bind(3, session);
  s->Bind(4, offset);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::RenewComplianceJob(Id id, TimeMs checking_until) {
  auto s = db_->Prepare("UPDATE compliance_jobs SET checking_until = ? WHERE id = ? AND status = 'in_progress'");
  if (!s.ok()) return s.status();
  s->Bind(1, checking_until);
  s->Bind(2, id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::ResumeComplianceJob(Id id, TimeMs now, TimeMs checking_until) {
  auto s = db_->Prepare(
      "UPDATE compliance_jobs SET checking_until = ? WHERE id = ? AND status = 'in_progress' AND checking_until <= ?");
  if (!s.ok()) return s.status();
  s->Bind(1, checking_until);
  s->Bind(2, id);
  s->Bind(3, now);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::FinishComplianceJob(Id id, std::string_view status, std::string_view result,
                                              int64_t ids_checked) {
  auto s = db_->Prepare(
      "UPDATE compliance_jobs SET status = ?, result = ?, ids_checked = ?, ids = '' WHERE id = ? AND status = 'in_progress'");
  if (!s.ok()) return s.status();
  s->Bind(1, status);
  s->Bind(2, result);
  s->Bind(3, ids_checked);
  s->Bind(4, id);
  if (Status run = s->Run(); !run.ok()) return run;
  return db_->Changes() == 1;
}

}  // namespace sluice::sqlite
