// The page cache of one file (Linux's struct address_space): its resident pages by page index.
// A file system keeps its file's data here (ramfs keeps it nowhere else); a file region of an
// AddressSpace maps these frames.
//
// Layout: _pages[index] is the pfn of page `index`, or NoFrame; the array grows by doubling up to
// MaxPages entries and never shrinks, and always covers Size (the file's length in bytes, kept
// by the file system).
//
// A page-cache frame has Page.Flags File (plus Active/Inactive: it is on the LRU of its
// container's group), OwnerId = Id, OwnerIndex = its index, RefCount = 1 for the cache's own
// reference + 1 per PTE mapping it, MapCount = the PTEs. It is charged when it comes in
// (Charger.TryChargeCache: the first page binds the cache's container) and uncharged when
// the last reference goes.
//
// With a Backing (a disk file system), a page that comes in is read from the disk: it is Locked
// while the read is in flight (others wait on the MmContext's PageWait); a write() marks it
// Dirty; WriteBack writes a dirty page (Writeback while in flight) and makes it clean; a clean,
// unlocked page may be dropped (reclaim, drop_caches) after it is unmapped everywhere, and comes
// back from the disk on the next access. A file system that reads ahead or clusters writes uses the
// halves: BeginRead/EndRead (pages Locked while it fills them) and BeginWriteback/EndWriteback.
// Without a backing the cache is the only copy. Truncate drops the cache's reference: a page still mapped somewhere
// leaves the cache at once but is freed by its last unmap (as in Linux).
//
// Invariants: ResidentPages is the number of frames in _pages; each is on the LRU and charged;
// DirtyPages is the number of them with Dirty. A page is never both Locked and Dirty, and never
// dropped while Locked, Dirty or under Writeback. After Release the cache holds nothing, is
// unregistered and takes no new pages.
// Not locked: the kernel calls this with interrupts off.
using Kernel.Abi;

namespace Kernel.Mm
{
    public sealed unsafe class PageCache
    {
        // 1 GiB files at most (the index array stays under 1 MiB).
        public const ulong MaxPages = 1UL << 18;

        private readonly MmContext _vm;
        private uint[] _pages = new uint[0];
        private uint _id;
        private ulong _resident;
        private ulong _dirty;
        private ulong _size;
        private bool _released;

        private PageCache(MmContext vm) { _vm = vm; }

        // An empty cache registered under a fresh id.
        public static PageCache Create(MmContext vm)
        {
            PageCache cache = new PageCache(vm);
            cache._id = vm.Caches.Register(cache);
            return cache;
        }

        public uint Id => _id;
        // Setting it makes room in the index for every page below it, so that a fault inside the
        // file never allocates on the heap (faults run in interrupt context).
        public ulong Size
        {
            get => _size;
            set
            {
                _size = value;
                ulong pages = Paging.PagesFor(value);
                if (pages > MaxPages) pages = MaxPages;
                if (pages > (ulong)_pages.Length) Grow(pages - 1);
            }
        }
        public ulong ResidentPages => _resident;
        public ulong DirtyPages => _dirty;
        public bool IsReleased => _released;
        // The file system's reader and writer of this file's pages; null: the cache is the only copy.
        public PageCacheBacking Backing { get; set; }
        public bool IsEvictable => Backing != null;
        // The container charged for this file's pages (null = the root), bound by the Charger when
        // the first page comes in (Charged), moved by it when the container is removed.
        public MemoryContainer Container { get; internal set; }
        public bool Charged { get; internal set; }

        public byte* Address(uint pfn) => _vm.FrameAddress(pfn);

        // The frame holding page index, or NoFrame.
        public uint Find(ulong index) => index < (ulong)_pages.Length ? _pages[index] : Page.NoFrame;

        // The frame of page index; when absent, a new frame, charged and on the LRU, filled as
        // `fill` says (read from the backing store, which may sleep, or zeroed). A page being read
        // in by another task is waited for. bringer is the container of the task bringing it in
        // (it binds the cache's container if this is the first page). ENOMEM, holding nothing
        // new, when out of memory; EIO when the read failed; EFBIG past MaxPages; ENOENT once
        // the cache is released.
        public Errno GetOrCreate(ulong index, MemoryContainer bringer, out uint pfn) => GetOrCreate(index, bringer, PageFill.Read, out pfn);

