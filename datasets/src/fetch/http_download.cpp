#include "fetch/http_download.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string mib(double bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", bytes / (1024.0 * 1024.0));
  return text;
}

// The state of one attempt, shared with libcurl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  std::FILE* file = nullptr;
  fs::path part;
  curl_off_t offset = 0;  // bytes already in the .part when the attempt started
  bool write_failed = false;
  curl_off_t range_total = -1;  // from "Content-Range: bytes */N" of a 416
  // progress
  bool terminal = false;
  std::ostream* log = nullptr;
  std::string label;
  Clock::time_point last_draw{};
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  std::string line(data, size * count);
  std::transform(line.begin(), line.end(), line.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  long long total = -1;
  // A 416 names the full size: if it equals the .part's, the .part is already complete.
  if (std::sscanf(line.c_str(), "content-range: bytes */%lld", &total) == 1) {
    t.range_total = total;
  }
  return size * count;
}

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  // An error page is not the file. (0: file://, which resumes by itself. A 200 to a Range
  // request never gets here: libcurl stops it with CURLE_RANGE_ERROR.)
  if (status != 0 && status != 200 && status != 206) return bytes;
  if (std::fwrite(data, 1, bytes, t.file) != bytes) {
    t.write_failed = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  const auto clock = Clock::now();
  if (clock - t.last_draw < std::chrono::milliseconds(200)) return 0;
  t.last_draw = clock;
  const double done = static_cast<double>(t.offset + now);
  std::string line = "\r  " + t.label + "  " + mib(done);
  if (total > 0) {
    const double all = static_cast<double>(t.offset + total);
    char percent[16];
    std::snprintf(percent, sizeof(percent), "  %3.0f%%", 100.0 * done / all);
    line += " / " + mib(all) + percent;
  }
  *t.log << line << "\033[K" << std::flush;  // \033[K: clear the rest of a longer old line
  return 0;
}

bool is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// restart: the .part could not be resumed and was deleted; try again at once from byte 0.
enum class Result { done, transient, permanent, restart };

struct Attempt {
  Result result = Result::permanent;
  std::string error;
};

Attempt try_once(const std::string& url, const fs::path& part, const std::string& label,
                 const FetchOptions& options, std::ostream& log) {
  Transfer t;
  t.part = part;
  std::error_code ec;
  t.offset = fs::exists(part, ec) ? static_cast<curl_off_t>(fs::file_size(part, ec)) : 0;
  t.file = std::fopen(part.c_str(), "ab");
  if (t.file == nullptr) throw FetchError("cannot write " + part.string());
  t.terminal = options.progress_is_terminal;
  t.log = &log;
  t.label = label;

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw FetchError("libcurl cannot start a transfer");
  t.curl = curl.get();
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(t.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);  // publishers move http -> https
  curl_easy_setopt(t.curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "comet-data-get");
  curl_easy_setopt(t.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  // A stalled server (less than 1 byte/s for stall_timeout_s) is a timeout, hence retried.
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
  curl_easy_setopt(t.curl, CURLOPT_RESUME_FROM_LARGE, t.offset);
  curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(t.curl, CURLOPT_HEADERDATA, &t);
  if (t.terminal) {
    curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
  }
  const CURLcode code = curl_easy_perform(t.curl);
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  const bool closed = t.file != nullptr && std::fclose(t.file) == 0;
  if (t.terminal) log << "\r\033[K" << std::flush;
  if (t.write_failed || !closed) throw FetchError("cannot write " + part.string());

  if (code == CURLE_RANGE_ERROR) {  // the server ignores Range: the .part cannot be resumed
    fs::remove(part, ec);
    return {Result::restart, "the server cannot resume"};
  }
  if (code != CURLE_OK) {
    const std::string what = error_text[0] ? error_text : curl_easy_strerror(code);
    return {is_transient(code) ? Result::transient : Result::permanent, what};
  }
  if (status == 0 || status == 200 || status == 206) return {Result::done, ""};
  if (status == 416) {
    if (t.range_total == t.offset) return {Result::done, ""};  // the .part was already whole
    fs::remove(part, ec);  // longer than the file, or the file changed: start over
    return {Result::restart, "HTTP 416"};
  }
  const std::string what = "HTTP " + std::to_string(status);
  return {status >= 500 ? Result::transient : Result::permanent, what};
}

}  // namespace

std::string download_to_part(const std::vector<std::string>& urls, const fs::path& part,
                             const std::string& label, const FetchOptions& options,
                             std::ostream& log) {
  init_curl_once();
  std::string failures;
  for (const auto& url : urls) {
    Attempt attempt;
    for (int retry = 0; retry <= options.max_retries; ++retry) {
      if (retry > 0) {
        const auto delay = options.retry_delay * (1LL << (retry - 1));
        log << "  " << label << ": " << attempt.error << "; retry " << retry << "/"
            << options.max_retries << " in " << delay.count() << " ms\n"
            << std::flush;
        std::this_thread::sleep_for(delay);
      }
      attempt = try_once(url, part, label, options, log);
      // From byte 0 there is no range left to refuse, so this cannot loop.
      if (attempt.result == Result::restart) attempt = try_once(url, part, label, options, log);
      if (attempt.result != Result::transient) break;
    }
    if (attempt.result == Result::done) return url;
    failures += "\n  " + url + ": " + attempt.error;
    if (attempt.result == Result::transient) {
      failures += " (after " + std::to_string(options.max_retries) + " retries)";
    }
  }
  std::error_code ec;
  const bool kept = fs::exists(part, ec) && fs::file_size(part, ec) > 0;
  throw FetchError(
      "cannot download " + label + ":" + failures +
      (kept ? "\nthe partial file " + part.string() + " is kept; `comet data get` resumes it"
            : std::string()));
}

}  // namespace comet::datasets
