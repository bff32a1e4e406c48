#include "core/routes.h"

namespace sluice {

namespace {

// Matches `path` against `pattern`; on success sets `captures` to the captured segments, in
// order, and `n` to how many there are.
bool Match(std::string_view pattern, std::string_view path, std::string_view (&captures)[2], int& n) {
  n = 0;
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    size_t pe = pattern.find('/');
    size_t se = path.find('/');
    std::string_view pseg = pattern.substr(0, pe), seg = path.substr(0, se);
    if (!pseg.empty() && pseg.front() == ':') {
      if (seg.empty() || n == 2) return false;
      captures[n++] = seg;
    } else if (pseg != seg) {
      return false;
    }
    pattern.remove_prefix(pseg.size());
    path.remove_prefix(seg.size());
  }
  return pattern.empty() && path.empty();
}

const std::array<std::string, kRouteCount>& EndpointNames() {
  static const std::array<std::string, kRouteCount> names = [] {
    std::array<std::string, kRouteCount> n;
    for (const Route& r : kRoutes) n[size_t(r.id)] = std::string(r.method) + " " + std::string(r.pattern);
    return n;
  }();
  return names;
}

}  // namespace

std::string_view EndpointName(RouteId id) { return EndpointNames()[size_t(id)]; }

std::optional<RouteId> RouteByEndpoint(std::string_view endpoint) {
  for (const Route& r : kRoutes)
    if (EndpointName(r.id) == endpoint) return r.id;
  return std::nullopt;
}

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  RouteMatch m;
  std::string allow;
  int best = 3;  // the captures of the route matched so far: the fewest win
  for (const Route& r : kRoutes) {
    std::string_view captures[2];
    int n = 0;
    if (!Match(r.pattern, path, captures, n)) continue;
    if (r.method != method) {
      // A method appears once in Allow even when a literal and a capture route both have it.
      if (allow.find(r.method) == std::string::npos) {
        if (!allow.empty()) allow += ", ";
        allow += r.method;
      }
      continue;
    }
    // A literal segment beats a capture: /2/users/search is not the user "search". The match
    // with the fewest captures wins, the first of those.
    if (n >= best) continue;
    best = n;
    m.route = r.id;
    m.capture = captures[0];
    m.capture2 = captures[1];
    if (n == 0) break;
  }
  if (!m.route) m.allow = std::move(allow);
  return m;
}

}  // namespace sluice
