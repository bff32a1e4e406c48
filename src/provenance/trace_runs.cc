#include "provenance/trace_runs.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "ledger/files.h"
#include "ledger/ledger.h"
#include "ledger/tools.h"
#include "provenance/trace.h"

namespace sluice {

namespace fs = std::filesystem;
namespace json = boost::json;
using ledger_internal::WriteFileDurably;

namespace {

constexpr std::string_view kInterrupted = "interrupted: the server stopped before the run finished";

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

std::optional<TraceRunState> StateByName(std::string_view name) {
  for (auto s : {TraceRunState::kQueued, TraceRunState::kRunning, TraceRunState::kDone, TraceRunState::kFailed})
    if (TraceRunStateName(s) == name) return s;
  return std::nullopt;
}

std::string InfoJson(const TraceRunInfo& r) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("id", r.id);
  w.Member("name", r.name);
  if (!r.path.empty()) w.Member("path", r.path);
  w.Member("state", TraceRunStateName(r.state));
  w.MemberInt("created_at_ms", r.created_at);
  if (r.finished_at) w.MemberInt("finished_at_ms", *r.finished_at);
  w.MemberInt("bytes_total", int64_t(r.bytes_total));
  if (!r.error.empty()) w.Member("error", r.error);
  w.EndObject();
  return w.Take();
}

Result<TraceRunInfo> ParseInfo(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Corruption("not a JSON object");
  const json::object& o = v.as_object();
  TraceRunInfo r;
  try {
    r.id = std::stoll(std::string(o.at("id").as_string()));
    r.name = std::string(o.at("name").as_string());
    if (auto* p = o.if_contains("path")) r.path = std::string(p->as_string());
    auto state = StateByName(o.at("state").as_string());
    if (!state) return Corruption("unknown state");
    r.state = *state;
    r.created_at = o.at("created_at_ms").to_number<int64_t>();
    if (auto* f = o.if_contains("finished_at_ms")) r.finished_at = f->to_number<int64_t>();
    r.bytes_total = o.at("bytes_total").to_number<uint64_t>();
    if (auto* e = o.if_contains("error")) r.error = std::string(e->as_string());
  } catch (const std::exception& e) {
    return Corruption(std::string("a member is missing or of the wrong type: ") + e.what());
  }
  return r;
}

}  // namespace

std::string_view TraceRunStateName(TraceRunState state) {
  switch (state) {
    case TraceRunState::kQueued: return "queued";
    case TraceRunState::kRunning: return "running";
    case TraceRunState::kDone: return "done";
    case TraceRunState::kFailed: return "failed";
  }
  return "failed";
}

TraceRuns::TraceRuns(Options options) : options_(std::move(options)) {}

Result<std::unique_ptr<TraceRuns>> TraceRuns::Open(Options options) {
  if (!options.clock || !options.ids || !options.stores) return InternalError("TraceRuns: clock, ids and stores are required");
  std::unique_ptr<TraceRuns> runs(new TraceRuns(std::move(options)));
  if (Status s = runs->Load(); !s.ok()) return s;
  runs->thread_ = std::thread([r = runs.get()] {
    pthread_setname_np(pthread_self(), "trace-runs");
    r->Loop();
  });
  return runs;
}

TraceRuns::~TraceRuns() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string TraceRuns::RunDir(Id id) const { return options_.dir + "/" + std::to_string(id); }

Status TraceRuns::Load() {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) return IOError("cannot create " + options_.dir + ": " + ec.message());
  for (const auto& e : fs::directory_iterator(options_.dir, ec)) {
    const std::string file = e.path().string() + "/run.json";
    auto text = ReadWhole(file);
    if (!text.ok()) {
      spdlog::warn("trace runs: {} has no readable run.json: left alone", e.path().string());
      continue;
    }
    auto run = ParseInfo(*text);
    if (!run.ok() || e.path().filename().string() != std::to_string(run->id)) {
      spdlog::warn("trace runs: {}: {}: left alone", file, run.ok() ? "its id is not its directory's" : run.status().message());
      continue;
    }
    if (run->state == TraceRunState::kQueued || run->state == TraceRunState::kRunning) {
      run->state = TraceRunState::kFailed;
      run->error = std::string(kInterrupted);
      run->finished_at = options_.clock->NowMs();
      if (Status s = Save(*run); !s.ok()) return s;
    }
    if (run->state == TraceRunState::kDone) run->bytes_read = run->bytes_total;
    runs_.emplace(run->id, std::move(*run));
  }
  if (ec) return IOError("cannot list " + options_.dir + ": " + ec.message());
  return Status::Ok();
}

