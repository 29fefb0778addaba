#include "timestamp.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace comet::results {

std::string utc_timestamp_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto seconds_since_epoch = floor<seconds>(now);
  const auto milliseconds = duration_cast<std::chrono::milliseconds>(now - seconds_since_epoch);
  const std::time_t whole_seconds = system_clock::to_time_t(seconds_since_epoch);
  std::tm utc{};
  gmtime_r(&whole_seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     milliseconds.count());
}

}  // namespace comet::results
