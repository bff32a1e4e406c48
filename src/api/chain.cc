#include <spdlog/spdlog.h>

#include <exception>

#include "api/exchange.h"
#include "api/metrics.h"
#include "store/store.h"

namespace sluice {

std::string_view RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kNone: return "none";
    case Refusal::kToken: return "token";
    case Refusal::kPlan: return "plan";
    case Refusal::kLicence: return "licence";
    case Refusal::kRate: return "rate";
    case Refusal::kCap: return "cap";
    case Refusal::kCredits: return "credits";
    case Refusal::kBackend: return "backend";
    case Refusal::kScope: return "scope";
    case Refusal::kCount: break;
  }
  return "none";
}

Verdict Exchange::Refuse(Refusal reason, const Status& error) {
  refusal = reason;
  response = services.error_response(error);
  return Verdict::Answer();
}

std::function<void()> Exchange::Suspend() {
  services.metrics.WaitBegan();
  return [self = shared_from_this(), running = worker.executor.KeepRunning()] {
    self->worker.executor.Post([self, running] {
      self->services.metrics.WaitEnded();
      self->chain_->Advance(self);
    });
  };
}

ApiContext Exchange::Context() {
  Id acting = user ? user->user_id : (app ? app->user_id : 0);
  Id authorizing = user ? user->user_id : 0;
  return ApiContext{services, worker, worker.store, services.config, services.ids, now, write_generation, acting, authorizing,
                    capture2};
}

void Chain::Start(std::shared_ptr<Exchange> ex, std::function<void(ApiResponse)> done) const {
  ex->chain_ = this;
  ex->done_ = std::move(done);
  ex->now = ex->services.clock.NowMs();
  Advance(ex);
}

// A GET's reads before the response stages share one store snapshot, taken after the request
// arrived (it sees every write acknowledged before) and never held across a wait: another
// request of the worker uses the same connection meanwhile.
void Chain::OpenReads(Exchange& ex) const {
  if (ex.reads_open_ || ex.answered_ || ex.request.method != "GET") return;
  // The write generation first: a response rendered from these reads may be cached under it.
  ex.write_generation = StoreWriteGeneration();
  ex.worker.store.BeginReads();
  ex.reads_open_ = true;
}

void Chain::CloseReads(Exchange& ex) const {
  if (!ex.reads_open_) return;
  ex.worker.store.EndReads();
  ex.reads_open_ = false;
}

void Chain::ReleaseAll(Exchange& ex) const {
  if (ex.released_) return;
  ex.released_ = true;
  for (size_t i = ex.ran_; i-- > 0;) {
    try {
      stages_[i]->Release(ex);
    } catch (const std::exception& e) {
      spdlog::error("stage {} failed to release request {}: {}", stages_[i]->name(), ex.request.request_id, e.what());
    }
  }
}

void Chain::Answered(Exchange& ex) const {
  if (ex.answered_) return;
  ex.answered_ = true;
  CloseReads(ex);
  // At once, so the response's headers (the rate limit's remaining) show it cost nothing.
  ReleaseAll(ex);
  if (ex.refusal != Refusal::kNone) ex.services.metrics.CountRefusal(ex.refusal);
}

void Chain::Advance(const std::shared_ptr<Exchange>& ex) const {
  if (ex->answer_on_resume_) {  // the stage that waited answered
    ex->answer_on_resume_ = false;
    Answered(*ex);
  }
  while (ex->next_ < stages_.size()) {
    const Stage& stage = *stages_[ex->next_];
    if (ex->answered_ && !stage.runs_after_answer()) {
      ++ex->next_;
      continue;
    }
    if (stage.runs_after_answer()) {
      CloseReads(*ex);
      // The response is settled: what follows shapes and records it.
      if (!ex->answered_) {
        ex->succeeded = ex->response.status < 300;
        if (ex->app && ex->streamed) ex->services.metrics.CountStreamedPost();
        else if (ex->app) ex->services.metrics.CountAdmitted();
      }
      ex->answered_ = true;
    } else {
      OpenReads(*ex);
    }
    ++ex->next_;
    ex->ran_ = ex->next_;
    Verdict verdict;
    try {
      verdict = stages_[ex->next_ - 1]->Run(*ex);
    } catch (const std::exception& e) {
      spdlog::error("stage {} threw on request {}: {}", stage.name(), ex->request.request_id, e.what());
      ex->Fail(InternalError("The server failed to handle this request."));
      verdict = Verdict::Answer();
    } catch (...) {
      spdlog::error("stage {} threw on request {}", stage.name(), ex->request.request_id);
      ex->Fail(InternalError("The server failed to handle this request."));
      verdict = Verdict::Answer();
    }
    if (verdict.kind == Verdict::Kind::kWait) {
      CloseReads(*ex);
      return;  // the stage's Resume calls Advance again, on this worker
    }
    if (verdict.kind == Verdict::Kind::kAnswer) Answered(*ex);
  }
  CloseReads(*ex);
  if (!ex->answered_) ex->succeeded = ex->response.status < 300;  // a list without response stages
  if (!ex->kept()) ReleaseAll(*ex);
  auto done = std::move(ex->done_);
  done(std::move(ex->response));
}

}  // namespace sluice
