#pragma once
// Timestamps stored in the results database.

#include <string>

namespace comet::results {

// Now as ISO-8601 UTC with milliseconds: "2024-05-01T12:34:56.789Z". Sorts as text.
std::string utc_timestamp_now();

}  // namespace comet::results
