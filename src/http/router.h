#pragma once
//! Router: matches a request against the route table (core/routes.h) and runs it: an API
//! route through the stages (api/stages.h), a public one (licence terms, robots.txt) and the
//! server's own (health, metrics) directly. Knows nothing of sockets; the server calls it.

#include <functional>
#include <memory>

#include "api/exchange.h"
#include "api/executor.h"

namespace sluice {

class Router {
 public:
  //! `operational` answers the server's own routes (RouteKind::kOperational). What `services`
  //! points to must outlive the router; its errors become X's problems (ProblemResponse).
  Router(Services services, std::function<ApiResponse(RouteId)> operational);
  ~Router();

  //! Runs `req` and calls `done` with its response once: before returning, or later on
  //! `worker`'s thread when a stage waits. `req` must stay valid until then. Never throws:
  //! every failure is a problem response.
  void Dispatch(WorkerState& worker, const ApiRequest& req, std::function<void(ApiResponse)> done) const;

  const Chain& chain() const { return *chain_; }

 private:
  const Services services_;
  std::function<ApiResponse(RouteId)> operational_;
  std::unique_ptr<Chain> chain_;
};

//! Dispatch, then runs `executor` (the worker's) until the response is there: for tests, the
//! fuzz target and benchmarks, which run the request path outside the server.
ApiResponse DispatchAndWait(const Router& router, WorkerState& worker, QueueExecutor& executor, const ApiRequest& req);

}  // namespace sluice
