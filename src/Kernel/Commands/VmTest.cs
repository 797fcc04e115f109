// vmtest: exercises Kernel.Mm's virtual memory on the real MMU — demand-zero faults through the
// #PF handler, a copy-on-write fork (each side's writes stay its own), CR3 switches, and the
// return of every frame (free count back to its start) once both address spaces are destroyed.
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Mm;

namespace Kernel.Commands
{
    internal static unsafe class VmTest
    {
        private const ulong Base = 0x400000;
        private const int Pages = 64;
        private static string s_failure;

        private static void Check(bool condition, string what)
        {
            if (!condition && s_failure == null) s_failure = what;
        }

        private static ulong* Slot(int page) => (ulong*)(Base + (ulong)page * 4096);

        public static int Run(string[] argv, int argc)
        {
            s_failure = null;
            BuddyAllocator buddy = PhysicalMemory.Buddy;
            // Heap objects made here take frames too; count the frames outside the heap.
            ulong freeBefore = PhysicalMemory.FreeFrames() + Kernel.Runtime.Collector.HeapFrames;
            uint inactiveBefore = Sys.Memory.InactivePages();

            if (Sys.Memory.Create(out AddressSpace parent) != Errno.None || Sys.Memory.MapAnonymous(parent, Base, Pages, Protection.Read | Protection.Write) != Errno.None)
            {
                Console.WriteLine("vmtest: out of memory");
                return 1;
            }
            Sys.Memory.Switch(parent);
            Check(*Slot(5) == 0, "a new page reads as zero");
            for (int i = 0; i < Pages; i++) *Slot(i) = (ulong)i * 31 + 7;
            for (int i = 0; i < Pages; i++) Check(*Slot(i) == (ulong)i * 31 + 7, "values written read back");
            Check(parent.ResidentPages == Pages, "one resident page per touched page");
            Check(Sys.Memory.InactivePages() == inactiveBefore + Pages, "new pages are on the inactive LRU");

            Sys.Memory.Fork(parent, out AddressSpace child);
            Check(child != null, "fork");
            if (child != null)
            {
                Sys.Memory.Switch(child);
                Check(*Slot(3) == 3 * 31 + 7, "the child sees the parent's data");
                *Slot(0) = 999;                                   // copy-on-write in the child
                Sys.Memory.Switch(parent);
                Check(*Slot(0) == 7, "a child's write does not change the parent's page");
                *Slot(1) = 555;                                   // copy-on-write in the parent
                Sys.Memory.Switch(child);
                Check(*Slot(0) == 999 && *Slot(1) == 38, "each side keeps its own copy");
                Sys.Memory.Switch(null);
                Sys.Memory.Destroy(child);
            }
            Sys.Memory.Switch(null);
            Sys.Memory.Destroy(parent);
            Check(PhysicalMemory.FreeFrames() + Kernel.Runtime.Collector.HeapFrames == freeBefore, "every frame returned after destroy");
            Check(Sys.Memory.InactivePages() == inactiveBefore, "the LRU is empty again");

            if (s_failure != null)
            {
                Console.WriteLine(string.Concat("vmtest: FAILED: ", s_failure));
                return 1;
            }
            Console.WriteLine(string.Concat("vmtest: ok (", Pages.ToString(), " pages faulted, fork with copy-on-write, ",
                "free frames back to ", freeBefore.ToString(), ")"));
            return 0;
        }

        // Cycles per demand-zero fault: touch `pages` fresh anonymous pages once each.
        public static ulong FaultCycles(int pages)
        {
            if (Sys.Memory.Create(out AddressSpace mm) != Errno.None) return 0;
            if (Sys.Memory.MapAnonymous(mm, Base, (ulong)pages, Protection.Read | Protection.Write) != Errno.None)
            {
                Sys.Memory.Destroy(mm);
                return 0;
            }
            Sys.Memory.Switch(mm);
            ulong start = Kernel.Arch.Native.Rdtsc();
            for (int i = 0; i < pages; i++) *(byte*)(Base + (ulong)i * 4096) = 1;
            ulong cycles = Kernel.Arch.Native.Rdtsc() - start;
            Sys.Memory.Switch(null);
            Sys.Memory.Destroy(mm);
            return cycles / (ulong)pages;
        }
    }
}
