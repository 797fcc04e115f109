// The kernel's objects, built once by Main at boot (in this order) and never replaced: the
// interrupt lock, virtual memory, processes, the memory containers and the file system tree.
// Code that cannot be handed them — interrupt handlers, the entry points of new tasks, the shell's
// commands — reaches them here; everything else takes them in its constructor.
using Kernel.Containers;
using Kernel.Fs;
using Kernel.Memory;
using Kernel.Proc;
using Kernel.Sync;

namespace Kernel
{
    internal static class Sys
    {
        public static IrqLock Irq { get; private set; }
        public static X86Cpu Cpu { get; private set; }
        public static KernelOutput Printk { get; private set; }
        public static KernelStacks Stacks { get; private set; }
        public static VirtualMemory Memory { get; private set; }
        public static Processes Processes { get; private set; }
        public static Workqueue Events { get; private set; }
        public static Workqueue Kcontainerd { get; private set; }
        public static TaskContainers TaskContainers { get; private set; }
        public static ContainerTable Containers { get; private set; }
        public static FileSystems Files { get; private set; }

        public static bool ProcessesStarted => Processes != null;

        // Right after the module's statics: everything else takes this lock.
        public static void StartLock()
        {
            Irq = new IrqLock(new X86InterruptControl());
            Printk = new KernelPrintk();
        }

        public static void StartMemory(VirtualMemory vm, KernelStacks stacks)
        {
            Memory = vm;
            Stacks = stacks;
        }

        public static void StartProcesses(X86Cpu cpu, Processes processes)
        {
            Cpu = cpu;
            Processes = processes;
        }

        public static void StartWorkqueues(Workqueue events, Workqueue kcontainerd)
        {
            Events = events;
            Kcontainerd = kcontainerd;
        }

        public static void StartContainers(TaskContainers glue, ContainerTable table)
        {
            TaskContainers = glue;
            Containers = table;
        }

        public static void StartFiles(FileSystems files) => Files = files;
    }
}
