/* Loads the optional codec libraries at run time, as systemd loads its compression libraries:
   dlopen of the versioned shared library, every function walkit calls resolved once, on first
   use, under pthread_once. A library that is missing (or lacks a function) leaves its codec
   unavailable; the files that need it are reported, the rest is read. */
#include "codecs.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct library {
  const char *name;           /* the codec's name in WALKIT_DISABLE_CODECS and in messages */
  const char *const *files;   /* versioned file names to try, in order */
  const char *package;        /* the Debian package that provides it */
  const char *const *symbols; /* the functions walkit calls, in the order of its API struct */
  size_t symbol_count;
  const char *version_symbol; /* a function returning the library's version, or NULL */
  void *api;                  /* the API struct that receives the functions, in symbol order */
  size_t api_size;
  pthread_once_t once;
  int available;
  const char *loaded_file;
  char problem[160];
  char version[32];
};

#define FILES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define SYMBOLS(...) ((const char *const[]){__VA_ARGS__}), (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static struct walkit_lz4 lz4_api;
static struct walkit_zstd zstd_api;
static struct walkit_bzip2 bzip2_api;
static struct walkit_xz xz_api;
static struct walkit_brotli brotli_api;
static struct walkit_libdeflate libdeflate_api;
static struct walkit_sha1_api sha1_api;
#define API(api) &api, sizeof api

static struct library libraries[WALKIT_CODEC_COUNT] = {
    [WALKIT_CODEC_LZ4] = {"lz4", FILES("liblz4.so.1"), "liblz4-1",
                          SYMBOLS("LZ4F_createDecompressionContext", "LZ4F_decompress",
                                  "LZ4F_isError", "LZ4F_getErrorName", "LZ4_decompress_safe",
                                  "LZ4F_resetDecompressionContext"),
                          "LZ4_versionString", API(lz4_api), PTHREAD_ONCE_INIT},
    [WALKIT_CODEC_ZSTD] = {"zstd", FILES("libzstd.so.1"), "libzstd1",
                           SYMBOLS("ZSTD_createDStream", "ZSTD_DCtx_setParameter",
                                   "ZSTD_decompressStream", "ZSTD_isError", "ZSTD_getErrorName", "ZSTD_decompress",
                                   "ZSTD_DCtx_reset"),
                           "ZSTD_versionString", API(zstd_api), PTHREAD_ONCE_INIT},
    [WALKIT_CODEC_BZIP2] = {"bzip2", FILES("libbz2.so.1.0", "libbz2.so.1"), "libbz2-1.0",
                            SYMBOLS("BZ2_bzDecompressInit", "BZ2_bzDecompress", "BZ2_bzDecompressEnd"),
                            "BZ2_bzlibVersion", API(bzip2_api), PTHREAD_ONCE_INIT},
    [WALKIT_CODEC_XZ] = {"xz", FILES("liblzma.so.5"), "liblzma5",
                         SYMBOLS("lzma_stream_decoder", "lzma_alone_decoder", "lzma_code"),
                         "lzma_version_string", API(xz_api), PTHREAD_ONCE_INIT},
    [WALKIT_CODEC_BROTLI] = {"brotli", FILES("libbrotlidec.so.1"), "libbrotli1",
                             SYMBOLS("BrotliDecoderCreateInstance", "BrotliDecoderDecompressStream",
                                     "BrotliDecoderDestroyInstance", "BrotliDecoderGetErrorCode",
                                     "BrotliDecoderErrorString"),
                             NULL, API(brotli_api), PTHREAD_ONCE_INIT},
    [WALKIT_CODEC_LIBDEFLATE] = {"libdeflate", FILES("libdeflate.so.0"), "libdeflate0",
                                 SYMBOLS("libdeflate_alloc_decompressor", "libdeflate_gzip_decompress_ex"), NULL,
                                 API(libdeflate_api), PTHREAD_ONCE_INIT},
    [WALKIT_CODEC_SHA1] = {"sha1", FILES("libcrypto.so.3", "libcrypto.so.1.1"), "libssl3",
                           SYMBOLS("EVP_Digest", "EVP_sha1"), "OpenSSL_version", API(sha1_api), PTHREAD_ONCE_INIT},
};

/* Whether WALKIT_DISABLE_CODECS (a comma-separated list of codec names; a test hook) names
   `name`. */
static int disabled(const char *name) {
  const char *list = getenv("WALKIT_DISABLE_CODECS");
  size_t length = strlen(name);
  while (list && *list) {
    const char *comma = strchr(list, ',');
    size_t item = comma ? (size_t)(comma - list) : strlen(list);
    if (item == length && strncmp(list, name, length) == 0) return 1;
    list = comma ? comma + 1 : NULL;
  }
  return 0;
}

