#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

private let interrupted = Atomic<Bool>(false)

/// Ctrl-C for `inspect --follow`: the first SIGINT or SIGTERM ends the waiting, so the output
/// is flushed and the command exits cleanly.
enum Interruption {
  static func install() {
    signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
    signal(SIGTERM) { _ in interrupted.store(true, ordering: .relaxed) }
    // A parent may have started us with these signals blocked (some process launchers do).
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
  }

  static var happened: Bool { interrupted.load(ordering: .relaxed) }

  /// Sleeps in short steps, waking early on an interruption.
  static func sleep(seconds: Int) {
    for _ in 0..<(seconds * 10) where !happened { usleep(100_000) }
  }
}
