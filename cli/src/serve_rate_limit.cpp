#include "serve_rate_limit.h"

#include <algorithm>
#include <iterator>

namespace comet::cli {

namespace {
// Buckets kept before full ones are dropped: the server binds loopback by default, so this
// bounds memory only when it is exposed with --host to many addresses.
constexpr std::size_t kMaxClients = 4096;
}  // namespace

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= kMaxClients && buckets_.find(client) == buckets_.end()) {
    // A full bucket says nothing a new one would not: drop those.
    std::erase_if(buckets_, [&](const auto& entry) {
      const std::chrono::duration<double> idle = now - entry.second.updated;
      return entry.second.tokens + idle.count() * per_second_ >= burst_;
    });
  }
  auto [found, inserted] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& bucket = found->second;
  const std::chrono::duration<double> elapsed = now - bucket.updated;
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * per_second_);
  bucket.updated = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

}  // namespace comet::cli
