#pragma once
//! The request path of an API route, as one list (RequestStages), and the stages that are not
//! the admission's (admission.h), the budget's (budget.h) or authentication's (authenticate.h).

#include <memory>

#include "api/exchange.h"

namespace sluice {

//! The stages, in the order they run, for what `services` has:
//!   fault delay (config fault.delay_ms > 0)  waits on a timer, then goes on
//!   authenticate                             401
//!   plan and licence                         403
//!   rate limit (a limiter)                   429; released when refused later
//!                                            (with shared counters, all three below wait on
//!                                            Redis and answer 503 when it cannot decide)
//!   write check (a meter)                    POST: 429 cap, 402 credits; released when not recorded
//!   handler                                  the route's
//!   cap and credits (a meter)                GET: 429 cap, 402 credits; released when not recorded
//!   headers                                  rate limit and licence (after an answer too)
//!   record (a ledger)                        the ledger; a write waits until its record is durable
//!   apply write                              a recorded write or action takes effect (write_intents.h)
//! The response is then sent by the server.
std::unique_ptr<Chain> RequestStages(const Services& services);

//! Runs the route's handler (HandlerFor) with the exchange's app; its error becomes the
//! response (a handler's 4xx is no refusal: it counts against the rate limit, as on X).
class HandlerStage final : public Stage {
 public:
  std::string_view name() const override { return "handler"; }
  Verdict Run(Exchange& ex) override;
};

//! Appends the response's record (ledger/record.h): a delivery, a write, or a refusal (one
//! without an app is counted, not recorded: made-up tokens cannot grow the ledger). A write
//! is acknowledged only once its record is durable: the stage waits for that (Ledger::
//! WhenDurable) without blocking its worker. A failed record replaces the response (503).
class RecordStage final : public Stage {
 public:
  explicit RecordStage(Ledger& ledger) : ledger_(ledger) {}
  std::string_view name() const override { return "record"; }
  Verdict Run(Exchange& ex) override;
  bool runs_after_answer() const override { return true; }

 private:
  Ledger& ledger_;
};

//! A recorded write takes effect: the post is published or deleted, the action (like,
//! follow, hidden reply) applied (write_intents.h).
class ApplyWriteStage final : public Stage {
 public:
  std::string_view name() const override { return "apply-write"; }
  Verdict Run(Exchange& ex) override;
  bool runs_after_answer() const override { return true; }
};

//! Envoy's fault filter, delay only: every API request waits `delay_ms` on the worker's
//! timer before authentication. For testing clients' timeouts and the server's concurrency
//! (many requests waiting on one worker); off (not in the list) unless fault.delay_ms > 0.
class DelayStage final : public Stage {
 public:
  explicit DelayStage(TimeMs delay_ms) : delay_ms_(delay_ms) {}
  std::string_view name() const override { return "fault-delay"; }
  Verdict Run(Exchange& ex) override;

 private:
  TimeMs delay_ms_;
};

}  // namespace sluice
