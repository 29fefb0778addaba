#pragma once
// Private to datasets/. One file over HTTP(S) (or file://) with libcurl, into a .part file.

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "comet/datasets/fetch.h"

namespace comet::datasets {

// Appends the rest of the file to `part`, resuming from its current size with a Range request
// (a server that ignores the range sends everything: the .part is started again). Transient
// failures (connection, timeout, partial transfer, HTTP 5xx) are retried options.max_retries
// times per URL with doubling delays; HTTP 4xx and exhausted retries move on to the next URL.
// Returns the URL that served the file. FetchError when every URL failed (the .part is kept
// for the next try) or the .part cannot be written.
std::string download_to_part(const std::vector<std::string>& urls,
                             const std::filesystem::path& part, const std::string& label,
                             const FetchOptions& options, std::ostream& log);

}  // namespace comet::datasets
