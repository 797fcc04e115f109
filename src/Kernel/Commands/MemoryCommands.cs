// free, meminfo and memtest: what physical memory is doing, in Linux's words.
using Internal.Runtime;
using Internal.Runtime.Gc;
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Shell;

namespace Kernel.Commands
{
    internal static unsafe class MemoryCommands
    {
        private const ulong PageKiB = 4;

        // free: Linux's `free -k` layout, all in KiB. total = memory the kernel manages (RAM less
        // firmware, kernel image and boot reservations); used = everything not free (early arena and heap
        // included); buff/cache = page-cache pages; available = what a program could still get.
        public const string FreeUsage = "free [-bkmgh]";

        public static int Free(string[] argv, int argc)
        {
            char unit = 'k';
            if (!Text.UnitOption("free", FreeUsage, "bkmgh", argv, argc, ref unit)) return 1;
            MemoryFigures m = MemoryFigures.Take();
            ulong total = PhysicalMemory.TotalBytes / 1024;
            ulong free = m.Free * PageKiB;
            ulong cache = (m.File + m.Buffers) * PageKiB;
            ulong reserve = m.Reserve * PageKiB;
            ulong used = total - free - cache;
            ulong available = free + cache > reserve ? free + cache - reserve : 0;
            Console.WriteLine("               total        used        free      shared  buff/cache   available");
            Console.WriteLine(string.Concat("Mem:    ", Column(total, unit), Column(used, unit), Column(free, unit),
                string.Concat(Column(0, unit), Column(cache, unit), Column(available, unit))));
            Console.WriteLine(string.Concat("Swap:   ", Column(m.SwapTotalKiB, unit), Column(m.SwapUsedKiB, unit), Column(m.SwapTotalKiB - m.SwapUsedKiB, unit)));
            return 0;
        }

        // A free column: KiB shown in the unit free's option chose (b k m g: bytes, KiB, MiB, GiB,
        // truncated as procps does; h: busybox's human form, 251.6M).
        private static string Column(ulong kib, char unit)
        {
            string text = unit == 'b' ? (kib * 1024).ToString() : unit == 'm' ? (kib / 1024).ToString() :
                unit == 'g' ? (kib / (1024 * 1024)).ToString() : unit == 'h' ? DiskText.BusyboxHuman(kib * 1024) : kib.ToString();
            return Numbers.PadLeft(text, 12);
        }

        private static void Row(string name, ulong pages, string note)
        {
            Console.WriteLine(string.Concat(Numbers.PadRight(name, 22), Numbers.PadLeft(pages.ToString(), 10), " pages  ", note));
        }

        // meminfo: the breakdown in pages.
        public static int MemInfo(string[] argv, int argc)
        {
            MemoryFigures u = MemoryFigures.Take();
            BuddyAllocator buddy = PhysicalMemory.Buddy;
            Row("kernel image", PhysicalMemory.KernelImageBytes / 4096, "(code, data, boot stacks and tables)");
            Row("early arena", PhysicalMemory.EarlyArenaBytes / 4096,
                string.Concat("(", (Heap.EarlyBytesAllocated / 1024).ToString(), " KiB used: boot-time objects, runtime tables)"));
            Row("heap", GcHeap.PagesInUse + GcHeap.MetadataPages + GcHeap.CachedPages,
                string.Concat("(collected: ", (GcHeap.BytesInUse / 1024).ToString(), " KiB in objects, ",
                    GcHeap.MetadataPages.ToString(), " metadata pages)"));
            Row("frame database", PhysicalMemory.FrameDatabaseBytes / 4096,
                string.Concat("(", Page.Size.ToString(), " bytes per frame, ", PhysicalMemory.Frames.Count.ToString(), " frames)"));
            ulong userTables = 0;
            MmRegistry registry = Sys.Memory.Context.Registry;
            for (int i = 0; i < registry.Count; i++) userTables += registry.At(i).Table.TablePages;
            Row("page tables", PhysicalMemory.EarlyPageTableBytes / 4096 + KernelMap.TableFrames + userTables,
                string.Concat("(", userTables.ToString(), " in user address spaces)"));
            Row("anon", u.Anon, "");
            Row("file", u.File, string.Concat("(", Sys.Memory.Context.DirtyPages.ToString(), " dirty, ", Sys.Memory.Context.WritebackPages.ToString(), " under writeback)"));
            Row("buffers", Sys.Files.Buffers.Pages, "(metadata of disk file systems)");
            Row("reserve", buddy.ReserveFrames, "(kernel-only)");
            Row("free", u.Free, string.Concat("(", buddy.CachedFrames.ToString(), " in the order-0 cache)"));
            string orders = "free blocks by order:";
            for (int order = 0; order <= BuddyAllocator.MaxOrder; order++)
                orders = string.Concat(orders, " ", order.ToString(), ":", buddy.FreeBlocks(order).ToString());
            Console.WriteLine(orders);
            Console.WriteLine(string.Concat("lru: active ", Sys.Memory.ActivePages().ToString(), ", inactive ", Sys.Memory.InactivePages().ToString()));
            Mm.Swap swap = Sys.Memory.Context.Swap;
            Console.WriteLine(string.Concat("swap: pswpout ", swap.SwappedOut.ToString(), ", pswpin ", swap.SwappedIn.ToString(),
                string.Concat(", write errors ", swap.WriteErrors.ToString())));
            // Charges, read with interrupts off so the two lines agree with each other.
            Kernel.Containers.ContainerTable table = Sys.Containers;
            Sys.Irq.Enter();
            ulong charged = 0;
            int count = table.Count;
            for (int i = 0; i < count; i++) charged += (ulong)table.At(i).PageUsage;
            ulong root = (ulong)table.Root.PageUsage;
            Sys.Irq.Exit();
            Console.WriteLine(string.Concat("charged: ", charged.ToString(), " pages to ", count.ToString(),
                string.Concat(" containers, ", root.ToString(), " pages to the root")));
            return 0;
        }

