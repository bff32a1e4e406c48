#pragma once
//! The post cap and pay-per-use stages. Budget is reserved before an effect and kept or
//! released after it: a write's before its handler notes the post (WriteCheckStage), a read's
//! after its handler rendered the page (CapStage: a page's only effect is its record). Either
//! refuses the request whole, with 429 (cap) or 402 (credits), with nothing counted; the
//! chain releases (UsageMeter::Refund) a charge whose request is refused later or not recorded.

#include "api/exchange.h"

namespace sluice {

//! The project's budget now: its cycle, caps and (pay-per-use) credits left. Project facts
//! come from the worker's cache (WorkerState::project_cache), read from the store when stale.
Result<Budget> ProjectBudget(WorkerState& worker, const UsageMeter& meter, const Plan& plan, Id project, TimeMs now);

//! POST /2/tweets: reserves the write cap's place and the price before the handler.
class WriteCheckStage final : public Stage {
 public:
  explicit WriteCheckStage(UsageMeter& meter) : meter_(meter) {}
  std::string_view name() const override { return "write-check"; }
  Verdict Run(Exchange& ex) override;
  void Release(Exchange& ex) override;

 private:
  UsageMeter& meter_;
};

//! After a read's handler: charges what the response delivers (trap records excluded), or
//! refuses it whole; nothing for an error, a write, or a response that delivers nothing.
class CapStage final : public Stage {
 public:
  explicit CapStage(UsageMeter& meter) : meter_(meter) {}
  std::string_view name() const override { return "cap-and-credits"; }
  Verdict Run(Exchange& ex) override;
  void Release(Exchange& ex) override;

 private:
  UsageMeter& meter_;
};

}  // namespace sluice
