// The kernel half of every address space, with real permissions. The boot stub mapped the image
// as one writable, executable 1 GiB window; this replaces it with 4 KiB pages:
//   .text                  read-only, executable
//   .rodata (+ .boot.data) read-only, no-execute
//   .data, .ksyms, .bss    writable, no-execute — except the boot stack's guard page, which is
//                          left unmapped so a kernel stack overflow faults (and, with no stack to
//                          push on, becomes a double fault handled on its IST stack)
// and marks the direct map no-execute. EFER.NXE is set first: NX bits fault as reserved without it.
using Kernel.Arch;
using Kernel.Mm;

namespace Kernel.Memory
{
    internal static unsafe class KernelMap
    {
        private const ulong Present = 1, Writable = 2, Huge = 1UL << 7, NoExecute = 1UL << 63;
        private const ulong AddressMask = 0x000FFFFFFFFFF000UL;
        private const uint EferMsr = 0xC0000080;
        private const ulong EferNxe = 1UL << 11;

        private static ulong s_tableFrames;

        public static ulong TableFrames => s_tableFrames;

        public static bool Initialize()
        {
            Native.WriteMsr(EferMsr, Native.ReadMsr(EferMsr) | EferNxe);

            ulong* pml4 = (ulong*)Layout.PhysToVirt(Native.ReadCr3() & AddressMask);
            ulong* pdptHigh = (ulong*)Layout.PhysToVirt(pml4[511] & AddressMask);
            if (!NewTable(out ulong pdPhys, out ulong* pd)) return false;

            ulong imageStart = Layout.ImageStart(), imageEnd = Layout.KernelEnd();
            ulong textEnd = Layout.TextEnd(), rodataEnd = Layout.RodataEnd(), guard = Layout.BootStackGuard();
            for (ulong va = imageStart; va < imageEnd; va += Paging.Size)
            {
                int pdIndex = (int)((va >> 21) & 511);
                if ((pd[pdIndex] & Present) == 0)
                {
                    if (!NewTable(out ulong ptPhys, out ulong* _)) return false;
                    pd[pdIndex] = ptPhys | Present | Writable;
                }
                ulong* pt = (ulong*)Layout.PhysToVirt(pd[pdIndex] & AddressMask);
                if (va == guard) continue;
                ulong flags = Present;
                if (va >= textEnd) flags |= NoExecute;
                if (va >= rodataEnd) flags |= Writable;
                pt[(va >> 12) & 511] = Layout.KernelVirtToPhys(va) | flags;
            }
            // -2 GiB .. -1 GiB: the image's window (PDPT entry 510).
            pdptHigh[510] = pdPhys | Present | Writable;

            // The direct map: data only.
            ulong* pdptDirect = (ulong*)Layout.PhysToVirt(pml4[256] & AddressMask);
            for (int g = 0; g < 512; g++)
            {
                if ((pdptDirect[g] & Present) == 0) continue;
                ulong* directPd = (ulong*)Layout.PhysToVirt(pdptDirect[g] & AddressMask);
                for (int i = 0; i < 512; i++)
                    if ((directPd[i] & (Present | Huge)) == (Present | Huge)) directPd[i] |= NoExecute;
            }
            Native.WriteCr3(Native.ReadCr3());
            return true;
        }

        private static bool NewTable(out ulong phys, out ulong* table)
        {
            phys = 0;
            table = null;
            if (!PhysicalMemory.TryAllocFrame(AllocFlags.Kernel, out uint pfn)) return false;
            s_tableFrames++;
            phys = FrameDatabase.PhysicalAddress(pfn);
            table = (ulong*)Layout.PhysToVirt(phys);
            for (int i = 0; i < 512; i++) table[i] = 0;
            return true;
        }
    }
}
