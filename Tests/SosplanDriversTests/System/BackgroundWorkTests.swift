import Glibc
import SosplanDrivers
import Testing

@Suite("work on a second thread")
struct BackgroundWorkTests {
    @Test("the value comes back from another thread, and waiting twice gives it again")
    func valueFromAnotherThread() {
        let caller = pthread_self()
        let work = BackgroundWork { () -> (sum: Int, sameThread: Bool) in
            ((1...1000).reduce(0, +), pthread_equal(pthread_self(), caller) != 0)
        }
        let first = work.wait()
        #expect(first.sum == 500_500)
        #expect(!first.sameThread)
        #expect(work.wait().sum == 500_500)
    }

    @Test("the caller goes on while the work runs")
    func runsConcurrently() {
        // The worker waits for the caller: without a second thread this
        // would never finish (the semaphore has a deadline so a failure ends).
        let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
        defer {
            sem_destroy(semaphore)
            semaphore.deallocate()
        }
        let address = UInt(bitPattern: semaphore)
        let work = BackgroundWork { () -> Bool in
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            deadline.tv_sec += 10
            return sem_timedwait(UnsafeMutablePointer<sem_t>(bitPattern: address)!, &deadline) == 0
        }
        sem_post(semaphore)
        #expect(work.wait())
    }
}
