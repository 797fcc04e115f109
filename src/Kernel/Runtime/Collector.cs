// Drives the garbage collector (Kernel.CoreLib/Gc): supplies its pages from the buddy allocator
// and its roots, times each collection, and in debug mode verifies the heap after each one.
// Debug mode is off in the shipped image (it costs every collection a walk of the whole heap);
// `gc debug on` turns it on, and the QEMU test harness does so right after boot.
//
// Roots, all scanned conservatively (any word that points into an allocated object keeps it):
//  - the image's writable data: .data (static-base cells, frozen objects, dispatch cells), .bss
//    (IST stacks and everything else) — skipping the boot stack below the current rsp;
//  - the live part of the current stack, with the callee-saved registers pushed on it first;
//  - every other task's stack from its saved interrupt frame (registers, FPU state) upward;
//  - the early arena, where static bases and pre-collector objects live.
// Interrupt handlers never allocate, so no interrupt frame can hold the only reference to an
// object; collections run with interrupts off (stop the world: one CPU, no task can run).
using System.Runtime;
using Internal.Runtime;
using Internal.Runtime.Gc;
using Kernel.Arch;
using Kernel.Drivers;
using Kernel.Memory;
using Kernel.Mm;

namespace Kernel.Runtime
{
    internal static unsafe class Collector
    {
        private static bool s_debug;
        private static bool s_collecting;
        private static ulong s_lastPauseCycles, s_maxPauseCycles;
        private static nuint s_lastFreed;
        private static ulong s_heapFrames;

        // Frames the collector holds from the buddy allocator (objects, metadata, cached pages,
        // rounded up to the buddy's power-of-two blocks): free frames + this is unchanged by
        // collector activity, so tests can check that other work returned every frame.
        public static ulong HeapFrames
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
            get => s_heapFrames;
        }

        // Debug mode: freed memory is poisoned and the heap verified after every collection.
        public static bool Debug
        {
            get => s_debug;
            set { s_debug = value; GcHeap.DebugPoison = value; }
        }

        // The JIT assumes allocation helpers change no statics, so it may reuse a load of a collector
        // counter across allocations that collected; reading through a real call prevents that.
        public static ulong Collections
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
            get => GcHeap.Collections;
        }

        public static ulong LastPauseMicroseconds => Tsc.ToMicroseconds(s_lastPauseCycles);
        public static ulong MaxPauseMicroseconds => Tsc.ToMicroseconds(s_maxPauseCycles);
        public static nuint LastFreedBytes => s_lastFreed;

        public static void Start()
        {
            GcStatus status = Heap.StartCollector(&AllocPages, &FreePages);
            if (status != GcStatus.Ok) Panic.Fail("gc: cannot start the collector");
            GcHeap.DebugPoison = s_debug;
        }

        // 2^order frames for `count` pages, zeroed, through the direct map; null when none are left.
        private static void* AllocPages(nuint count)
        {
            int order = Order(count);
            if (order < 0 || !PhysicalMemory.TryAlloc(order, AllocFlags.Kernel, out uint pfn)) return null;
            s_heapFrames += 1UL << order;
            ulong* p = (ulong*)PhysicalMemory.FrameAddress(pfn);
            for (nuint i = 0; i < (nuint)512 << order; i++) p[i] = 0;
            return p;
        }

        private static void FreePages(void* pages, nuint count)
        {
            ulong phys = (ulong)pages - Layout.DirectMapBase;
            PhysicalMemory.Free(FrameDatabase.PfnOf(phys), Order(count));
            s_heapFrames -= 1UL << Order(count);
        }

        private static int Order(nuint count)
        {
            int order = 0;
            while (((nuint)1 << order) < count) order++;
            return order <= BuddyAllocator.MaxOrder ? order : -1;
        }

        [RuntimeExport("kernel_gc_collect")]
        public static void Collect()
        {
            if (s_collecting) Panic.Fail("gc: allocation inside the collector");
            Native.CallWithSavedRegisters(&CollectFrom);
        }

        private static void CollectFrom(ulong rsp)
        {
            Sys.Irq.Enter();
            s_collecting = true;
            ulong start = Tsc.Now;
            GcHeap.BeginCollection();

            Sched.Task current = Sys.Processes == null ? null : Sys.Processes.Current;
            ulong stackTop = current == null ? Layout.BootStackTop() : current.StackTop;
            ulong stackBottom = current == null ? Layout.BootStackGuard() + Paging.Size : current.StackBottom;
            if (rsp < stackBottom || rsp > stackTop) Panic.Fail("gc: collecting on an unknown stack");
            // The image's data and bss, except the boot stack (scanned below as PID 1's stack).
            GcHeap.MarkConservative((void*)Layout.RodataEnd(), (void*)Layout.BootStackGuard());
            GcHeap.MarkConservative((void*)Layout.BootStackTop(), (void*)Layout.KernelEnd());
            GcHeap.MarkConservative(Heap.EarlyStart, Heap.EarlyNext);
            GcHeap.MarkConservative((void*)rsp, (void*)stackTop);
            // Every other task's stack, from its saved FPU area and interrupt frame up.
            if (Sys.Processes != null)
            {
                Proc.Processes procs = Sys.Processes;
                if (Proc.X86Cpu.TryGetSavedStack(procs.Init, current, out ulong low, out ulong high)) GcHeap.MarkConservative((void*)low, (void*)high);
                for (int i = 0; i < procs.StackSlots; i++)
                    if (Proc.X86Cpu.TryGetSavedStack(procs.TaskInSlot(i), current, out low, out high)) GcHeap.MarkConservative((void*)low, (void*)high);
            }

            if (GcHeap.Trace() != GcStatus.Ok) Panic.Fail("gc: marking failed");
            if (GcHeap.Sweep() != GcStatus.Ok) Panic.Fail("gc: sweeping failed");
            if (s_debug && GcHeap.Verify((void*)Layout.ImageStart(), (void*)Layout.KernelEnd()) != GcStatus.Ok)
            {
                Console.Write("gc: heap verification failed: slot 0x");
                Console.WriteHex((ulong)GcHeap.BadSlot);
                Console.Write(" holds 0x");
                Console.WriteHex((ulong)GcHeap.BadValue);
                Console.Write("\n");
                Panic.Fail("gc: heap corrupted");
            }
            s_lastFreed = GcHeap.FreedBytes;
            Heap.CollectionDone(GcHeap.LiveBytes);
            s_lastPauseCycles = Tsc.Now - start;
            if (s_lastPauseCycles > s_maxPauseCycles) s_maxPauseCycles = s_lastPauseCycles;
            s_collecting = false;
            Sys.Irq.Exit();
        }

        // Out of memory after a collection, with the reserve gone too: nothing the kernel can do.
        [RuntimeExport("kernel_gc_out_of_memory")]
        private static void OutOfMemory(nuint size)
        {
            Console.Write("\nheap: out of memory allocating ");
            Console.WriteDecimal(size);
            Console.Write(" bytes: live ");
            Console.WriteDecimal(GcHeap.LiveBytes);
            Console.Write(" bytes in ");
            Console.WriteDecimal(GcHeap.PagesInUse);
            Console.Write(" pages, free frames ");
            Console.WriteDecimal(PhysicalMemory.Buddy.FreeFrames);
            Console.Write("\n");
            Panic.Fail("heap: out of memory");
        }
    }
}
