#pragma once
// Requests per client address as a token bucket: `burst` at once, then `per_second` on
// average; a request over the limit is answered 429. Enough that a page polling every second
// never meets it, while a loop hammering the server is slowed down.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace comet::cli {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}
  // Takes a token from the client's bucket; false when it is empty. Thread-safe.
  bool allow(const std::string& client, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double per_second_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace comet::cli
