/* HTTP GETs through libcurl, loaded at run time like the codecs (libcurl.so.4 of Debian's
   libcurl4): walkit reads local files without it. Requests are signed with AWS Signature V4 by
   libcurl itself (CURLOPT_AWS_SIGV4, libcurl 7.75 and later). One handle per thread, reused so
   that its connection is kept alive. */
#include "CWALSupport.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The few libcurl options and codes walkit uses, as curl.h numbers them (stable ABI). */
enum {
  OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_USERPWD = 10005, OPT_ERRORBUFFER = 10010,
  OPT_WRITEFUNCTION = 20011, OPT_USERAGENT = 10018, OPT_LOW_SPEED_LIMIT = 19, OPT_LOW_SPEED_TIME = 20,
  OPT_HTTPHEADER = 10023, OPT_HEADERDATA = 10029, OPT_NOBODY = 44, OPT_CAINFO = 10065,
  OPT_HEADERFUNCTION = 20079, OPT_HTTPGET = 80, OPT_NOSIGNAL = 99, OPT_CONNECTTIMEOUT_MS = 156,
  OPT_TCP_KEEPALIVE = 213, OPT_AWS_SIGV4 = 10305,
  INFO_RESPONSE_CODE = 0x200002, GLOBAL_DEFAULT = 3, ERROR_SIZE = 256,
};

struct curl_slist;
static struct {
  int (*global_init)(long);
  void *(*easy_init)(void);
  int (*easy_setopt)(void *, int, ...);
  int (*easy_perform)(void *);
  int (*easy_getinfo)(void *, int, ...);
  void (*easy_cleanup)(void *);
  void (*easy_reset)(void *);
  const char *(*easy_strerror)(int);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
  char *(*version)(void);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_problem[200];

static void load_curl(void) {
  if (getenv("WALKIT_DISABLE_CURL")) {
    snprintf(load_problem, sizeof load_problem, "libcurl disabled by WALKIT_DISABLE_CURL");
    return;
  }
  void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!library) library = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    snprintf(load_problem, sizeof load_problem, "libcurl is not installed (Debian package libcurl4): %s", dlerror());
    return;
  }
  struct { const char *name; void **slot; } symbols[] = {
      {"curl_global_init", (void **)&curl.global_init}, {"curl_easy_init", (void **)&curl.easy_init},
      {"curl_easy_setopt", (void **)&curl.easy_setopt}, {"curl_easy_perform", (void **)&curl.easy_perform},
      {"curl_easy_getinfo", (void **)&curl.easy_getinfo}, {"curl_easy_cleanup", (void **)&curl.easy_cleanup},
      {"curl_easy_reset", (void **)&curl.easy_reset}, {"curl_easy_strerror", (void **)&curl.easy_strerror},
      {"curl_slist_append", (void **)&curl.slist_append}, {"curl_slist_free_all", (void **)&curl.slist_free_all},
      {"curl_version", (void **)&curl.version},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
    *symbols[i].slot = dlsym(library, symbols[i].name);
    if (!*symbols[i].slot) {
      snprintf(load_problem, sizeof load_problem, "libcurl lacks %s", symbols[i].name);
      return;
    }
  }
  if (curl.global_init(GLOBAL_DEFAULT) != 0) {
    snprintf(load_problem, sizeof load_problem, "curl_global_init failed");
    return;
  }
  loaded = 1;
}

int walkit_http_available(void) {
  pthread_once(&load_once, load_curl);
  return loaded;
}

const char *walkit_http_problem(void) {
  pthread_once(&load_once, load_curl);
  return loaded ? NULL : load_problem;
}

const char *walkit_http_library_version(void) {
  return walkit_http_available() ? curl.version() : NULL;
}

void *walkit_http_handle_new(void) { return walkit_http_available() ? curl.easy_init() : NULL; }

void walkit_http_handle_free(void *handle) {
  if (handle && loaded) curl.easy_cleanup(handle);
}

void walkit_http_body_free(walkit_http_response *response) {
  if (response->body_is_allocated) free(response->body);
  response->body = NULL;
  response->body_is_allocated = 0;
}