Status TraceRuns::Save(const TraceRunInfo& run) const { return WriteFileDurably(RunDir(run.id), "run.json", InfoJson(run)); }

Result<TraceRunInfo> TraceRuns::Queue(TraceRunInfo run, const std::string& run_dir) {
  if (Status s = Save(run); !s.ok()) {
    std::error_code ec;
    fs::remove_all(run_dir, ec);
    return s;
  }
  {
    std::lock_guard lock(mu_);
    runs_[run.id] = run;
  }
  cv_.notify_all();
  return run;
}

Result<TraceRunInfo> TraceRuns::SubmitUpload(std::string name, std::string_view bytes) {
  if (name.empty()) name = "dataset";
  if (!ValidName(name))
    return InvalidRequest("name", name,
                          "The dataset's name must be 1 to 100 letters, digits, '.', '_' or '-', not starting with "
                          "'.' (its extension gives the format: .jsonl, .csv or text, optionally .gz or .zst)");
  if (bytes.empty()) return InvalidRequest("body", "", "The dataset is empty");
  {
    std::lock_guard lock(mu_);
    size_t waiting = 0;
    for (const auto& [id, r] : runs_) waiting += r.state == TraceRunState::kQueued;
    if (waiting >= options_.max_waiting)
      return ServiceUnavailable(fmt::format("{} trace runs are waiting already", waiting), 60);
  }
  TraceRunInfo run;
  run.id = options_.ids->Next();
  run.name = name;
  run.created_at = options_.clock->NowMs();
  run.bytes_total = bytes.size();
  const std::string run_dir = RunDir(run.id);
  std::error_code ec;
  fs::create_directories(run_dir + "/dataset", ec);
  Status s = ec ? IOError("cannot create " + run_dir + "/dataset: " + ec.message())
                : WriteFileDurably(run_dir + "/dataset", name, bytes);
  if (!s.ok()) {
    fs::remove_all(run_dir, ec);
    return s;
  }
  return Queue(std::move(run), run_dir);
}

Result<TraceRunInfo> TraceRuns::SubmitPath(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos)
    return InvalidRequest("path", path, "The path must be an absolute path of a file on the server");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return InvalidRequest("path", path, fmt::format("No file at {} ({})", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return InvalidRequest("path", path, path + " is not a regular file");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InvalidRequest("path", path, fmt::format("The server cannot read {} ({})", path, std::strerror(errno)));
  ::close(fd);
  {
    std::lock_guard lock(mu_);
    size_t waiting = 0;
    for (const auto& [id, r] : runs_) waiting += r.state == TraceRunState::kQueued;
    if (waiting >= options_.max_waiting)
      return ServiceUnavailable(fmt::format("{} trace runs are waiting already", waiting), 60);
  }
  TraceRunInfo run;
  run.id = options_.ids->Next();
  run.name = fs::path(path).filename().string();
  run.path = path;
  run.created_at = options_.clock->NowMs();
  run.bytes_total = uint64_t(st.st_size);
  const std::string run_dir = RunDir(run.id);
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  if (ec) return IOError("cannot create " + run_dir + ": " + ec.message());
  return Queue(std::move(run), run_dir);
}

std::vector<TraceRunInfo> TraceRuns::List() const {
  std::lock_guard lock(mu_);
  std::vector<TraceRunInfo> out;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) out.push_back(it->second);
  return out;
}

