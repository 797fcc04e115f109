// Swap: anonymous pages out to a swap area and back in (Linux's swap_state.c and swapfile.c,
// with do_swap_page from memory.c). One area at a time.
//
// A swapped-out page leaves a swap entry (Pte.MakeSwap(slot)) in every PTE that mapped it; the
// slot counts those entries (SwapArea's count). The swap cache (_cache: slot → pfn) holds a page
// that is both in memory and in a slot: while it is written out, while it is read in (Locked),
// and after a swap-in while other swap entries still name its slot (fork shared it), so that
// every faulter maps the same page. A page in the swap cache has SwapCache, Private = its slot,
// and one reference for the cache.
//
// Invariants: _cache[s] == pfn ⇔ page pfn has SwapCache and Private == s; a slot is in use ⇔ its
// count > 0 or it has a swap-cache page; a page that is mapped writable is never in the swap
// cache (the last swap reference makes it exclusive, which takes it out); every slot in use is
// charged (num_swap_pages) to the container recorded for it. Sleeps only in SwapOut and in a
// fault (the I/O); called with the interrupt lock held.
using Kernel.Abi;

namespace Kernel.Mm
{
    public sealed unsafe class Swap
    {
        private readonly MmContext _vm;
        private SwapArea _area;
        private uint[] _cache;
        private readonly uint[] _cluster = new uint[SwapArea.MaxCluster];
        private readonly uint[] _gather = new uint[SwapArea.MaxCluster];
        private ulong _swappedOut, _swappedIn, _writeErrors;
        private bool _draining;   // swapoff under way: no page goes out to the area (it could not end)

        internal Swap(MmContext vm) { _vm = vm; }

        public SwapArea Area => _area;
        public bool IsOn => _area != null;
        public ulong SwappedOut => _swappedOut;   // pages written (pswpout)
        public ulong SwappedIn => _swappedIn;     // pages read (pswpin)
        public ulong WriteErrors => _writeErrors; // clusters whose write failed (their pages stay)
        public uint CachedPage(uint slot) => _area != null && slot < (uint)_cache.Length ? _cache[slot] : Page.NoFrame;

        // swapon: area becomes the swap area. EBUSY while one is on.
        public Errno On(SwapArea area)
        {
            if (_area != null) return Errno.EBUSY;
            uint[] cache = new uint[area.Slots + 1];
            for (int i = 0; i < cache.Length; i++) cache[i] = Page.NoFrame;
            _cache = cache;
            _area = area;
            return Errno.None;
        }

        // swapoff: every swapped page comes back into the address spaces that name it; then the
        // area is off. As Linux's swapoff takes SWP_WRITEOK away first, nothing is written to the
        // area meanwhile (else a container over its limit would send pages straight back out),
        // and the pages coming back are charged even over the limit (no reclaim could make room).
        // ENOMEM (the area stays on, nothing lost) when memory runs out; EBUSY (the same) when
        // slots stay in use, pages under I/O, after a few passes; EINVAL when no area is on.
        public Errno Off()
        {
            if (_area == null) return Errno.EINVAL;
            if (_draining) return Errno.EBUSY;
            _draining = true;
            Errno e = Errno.None;
            for (int pass = 0; pass < 4; pass++)
            {
                for (int i = 0; i < _vm.Registry.Count && e == Errno.None; i++) e = _vm.Registry.At(i).SwapInAll();
                if (e != Errno.None) break;
                int busy = 0;
                for (uint s = 1; s < (uint)_cache.Length; s++)
                {
                    uint pfn = _cache[s];
                    if (pfn == Page.NoFrame) continue;
                    if ((_vm.Pages[pfn].Flags & (PageFlags.Locked | PageFlags.Writeback)) != 0) busy++;
                    else if (_area.Count(s) == 0) Uncache(pfn);
                }
                if (_area.UsedSlots == 0) break;
                if (busy > 0) _vm.PageWait.Wait();   // a write started before: its end decides the slot
            }
            _draining = false;
            if (e == Errno.None && _area.UsedSlots != 0) e = Errno.EBUSY;
            if (e != Errno.None) return e;
            _area = null;
            _cache = null;
            return Errno.None;
        }

