// The charge path (Linux's mm/memcontrol.c): the only writer of Page.ContainerId and of every
// MemoryContainer counter. Its verbs come in memcg's tiers:
//
//   TryCharge(target) → payer   reserve one page of usage (far over the limit: throttled first)
//   Commit(payer, pfn, kind)    bind a frame to the reservation and file it on the payer's LRU
//   Cancel(payer)               give back a reservation that found no frame or no mapping
//   Uncharge(pfn)               the frame is being freed: off the LRU, counters down, id cleared
//   Move(pfn, to)               re-charge a frame (rmdir hands a container's frames to the root)
//   Mapped/Unmapped(pfn)        a page-cache frame's first mapping came or its last one went
//
// Who pays: an anonymous frame, the container of the faulting mm; a page-cache frame, the
// container of its cache, which TryChargeCache binds from the bringer at the cache's first page.
// The frame records the id, so the uncharge finds the container in O(1) whoever frees the frame.
// A charge aimed at a container that is offline or gone (a stale pointer on an mm or a cache: a
// kernel bug) is paid by the root, so no frame ever names a dead or reused id; Bugs counts it.
// Every verb is O(1), allocates nothing and runs with interrupts off (the page-fault path).
//
// Invariant: a frame is charged (ContainerId names a registered container and its counters
// include it) exactly when it is Anon or File and on the LRU of group ContainerId.
using Kernel.Abi;

namespace Kernel.Mm
{
    public enum ChargeKind { Anon, File }

    // Whether a charge far over the limit waits (a page the task needs now), is refused with
    // EAGAIN (readahead: a page nobody asked for yet must not hold the task back, nor be taken
    // while the container is at its throttle line), or is made anyway (swapoff bringing pages
    // back: no reclaim could help, as memcg's forced charge).
    public enum ChargeMode { MayThrottle, NoWait, Force }

    public sealed unsafe class Charger
    {
        private readonly Page* _pages;
        private readonly Lru _lru;
        private readonly PanicHandler _panic;
        private readonly MemoryContainer[] _byId;   // registered containers; [0] the root
        private OverLimitHandler _overLimit;
        private ChargeThrottle _throttle;
        private long _bugs;

        internal Charger(Page* pages, Lru lru, PanicHandler panic)
        {
            _pages = pages;
            _lru = lru;
            _panic = panic;
            _byId = new MemoryContainer[lru.Groups];
            _byId[0] = new MemoryContainer(0, long.MaxValue);
        }

        public MemoryContainer Root => _byId[0];
        public int MaxId => _byId.Length - 1;
        // Charge events that found no live container: always 0 unless the accounting is broken.
        public long Bugs => _bugs;
        public void CountBug() => _bugs++;

        public MemoryContainer Find(ushort id) => id < _byId.Length ? _byId[id] : null;

        // The containers layer's root replaces the default one, taking over its counters.
        public void AdoptRoot(MemoryContainer root)
        {
            MemoryContainer old = _byId[0];
            if (root.Id != 0) { _panic.Panic("charge: a root with id " + root.Id.ToString()); return; }
            root.AnonPages = old.AnonPages;
            root.FilePages = old.FilePages;
            root.MappedPages = old.MappedPages;
            root.NumFiles = old.NumFiles;
            root.PageUsage = old.PageUsage;
            root.MaxPageUsage = old.MaxPageUsage;
            _byId[0] = root;
        }

        public void SetOverLimitHandler(OverLimitHandler handler) => _overLimit = handler;

        // Where a charge far over its container's limit waits for the reaper (the kernel's
        // implementation sleeps up to 100 ms on the container's wait queue).
        public void SetThrottle(ChargeThrottle throttle) => _throttle = throttle;

        // The line above which a charge is throttled: limit + limit/8 (no line for "no limit").
        public static long ThrottleLine(MemoryContainer c) => c.PageLimit >= long.MaxValue / 2 ? long.MaxValue : c.PageLimit + c.PageLimit / 8;

        // A new container takes charges from now on; its id must be free.
        public void Register(MemoryContainer c)
        {
            if (c.Id == 0 || c.Id >= _byId.Length || _byId[c.Id] != null) { _panic.Panic("charge: register of id " + c.Id.ToString()); return; }
            _byId[c.Id] = c;
        }

        // rmdir has started: new charges aimed at c go to the root (and count as bugs).
        public void Offline(MemoryContainer c) => c.Offline = true;

        // rmdir has moved everything: the id is free again. Charges left behind count as bugs.
        public void Unregister(MemoryContainer c)
        {
            if (c.PageUsage != 0 || c.MappedPages != 0 || c.NumFiles != 0 || c.SwapPages != 0) _bugs++;
            if (c.Id < _byId.Length && _byId[c.Id] == c) _byId[c.Id] = null;
        }

        public void SetLimit(MemoryContainer c, long limit)
        {
            c.PageLimit = limit;
            if (c.PageUsage > limit) OverLimit(c);
        }

        // max_page_usage written: the peak starts again from the current usage.
        public void ResetMaxUsage(MemoryContainer c) => c.MaxPageUsage = c.PageUsage;

        // try_charge: reserves a page for the container that pays for target (null: the root).
        // Far over its limit (usage above limit + limit/8) the caller is first held back a moment
        // so the reaper can catch up (it may sleep; the charge then succeeds anyway).
        public Errno TryCharge(MemoryContainer target, out MemoryContainer payer) => TryCharge(target, ChargeMode.MayThrottle, out payer);

