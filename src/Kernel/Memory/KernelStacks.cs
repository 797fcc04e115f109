// Kernel stacks for tasks, each with an unmapped guard page below it, in their own area:
//   0xFFFFFE8000000000 (PML4 entry 509) + slot * SlotSize:
//     [guard page, unmapped][Pages stack pages, mapped read-write no-execute][unused]
// The PML4 entry is created at boot, before any address space copies the kernel half, so every
// address space sees every stack. Page tables inside the area are allocated on demand and kept.
// Invariants: a slot is either free (on the free list, nothing mapped) or owned by one task.
// Interrupts off while mapping (IrqLock).
using Kernel.Arch;
using Kernel.Mm;

namespace Kernel.Memory
{
    internal static unsafe class KernelStacks
    {
        public const ulong AreaBase = 0xFFFFFE8000000000;
        public const int Pages = 8;                      // 32 KiB of stack
        public const ulong SlotSize = 64 * 1024;
        public const int MaxSlots = 8192;

        private const ulong Present = 1, Writable = 2, NoExecute = 1UL << 63;
        private const ulong AddressMask = 0x000FFFFFFFFFF000UL;

        private static int[] s_free;
        private static int s_freeCount;
        private static int s_nextUnused;
        private static int s_inUse;
        private static int s_tableFrames;

        public static int InUse => s_inUse;
        // Page-table frames the area holds (kept once made): for callers that count every frame.
        public static int TableFrames => s_tableFrames;

        public static bool Initialize()
        {
            ulong* pml4 = (ulong*)Layout.PhysToVirt(Native.ReadCr3() & AddressMask);
            if (!NewTable(out ulong pdpt)) return false;
            pml4[509] = pdpt | Present | Writable;
            s_free = new int[MaxSlots];
            return true;
        }

        public static ulong SlotBase(int slot) => AreaBase + (ulong)slot * SlotSize;
        public static ulong Top(int slot) => SlotBase(slot) + 4096 + (ulong)Pages * 4096;
        public static ulong Bottom(int slot) => SlotBase(slot) + 4096;

        // A mapped stack; false (nothing held) when out of slots or memory.
        public static bool TryAllocate(out int slot)
        {
            IrqLock.Enter();
            if (s_freeCount > 0) slot = s_free[--s_freeCount];
            else if (s_nextUnused < MaxSlots) slot = s_nextUnused++;
            else { slot = -1; IrqLock.Exit(); return false; }
            ulong bottom = Bottom(slot);
            for (int i = 0; i < Pages; i++)
            {
                if (!PhysicalMemory.TryAllocFrame(AllocFlags.Kernel, out uint pfn) || !Map(bottom + (ulong)i * 4096, pfn))
                {
                    if (pfn != Page.NoFrame) PhysicalMemory.Free(pfn, 0);
                    Release(slot, i);
                    slot = -1;
                    IrqLock.Exit();
                    return false;
                }
            }
            s_inUse++;
            IrqLock.Exit();
            return true;
        }

        public static void Free(int slot)
        {
            IrqLock.Enter();
            Release(slot, Pages);
            s_inUse--;
            IrqLock.Exit();
        }

        // Unmaps and frees the first `mapped` pages of the slot, and puts the slot back.
        private static void Release(int slot, int mapped)
        {
            ulong bottom = Bottom(slot);
            for (int i = 0; i < mapped; i++)
            {
                ulong* pte = Walk(bottom + (ulong)i * 4096, false);
                if (pte == null || (*pte & Present) == 0) continue;
                uint pfn = FrameDatabase.PfnOf(*pte & AddressMask);
                *pte = 0;
                Native.Invlpg(bottom + (ulong)i * 4096);
                PhysicalMemory.Free(pfn, 0);
            }
            s_free[s_freeCount++] = slot;
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
            return table + ((va >> 12) & 511);
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
