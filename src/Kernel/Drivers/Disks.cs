// Bring-up of the storage hardware at boot: the PCI bus first, then the disk drivers that find
// their controllers on it (ATA, then virtio-blk), each adding its disks to one table in the order
// Linux would name them. A missing controller is not an error (the machine has no such disks).
using Kernel.Block;

namespace Kernel.Drivers
{
    internal static class Disks
    {
        private static KernelBlockContext s_context;
        private static DiskTable s_table = new DiskTable();

        public static DiskTable Table => s_table;
        public static BlockContext Context => s_context;

        // After Processes (drivers sleep on wait queues) and before FileSystems (/dev lists disks).
        public static void Initialize()
        {
            s_context = new KernelBlockContext();
            Pci.Initialize();
            Ata.Probe(s_context, s_table);
            VirtioBlk.Probe(s_context, s_table);
        }
    }
}