        // ---- Page tables ------------------------------------------------------------------

        // fork copied a swap entry.
        internal void Dup(uint slot) => _area.AddCount(slot, +1);

        // A swap entry went (unmap, exit). The last one frees the slot, or the swap-cache page
        // if nothing maps it and it is not under I/O.
        internal void Drop(uint slot)
        {
            if (_area == null || !_area.IsUsed(slot) || _area.Count(slot) == 0)
            {
                _vm.Panic.Panic("swap: dropping an entry for slot " + slot.ToString() + " that has none");
                return;
            }
            _area.AddCount(slot, -1);
            if (_area.Count(slot) != 0) return;
            uint pfn = _cache[slot];
            if (pfn == Page.NoFrame) { FreeSlot(slot); return; }
            Page* p = _vm.Pages + pfn;
            if ((p->Flags & (PageFlags.Locked | PageFlags.Writeback)) != 0) return;   // its I/O's end decides
            Uncache(pfn);
        }

        // Whether a present anonymous page may be shared through its slot (BreakCow must copy).
        internal bool IsSharedThroughSlot(uint pfn)
        {
            Page* p = _vm.Pages + pfn;
            return (p->Flags & PageFlags.SwapCache) != 0 && _area.Count(p->Private) > 0;
        }

        // ---- Reclaim ----------------------------------------------------------------------

        // Swaps out up to n anonymous pages of LRU group `group` (pfns: candidates the scan
        // picked): every PTE mapping one becomes a swap entry, the pages are written in clusters of
        // adjacent slots (one request each), and each page nothing mapped again meanwhile is freed.
        // Pages already in the swap cache (clean copies) are just unmapped and freed. A candidate
        // is checked again just before it is used, since every write sleeps and pages may go
        // meanwhile. Returns how many frames were freed; 0 when swap is off or full.
        public int SwapOut(uint[] pfns, int n, ushort group)
        {
            if (_area == null || _draining || n <= 0) return 0;
            int freed = 0, i = 0;
            while (i < n && !_draining)   // each write sleeps: a swapoff may have begun
            {
                int k = 0;
                while (i < n && k < SwapArea.MaxCluster)
                {
                    uint pfn = pfns[i++];
                    if (!IsCandidate(pfn, group)) continue;
                    Page* p = _vm.Pages + pfn;
                    if ((p->Flags & PageFlags.SwapCache) == 0) { _gather[k++] = pfn; continue; }
                    if (UnmapToSlot(pfn, p->Private)) freed += FinishOut(pfn, true);
                }
                if (k == 0) continue;
                uint first = 0;
                int take = k;
                while (take > 0 && !_area.TryAllocate(take, out first)) take >>= 1;
                if (take == 0) break;   // swap is full
                freed += WriteCluster(_gather, 0, take, first);
            }
            return freed;
        }

        // Still an anonymous page of the group, on its LRU, mapped or in the swap cache, not under I/O.
        private bool IsCandidate(uint pfn, ushort group)
        {
            if (pfn >= _vm.Frames.Count) return false;
            Page* p = _vm.Pages + pfn;
            PageFlags f = p->Flags;
            if ((f & PageFlags.Anon) == 0 || (f & (PageFlags.Active | PageFlags.Inactive)) == 0) return false;
            if ((f & (PageFlags.Free | PageFlags.Locked | PageFlags.Writeback)) != 0 || p->ContainerId != group) return false;
            return p->MapCount > 0 || (f & PageFlags.SwapCache) != 0;
        }

