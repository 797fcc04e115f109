// kmain: the first C# the boot stub calls, on the boot stack with interrupts off. The order
// matters: nothing may allocate before the heap exists, and no reference-typed static may be
// touched before the module's statics are initialised.
using System.Runtime;
using Internal.Runtime;
using Internal.Runtime.CompilerHelpers;
using Kernel.Arch;
using Kernel.Boot;
using Kernel.Drivers;

namespace Kernel
{
    internal static unsafe class Main
    {
        public const string Version = "0.1.0";

        [RuntimeExport("kmain")]
        private static void KernelMain(uint magic, ulong info)
        {
            // kmain never returns, so its stack frame is permanent storage for the memory map.
            MemoryRange* ranges = stackalloc MemoryRange[BootInfo.MaxRanges];
            bool booted = BootInfo.Parse(magic, info, ranges);
            if (!booted || !StartHeap()) Native.HaltForever();
            StartupCodeHelpers.InitializeModules(Layout.ModulesStart(), Layout.ModulesEnd());
            Sys.StartLock();

            Log.Initialize();
            InputQueue.Initialize();
            Runtime.InterfaceDispatch.Initialize();
            Gdt.Initialize();
            Idt.Initialize();
            Pic.Initialize();      // masks every line: drivers unmask theirs afterwards
            Vga.Initialize();
            Serial.Initialize();
            Pit.Initialize();
            Keyboard.Initialize();
            DropIdentityMap();
            Interrupts.Enable();
            Tsc.Calibrate();

            Log.Line(string.Concat("CsKernel ", Version, " (x86_64), booted by ", BootInfo.Protocol == BootProtocol.Multiboot2 ? "Multiboot2" : "Multiboot1"));
            string cmdline = BootInfo.CommandLine;
            if (cmdline.Length > 0) Log.Line(string.Concat("Command line: ", cmdline));
            Log.Line(string.Concat("tsc: ", (Tsc.CyclesPerMs / 1000).ToString(), " MHz (calibrated against the PIT)"));
            Rtc.Initialize();
            Log.Line(string.Concat("memory: ", (BootInfo.UsableBytes() / 1024).ToString(), " KiB usable in ", BootInfo.RangeCount.ToString(), " ranges"));
            if (!Memory.PhysicalMemory.Initialize(s_heapPhys, s_heapBytes)) Panic.Fail("mm: cannot lay out the frame database");
            if (!Memory.KernelMap.Initialize()) Panic.Fail("mm: no memory for the kernel's page tables");
            StartVirtualMemory();
            Runtime.Collector.Start();
            Log.Line(string.Concat("mm: ", (Memory.PhysicalMemory.TotalBytes / 1024).ToString(), " KiB managed, early arena ",
                (s_heapBytes / 1024).ToString(), " KiB, frame database ", (Memory.PhysicalMemory.FrameDatabaseBytes / 1024).ToString(),
                string.Concat(" KiB (", Mm.Page.Size.ToString(), " bytes per frame), reserve ", (Memory.PhysicalMemory.Buddy.ReserveFrames * 4).ToString(), " KiB")));
            Acpi.Initialize(BootInfo.RsdpPhys);

            StartProcesses();
            Log.Line("proc: scheduler running (PID 1 sh, [events] and [kcontainerd] workqueues)");
            Log.Line("fs: ramfs on /, configfs on /config, devtmpfs on /dev, procfs on /proc; [flush] writes disk file systems back");
            Commands.Shell.Run();
        }

        // The MmContext over the buddy allocator, with LRU groups for the root and every possible
        // container, and the kernel stack area (before any address space copies the kernel half).
        private static void StartVirtualMemory()
        {
            ulong kernelRoot = Native.ReadCr3() & ~Paging.OffsetMask;
            Mm.MmContext mm = new Mm.MmContext(Memory.PhysicalMemory.Buddy, (byte*)Layout.DirectMapBase, new Memory.X86Mmu(),
                Mm.FrameDatabase.PfnOf(kernelRoot), 1 + Containers.ContainerTable.MaxContainers, new Memory.KernelPanicHandler(), Sys.Irq);
            mm.PageOps = new Memory.X86PageOps();
            Memory.KernelStacks stacks = Memory.KernelStacks.Create(Sys.Irq);
            if (stacks == null) Panic.Fail("mm: no memory for the kernel stack area");
            Sys.StartMemory(new Memory.VirtualMemory(mm, Sys.Irq, kernelRoot), stacks);
        }

