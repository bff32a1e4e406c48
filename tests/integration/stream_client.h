#pragma once
//! StreamClient: one streaming request over its own connection, as X's clients read a stream:
//! the status and headers, then the chunked body line by line ("\r\n" alone is a keep-alive).
//! For the stream tests; a test that wants a slow reader simply does not call NextLine.

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace sluice::testing {

class StreamClient {
 public:
  //! Connects to 127.0.0.1:`port` and sends GET `target` with `token`; reads the head.
  //! `receive_buffer`: the socket's SO_RCVBUF (0: the system's), set before connecting.
  StreamClient(int port, const std::string& target, const std::string& token, int receive_buffer = 0);
  ~StreamClient();
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  int status() const { return status_; }
  const std::map<std::string, std::string>& headers() const { return headers_; }
  //! A response that is not a stream (an error): its whole body.
  const std::string& body() const { return body_; }

  //! The next line of the stream without its "\r\n" ("" for a keep-alive), or nullopt when the
  //! stream ended (its last chunk, or the connection closed) or `timeout` passed (timed_out()).
  std::optional<std::string> NextLine(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool ended() const { return ended_; }
  bool timed_out() const { return timed_out_; }
  //! Closes the connection (the server sees the client go).
  void Close();

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);  // more bytes into raw_; false: closed or timed out
  bool NextChunk(std::chrono::steady_clock::time_point deadline);  // decodes one chunk into lines_

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string body_;
  std::string raw_;    // bytes read, not yet decoded
  std::string lines_;  // decoded body, not yet returned
  bool ended_ = false;
  bool timed_out_ = false;
};

}  // namespace sluice::testing
