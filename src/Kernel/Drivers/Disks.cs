// Bring-up of the storage hardware at boot: the PCI bus first, then the disk drivers that find
// their controllers on it. A missing controller is not an error (the machine has no such disks).
namespace Kernel.Drivers
{
    internal static class Disks
    {
        // After Processes (drivers sleep on wait queues) and before FileSystems (/dev lists disks).
        public static void Initialize()
        {
            Pci.Initialize();
        }
    }
}