        // memtest (a process command: `memtest &` runs it in the background): takes the free
        // frames it can without starving anyone — anonymous-memory allocations (AllocFlags.User),
        // which stop short of the kernel's reserve, and no more than leaves a margin above it for
        // other tasks' pages and the heap (1/16 of what is free, 8 to 64 MiB) — writes and checks a
        // pattern unique to each frame, and frees them. The frames belong to no address space, so
        // the task is unkillable while it holds them (a kill ends the test early, then takes
        // effect); other tasks keep running and allocating meanwhile.
        private const uint MinMargin = 2048, MaxMargin = 16384;   // frames: 8 MiB, 64 MiB
        private const int Batch = 256;                             // frames taken per interrupts-off stretch

        public static int MemTest(string[] argv, int argc)
        {
            if (argc != 1)
            {
                Console.Error("usage: memtest");
                return 2;
            }
            BuddyAllocator buddy = PhysicalMemory.Buddy;
            // The list of taken frames comes from the heap, which takes frames too: allocate it
            // first (with room to spare), then count.
            uint[] taken = new uint[buddy.FreeFrames];
            uint before = PhysicalMemory.FreeFrames();
            uint reserve = buddy.ReserveFrames;
            uint margin = before / 16;
            if (margin < MinMargin) margin = MinMargin;
            if (margin > MaxMargin) margin = MaxMargin;
            uint limit = before > reserve + margin ? before - reserve - margin : 0;
            if (limit > (uint)taken.Length) limit = (uint)taken.Length;

            Jobs.EnterUnkillable();
            int count = 0;
            bool more = true;
            while (more && count < limit)
            {
                Sys.Irq.Enter();
                for (int i = 0; i < Batch && count < limit; i++)
                {
                    // Others may have allocated since `before`: never below reserve + margin.
                    if (buddy.FreeFrames <= reserve + margin || !buddy.TryAlloc(0, AllocFlags.User, out uint pfn)) { more = false; break; }
                    taken[count++] = pfn;
                }
                Sys.Irq.Exit();
            }
            // Read before the line is built: its strings may take heap pages of their own.
            uint leaving = buddy.FreeFrames;
            Console.WriteLine(string.Concat("memtest: holding ", count.ToString(), " frames, leaving ", leaving.ToString(),
                string.Concat(" free for others (reserve ", reserve.ToString(), ", margin ", string.Concat(margin.ToString(), ")"))));
            ulong bad = 0;
            bool interrupted = false;
            for (int i = 0; i < count && !interrupted; i++)
            {
                ulong* p = (ulong*)PhysicalMemory.FrameAddress(taken[i]);
                ulong pattern = 0x5A5A000000000000UL ^ ((ulong)taken[i] << Paging.Shift);
                for (int w = 0; w < 512; w++) p[w] = pattern + (ulong)w;
                if ((i & 1023) == 0) interrupted = Jobs.Interrupted();
            }
            for (int i = 0; i < count && !interrupted; i++)
            {
                ulong* p = (ulong*)PhysicalMemory.FrameAddress(taken[i]);
                ulong pattern = 0x5A5A000000000000UL ^ ((ulong)taken[i] << Paging.Shift);
                for (int w = 0; w < 512; w++) if (p[w] != pattern + (ulong)w) bad++;
                if ((i & 1023) == 0) interrupted = Jobs.Interrupted();
            }
            for (int i = 0; i < count; i += Batch)
            {
                Sys.Irq.Enter();
                for (int k = i; k < count && k < i + Batch; k++) buddy.Free(taken[k], 0);
                Sys.Irq.Exit();
            }
            Jobs.LeaveUnkillable();
            uint after = PhysicalMemory.FreeFrames();
            if (interrupted)
            {
                Console.WriteLine(string.Concat("memtest: interrupted; ", count.ToString(), " frames given back"));
                return 1;
            }
            Console.WriteLine(string.Concat("memtest: ", count.ToString(), " frames (", ((ulong)count * 4).ToString(),
                string.Concat(" KiB) written and checked, ", bad.ToString(), " bad words")));
            bool ok = bad == 0 && count > 0;
            Console.WriteLine(string.Concat("memtest: free frames before ", before.ToString(), ", after ", after.ToString(),
                ok ? ": ok" : ": FAILED"));
            return ok ? 0 : 1;
        }
    }
}