        public Errno TryCharge(MemoryContainer target, ChargeMode mode, out MemoryContainer payer)
        {
            payer = Payer(target);
            if (payer.PageUsage >= ThrottleLine(payer) && mode != ChargeMode.Force)
            {
                if (mode == ChargeMode.NoWait) return Errno.EAGAIN;
                if (_throttle != null)
                {
                    _throttle.Throttle(payer);
                    payer = Payer(target);
                }
            }
            payer.PageUsage++;
            return Errno.None;
        }

        // A page of cache: the first one binds the cache to the bringer's container (the task
        // bringing the file into memory); every page is then charged to the cache's container.
        public Errno TryChargeCache(PageCache cache, MemoryContainer bringer, out MemoryContainer payer) =>
            TryChargeCache(cache, bringer, ChargeMode.MayThrottle, out payer);

        public Errno TryChargeCache(PageCache cache, MemoryContainer bringer, ChargeMode mode, out MemoryContainer payer)
        {
            if (!cache.Charged)
            {
                MemoryContainer c = Payer(bringer);
                cache.Container = c.IsRoot ? null : c;
                cache.Charged = true;
                c.NumFiles++;
            }
            return TryCharge(cache.Container, mode, out payer);
        }

        public void Cancel(MemoryContainer payer) => payer.PageUsage--;

        // commit_charge: pfn, a new Anon or File frame on no list and charged to nobody, is
        // payer's from now on and goes on its inactive list. The peak and the limit are looked at
        // here, so a reservation that was cancelled never counts as a hit.
        public void Commit(MemoryContainer payer, uint pfn, ChargeKind kind)
        {
            Page* p = _pages + pfn;
            if (p->ContainerId != 0 || _lru.IsOnList(pfn)) { _panic.Panic("charge: commit of pfn " + pfn.ToString() + ", already charged"); return; }
            p->ContainerId = payer.Id;
            if (kind == ChargeKind.Anon) payer.AnonPages++;
            else payer.FilePages++;
            _lru.Add(pfn);
            if (payer.PageUsage > payer.MaxPageUsage) payer.MaxPageUsage = payer.PageUsage;
            if (payer.PageUsage > payer.PageLimit) OverLimit(payer);
        }

        // The frame is about to be freed (no mapping is left).
        public void Uncharge(uint pfn)
        {
            Page* p = _pages + pfn;
            _lru.Remove(pfn);
            MemoryContainer c = Find(p->ContainerId);
            if (c == null) { _bugs++; return; }
            if ((p->Flags & PageFlags.Anon) != 0) c.AnonPages--;
            else c.FilePages--;
            c.PageUsage--;
            p->ContainerId = 0;
        }

        // Re-charges a charged frame to `to`, keeping its place (active or inactive) on the LRU.
        public void Move(uint pfn, MemoryContainer to)
        {
            Page* p = _pages + pfn;
            MemoryContainer from = Find(p->ContainerId);
            if (from == null || !_lru.Remove(pfn, out LruList list)) { _bugs++; return; }
            bool anon = (p->Flags & PageFlags.Anon) != 0;
            bool mapped = !anon && p->MapCount > 0;
            if (anon) { from.AnonPages--; to.AnonPages++; }
            else { from.FilePages--; to.FilePages++; }
            if (mapped) { from.MappedPages--; to.MappedPages++; }
            from.PageUsage--;
            to.PageUsage++;
            if (to.PageUsage > to.MaxPageUsage) to.MaxPageUsage = to.PageUsage;
            p->ContainerId = to.Id;
            _lru.Add(pfn, list);
        }

        // rmdir: the cache's future pages are charged to `to` (its present ones move frame by frame).
        public void MoveCache(PageCache cache, MemoryContainer to)
        {
            MemoryContainer from = cache.Container == null ? Root : cache.Container;
            from.NumFiles--;
            to.NumFiles++;
            cache.Container = to.IsRoot ? null : to;
        }

        // A swap slot takes the charge of the page written to it (Linux's swap_cgroup_record).
        public void ChargeSwap(SwapArea area, uint slot, ushort id)
        {
            MemoryContainer c = Find(id);
            if (c == null) { _bugs++; c = Root; }
            area.SetOwner(slot, c.Id);
            c.SwapPages++;
        }

        public void UnchargeSwap(SwapArea area, uint slot)
        {
            MemoryContainer c = Find(area.Owner(slot));
            if (c == null) { _bugs++; return; }
            c.SwapPages--;
            area.SetOwner(slot, 0);
        }

        public void MoveSwap(SwapArea area, uint slot, MemoryContainer to)
        {
            MemoryContainer from = Find(area.Owner(slot));
            if (from != null) from.SwapPages--;
            else _bugs++;
            to.SwapPages++;
            area.SetOwner(slot, to.Id);
        }

        public void Mapped(uint pfn)
        {
            MemoryContainer c = Find(_pages[pfn].ContainerId);
            if (c == null) _bugs++;
            else c.MappedPages++;
        }

        public void Unmapped(uint pfn)
        {
            MemoryContainer c = Find(_pages[pfn].ContainerId);
            if (c == null) _bugs++;
            else c.MappedPages--;
        }

        // The cache holds no frames and is no longer registered.
        public void CacheReleased(PageCache cache)
        {
            if (!cache.Charged) return;
            MemoryContainer c = cache.Container == null ? Root : cache.Container;
            c.NumFiles--;
        }

        // Who pays for a new charge to m (null: the root). A container offline or gone from the
        // table means a stale pointer: the root pays and Bugs counts it.
        private MemoryContainer Payer(MemoryContainer m)
        {
            if (m == null) return Root;
            if (!m.Offline && m.Id < _byId.Length && _byId[m.Id] == m) return m;
            _bugs++;
            return Root;
        }

        private void OverLimit(MemoryContainer c)
        {
            c.PageLimitHits++;
            if (_overLimit != null) _overLimit.OverLimit(c);
        }
    }
}
