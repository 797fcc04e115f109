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
// the last reference goes. Truncate drops the cache's reference: a page still mapped somewhere
// leaves the cache at once but is freed by its last unmap (as in Linux).
//
// Invariants: ResidentPages is the number of frames in _pages; each is on the LRU and charged.
// After Release the cache holds nothing, is unregistered and takes no new pages.
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
        public bool IsReleased => _released;
        // The container charged for this file's pages (null = the root), bound by the Charger when
        // the first page comes in (Charged), moved by it when the container is removed.
        public MemoryContainer Container { get; internal set; }
        public bool Charged { get; internal set; }

        public byte* Address(uint pfn) => _vm.FrameAddress(pfn);

        // The frame holding page index, or NoFrame.
        public uint Find(ulong index) => index < (ulong)_pages.Length ? _pages[index] : Page.NoFrame;

        // The frame of page index; when absent, a new zeroed frame, charged and on the LRU.
        // bringer is the container of the task bringing it in (it binds the cache's container if
        // this is the first page). ENOMEM, holding nothing new, when out of memory or refused;
        // EFBIG past MaxPages; ENOENT once the cache is released.
        public Errno GetOrCreate(ulong index, MemoryContainer bringer, out uint pfn)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            pfn = Find(index);
            if (pfn != Page.NoFrame) return Errno.None;
            if (_released) return Errno.ENOENT;
            if (index >= MaxPages) return Errno.EFBIG;
            if (index >= (ulong)_pages.Length) Grow(index);
            Errno e = _vm.Charger.TryChargeCache(this, bringer, out MemoryContainer payer);
            if (e != Errno.None) return e;
            if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out pfn))
            {
                _vm.Charger.Cancel(payer);
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

        // The file was cut down to firstIndex pages (Linux's truncate_pagecache): every mapping
        // of a page at or past it goes first — page-cache frames and private copies alike, so a
        // later access there faults past the end of the file — then the cache drops the pages.
        public void Truncate(ulong firstIndex)
        {
            _vm.Lock.AssertHeld("mm: page cache");
            for (int i = 0; i < _vm.Registry.Count; i++) _vm.Registry.At(i).UnmapFilePages(_id, firstIndex);
            DropFrom(firstIndex);
        }

        // Drops the cache's own reference to every page at index >= firstIndex; a page still
        // mapped is freed by its last unmap.
        private void DropFrom(ulong firstIndex)
        {
            for (ulong i = firstIndex; i < (ulong)_pages.Length; i++)
            {
                uint pfn = _pages[i];
                if (pfn == Page.NoFrame) continue;
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