        // Writes the k pages pfns[at..at+k) to the adjacent slots first..first+k-1 in one request.
        private int WriteCluster(uint[] pfns, int at, int k, uint first)
        {
            for (int i = 0; i < k; i++)
            {
                uint pfn = pfns[at + i], slot = first + (uint)i;
                Page* p = _vm.Pages + pfn;
                _vm.Charger.ChargeSwap(_area, slot, p->ContainerId);
                AddToCache(pfn, slot);
                p->Flags |= PageFlags.Writeback;
                if (!UnmapToSlot(pfn, slot)) _vm.Panic.Panic("swap: the reverse map lost a mapping of pfn " + pfn.ToString());
                _cluster[i] = pfn;
            }
            Errno e = _area.Write(first, _cluster, k);
            _swappedOut += (ulong)k;
            if (e != Errno.None) _writeErrors++;
            int freed = 0;
            for (int i = 0; i < k; i++)
            {
                Page* p = _vm.Pages + _cluster[i];
                p->Flags &= ~PageFlags.Writeback;
                MemoryContainer c = _vm.Charger.Find(p->ContainerId);
                if (c != null) c.PagesSwappedOut++;
                freed += FinishOut(_cluster[i], e == Errno.None);
            }
            _vm.PageWait.WakeAll();
            return freed;
        }

        // After a page's write-out (or for a clean swap-cache page): free it when nothing maps it;
        // drop it from the cache when no swap entry names its slot any more. 1 when that freed it.
        private int FinishOut(uint pfn, bool written)
        {
            Page* p = _vm.Pages + pfn;
            if ((p->Flags & PageFlags.SwapCache) == 0) return 0;   // a fault took it out meanwhile
            uint slot = p->Private;
            if (p->MapCount == 0 && written)
            {
                // The cache's reference is the last one unless a fault holds the page (a copy).
                int last = p->RefCount == 1 ? 1 : 0;
                Uncache(pfn);   // uncharged and freed with the last reference
                return last;
            }
            if (_area.Count(slot) == 0) Uncache(pfn);
            return 0;
        }

        // Every PTE that maps pfn (an anonymous page: at OwnerIndex in its owner or a relative)
        // becomes a swap entry for slot. False when some mapping was not found (a bug).
        private bool UnmapToSlot(uint pfn, uint slot)
        {
            Page* p = _vm.Pages + pfn;
            ulong va = p->OwnerIndex << Paging.Shift;
            MmRegistry mms = _vm.Registry;
            if (mms.TryFind(p->OwnerId, out AddressSpace owner)) owner.SwapOutPte(va, pfn, slot);
            for (int i = 0; i < mms.Count && p->MapCount > 0; i++)
            {
                AddressSpace mm = mms.At(i);
                if (mm != owner) mm.SwapOutPte(va, pfn, slot);
            }
            return p->MapCount == 0;
        }

        // ---- Faults -----------------------------------------------------------------------

        // A fault on a swap entry of mm at va (region r): the page comes from the swap cache or is
        // read in (sleeping; others faulting on the slot wait), is charged to the container the
        // slot was charged to (the faulting mm's when that was the root), and is mapped. Mapped
        // writable when this was the slot's last reference; else read-only, copy-on-write.
        internal FaultResult Fault(AddressSpace mm, ulong va, ulong pte, Region r)
        {
            uint slot = Pte.SwapSlot(pte);
            if (_area == null || !_area.IsUsed(slot) || _area.Count(slot) == 0) return FaultResult.SegmentationFault;
            uint pfn = _cache[slot];
            if (pfn != Page.NoFrame && (_vm.Pages[pfn].Flags & (PageFlags.Locked | PageFlags.Writeback)) != 0)
            {
                _vm.PageWait.Wait();              // under I/O: retry once it is done
                return FaultResult.Handled;
            }
            if (pfn == Page.NoFrame)
            {
                FaultResult read = ReadIn(mm, va, pte, slot, out pfn);
                if (read != FaultResult.Handled) return read;
                // Changed while we slept (or brought in by another fault): the access retries.
                if (pfn == Page.NoFrame || mm.Table.Lookup(va) != pte) return FaultResult.Handled;
            }
            Page* p = _vm.Pages + pfn;
            if (p->MapCount == 0)
            {
                // Read ahead for nobody in particular, or its mappers gone: it is this address's now
                // (an anonymous page never moves, so every PTE naming its slot is at this address).
                p->OwnerId = mm.Id;
                p->OwnerIndex = va >> Paging.Shift;
            }
            bool exclusive = _area.Count(slot) == 1 && p->MapCount == 0;
            PteFlags flags = AddressSpace.LeafFlags(r.Prot) | PteFlags.Accessed;
            if (!exclusive)
            {
                flags &= ~PteFlags.Writable;
                if ((r.Prot & Protection.Write) != 0) flags |= PteFlags.Cow;
            }
            mm.Table.Set(va, Pte.Make(pfn, flags));   // the PT exists: it held the swap entry
            p->MapCount++;
            p->RefCount++;
            mm.SwapInPte();
            _area.AddCount(slot, -1);
            if (_area.Count(slot) == 0) Uncache(pfn);  // nothing else names the slot: free it
            return FaultResult.Handled;
        }

