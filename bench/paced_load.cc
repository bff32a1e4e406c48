// paced_load: an open-loop HTTP/1.1 load generator for bench/http_bench.sh, which measures the
// latency of a server at a fixed request rate (wrk runs as fast as the server answers; the
// latency it reports is at the maximum throughput, where queues are full). Debian has no
// wrk2; this does what its -R does, for loopback only:
//
//   paced_load PORT RATE SECONDS CONNECTIONS TARGETS_FILE [TOKEN]
//
// CONNECTIONS keep-alive connections to 127.0.0.1:PORT, each a thread sending GET requests
// for the lines of TARGETS_FILE in turn (each from its own starting point) on a fixed
// schedule: connection c sends its k-th request at start + (k * CONNECTIONS + c) / RATE. A
// request's latency runs from its scheduled time, not from when it could be sent: a response
// that is late delays the requests behind it on that connection, and their wait counts (no
// "coordinated omission"). Stops after SECONDS, whatever the server does (a connection that
// gets no answer within 10 s counts a timeout and stops).
//
// Prints one line: "sent N ok N non2xx N errors N rate R p50 X p90 X p99 X p999 X max X"
// (milliseconds). Exit 1 on a bad argument or when nothing could be sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Totals {
  std::vector<double> latencies_ms;
  long ok = 0, non2xx = 0, errors = 0;
};

bool ParseInt(const char* s, long& out) {
  auto [end, ec] = std::from_chars(s, s + std::strlen(s), out);
  return ec == std::errc() && *end == '\0' && out > 0;
}

// Reads one response (headers, then Content-Length bytes of body) from `fd` into `buf`, which
// may already hold bytes of it; leaves what follows in `buf`. The status, or -1.
int ReadResponse(int fd, std::string& buf, Clock::time_point deadline) {
  size_t header_end;
  char chunk[65536];
  auto fill = [&]() -> bool {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, int(left)) <= 0) return false;
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, size_t(n));
    return true;
  };
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return -1;
  if (buf.compare(0, 9, "HTTP/1.1 ") != 0 || buf.size() < 12) return -1;
  int status = std::atoi(buf.c_str() + 9);
  std::string headers = buf.substr(0, header_end);
  for (char& c : headers) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t at = headers.find("\r\ncontent-length:");
  if (at == std::string::npos) return -1;  // every response of both servers has one
  size_t length = std::strtoul(headers.c_str() + at + 17, nullptr, 10);
  size_t total = header_end + 4 + length;
  while (buf.size() < total)
    if (!fill()) return -1;
  buf.erase(0, total);
  return status;
}

void RunConnection(int port, double rate, int connections, int index, Clock::time_point start,
                   Clock::time_point stop, const std::vector<std::string>& requests, Totals& out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, by construction
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ++out.errors;
    if (fd >= 0) close(fd);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string buf;
  size_t next = size_t(index) * 97;
  for (long k = 0;; ++k) {
    auto due = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(double(k * connections + index) / rate));
    if (due >= stop) break;
    std::this_thread::sleep_until(due);
    const std::string& req = requests[next++ % requests.size()];
    size_t sent = 0;
    while (sent < req.size()) {
      ssize_t n = write(fd, req.data() + sent, req.size() - sent);
      if (n <= 0) break;
      sent += size_t(n);
    }
    int status = sent == req.size() ? ReadResponse(fd, buf, Clock::now() + std::chrono::seconds(10)) : -1;
    if (status < 0) {
      ++out.errors;
      break;
    }
    out.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
    (status >= 200 && status < 300 ? out.ok : out.non2xx)++;
  }
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  long port, rate, seconds, connections;
  if ((argc != 6 && argc != 7) || !ParseInt(argv[1], port) || port > 65535 || !ParseInt(argv[2], rate) ||
      !ParseInt(argv[3], seconds) || !ParseInt(argv[4], connections) || connections > 1000) {
    std::fprintf(stderr, "usage: paced_load PORT RATE SECONDS CONNECTIONS TARGETS_FILE [TOKEN]\n");
    return 1;
  }
  std::vector<std::string> requests;
  std::ifstream targets(argv[5]);
  for (std::string line; std::getline(targets, line);) {
    if (line.empty()) continue;
    std::string r = "GET " + line + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    if (argc == 7 && argv[6][0]) r += std::string("Authorization: Bearer ") + argv[6] + "\r\n";
    requests.push_back(r + "\r\n");
  }
  if (requests.empty()) {
    std::fprintf(stderr, "paced_load: no targets in %s\n", argv[5]);
    return 1;
  }
  std::vector<Totals> totals(static_cast<size_t>(connections));
  std::vector<std::thread> threads;
  auto start = Clock::now() + std::chrono::milliseconds(100);  // every thread started by then
  auto stop = start + std::chrono::seconds(seconds);
  for (int c = 0; c < connections; ++c)
    threads.emplace_back(RunConnection, int(port), double(rate), int(connections), c, start, stop,
                         std::cref(requests), std::ref(totals[size_t(c)]));
  for (auto& t : threads) t.join();
  Totals all;
  for (auto& t : totals) {
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    all.ok += t.ok;
    all.non2xx += t.non2xx;
    all.errors += t.errors;
  }
  auto& l = all.latencies_ms;
  if (l.empty()) {
    std::fprintf(stderr, "paced_load: no response (errors %ld)\n", all.errors);
    return 1;
  }
  std::sort(l.begin(), l.end());
  auto q = [&](double p) { return l[std::min(l.size() - 1, size_t(p * double(l.size())))]; };
  std::printf("sent %zu ok %ld non2xx %ld errors %ld rate %.0f p50 %.2f p90 %.2f p99 %.2f p999 %.2f max %.2f\n",
              l.size(), all.ok, all.non2xx, all.errors, double(l.size()) / double(seconds), q(0.5), q(0.9), q(0.99),
              q(0.999), l.back());
  return 0;
}
