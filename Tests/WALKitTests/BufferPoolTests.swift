import Foundation
import Synchronization
import Testing
@testable import WALIO

/// Large buffers (decompressed segments of 128 MiB to 1 GiB) are lent against a budget, so
/// that many workers decompressing such segments at once cannot exhaust memory, and a worker
/// that holds one already (a record continuing into the next segment) never waits.
@Suite struct BufferPoolTests {
  @Test func aLargeBufferWaitsForTheBudgetUnlessItsThreadHoldsOne() throws {
    let size = BufferPool.largeSize + (1 << 20)
    let pool = BufferPool(largeBudget: size + size / 2)
    let first = pool.take(size)
    // The same thread gets a second one past the budget: it might be waiting for itself.
    let second = pool.take(size)
    pool.give(second)

    let taken = Atomic<Bool>(false)
    let other = Thread {
      let buffer = pool.take(size)
      taken.store(true, ordering: .sequentiallyConsistent)
      pool.give(buffer)
    }
    other.start()
    Thread.sleep(forTimeInterval: 0.2)
    let tookPastTheBudget = taken.load(ordering: .sequentiallyConsistent)
    #expect(!tookPastTheBudget, "another thread took a buffer past the budget")
    pool.give(first)
    let deadline = Date().addingTimeInterval(10)
    while !taken.load(ordering: .sequentiallyConsistent) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    let tookOnceGivenBack = taken.load(ordering: .sequentiallyConsistent)
    #expect(tookOnceGivenBack, "the waiting thread did not get its buffer once the first came back")
  }

  @Test func buffersUpToTheLargeSizeAreNotCounted() {
    let pool = BufferPool(largeBudget: 1)
    let buffers = (0..<3).map { _ in pool.take(BufferPool.largeSize) }
    #expect(buffers.allSatisfy { $0.count >= BufferPool.largeSize })
    buffers.forEach(pool.give)
  }
}