        // The boot context becomes PID 1 (the shell); the idle task, the [events] and
        // [kcontainerd] workqueues, the container table and the file tree follow.
        private static void StartProcesses()
        {
            Proc.X86Cpu cpu = new Proc.X86Cpu(Sys.Irq);
            Proc.Processes processes = Proc.Processes.Create(new Sched.Scheduler(), Sys.Irq, Sys.Memory, Sys.Stacks, cpu,
                new Proc.PitClock(), Sys.Printk, Layout.BootStackGuard() + Paging.Size, Layout.BootStackTop());
            if (processes == null) Panic.Fail("proc: cannot create PID 1 and the idle task");
            cpu.Attach(processes, Sys.Memory);
            Sys.StartProcesses(cpu, processes);
            Sys.Memory.Context.PageWait = new Proc.PageWaitQueue(processes.Scheduler, Sys.Irq, cpu);
            Proc.Workqueue events = Proc.Workqueue.Create("events", processes, Sys.Irq, cpu);
            Proc.Workqueue kcontainerd = Proc.Workqueue.Create("kcontainerd", processes, Sys.Irq, cpu);
            if (events == null || kcontainerd == null) Panic.Fail("proc: cannot start the workqueues");
            if (!Proc.Kswapd.Start(processes, Sys.Irq, Sys.Memory.Context)) Panic.Fail("proc: cannot start kswapd0");
            Sys.StartWorkqueues(events, kcontainerd);
            InputQueue.EnableSleeping();
            processes.Yield();   // let the workqueue threads reach their first sleep before the shell starts

            Proc.TaskContainers glue = new Proc.TaskContainers(processes.Scheduler, Sys.Irq, cpu, new Proc.PitClock(), Sys.Printk, kcontainerd);
            Containers.ContainerTable table;
            using (Sys.Irq.Hold())
            {
                table = new Containers.ContainerTable(Sys.Memory.Context, glue, Memory.PhysicalMemory.Buddy.ManagedFrames);
                glue.AttachTable(table);
                processes.AttachContainers(glue);
            }
            Sys.StartContainers(glue, table);
            Disks.Initialize();   // drivers sleep on wait queues: after the scheduler; /dev lists the disks
            Vfs.DevFs devFs = new Vfs.DevFs(Disks.Table, new TerminalDevice(), (uint)Rtc.Now);
            Fs.KernelFsHost host = new Fs.KernelFsHost(processes, Sys.Irq, cpu, Sys.Printk);
            Fs.FileSystems files = Fs.FileSystems.Create(Sys.Memory.Context, Sys.Irq, processes.Scheduler, table, devFs, host, Fs.ProcFiles.Create());
            if (files == null) Panic.Fail("fs: cannot mount configfs on /config, devtmpfs on /dev or procfs on /proc");
            Sys.StartFiles(files);
            if (!Fs.Writeback.Start(processes, files)) Panic.Fail("fs: cannot start [flush]");
        }

        // The early arena is carved out before anything else: the objects the memory manager is
        // built from live there, before the collector can take pages from the buddy allocator. It
        // also holds raw runtime structures for the kernel's life. 4 MiB at the start of the
        // largest usable range above the image and the boot info, inside the boot direct map.
        private const ulong EarlyArenaBytes = 4UL << 20;
        private static ulong s_heapPhys, s_heapBytes;

        private static bool StartHeap()
        {
            ulong floor = Layout.KernelVirtToPhys(Layout.KernelEnd());
            if (BootInfo.InfoEnd > floor) floor = BootInfo.InfoEnd;
            floor = (floor + Paging.OffsetMask) & ~Paging.OffsetMask;
            ulong bestStart = 0, bestLength = 0;
            for (int i = 0; i < BootInfo.RangeCount; i++)
            {
                MemoryRange r = BootInfo.Range(i);
                if (r.Type != 1) continue;
                ulong start = r.Base > floor ? r.Base : floor;
                ulong end = r.Base + r.Length;
                if (end > Layout.DirectMapSize) end = Layout.DirectMapSize;
                if (end > start && end - start > bestLength) { bestStart = start; bestLength = end - start; }
            }
            ulong size = EarlyArenaBytes;
            if (size > bestLength) return false;
            s_heapPhys = bestStart;
            s_heapBytes = size;
            Heap.Initialize(Layout.PhysToVirt(bestStart), (nuint)size);
            return true;
        }

        // The boot stub's identity map is needed only until we run from the higher half:
        // removing it makes page 0 (and every null dereference) fault.
        private static void DropIdentityMap()
        {
            ulong cr3 = Native.ReadCr3() & ~0xFFFUL;
            ulong* pml4 = (ulong*)Layout.PhysToVirt(cr3);
            pml4[0] = 0;
            Native.WriteCr3(cr3);
        }
    }
}