        public Errno GetOrCreate(ulong index, MemoryContainer bringer, PageFill fill, out uint pfn)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            while (true)
            {
                pfn = Find(index);
                if (pfn == Page.NoFrame) break;
                if ((_vm.Pages[pfn].Flags & PageFlags.Locked) == 0) return Errno.None;
                _vm.PageWait.Wait();   // being read in by another task
            }
            Errno e = Add(index, bringer, out pfn);
            if (e != Errno.None || Backing == null || fill == PageFill.Zero) return e;
            // Read it in: Locked meanwhile, so that nobody uses or drops a half-read page.
            _vm.Pages[pfn].Flags |= PageFlags.Locked;
            e = Backing.ReadPage(this, index, pfn);
            EndRead(index, pfn, e);
            if (e == Errno.None) return Errno.None;
            pfn = Page.NoFrame;
            return Errno.EIO;
        }

        // Readahead (Linux's page_cache_ra_unbounded): page index, absent, comes in zeroed, charged
        // and Locked, for the caller to fill and then end with EndRead. EEXIST when it is present;
        // EAGAIN when the container is at its throttle line (readahead stops there, never waits);
        // otherwise as GetOrCreate.
        public Errno BeginRead(ulong index, MemoryContainer bringer, out uint pfn)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            pfn = Find(index);
            if (pfn != Page.NoFrame) return Errno.EEXIST;
            Errno e = Add(index, bringer, ChargeMode.NoWait, out pfn);
            if (e == Errno.None) _vm.Pages[pfn].Flags |= PageFlags.Locked;
            return e;
        }

        // The read of a Locked page is over: unlocked and waiters woken; after an error the page
        // leaves the cache (it is freed unless someone holds it).
        public void EndRead(ulong index, uint pfn, Errno result)
        {
            Page* p = _vm.Pages + pfn;
            p->Flags &= ~PageFlags.Locked;
            _vm.PageWait.WakeAll();
            if (result == Errno.None || Find(index) != pfn) return;
            _pages[index] = Page.NoFrame;
            _resident--;
            Put(_vm, pfn);
        }

        // A new zeroed frame at index (absent), charged and on the LRU.
        private Errno Add(ulong index, MemoryContainer bringer, out uint pfn) => Add(index, bringer, ChargeMode.MayThrottle, out pfn);

        private Errno Add(ulong index, MemoryContainer bringer, ChargeMode mode, out uint pfn)
        {
            pfn = Page.NoFrame;
            if (_released) return Errno.ENOENT;
            if (index >= MaxPages) return Errno.EFBIG;
            if (index >= (ulong)_pages.Length) Grow(index);
            Errno e = _vm.Charger.TryChargeCache(this, bringer, mode, out MemoryContainer payer);
            if (e != Errno.None) return e;
            if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out pfn))
            {
                _vm.Charger.Cancel(payer);
                pfn = Page.NoFrame;
                return Errno.ENOMEM;
            }
            _vm.ZeroFrame(pfn);
            Page* p = _vm.Pages + pfn;
            p->Flags = PageFlags.File;
            p->OwnerId = _id;
            p->OwnerIndex = index;
            _pages[index] = pfn;
            _resident++;
            _vm.Charger.Commit(payer, pfn, ChargeKind.File);
            return Errno.None;
        }

        // A write() changed the page: it must reach the disk before it may be dropped.
        public void MarkDirty(uint pfn)
        {
            Page* p = _vm.Pages + pfn;
            if (Backing == null || (p->Flags & PageFlags.Dirty) != 0) return;
            p->Flags |= PageFlags.Dirty;
            _dirty++;
            _vm.DirtyPages++;
        }

        // A read() or write() used the page (Linux's mark_page_accessed).
        public void MarkAccessed(uint pfn) => _vm.Lru.MarkAccessed(pfn);

        // Writes page index back if it is dirty (sleeps for the I/O). EIO leaves it dirty.
        public Errno WriteBack(ulong index)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            if (Backing == null || !BeginWriteback(index, out uint pfn)) return Errno.None;
            Errno e = Backing.WritePage(this, index, pfn);
            EndWriteback(index, pfn, e);
            return e;
        }

        // Writeback in batches (the file system clusters pages into large requests): a dirty page
        // not already under writeback becomes clean and Writeback, and the frame is held until
        // EndWriteback; false when there is nothing to write.
        public bool BeginWriteback(ulong index, out uint pfn)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            pfn = Find(index);
            if (pfn == Page.NoFrame) return false;
            Page* p = _vm.Pages + pfn;
            if ((p->Flags & (PageFlags.Dirty | PageFlags.Writeback)) != PageFlags.Dirty) return false;
            p->Flags = (p->Flags & ~PageFlags.Dirty) | PageFlags.Writeback;
            _dirty--;
            _vm.DirtyPages--;
            _vm.WritebackPages++;
            p->RefCount++;   // the frame stays while the write is in flight, whatever happens to the cache
            return true;
        }

        // The write is over; after an error the page is dirty again (if still in the cache).
        public void EndWriteback(ulong index, uint pfn, Errno result)
        {
            Page* p = _vm.Pages + pfn;
            _vm.WritebackPages--;
            p->Flags &= ~PageFlags.Writeback;
            if (result != Errno.None && Find(index) == pfn)
            {
                p->Flags |= PageFlags.Dirty;
                _dirty++;
                _vm.DirtyPages++;
            }
            Put(_vm, pfn);
            _vm.PageWait.WakeAll();
        }

        // Writes every dirty page back (fsync); the first error, having tried them all.
        public Errno Sync()
        {
            Errno first = Errno.None;
            for (ulong i = 0; i < (ulong)_pages.Length && _dirty > 0; i++)
            {
                Errno e = WriteBack(i);
                if (first == Errno.None) first = e;
            }
            return first;
        }

        // Drops page index if it can come back from the disk: clean, not locked nor under
        // writeback; it is unmapped from every address space first. False when it cannot be
        // dropped now (no backing, dirty, busy).
        public bool TryDrop(ulong index)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            uint pfn = Find(index);
            if (pfn == Page.NoFrame || Backing == null) return false;
            Page* p = _vm.Pages + pfn;
            if ((p->Flags & (PageFlags.Dirty | PageFlags.Locked | PageFlags.Writeback)) != 0) return false;
            if (p->MapCount > 0)
                for (int i = 0; i < _vm.Registry.Count; i++) _vm.Registry.At(i).UnmapFilePage(_id, index, pfn);
            if (p->MapCount > 0) return false;
            _pages[index] = Page.NoFrame;
            _resident--;
            Put(_vm, pfn);
            return true;
        }

        // drop_caches: every clean page that can come back from the disk; returns how many.
        public ulong DropClean()
        {
            ulong n = 0;
            for (ulong i = 0; i < (ulong)_pages.Length; i++)
                if (_pages[i] != Page.NoFrame && TryDrop(i)) n++;
            return n;
        }

        // The file was cut down to firstIndex pages (Linux's truncate_pagecache): every mapping
        // of a page at or past it goes first — page-cache frames and private copies alike, so a
        // later access there faults past the end of the file — then the cache drops the pages.
        public void Truncate(ulong firstIndex)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            for (int i = 0; i < _vm.Registry.Count; i++) _vm.Registry.At(i).UnmapFilePages(_id, firstIndex);
            DropFrom(firstIndex);
        }

        // Drops the cache's own reference to every page at index >= firstIndex (dirty data past
        // the end is discarded, as truncation means); a page still mapped is freed by its last unmap.
        private void DropFrom(ulong firstIndex)
        {
            for (ulong i = firstIndex; i < (ulong)_pages.Length; i++)
            {
                uint pfn = _pages[i];
                if (pfn == Page.NoFrame) continue;
                Page* p = _vm.Pages + pfn;
                if ((p->Flags & PageFlags.Dirty) != 0)
                {
                    p->Flags &= ~PageFlags.Dirty;
                    _dirty--;
                    _vm.DirtyPages--;
                }
                _pages[i] = Page.NoFrame;
                _resident--;
                Put(_vm, pfn);
            }
        }

        // The file is gone: frees what only the cache held (mappings keep theirs, as an unlinked
        // file lives on while mapped), unregisters, and says so to the charger.
        public void Release()
        {
            if (_released) return;
            DropFrom(0);
            _vm.Caches.Unregister(_id);
            _released = true;
            _vm.Charger.CacheReleased(this);
        }

        // Drops one reference to a user frame (anonymous or page cache); the last one uncharges it
        // (which takes it off the LRU) and frees it.
        internal static void Put(MmContext vm, uint pfn)
        {
            Page* p = vm.Pages + pfn;
            if (p->RefCount <= 0)
            {
                vm.Panic.Panic("mm: putting pfn " + pfn.ToString() + " with RefCount " + p->RefCount.ToString());
                return;
            }
            p->RefCount--;
            if (p->RefCount != 0) return;
            vm.Charger.Uncharge(pfn);
            vm.Buddy.Free(pfn, 0);
        }

        private void Grow(ulong index)
        {
            ulong n = _pages.Length == 0 ? 16UL : (ulong)_pages.Length;
            while (n <= index) n *= 2;
            if (n > MaxPages) n = MaxPages;
            uint[] pages = new uint[n];
            for (int i = 0; i < _pages.Length; i++) pages[i] = _pages[i];
            for (ulong i = (ulong)_pages.Length; i < n; i++) pages[i] = Page.NoFrame;
            _pages = pages;
        }
    }
}
