// What Kernel.Mm charges (Linux's page_counter plus the memcg statistics the charge path keeps):
// a memory container's page counters and its page limit. Kernel.Containers derives the named
// container (tasks, task limit, configfs); the root (id 0) pays for every page no container pays
// for. Address spaces and page caches point at the container they charge (null = the root).
//
// Only the Charger (Charger.cs) writes these counters; everything else reads them.
// Invariants (memcheck verifies them against the frame database):
//   AnonPages / FilePages = frames with Flags Anon / File and Page.ContainerId == Id;
//   MappedPages = those File frames with MapCount > 0; NumFiles = page caches charged here;
//   PageUsage = AnonPages + FilePages + charges reserved by TryCharge and not yet committed or
//   cancelled (none outside a fault); MaxPageUsage >= PageUsage; SwapPages = swap slots whose
//   recorded container is this one (page_usage counts resident pages only).
namespace Kernel.Mm
{
    public class MemoryContainer
    {
        public MemoryContainer(ushort id, long pageLimit)
        {
            Id = id;
            PageLimit = pageLimit;
        }

        public ushort Id { get; }
        public bool IsRoot => Id == 0;

        public long AnonPages { get; internal set; }
        public long FilePages { get; internal set; }
        public long MappedPages { get; internal set; }
        public long NumFiles { get; internal set; }
        public long PageUsage { get; internal set; }
        public long MaxPageUsage { get; internal set; }
        public long PageLimit { get; internal set; }
        public long PageLimitHits { get; internal set; }
        // Swap slots charged here (num_swap_pages): pages of this container now only on swap.
        public long SwapPages { get; internal set; }

        // Event counts (written by the code that counts the event, not only the Charger).
        public long PagesReclaimed { get; internal set; }
        public long PagesSwappedOut { get; internal set; }
        public long PagesSwappedIn { get; internal set; }
        public long ReclaimRuns { get; set; }
        public long ThrottleCount { get; set; }
        public long ThrottleMs { get; set; }
        public long OomKills { get; set; }
        // Being removed (rmdir has started, Linux's offline css): it takes no new charges.
        public bool Offline { get; internal set; }
    }

    // Told when a committed charge takes a container over its page limit, or its limit is set
    // below its usage (the containers layer queues reclaim). Called with interrupts off, from the
    // page-fault path too: must not allocate or sleep.
    public abstract class OverLimitHandler
    {
        public abstract void OverLimit(MemoryContainer c);
    }

    // Holds back a task charging c while c is far over its limit (the reaper's time to work).
    // Called with the interrupt lock held, in process context; may sleep.
    public abstract class ChargeThrottle
    {
        public abstract void Throttle(MemoryContainer c);
    }
}
