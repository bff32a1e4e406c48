#pragma once
//! The rate-limit, write-check and cap stages over AdmissionCounters (Services::counters: the
//! shared counters in Redis). Same decisions and refusals as RateLimitStage, WriteCheckStage
//! and CapStage, but the answer may come later: the stage then waits (Verdict::Wait) and the
//! request resumes on its worker, which serves other requests meanwhile. When the counters
//! cannot decide (Redis down, on_backend_failure = "closed") the stage answers 503 with
//! Retry-After (Refusal::kBackend), and what earlier stages reserved is given back.

#include "api/exchange.h"

namespace sluice {

class SharedRateLimitStage final : public Stage {
 public:
  explicit SharedRateLimitStage(AdmissionCounters& counters) : counters_(counters) {}
  std::string_view name() const override { return "rate-limit"; }
  Verdict Run(Exchange& ex) override;
  //! Gives the admission back when a later stage refused the request or its record failed
  //! (a handler's 400 or 404 stays counted, as on X).
  void Release(Exchange& ex) override;

 private:
  AdmissionCounters& counters_;
};

//! POST /2/tweets: reserves the write cap's place and the price before the handler.
class SharedWriteCheckStage final : public Stage {
 public:
  SharedWriteCheckStage(AdmissionCounters& counters, const UsageMeter& meter) : counters_(counters), meter_(meter) {}
  std::string_view name() const override { return "write-check"; }
  Verdict Run(Exchange& ex) override;
  void Release(Exchange& ex) override;

 private:
  AdmissionCounters& counters_;
  const UsageMeter& meter_;
};

//! After a read's handler: charges what the response delivers, or refuses it whole.
class SharedCapStage final : public Stage {
 public:
  SharedCapStage(AdmissionCounters& counters, const UsageMeter& meter) : counters_(counters), meter_(meter) {}
  std::string_view name() const override { return "cap-and-credits"; }
  Verdict Run(Exchange& ex) override;
  void Release(Exchange& ex) override;

 private:
  AdmissionCounters& counters_;
  const UsageMeter& meter_;
};

}  // namespace sluice
