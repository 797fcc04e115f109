// The kernel's side of Kernel.Mm's virtual memory: the one MmContext (frame allocator, direct
// map, MMU operations, the template PML4 whose kernel half every address space shares, LRU
// lists for the root and every possible container), the current address space, CR3 switching,
// and the page-fault path for user addresses.
// Interrupts are off whenever Kernel.Mm runs (it has no locks of its own): faults arrive through
// interrupt gates, and task code calls it only through the wrappers below, which hold IrqLock —
// otherwise a task preempted inside the buddy allocator or an LRU list would leave it half
// updated for the next task's fault.
using Kernel.Arch;
using Kernel.Mm;

namespace Kernel.Memory
{
    // invlpg for one page, a CR3 reload for everything (no global pages are used for users).
    internal sealed class X86Mmu : Mmu
    {
        public override void Invalidate(ulong va) => Native.Invlpg(va);
        public override void FlushAll() => Native.WriteCr3(Native.ReadCr3());
    }

    // rep stosq / rep movsq: one instruction per page (far cheaper than a loop, above all under TCG).
    internal sealed unsafe class X86PageOps : PageOps
    {
        public override void Zero(ulong* page) => Native.ZeroPage(page);
        public override void Copy(ulong* destination, ulong* source) => Native.CopyPage(destination, source);
    }

    internal static unsafe class VirtualMemory
    {
        public const int MaxContainers = Kernel.Containers.ContainerTable.MaxContainers;

        private static MmContext s_context;
        private static AddressSpace s_current;
        private static ulong s_kernelRoot;

        public static MmContext Context => s_context;
        public static AddressSpace Current => s_current;

        public static void Initialize()
        {
            s_kernelRoot = Native.ReadCr3() & ~0xFFFUL;
            s_context = new MmContext(PhysicalMemory.Buddy, (byte*)Layout.DirectMapBase, new X86Mmu(),
                FrameDatabase.PfnOf(s_kernelRoot), 1 + MaxContainers, null, new KernelPanicHandler());
            s_context.PageOps = new X86PageOps();
        }

        // Makes mm the current address space (null: the kernel's own tables).
        public static void Switch(AddressSpace mm)
        {
            IrqLock.Enter();
            if (s_current != null) s_current.IsCurrent = false;
            s_current = mm;
            Native.WriteCr3(mm == null ? s_kernelRoot : mm.Table.RootPhysical);
            if (mm != null) mm.IsCurrent = true;
            IrqLock.Exit();
        }

        // A page fault at a user address: true when the current address space resolved it.
        // Interrupt context (interrupts off).
        public static bool HandleUserFault(ulong address, ulong errorCode, out FaultResult result)
        {
            result = FaultResult.SegmentationFault;
            if (s_current == null || !PageTable.IsUserPage(address)) return false;
            FaultAccess access = (errorCode & 16) != 0 ? FaultAccess.Execute : (errorCode & 2) != 0 ? FaultAccess.Write : FaultAccess.Read;
            result = s_current.HandleFault(address, access);
            return result == FaultResult.Handled;
        }

        public static AddressSpace CreateSpace()
        {
            IrqLock.Enter();
            AddressSpace mm = AddressSpace.Create(s_context);
            IrqLock.Exit();
            return mm;
        }

        public static AddressSpace Fork(AddressSpace mm)
        {
            IrqLock.Enter();
            AddressSpace child = mm.Fork();
            IrqLock.Exit();
            return child;
        }

        public static void Destroy(AddressSpace mm)
        {
            IrqLock.Enter();
            mm.Destroy();
            IrqLock.Exit();
        }

        public static bool MapAnonymous(AddressSpace mm, ulong start, ulong pages, Protection protection)
        {
            IrqLock.Enter();
            bool ok = mm.MapAnonymous(start, pages, protection);
            IrqLock.Exit();
            return ok;
        }

        public static bool MapFile(AddressSpace mm, ulong start, ulong pages, Protection protection, uint cacheId)
        {
            IrqLock.Enter();
            bool ok = mm.MapFile(start, pages, protection, cacheId, 0);
            IrqLock.Exit();
            return ok;
        }

        public static uint ActivePages()
        {
            uint n = 0;
            for (int g = 0; g < s_context.Lru.Groups; g++) n += s_context.Lru.ActiveCount(g);
            return n;
        }

        public static uint InactivePages()
        {
            uint n = 0;
            for (int g = 0; g < s_context.Lru.Groups; g++) n += s_context.Lru.InactiveCount(g);
            return n;
        }
    }
}