        // Reads slot in for mm at va, and with it (readahead, as Linux's swapin_readahead) the
        // following slots in use that nothing has brought in yet, up to ReadAhead in one request,
        // unless that would take the container to its throttle line. Every page read is charged to the container its
        // slot was charged to and waits, Locked, in the swap cache; a neighbour gets its owner
        // (mm, address) when something maps it.
        private FaultResult ReadIn(AddressSpace mm, ulong va, ulong pte, uint slot, out uint pfn)
        {
            pfn = Page.NoFrame;
            MemoryContainer target = SlotOwner(slot, mm);
            ChargeMode mode = _draining ? ChargeMode.Force : ChargeMode.MayThrottle;   // no reclaim to wait for
            if (_vm.Charger.TryCharge(target, mode, out MemoryContainer payer) != Errno.None) return FaultResult.OutOfMemory;
            // The charge may have slept (throttled): another fault may have brought the slot in,
            // or this entry gone, meanwhile. Then give the charge back and let the access retry
            // (Handled with no frame).
            if (_area == null || _cache[slot] != Page.NoFrame || mm.Table.Lookup(va) != pte)
            {
                _vm.Charger.Cancel(payer);
                return FaultResult.Handled;
            }
            if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out pfn))
            {
                _vm.Charger.Cancel(payer);
                return FaultResult.OutOfMemory;
            }
            uint* batch = stackalloc uint[ReadAhead];
            batch[0] = pfn;
            StartRead(pfn, slot, payer, mm.Id, va >> Paging.Shift);
            int n = 1;
            bool roomy = payer.PageUsage + ReadAhead < Charger.ThrottleLine(payer);
            while (roomy && n < ReadAhead)
            {
                uint s = slot + (uint)n;
                if (s > _area.Slots || !_area.IsUsed(s) || _area.Count(s) == 0 || _cache[s] != Page.NoFrame) break;
                MemoryContainer owner = SlotOwner(s, mm);
                if (_vm.Charger.TryCharge(owner, ChargeMode.NoWait, out MemoryContainer p2) != Errno.None) break;
                if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out uint extra))
                {
                    _vm.Charger.Cancel(p2);
                    break;
                }
                StartRead(extra, s, p2, 0, 0);
                batch[n++] = extra;
            }
            Errno e = _area.Read(slot, batch, n);
            _swappedIn += (ulong)n;
            for (int i = 0; i < n; i++) FinishRead(batch[i], e == Errno.None);
            _vm.PageWait.WakeAll();
            if (e == Errno.None) return FaultResult.Handled;
            pfn = Page.NoFrame;
            return FaultResult.SegmentationFault;   // Linux's SIGBUS
        }

        public const int ReadAhead = 8;

        // Who pays for slot's page coming back: the container its slot was charged to, unless that
        // was the root or is going (then the faulting mm's; the root for an mm in none).
        private MemoryContainer SlotOwner(uint slot, AddressSpace mm)
        {
            ushort owner = _area.Owner(slot);
            MemoryContainer c = owner != 0 ? _vm.Charger.Find(owner) : null;
            if (c == null || c.Offline) c = mm.Container;
            return c == null ? _vm.Charger.Root : c;
        }

        private void StartRead(uint pfn, uint slot, MemoryContainer payer, uint ownerMm, ulong ownerIndex)
        {
            Page* p = _vm.Pages + pfn;
            p->Flags = PageFlags.Anon | PageFlags.Locked;
            p->OwnerId = ownerMm;
            p->OwnerIndex = ownerIndex;
            p->RefCount = 0;
            AddToCache(pfn, slot);
            _vm.Charger.Commit(payer, pfn, ChargeKind.Anon);
        }

        // The read ended: the page is usable, or (on an error) goes; its slot keeps the entries it has.
        private void FinishRead(uint pfn, bool ok)
        {
            Page* p = _vm.Pages + pfn;
            p->Flags &= ~PageFlags.Locked;
            if (ok)
            {
                MemoryContainer c = _vm.Charger.Find(p->ContainerId);
                if (c != null) c.PagesSwappedIn++;
                // Every entry for it went while it was read (its task exited): nothing will use it.
                if (_area.Count(p->Private) == 0) Uncache(pfn);
                return;
            }
            Uncache(pfn);   // its slot keeps its entries; freed if they all went during the read
        }

        // ---- The cache ----------------------------------------------------------------------

        private void AddToCache(uint pfn, uint slot)
        {
            Page* p = _vm.Pages + pfn;
            _cache[slot] = pfn;
            p->Flags |= PageFlags.SwapCache;
            p->Private = slot;
            p->RefCount++;
        }

        // Takes pfn out of the swap cache (freeing its slot if no entry names it) and drops the
        // cache's reference (the last one frees the page).
        private void Uncache(uint pfn)
        {
            Page* p = _vm.Pages + pfn;
            uint slot = p->Private;
            _cache[slot] = Page.NoFrame;
            p->Flags &= ~PageFlags.SwapCache;
            p->Private = 0;
            if (_area.Count(slot) == 0) FreeSlot(slot);
            PageCache.Put(_vm, pfn);
        }

        private void FreeSlot(uint slot)
        {
            _vm.Charger.UnchargeSwap(_area, slot);
            _area.Free(slot);
        }

        // rmdir: every slot charged to `from` is charged to the root from now on.
        public void MoveCharges(MemoryContainer from, MemoryContainer to)
        {
            if (_area == null) return;
            for (uint s = 1; s <= _area.Slots; s++)
                if (_area.IsUsed(s) && _area.Owner(s) == from.Id) _vm.Charger.MoveSwap(_area, s, to);
        }

        // The first broken invariant of the swap cache and the slot counts against every page
        // table, or null. O(slots + mapped pages).
        public string Verify()
        {
            if (_area == null) return null;
            string problem = _area.Verify();
            if (problem != null) return problem;
            int[] entries = new int[_area.Slots + 1];
            for (int i = 0; i < _vm.Registry.Count; i++) _vm.Registry.At(i).CountSwapEntries(entries);
            for (uint s = 1; s <= _area.Slots; s++)
            {
                uint pfn = _cache[s];
                if (entries[s] != _area.Count(s)) return "swap: slot " + s.ToString() + " counts " + _area.Count(s).ToString() + " entries, page tables hold " + entries[s].ToString();
                if (pfn != Page.NoFrame && (_vm.Pages[pfn].Flags & PageFlags.SwapCache) == 0) return "swap: cache page of slot " + s.ToString() + " lacks SwapCache";
                if (pfn != Page.NoFrame && _vm.Pages[pfn].Private != s) return "swap: cache page of slot " + s.ToString() + " names slot " + _vm.Pages[pfn].Private.ToString();
                bool used = _area.IsUsed(s);
                if (used != (entries[s] > 0 || pfn != Page.NoFrame) && (pfn == Page.NoFrame || (_vm.Pages[pfn].Flags & (PageFlags.Writeback | PageFlags.Locked)) == 0))
                    return "swap: slot " + s.ToString() + (used ? " in use with no reference" : " referenced but free");
            }
            return null;
        }
    }
}
