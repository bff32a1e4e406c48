#include "api/metrics.h"

#include "ledger/ledger.h"

namespace sluice {

void Metrics::CountRequest(std::string_view route, int status) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), status}];
}

void Metrics::CountRefusal(std::string_view reason) {
  std::lock_guard lock(mu_);
  ++refused_[std::string(reason)];
}

void Metrics::CountAdmitted() {
  std::lock_guard lock(mu_);
  ++admitted_;
}

std::string Metrics::Render(const Ledger* ledger) const {
  std::string out;
  std::lock_guard lock(mu_);
  out += "# HELP sluice_requests_total Responses by route and status.\n# TYPE sluice_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += "sluice_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  out += "# HELP sluice_admitted_total Requests the metering stages admitted.\n# TYPE sluice_admitted_total counter\n";
  out += "sluice_admitted_total " + std::to_string(admitted_) + "\n";
  out += "# HELP sluice_refused_total Requests the metering stages refused, by reason.\n# TYPE sluice_refused_total counter\n";
  for (const char* reason : {"rate", "cap", "credits", "licence", "plan"}) {
    auto it = refused_.find(reason);
    out += std::string("sluice_refused_total{reason=\"") + reason + "\"} " +
           std::to_string(it == refused_.end() ? 0 : it->second) + "\n";
  }
  out += "# HELP sluice_lookup_cache_total GET /2/tweets/:id served from a worker's cache of rendered lookups, or rendered.\n"
         "# TYPE sluice_lookup_cache_total counter\n";
  out += "sluice_lookup_cache_total{result=\"hit\"} " + std::to_string(lookup_hits_.load(std::memory_order_relaxed)) + "\n";
  out += "sluice_lookup_cache_total{result=\"miss\"} " + std::to_string(lookup_misses_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP sluice_connections_total Connections accepted, closed at once over server.max_connections, failed accepts, "
         "and connections closed past a deadline.\n"
         "# TYPE sluice_connections_total counter\n";
  static constexpr const char* kOutcomes[] = {"accepted", "over_cap", "accept_failed", "timed_out"};
  static_assert(std::size(kOutcomes) == size_t(Connection::kCount));
  for (size_t i = 0; i < std::size(kOutcomes); ++i)
    out += std::string("sluice_connections_total{outcome=\"") + kOutcomes[i] + "\"} " +
           std::to_string(connections_[i].load(std::memory_order_relaxed)) + "\n";
  if (ledger) {
    uint64_t appended = ledger->AppendedSize(), durable = ledger->DurableSize();
    out += "# HELP sluice_ledger_records Records appended and durable.\n# TYPE sluice_ledger_records gauge\n";
    out += "sluice_ledger_records{state=\"appended\"} " + std::to_string(appended) + "\n";
    out += "sluice_ledger_records{state=\"durable\"} " + std::to_string(durable) + "\n";
    out += "# HELP sluice_ledger_lag_records Records appended but not yet durable.\n# TYPE sluice_ledger_lag_records gauge\n";
    out += "sluice_ledger_lag_records " + std::to_string(appended - std::min(appended, durable)) + "\n";
  }
  return out;
}

}  // namespace sluice
