#pragma once
//! Batch compliance (X's /2/compliance/jobs, docs/api.md "Compliance"): an app uploads a file
//! of post or user ids; Sluice answers with the ids that need action (posts deleted, authors
//! protected; users protected), as X's result file of JSON lines; every download of that file
//! is a compliance notice in the ledger (record version 4, channel "job:<id>").
//! The job endpoints are API routes (compliance_jobs.cc); the upload and download URLs are
//! capability routes (RouteKind::kCapability, compliance_files.cc, compliance_upload.cc): the
//! token in the path is the authority, as X's signed storage URLs are.
//! Also what the compliance streams need: one event line in X's shape (ComplianceEventLine)
//! and the notice record (ComplianceNoticeRecord).

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "core/routes.h"
#include "ledger/record.h"
#include "store/store.h"

namespace sluice {

struct Services;
struct WorkerState;

//! An upload's body: ids one per line ("\n" or "\r\n"; blank lines skipped; each line 1-19
//! digits, a positive int64), duplicates removed, order kept. A 400 InvalidRequest naming the
//! first bad line ("ids", the line, "line N: ...") or an upload with no id. Never throws.
Result<std::vector<Id>> ParseComplianceIds(std::string_view body);

//! A Content-Range request header of Google Cloud Storage's resumable uploads, which X's
//! resumable upload URLs speak (docs/api.md "Compliance"): `bytes FIRST-LAST/TOTAL` or
//! `bytes FIRST-LAST/*` (a chunk: its first and last byte, 0-based, inclusive; the total
//! size when known), `bytes */TOTAL` (the upload ends at TOTAL bytes) or `bytes */*` (a status
//! query).
struct ContentRange {
  bool has_bytes = false;  // FIRST-LAST given (a chunk); else "*" (no bytes)
  int64_t first = 0;
  int64_t last = 0;
  int64_t total = -1;      // -1: "*", not known yet
};
//! Parses the value of a Content-Range header. Byte positions have 1 to 18 digits;
//! FIRST <= LAST, and LAST < TOTAL when TOTAL is given. A 400 InvalidRequest naming
//! "Content-Range" (the value, why) for anything else. Never throws.
Result<ContentRange> ParseContentRange(std::string_view value);

//! One line of a result file (X's fields): {"id","action","created_at","redacted_at","reason"}.
struct ComplianceAction {
  Id id = 0;
  TimeMs created_at = 0;   // the post's or the user's creation
  TimeMs redacted_at = 0;  // when it needed action: the deletion, or (protected) when the job ran
  std::string_view reason; // "deleted", "protected", ...
};
//! The line, ending with "\n"; action is always "delete" (X's one action for these reasons).
std::string ComplianceResultLine(const ComplianceAction& a);
//! The id of a line ComplianceResultLine made; 0 for anything else.
Id ComplianceResultLineId(std::string_view line);

//! The ids of `ids` (of a job of `type`, "tweets" or "users") that need action, per what the
//! store knows at `now`: a deleted post (reason "deleted"); a user deleted by the operator
//! ("deactivated", redacted_at its deletion), suspended ("suspended", its suspension) or
//! protected ("protected", `now`), and a post of such an author (the author's reason). A
//! withheld post or account is not reported (X's jobs report no withholding). Ids the store never had are not ours to
//! judge and are left out. The lines, in the order of `ids`.
Result<std::string> CheckComplianceIds(Store& store, std::string_view type, std::span<const Id> ids, TimeMs now);

//! One event of the compliance streams in X's shape (StreamPostsComplianceResponse,
//! StreamUsersComplianceResponse; the event itself is store.h's ComplianceEvent):
//! {"data":{"<kind>":{...,"event_at":"..."}}}, no newline.
std::string ComplianceEventLine(const ComplianceEvent& e);

//! The ledger record of a compliance notice: `app` (and its project) was told about `post_ids`
//! or `user_ids` at `now` through `channel` ("job:<id>", "stream:..."); `endpoint` the route
//! it went by, `request_id` and `bytes` those of the response. Version 4 (record.h).
LedgerRecord ComplianceNoticeRecord(const Config& config, TimeMs now, Id app_id, Id project_id,
                                    std::string_view endpoint, std::string channel, std::vector<Id> post_ids,
                                    std::vector<Id> user_ids, std::string_view request_id, uint64_t bytes);

//! A job as X's ComplianceJob object (the JSON of `data`), its URLs on `public_url`; status
//! "expired" once its upload URL lapsed unused or its download URL lapsed (at `now`).
std::string ComplianceJobJson(const ComplianceJob& job, std::string_view public_url, TimeMs now);
//! The job's status as clients see it at `now` (the stored one, or "expired").
std::string_view ComplianceJobStatus(const ComplianceJob& job, TimeMs now);

//! Serves a job's upload URL (kUploadComplianceIds, kStartComplianceUpload) for `job`, found by
//! its upload token: one PUT of the whole file, or, for a resumable job, Google Cloud
//! Storage's resumable upload protocol (compliance_upload.cc, docs/api.md "Compliance"):
//! POST with x-goog-resumable: start begins a session (201, its URI in Location: the upload URL
//! with ?upload_id=...), whose PUTs with Content-Range add chunks (308 with the Range kept)
//! until the last (200); the bytes so far are kept in the store. Once the ids are in, the job
//! is in_progress and its check started (CheckComplianceJob), as after a single PUT.
ApiResponse ServeComplianceUpload(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                                  const ComplianceJob& job);

//! Serves a capability route (kUploadComplianceIds, kStartComplianceUpload, kDownloadComplianceResult) for the token
//! `token` on `worker`; calls `done` once, on this worker's thread (now, or after the notice's
//! ledger record is durable). An upload answers 200 at once and checks the ids afterwards on
//! this worker in slices of kComplianceSlice ids, each a separate task on its executor, so a
//! long file never holds the worker from other requests.
void ServeComplianceFile(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
                         std::string_view token, std::function<void(ApiResponse)> done);
inline constexpr size_t kComplianceSlice = 1000;

//! Checks `ids` of `job` (in_progress, its lease held by this caller) on `worker`, in slices of
//! kComplianceSlice ids, each a task on its executor, renewing the lease
//! (compliance.check_lease_ms) as it goes, then stores the result (complete, or failed when
//! the store could not be read). Stops, storing nothing, when the lease was lost (the job was
//! taken over or finished elsewhere). Returns at once.
void CheckComplianceJob(const Services& services, WorkerState& worker, const ComplianceJob& job, std::vector<Id> ids);

//! The ids of an upload as kept in the store while the job is checked (one per line).
std::string ComplianceIdsText(const std::vector<Id>& ids);

}  // namespace sluice
