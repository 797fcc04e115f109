// Kernel stacks for tasks, each with an unmapped guard page below it, in their own area:
//   0xFFFFFE8000000000 (PML4 entry 509) + slot * SlotSize:
//     [guard page, unmapped][Pages stack pages, mapped read-write no-execute][unused]
// The PML4 entry is created at boot, before any address space copies the kernel half, so every
// address space sees every stack. Page tables inside the area are allocated on demand and kept.
// Invariants: a slot is either free (on the free list, nothing mapped) or owned by one task.
// Interrupt lock held while mapping.
using Kernel.Arch;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sync;

namespace Kernel.Memory
{
    internal sealed unsafe class KernelStacks : StackAllocator
    {
        public const ulong AreaBase = 0xFFFFFE8000000000;
        public const int Pages = 8;                      // 32 KiB of stack
        public const ulong SlotSize = 64 * 1024;
        public const int MaxSlotCount = 8192;

        private const ulong Present = 1, Writable = 2, NoExecute = 1UL << 63;
        private const ulong AddressMask = 0x000FFFFFFFFFF000UL;

        private static int s_tableFrames;   // page-table frames of the area (made once, kept)
        private readonly IrqLock _irq;
        private readonly int[] _free = new int[MaxSlotCount];
        private int _freeCount;
        private int _nextUnused;
        private int _inUse;

        private KernelStacks(IrqLock irq) { _irq = irq; }

        // Page-table frames the area holds: for callers that count every frame.
        public int TableFrames => s_tableFrames;

        public int InUse => _inUse;
        public override int MaxSlots => MaxSlotCount;

        // Creates the area's PML4 entry (before any address space copies the kernel half).
        public static KernelStacks Create(IrqLock irq)
        {
            ulong* pml4 = (ulong*)Layout.PhysToVirt(Native.ReadCr3() & AddressMask);
            if (!NewTable(out ulong pdpt)) return null;
            pml4[509] = pdpt | Present | Writable;
            return new KernelStacks(irq);
        }

        public static ulong SlotBase(int slot) => AreaBase + (ulong)slot * SlotSize;
        public static ulong Top(int slot) => SlotBase(slot) + Paging.Size + (ulong)Pages * Paging.Size;
        public static ulong Bottom(int slot) => SlotBase(slot) + Paging.Size;

        // A mapped stack; false (nothing held) when out of slots or memory.
        public override bool TryAllocate(out int slot, out ulong bottom, out ulong top)
        {
            using (_irq.Hold())
            {
                bottom = top = 0;
                if (_freeCount > 0) slot = _free[--_freeCount];
                else if (_nextUnused < MaxSlotCount) slot = _nextUnused++;
                else { slot = -1; return false; }
                bottom = Bottom(slot);
                top = Top(slot);
                for (int i = 0; i < Pages; i++)
                {
                    if (!PhysicalMemory.TryAllocFrame(AllocFlags.Kernel, out uint pfn) || !Map(bottom + (ulong)i * Paging.Size, pfn))
                    {
                        if (pfn != Page.NoFrame) PhysicalMemory.Free(pfn, 0);
                        Release(slot, i);
                        slot = -1;
                        return false;
                    }
                }
                _inUse++;
                return true;
            }
        }

        public override void Free(int slot)
        {
            using (_irq.Hold())
            {
                Release(slot, Pages);
                _inUse--;
            }
        }

        // Unmaps and frees the first `mapped` pages of the slot, and puts the slot back.
        private void Release(int slot, int mapped)
        {
            ulong bottom = Bottom(slot);
            for (int i = 0; i < mapped; i++)
            {
                ulong* pte = Walk(bottom + (ulong)i * Paging.Size, false);
                if (pte == null || (*pte & Present) == 0) continue;
                uint pfn = FrameDatabase.PfnOf(*pte & AddressMask);
                *pte = 0;
                Native.Invlpg(bottom + (ulong)i * Paging.Size);
                PhysicalMemory.Free(pfn, 0);
            }
            _free[_freeCount++] = slot;
        }

        private static bool Map(ulong va, uint pfn)
        {
            ulong* pte = Walk(va, true);
            if (pte == null) return false;
            *pte = FrameDatabase.PhysicalAddress(pfn) | Present | Writable | NoExecute;
            return true;
        }

        // The PTE for va in the stack area, creating tables when asked.
        private static ulong* Walk(ulong va, bool create)
        {
            ulong* table = (ulong*)Layout.PhysToVirt(Native.ReadCr3() & AddressMask);
            for (int level = 3; level >= 1; level--)
            {
                int index = (int)((va >> (12 + 9 * level)) & 511);
                if ((table[index] & Present) == 0)
                {
                    if (!create || !NewTable(out ulong phys)) return null;
                    table[index] = phys | Present | Writable;
                }
                table = (ulong*)Layout.PhysToVirt(table[index] & AddressMask);
            }
            return table + ((va >> Paging.Shift) & 511);
        }

        private static bool NewTable(out ulong phys)
        {
            phys = 0;
            if (!PhysicalMemory.TryAllocFrame(AllocFlags.Kernel, out uint pfn)) return false;
            phys = FrameDatabase.PhysicalAddress(pfn);
            s_tableFrames++;
            ulong* table = (ulong*)Layout.PhysToVirt(phys);
            for (int i = 0; i < 512; i++) table[i] = 0;
            return true;
        }
    }
}