static void read_version(struct library *library, void *handle) {
  if (!library->version_symbol) return;
  void *function = dlsym(handle, library->version_symbol);
  if (!function) return;
  const char *text;
  if (library - libraries == WALKIT_CODEC_SHA1) {
    text = ((const char *(*)(int))function)(0); /* OpenSSL_version(OPENSSL_VERSION) */
  } else {
    text = ((const char *(*)(void))function)();
  }
  if (text) {
    strncpy(library->version, text, sizeof library->version - 1);
    library->version[sizeof library->version - 1] = 0;
  }
}

static void load(struct library *library) {
  library->loaded_file = library->files[0];
  if (disabled(library->name)) {
    strcpy(library->problem, "disabled by WALKIT_DISABLE_CODECS");
    return;
  }
  void *handle = NULL;
  for (const char *const *file = library->files; *file && !handle; file++) {
    handle = dlopen(*file, RTLD_NOW | RTLD_LOCAL);
    if (handle) library->loaded_file = *file;
  }
  if (!handle) {
    strcpy(library->problem, "not found");
    return;
  }
  void *functions[8];
  if (library->symbol_count > 8 || library->api_size != library->symbol_count * sizeof(void *)) abort();
  for (size_t index = 0; index < library->symbol_count; index++) {
    functions[index] = dlsym(handle, library->symbols[index]);
    if (!functions[index]) {
      snprintf(library->problem, sizeof library->problem, "%s lacks %s", library->loaded_file, library->symbols[index]);
      dlclose(handle);
      return;
    }
  }
  memcpy(library->api, functions, library->api_size);
  read_version(library, handle);
  library->available = 1; /* the handle stays open for the life of the process */
}

#define LOADER(codec, function)                                                                 \
  static void load_##function(void) { load(&libraries[codec]); }                                \
  static struct library *function(void) {                                                       \
    pthread_once(&libraries[codec].once, load_##function);                                      \
    return &libraries[codec];                                                                   \
  }
LOADER(WALKIT_CODEC_LZ4, lz4_library)
LOADER(WALKIT_CODEC_ZSTD, zstd_library)
LOADER(WALKIT_CODEC_BZIP2, bzip2_library)
LOADER(WALKIT_CODEC_XZ, xz_library)
LOADER(WALKIT_CODEC_BROTLI, brotli_library)
LOADER(WALKIT_CODEC_LIBDEFLATE, libdeflate_library)
LOADER(WALKIT_CODEC_SHA1, sha1_library)

static struct library *library_of(walkit_codec codec) {
  switch (codec) {
  case WALKIT_CODEC_LZ4: return lz4_library();
  case WALKIT_CODEC_ZSTD: return zstd_library();
  case WALKIT_CODEC_BZIP2: return bzip2_library();
  case WALKIT_CODEC_XZ: return xz_library();
  case WALKIT_CODEC_BROTLI: return brotli_library();
  case WALKIT_CODEC_LIBDEFLATE: return libdeflate_library();
  case WALKIT_CODEC_SHA1: return sha1_library();
  default: return NULL;
  }
}

#define GETTER(type, function)                                                                  \
  const struct type *walkit_##function##_api(void) {                                            \
    struct library *library = function##_library();                                             \
    return library->available ? library->api : NULL;                                             \
  }
GETTER(walkit_lz4, lz4)
GETTER(walkit_zstd, zstd)
GETTER(walkit_bzip2, bzip2)
GETTER(walkit_xz, xz)
GETTER(walkit_brotli, brotli)
GETTER(walkit_libdeflate, libdeflate)

const struct walkit_sha1_api *walkit_crypto_api(void) {
  struct library *library = sha1_library();
  return library->available ? library->api : NULL;
}

int walkit_codec_available(walkit_codec codec) {
  struct library *library = library_of(codec);
  return library && library->available;
}

const char *walkit_codec_library(walkit_codec codec) {
  struct library *library = library_of(codec);
  return library ? library->loaded_file : "";
}

const char *walkit_codec_package(walkit_codec codec) {
  return codec >= 0 && codec < WALKIT_CODEC_COUNT ? libraries[codec].package : "";
}

const char *walkit_codec_problem(walkit_codec codec) {
  struct library *library = library_of(codec);
  return library ? library->problem : "unknown codec";
}

const char *walkit_codec_version(walkit_codec codec) {
  struct library *library = library_of(codec);
  return library ? library->version : "";
}
