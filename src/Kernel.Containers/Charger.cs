// The charge path (Linux's memcg charge/uncharge, counters only): Kernel.Mm calls these hooks
// with interrupts off whenever a user frame comes in, is mapped or unmapped, or is freed. Each is
// O(1) and allocates nothing (it runs in the page-fault path).
//
// Who pays: an anonymous frame, the container of the faulting mm (null = the root); a page-cache
// frame, the container of its cache, which the cache's first page decides from the task bringing
// it in. The frame records the container's id (Page.ContainerId), so the uncharge finds it in
// O(1) whoever frees the frame. A charge over page_limit succeeds (reclaim comes later): it counts
// a hit and queues the container's over-limit work.
using Kernel.Mm;

namespace Kernel.Containers
{
    public sealed unsafe class Charger : PageEvents
    {
        private readonly ContainerTable _table;
        private readonly Page* _pages;
        private long _bugs;

        internal Charger(ContainerTable table, MmContext vm)
        {
            _table = table;
            _pages = vm.Pages;
        }

        // Frames that named no live container when uncharged or (un)mapped, charges aimed at a
        // container no longer in the table, charges rmdir could not move: always 0 unless the
        // accounting is broken; memcheck reports it.
        public long Bugs => _bugs;

        public override bool TryCharge(AddressSpace mm, uint pfn)
        {
            Commit(Payer(mm.Container), pfn, PageFlags.Anon);
            return true;
        }

        public override bool TryChargeCache(PageCache cache, MemoryContainer bringer, uint pfn)
        {
            if (!cache.Charged)
            {
                Container c = Payer(bringer);
                cache.Container = c.IsRoot ? null : c;
                cache.Charged = true;
                c.NumFiles++;
            }
            Commit(Payer(cache.Container), pfn, PageFlags.File);
            return true;
        }

        public override void Uncharge(uint pfn)
        {
            Page* p = _pages + pfn;
            Container c = _table.FindById(p->ContainerId);
            if (c == null)
            {
                _bugs++;
                return;
            }
            if ((p->Flags & PageFlags.Anon) != 0) c.AnonPages--;
            else c.FilePages--;
            c.PageUsage--;
            p->ContainerId = 0;
        }

        public override void Mapped(uint pfn)
        {
            Container c = _table.FindById(_pages[pfn].ContainerId);
            if (c == null) _bugs++;
            else c.MappedPages++;
        }

        public override void Unmapped(uint pfn)
        {
            Container c = _table.FindById(_pages[pfn].ContainerId);
            if (c == null) _bugs++;
            else c.MappedPages--;
        }

        public override void CacheReleased(PageCache cache)
        {
            if (cache.Charged) Of(cache.Container).NumFiles--;
        }

        private Container Of(MemoryContainer c) => c == null ? _table.Root : (Container)c;

        // Who pays for a new charge to m (null: the root). rmdir takes a container's tasks and
        // files away before it starts, so a charge aimed at one being removed (Freeing) or gone
        // from the table comes through a stale pointer on an mm or a task, a kernel bug: the root
        // pays, so that no frame ever names a dead (or reused) id, and Bugs counts it.
        private Container Payer(MemoryContainer m)
        {
            if (m == null) return _table.Root;
            Container c = (Container)m;
            if (!c.Freeing && _table.FindById(c.Id) == c) return c;
            _bugs++;
            return _table.Root;
        }

        // rmdir found charges its frame walk could not move (frames charged but on no LRU list).
        internal void CountBug() => _bugs++;

        private void Commit(Container c, uint pfn, PageFlags kind)
        {
            _pages[pfn].ContainerId = c.Id;
            if (kind == PageFlags.Anon) c.AnonPages++;
            else c.FilePages++;
            c.PageUsage++;
            if (c.PageUsage > c.MaxPageUsage) c.MaxPageUsage = c.PageUsage;
            if (c.PageUsage > c.PageLimit) _table.OverLimit(c);
        }
    }
}
