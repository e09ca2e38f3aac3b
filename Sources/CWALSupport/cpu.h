/* The processor's identification, read once: on a virtual machine each `cpuid` instruction
   traps to the hypervisor (9 us each on a Firecracker guest), and start-up asked for the same
   leaves several times. */
#ifndef WALKIT_CPU_H
#define WALKIT_CPU_H

#if defined(__x86_64__)
/* The leaves walkit reads; a leaf beyond the processor's highest reads as zeros. */
typedef struct {
  unsigned max_leaf;
  char vendor[12];
  unsigned leaf1_ecx;
  unsigned leaf7_ebx, leaf7_ecx;
} walkit_cpuid_leaves;

/* The leaves, read at the first call (from any thread). */
const walkit_cpuid_leaves *walkit_cpuid(void);
#endif

#endif
