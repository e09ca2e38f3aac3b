/* The floors of `walkit verify` for scripts/bench: the time to map and CRC every byte of
 * the files named (with walkit's own CRC-32C code, so the same path the CPU selects); with
 * --stream, to read each file in 256 kB pieces into a reused segment-sized buffer, CRC'ing each
 * piece as it arrives (how verify reads a plain segment); with --copy, to read them into one
 * reused buffer. None parses a record. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

uint32_t walkit_crc32c_update(uint32_t crc, const void *bytes, size_t length);
const char *walkit_crc32c_implementation(void);

int main(int argc, char **argv) {
  int copy = argc > 1 && strcmp(argv[1], "--copy") == 0;
  int stream = argc > 1 && strcmp(argv[1], "--stream") == 0;
  static char buffer[16 << 20];
  uint32_t crc = 0xFFFFFFFFu;
  for (int i = 1 + copy + stream; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    struct stat status;
    if (fd < 0 || fstat(fd, &status) != 0) { perror(argv[i]); return 2; }
    if (copy) {
      while (read(fd, buffer, sizeof buffer) > 0) {}
    } else if (stream) {
      size_t piece = 256 << 10;
      for (size_t offset = 0; offset + piece <= sizeof buffer; offset += piece) {
        ssize_t count = pread(fd, buffer + offset, piece, (off_t)offset);
        if (count <= 0) break;
        crc = walkit_crc32c_update(crc, buffer + offset, (size_t)count);
      }
    } else if (status.st_size > 0) {
      const void *base = mmap(NULL, (size_t)status.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (base == MAP_FAILED) { perror(argv[i]); return 2; }
      crc = walkit_crc32c_update(crc, base, (size_t)status.st_size);
      munmap((void *)base, (size_t)status.st_size);
    }
    close(fd);
  }
  fprintf(stderr, "%s %08x\n", walkit_crc32c_implementation(), crc);
  return 0;
}
