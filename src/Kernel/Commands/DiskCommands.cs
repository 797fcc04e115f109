// The shell's disk commands: lspci (lspci -n's lines).
using Kernel.Drivers;
using Kernel.Shell;

namespace Kernel.Commands
{
    internal static class DiskCommands
    {
        // "00:01.1 0101: 8086:7010", and " (rev 02)" when the revision is not 0, as lspci -n.
        public static int Lspci(string[] argv, int argc)
        {
            if (argc > 2 || (argc == 2 && argv[1] != "-n"))
            {
                Console.Error("usage: lspci [-n]");
                return 2;
            }
            for (int i = 0; i < Pci.Count; i++)
            {
                PciFunction f = Pci.At(i);
                string line = string.Concat(f.Address, " ", Numbers.Hex(f.ClassCode, 2), Numbers.Hex(f.Subclass, 2));
                line = string.Concat(line, ": ", Numbers.Hex(f.VendorId, 4), string.Concat(":", Numbers.Hex(f.DeviceId, 4)));
                if (f.Revision != 0) line = string.Concat(line, " (rev ", Numbers.Hex(f.Revision, 2), ")");
                Console.WriteLine(line);
            }
            return 0;
        }
    }
}