std::optional<TraceRunInfo> TraceRuns::Find(Id id) const {
  std::lock_guard lock(mu_);
  auto it = runs_.find(id);
  if (it == runs_.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<std::string>> TraceRuns::Report(Id id) const {
  auto run = Find(id);
  if (!run || run->state != TraceRunState::kDone) return std::optional<std::string>();
  auto text = ReadWhole(RunDir(id) + "/report.json");
  if (!text.ok()) return text.status();
  return std::optional<std::string>(std::move(*text));
}

Result<std::string> TraceRuns::Evidence(Id id, Id app) {
  auto run = Find(id);
  if (!run) return NotFound("trace", "id", std::to_string(id), "No trace run with id " + std::to_string(id));
  if (run->state != TraceRunState::kDone)
    return Conflict(fmt::format("Trace run {} is {}: evidence comes with its report, once it is done", id,
                                TraceRunStateName(run->state)));
  std::lock_guard lock(evidence_mu_);
  const std::string dir = RunDir(id) + "/evidence", file = fmt::format("{}/{}.json", dir, app);
  if (auto cached = ReadWhole(file); cached.ok()) return cached;
  auto matches_text = ReadWhole(RunDir(id) + "/matches.json");
  if (!matches_text.ok()) return matches_text.status();
  boost::system::error_code ec;
  json::value matches = json::parse(*matches_text, ec);
  const json::value* entry = !ec && matches.is_object() ? matches.as_object().if_contains(std::to_string(app)) : nullptr;
  if (!entry)
    return NotFound("app", "app_id", std::to_string(app),
                    fmt::format("App {} received none of the posts trace run {} found", app, id));
  std::vector<Id> posts, notices;
  for (const auto& p : entry->at("posts").as_array()) posts.push_back(p.to_number<Id>());
  for (const auto& p : entry->at("notices").as_array()) notices.push_back(p.to_number<Id>());
  auto bundle = ProveAppPosts(options_.ledger_dir, app, posts, notices, options_.evidence_max_records, nullptr);
  if (!bundle.ok()) return bundle.status();
  auto key = LedgerPublicKey(options_.ledger_dir);
  if (!key.ok()) return key.status();
  // What names the bundle (the run, its dataset, the key that checks it), then ProveAppPosts'
  // members: `sluice ledger check-proof` reads the "bundle" among them.
  JsonWriter w;
  w.BeginObject();
  w.MemberId("trace_id", id);
  w.Member("dataset", run->name);
  w.Member("verifier_key", *key);
  w.EndObject();
  std::string text = w.Take();
  text.pop_back();  // '}': ProveAppPosts' members follow, "bundle" among them
  text += ',';
  text.append(*bundle, 1);
  std::error_code fec;
  fs::create_directories(dir, fec);
  if (Status s = fec ? IOError("cannot create " + dir) : WriteFileDurably(dir, std::to_string(app) + ".json", text); !s.ok())
    spdlog::warn("trace runs: evidence of app {} in run {} not kept: {}", app, id, s.message());
  return text;
}

std::string TraceRuns::RunJson(const TraceRunInfo& r, const std::optional<std::string>& report) {
  JsonWriter w;
  w.BeginObject();
  w.MemberId("id", r.id);
  w.Member("name", r.name);
  if (!r.path.empty()) w.Member("path", r.path);
  w.Member("state", TraceRunStateName(r.state));
  w.Member("created_at", FormatTime(r.created_at));
  if (r.finished_at) w.Member("finished_at", FormatTime(*r.finished_at));
  w.Key("progress");
  w.BeginObject();
  w.MemberInt("bytes_read", int64_t(r.bytes_read));
  w.MemberInt("bytes_total", int64_t(r.bytes_total));
  w.EndObject();
  w.Key("report");
  if (report) w.Raw(*report);
  else w.Null();
  if (!r.error.empty()) w.Member("error", r.error);
  w.EndObject();
  return w.Take();
}

void TraceRuns::Loop() {
  for (;;) {
    TraceRunInfo next;
    {
      std::unique_lock lock(mu_);
      auto queued = [&]() -> TraceRunInfo* {
        for (auto& [id, r] : runs_)
          if (r.state == TraceRunState::kQueued) return &r;
        return nullptr;
      };
      cv_.wait(lock, [&] { return stopping_ || queued(); });
      if (stopping_) return;
      TraceRunInfo* run = queued();
      run->state = TraceRunState::kRunning;
      next = *run;
    }
    Run(std::move(next));
  }
}

void TraceRuns::Run(TraceRunInfo run) {
  if (Status s = Save(run); !s.ok()) spdlog::warn("trace run {}: {}", run.id, s.message());
  const std::string run_dir = RunDir(run.id);
  auto update = [&](const std::function<void(TraceRunInfo&)>& change) {
    std::lock_guard lock(mu_);
    change(runs_[run.id]);
    run = runs_[run.id];
  };
  auto finish = [&](Status failure) {
    update([&](TraceRunInfo& r) {
      r.finished_at = options_.clock->NowMs();
      if (failure.ok()) {
        r.state = TraceRunState::kDone;
        r.bytes_read = r.bytes_total;
      } else {
        r.state = TraceRunState::kFailed;
        r.error = failure.message();
      }
    });
    if (Status s = Save(run); !s.ok()) spdlog::warn("trace run {}: {}", run.id, s.message());
    spdlog::info("trace run {} ({}): {}", run.id, run.name, failure.ok() ? "done" : "failed: " + failure.message());
  };

  // A checkpoint of every delivery so far: the evidence of the run proves up to it.
  std::string ledger_note;
  if (options_.ledger) {
    if (auto note = options_.ledger->Checkpoint(); !note.ok())
      ledger_note = "No checkpoint could be signed before this trace (" + note.status().message() +
                    "): posts delivered since the latest one have no proof yet.";
  }
  auto store = options_.stores();
  if (!store.ok()) return finish(store.status());
  TraceOptions options;
  options.files = {run.path.empty() ? run_dir + "/dataset/" + run.name : run.path};
  options.threads = std::max(1, options_.threads);
  options.stop = [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  };
  auto report = RunTrace(**store, options_.ledger_dir, options, [&](uint64_t bytes, uint64_t total, double) {
    std::lock_guard lock(mu_);
    TraceRunInfo& r = runs_[run.id];
    r.bytes_read = bytes;
    r.bytes_total = total;
  });
  if (!report.ok()) {
    bool stopped;
    {
      std::lock_guard lock(mu_);
      stopped = stopping_;
    }
    return finish(stopped ? Status(StatusCode::kUnavailable, std::string(kInterrupted)) : report.status());
  }
  for (const auto& f : report->apps)
    if (!f.evidence_missing.empty()) report->evidence_note = ledger_note;
  // What each app's evidence bundle proves: the matched posts it received, and the deleted
  // ones it was told of.
  JsonWriter matches;
  matches.BeginObject();
  for (const TraceAppFinding& f : report->apps) {
    matches.Key(std::to_string(f.app_id));
    matches.BeginObject();
    matches.Key("posts");
    matches.BeginArray();
    for (Id p : f.matched_posts) matches.Int(p);
    for (Id p : f.trap_hits) matches.Int(p);
    matches.EndArray();
    matches.Key("notices");
    matches.BeginArray();
    for (const TraceNotice& n : f.deleted_notified) matches.Int(n.post_id);
    matches.EndArray();
    matches.EndObject();
  }
  matches.EndObject();
  if (Status s = WriteFileDurably(run_dir, "matches.json", matches.str()); !s.ok()) return finish(s);
  if (Status s = WriteFileDurably(run_dir, "report.json", TraceReportJson(*report)); !s.ok()) return finish(s);
  finish(Status::Ok());
  // The named apps' bundles now, so that their download is a file read.
  for (const TraceAppFinding& f : report->apps)
    if (f.named)
      if (auto e = Evidence(run.id, f.app_id); !e.ok())
        spdlog::warn("trace run {}: the evidence of app {}: {}", run.id, f.app_id, e.status().message());
}

}  // namespace sluice
