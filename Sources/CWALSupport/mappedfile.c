// Read-only file mappings that survive the file being truncated under them.
//
// A page of a mapped file that no longer exists (another process truncated the file) raises
// SIGBUS on access. The handler below maps a page of zeros in its place and marks the mapping,
// so that the reader carries on and learns afterwards that the bytes it saw were cut short.
// Faults outside walkit's mappings are handed on to the handler the host program had installed
// before (called directly, so walkit's stays in place); with none, the default disposition is
// restored and the fault repeats, ending the process as it would have without walkit. The bytes
// past a new end inside the last page read as zeros without a fault: the file's size tells those.
#define _GNU_SOURCE
#include "CWALSupport.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SLOT_COUNT = 64 };

typedef struct {
  atomic_int claimed;
  atomic_uintptr_t base;  // 0 while the slot is being set up or released
  atomic_size_t length;
  atomic_int faulted;
  int fd;  // a duplicate of the mapped file's descriptor, to see its size shrink
} mapping_slot;

static mapping_slot slots[SLOT_COUNT];
static struct sigaction previous_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int installed;
static uintptr_t page_mask;

static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
  uintptr_t address = (uintptr_t)info->si_addr;
  if (info->si_code == BUS_ADRERR) {
    for (int i = 0; i < SLOT_COUNT; i++) {
      uintptr_t base = atomic_load_explicit(&slots[i].base, memory_order_acquire);
      if (base == 0 || address - base >= atomic_load_explicit(&slots[i].length, memory_order_relaxed)) continue;
      void *page = (void *)(address & ~page_mask);
      if (mmap(page, page_mask + 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == page) {
        atomic_store(&slots[i].faulted, 1);
        return;
      }
      break;
    }
  }
  // Not a vanished page of ours: the host program's handler, if it had one, decides.
  if (previous_action.sa_flags & SA_SIGINFO) {
    if (previous_action.sa_sigaction != NULL) {
      previous_action.sa_sigaction(signal_number, info, context);
      return;
    }
  } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
    previous_action.sa_handler(signal_number);
    return;
  }
  if (info->si_code <= 0) {
    // Sent by a process, not a fault: what it would have done without walkit. Ignored, it stays
    // ignored (walkit's handler stays in place); by default, it ends the process once this
    // handler returns.
    if (previous_action.sa_handler == SIG_IGN) return;
    sigaction(signal_number, &previous_action, NULL);
    raise(signal_number);
    return;
  }
  // None: the default disposition; the access faults again and ends the process.
  sigaction(signal_number, &previous_action, NULL);
}

static void install(void) {
  page_mask = (uintptr_t)sysconf(_SC_PAGESIZE) - 1;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_sigbus;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  installed = sigaction(SIGBUS, &action, &previous_action) == 0;
}

const void *walkit_map_file(int fd, size_t length, int *slot) {
  pthread_once(&install_once, install);
  if (!installed || length == 0) return NULL;
  int claimed = -1;
  for (int i = 0; i < SLOT_COUNT && claimed < 0; i++) {
    int expected = 0;
    if (atomic_compare_exchange_strong(&slots[i].claimed, &expected, 1)) claimed = i;
  }
  if (claimed < 0) return NULL;
  int watched = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  void *base = watched < 0 ? MAP_FAILED : mmap(NULL, length, PROT_READ, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED) {
    if (watched >= 0) close(watched);
    atomic_store(&slots[claimed].claimed, 0);
    return NULL;
  }
  slots[claimed].fd = watched;
  atomic_store(&slots[claimed].faulted, 0);
  atomic_store_explicit(&slots[claimed].length, length, memory_order_relaxed);
  atomic_store_explicit(&slots[claimed].base, (uintptr_t)base, memory_order_release);
  *slot = claimed;
  return base;
}

int walkit_mapping_cut_short(int slot) {
  if (slot < 0 || slot >= SLOT_COUNT) return 0;
  if (atomic_load(&slots[slot].faulted)) return 1;
  struct stat status;
  return fstat(slots[slot].fd, &status) != 0 || (uint64_t)status.st_size < atomic_load(&slots[slot].length);
}

void walkit_unmap_file(const void *base, size_t length, int slot) {
  if (slot < 0 || slot >= SLOT_COUNT) return;
  atomic_store_explicit(&slots[slot].base, 0, memory_order_release);
  munmap((void *)base, length);
  close(slots[slot].fd);
  atomic_store(&slots[slot].claimed, 0);
}
