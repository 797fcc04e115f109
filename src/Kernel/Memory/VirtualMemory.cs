// The kernel's side of Kernel.Mm: the one MmContext, the address space loaded in the MMU, and
// the entry points task code uses — each takes the interrupt lock, because Kernel.Mm has no lock
// of its own: a task preempted inside the buddy allocator or an LRU list would leave it half
// updated for the next task's fault. The page-fault path enters at HandleUserFault (interrupt
// context) and continues in Kernel.Mm/Fault.cs.
using Kernel.Mm;
using Kernel.Sync;

namespace Kernel.Memory
{
    internal sealed class VirtualMemory
    {
        private readonly MmContext _context;
        private readonly IrqLock _irq;
        private readonly ulong _kernelRoot;   // the PML4 loaded when no address space is
        private AddressSpace _current;

        public VirtualMemory(MmContext context, IrqLock irq, ulong kernelRoot)
        {
            _context = context;
            _irq = irq;
            _kernelRoot = kernelRoot;
        }

        public MmContext Context => _context;
        public AddressSpace Current => _current;

        // Makes mm the current address space (null: the kernel's own tables).
        public void Switch(AddressSpace mm)
        {
            using (_irq.Hold())
            {
                if (_current != null) _current.IsCurrent = false;
                _current = mm;
                _context.Mmu.Load(mm == null ? _kernelRoot : mm.Table.RootPhysical);
                if (mm != null) mm.IsCurrent = true;
            }
        }

        // A page fault at a user address in the current address space. Interrupt context.
        // errorCode is the x86 #PF code: bit 1 write, bit 4 instruction fetch.
        public FaultResult HandleUserFault(ulong address, ulong errorCode)
        {
            if (_current == null || !PageTable.IsUserPage(address)) return FaultResult.SegmentationFault;
            FaultAccess access = (errorCode & 16) != 0 ? FaultAccess.Execute : (errorCode & 2) != 0 ? FaultAccess.Write : FaultAccess.Read;
            return _current.HandleFault(address, access);
        }

        public Errno Create(out AddressSpace mm)
        {
            using (_irq.Hold()) return AddressSpace.Create(_context, out mm);
        }

        public Errno Fork(AddressSpace mm, out AddressSpace child)
        {
            using (_irq.Hold()) return mm.Fork(out child);
        }

        public void Destroy(AddressSpace mm)
        {
            using (_irq.Hold()) mm.Destroy();
        }

        public Errno MapAnonymous(AddressSpace mm, ulong start, ulong pages, Protection protection)
        {
            using (_irq.Hold()) return mm.MapAnonymous(start, pages, protection);
        }

        public Errno MapFile(AddressSpace mm, ulong start, ulong pages, Protection protection, uint cacheId)
        {
            using (_irq.Hold()) return mm.MapFile(start, pages, protection, cacheId, 0);
        }

        public uint ActivePages()
        {
            uint n = 0;
            for (int g = 0; g < _context.Lru.Groups; g++) n += _context.Lru.ActiveCount(g);
            return n;
        }

        public uint InactivePages()
        {
            uint n = 0;
            for (int g = 0; g < _context.Lru.Groups; g++) n += _context.Lru.InactiveCount(g);
            return n;
        }
    }
}
