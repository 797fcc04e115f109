// Reclaim of one memory container's pages (Linux's vmscan.c, shrink_lruvec for one memcg): the
// reaper asks it to free a number of frames from one LRU group, never another's.
//
//   keep the inactive list at least as long as the active one (age the active tail: second
//   chance for referenced pages); then take candidates from the inactive tail (a referenced page
//   is activated instead) and, per candidate:
//     page cache with a backing store: dirty → written back (sleeps), then dropped when clean
//     page cache without one (ramfs: the only copy) → unevictable: skipped, counted, rotated
//     anonymous → swapped out in clusters (up to SwapArea.MaxCluster adjacent slots, one write)
//     anonymous without swap, or swap full → kept (rotated to the inactive head)
// in batches of Batch pages, with a preemption point (the interrupt lock let go) after each.
// Referenced means: a PTE mapping the page has its Accessed bit (cleared as it is read), or a
// read()/write() marked it (PageFlags.Referenced). Pages under I/O are never touched.
// Called with the interrupt lock held; sleeps for writeback and swap I/O.
namespace Kernel.Mm
{
    public struct ReclaimResult
    {
        public long Freed;         // frames given back
        public long Scanned;       // candidates looked at
        public long Unevictable;   // page-cache pages that are their file's only copy
        public long WrittenBack;   // dirty file pages written before being dropped
    }

    public sealed unsafe class Reclaim
    {
        public const int Batch = 32;
        // A pass gives up after looking this many times over the group's lists without freeing
        // what was asked (Linux's scan priority, flattened): every page then had its second chance.
        private const int Sweeps = 2;

        private readonly MmContext _vm;
        private readonly PageReferences _refs;
        private readonly uint[] _candidates = new uint[Batch];
        private readonly uint[] _anon = new uint[Batch];

        internal Reclaim(MmContext vm)
        {
            _vm = vm;
            _refs = new PageReferences(vm);
            Aging = new LruAging(vm, _refs);
        }

        public LruAging Aging { get; }

        // Frees up to toFree frames from c's LRU lists.
        public ReclaimResult Shrink(MemoryContainer c, long toFree)
        {
            ReclaimResult r = default;
            int group = c.Id;
            Lru lru = _vm.Lru;
            long budget = Sweeps * ((long)lru.ActiveCount(group) + lru.InactiveCount(group)) + Batch;
            long looked = 0;
            while (r.Freed < toFree && looked < budget)
            {
                if (lru.ActiveCount(group) > lru.InactiveCount(group)) lru.Age(group, Batch, _refs);
                looked += Batch;
                int n = lru.ScanInactive(group, Batch, _refs, _candidates);
                if (n == 0)
                {
                    if (lru.ActiveCount(group) + lru.InactiveCount(group) == 0) break;
                    lru.Age(group, Batch, _refs);   // everything looked at was referenced: age on
                    continue;
                }
                int anon = 0;
                for (int i = 0; i < n; i++)
                {
                    uint pfn = _candidates[i];
                    Page* p = _vm.Pages + pfn;
                    // Earlier candidates' I/O slept: this one may have changed since the scan.
                    if ((p->Flags & PageFlags.Inactive) == 0 || p->ContainerId != group) continue;
                    if ((p->Flags & (PageFlags.Locked | PageFlags.Writeback)) != 0) continue;
                    r.Scanned++;
                    if ((p->Flags & PageFlags.Anon) != 0)
                    {
                        if (_vm.Swap.IsOn) _anon[anon++] = pfn;
                        else lru.Deactivate(pfn);   // nowhere to put it: to the head, behind the rest
                        continue;
                    }
                    if (!_vm.Caches.TryFind(p->OwnerId, out PageCache cache) || !cache.IsEvictable)
                    {
                        r.Unevictable++;
                        lru.Activate(pfn);
                        continue;
                    }
                    ulong index = p->OwnerIndex;
                    if ((p->Flags & PageFlags.Dirty) != 0)
                    {
                        cache.WriteBack(index);
                        r.WrittenBack++;
                    }
                    if (cache.Find(index) == pfn && cache.TryDrop(index)) r.Freed++;
                    else if (lru.IsOnList(pfn) && (_vm.Pages[pfn].Flags & PageFlags.Inactive) != 0) lru.Deactivate(pfn);
                }
                if (anon > 0)
                {
                    int freed = _vm.Swap.SwapOut(_anon, anon, (ushort)group);
                    r.Freed += freed;
                    // What could not go (swap full, mapped again meanwhile) moves behind the rest.
                    for (int i = 0; i < anon; i++)
                        if (_vm.Lru.IsOnList(_anon[i]) && (_vm.Pages[_anon[i]].Flags & PageFlags.Inactive) != 0
                            && (_vm.Pages[_anon[i]].Flags & PageFlags.SwapCache) == 0)
                            lru.Deactivate(_anon[i]);
                }
                // A preemption point: other tasks (the throttled ones among them) may run.
                _vm.Lock.Exit();
                _vm.Lock.Enter();
            }
            c.PagesReclaimed += r.Freed;
            return r;
        }
    }

    // Background aging (what kswapd's balancing does for the LRU): a little of every group's lists
    // is looked at every second, so that num_active_pages tells used pages from idle ones before
    // any container is over its limit. Referenced inactive pages are activated; an active list
    // longer than the inactive one is aged into it.
    public sealed class LruAging
    {
        public const int PerGroup = 64;
        private readonly MmContext _vm;
        private readonly PageReferences _refs;
        private readonly uint[] _scratch = new uint[PerGroup];

        internal LruAging(MmContext vm, PageReferences refs)
        {
            _vm = vm;
            _refs = refs;
        }

        // One round over every group; returns how many pages changed lists.
        public int Run()
        {
            Lru lru = _vm.Lru;
            int moved = 0;
            for (int g = 0; g < lru.Groups; g++)
            {
                uint inactive = lru.InactiveCount(g), active = lru.ActiveCount(g);
                if (inactive + active == 0) continue;
                int n = inactive < PerGroup ? (int)inactive : PerGroup;
                moved += n - lru.ScanInactive(g, n, _refs, _scratch);
                if (lru.ActiveCount(g) > lru.InactiveCount(g)) moved += lru.Age(g, PerGroup, _refs);
            }
            return moved;
        }
    }

    // Whether a page was used since the last look, clearing the evidence: the Accessed bits of
    // the PTEs that map it (anonymous pages through AnonRmap; page-cache pages through the file
    // regions that map them) and PageFlags.Referenced (set by read() and write()).
    public sealed unsafe class PageReferences : AccessedTester
    {
        private readonly MmContext _vm;

        public PageReferences(MmContext vm) { _vm = vm; }

        public override bool TestAndClearAccessed(uint pfn)
        {
            Page* p = _vm.Pages + pfn;
            bool referenced = (p->Flags & PageFlags.Referenced) != 0;
            p->Flags &= ~PageFlags.Referenced;
            if ((p->Flags & PageFlags.Anon) != 0) return _vm.Rmap.TestAndClearAccessed(pfn) | referenced;
            if (p->MapCount == 0) return referenced;
            for (int i = 0; i < _vm.Registry.Count; i++)
                if (_vm.Registry.At(i).TestAndClearFileAccessed(p->OwnerId, p->OwnerIndex, pfn)) referenced = true;
            return referenced;
        }
    }
}