static size_t take_body(char *data, size_t size, size_t count, void *context) {
  walkit_http_response *response = context;
  size_t length = size * count;
  if (response->length + length > response->limit) {
    response->overflow = 1;
    return 0;
  }
  if (response->length + length > response->capacity) {
    if (!response->body_is_allocated) {
      response->overflow = 1;
      return 0;
    }
    size_t capacity = response->capacity ? response->capacity : 64 * 1024;
    while (capacity < response->length + length) capacity *= 2;
    if (capacity > response->limit) capacity = response->limit;
    unsigned char *grown = realloc(response->body, capacity);
    if (!grown) return 0;
    response->body = grown;
    response->capacity = capacity;
  }
  memcpy(response->body + response->length, data, length);
  response->length += length;
  return length;
}

static void copy_header_value(const char *value, size_t length, char *into, size_t capacity) {
  while (length && (*value == ' ' || *value == '\t')) value++, length--;
  while (length && (value[length - 1] == '\r' || value[length - 1] == '\n' || value[length - 1] == ' ')) length--;
  if (length >= capacity) length = capacity - 1;
  memcpy(into, value, length);
  into[length] = 0;
}

static size_t take_header(char *line, size_t size, size_t count, void *context) {
  walkit_http_response *response = context;
  size_t length = size * count;
  struct { const char *name; char *into; size_t capacity; } wanted[] = {
      {"etag:", response->etag, sizeof response->etag},
      {"content-length:", response->content_length, sizeof response->content_length},
      {"content-range:", response->content_range, sizeof response->content_range},
      {"x-amz-bucket-region:", response->bucket_region, sizeof response->bucket_region},
  };
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
    size_t name_length = strlen(wanted[i].name);
    if (length > name_length && strncasecmp(line, wanted[i].name, name_length) == 0)
      copy_header_value(line + name_length, length - name_length, wanted[i].into, wanted[i].capacity);
  }
  return length;
}

int walkit_http_perform(void *handle, const walkit_http_request *request, walkit_http_response *response) {
  if (!walkit_http_available() || !handle) {
    snprintf(response->error, sizeof response->error, "%s", load_problem);
    return -1;
  }
  response->status = 0;
  response->length = 0;
  response->overflow = 0;
  response->error[0] = response->etag[0] = response->content_length[0] = 0;
  response->content_range[0] = response->bucket_region[0] = 0;
  char error[ERROR_SIZE] = {0};
  struct curl_slist *headers = NULL;
  for (int i = 0; i < request->header_count; i++) headers = curl.slist_append(headers, request->headers[i]);

  curl.easy_reset(handle);
  curl.easy_setopt(handle, OPT_URL, request->url);
  curl.easy_setopt(handle, OPT_ERRORBUFFER, error);
  curl.easy_setopt(handle, OPT_NOSIGNAL, 1L);
  curl.easy_setopt(handle, OPT_TCP_KEEPALIVE, 1L);
  curl.easy_setopt(handle, OPT_USERAGENT, "walkit");
  curl.easy_setopt(handle, OPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms);
  /* A transfer that moves less than 1 kB/s for stall_seconds is given up (and retried). */
  curl.easy_setopt(handle, OPT_LOW_SPEED_LIMIT, 1024L);
  curl.easy_setopt(handle, OPT_LOW_SPEED_TIME, request->stall_seconds);
  if (request->head_only) curl.easy_setopt(handle, OPT_NOBODY, 1L);
  else curl.easy_setopt(handle, OPT_HTTPGET, 1L);
  if (headers) curl.easy_setopt(handle, OPT_HTTPHEADER, headers);
  if (request->user_password) curl.easy_setopt(handle, OPT_USERPWD, request->user_password);
  if (request->aws_sigv4) curl.easy_setopt(handle, OPT_AWS_SIGV4, request->aws_sigv4);
  if (request->ca_file) curl.easy_setopt(handle, OPT_CAINFO, request->ca_file);
  curl.easy_setopt(handle, OPT_WRITEFUNCTION, take_body);
  curl.easy_setopt(handle, OPT_WRITEDATA, response);
  curl.easy_setopt(handle, OPT_HEADERFUNCTION, take_header);
  curl.easy_setopt(handle, OPT_HEADERDATA, response);

  int code = curl.easy_perform(handle);
  long status = 0;
  curl.easy_getinfo(handle, INFO_RESPONSE_CODE, &status);
  response->status = status;
  /* The handle must keep no pointer into this frame (the error buffer), the caller's response
     or the headers freed next, for the handle's cleanup: reset drops the options and keeps the
     connection for the next request. */
  curl.easy_reset(handle);
  if (headers) curl.slist_free_all(headers);
  if (code != 0)
    snprintf(response->error, sizeof response->error, "%s", error[0] ? error : curl.easy_strerror(code));
  return code;
}
