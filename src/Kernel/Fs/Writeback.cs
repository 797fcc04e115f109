// [flush]: the kernel thread that writes dirty data of disk file systems back about five seconds
// after it was dirtied (Linux's dirty_expire_centisecs = 3000 with a 5 s writeback interval; here
// a 1 s tick and a 5 s age): every second it asks each mounted disk file system to write what was
// dirtied at least five seconds ago, pages and metadata alike. sync, umount and poweroff write
// everything at once without waiting for it.
using Kernel.Arch;
using Kernel.Proc;
using Kernel.Sched;

namespace Kernel.Fs
{
    internal static class Writeback
    {
        public const ulong AgeMs = 5000;
        public const ulong TickMs = 1000;

        // Starts [flush]; false when the thread cannot be made.
        public static bool Start(Processes processes, FileSystems files)
        {
            Errno e = processes.Spawn(null, "flush", TaskKind.KernelThread, argv => Run(processes, files), null, MmSource.New, out Process _);
            return e == Errno.None;
        }

        private static int Run(Processes processes, FileSystems files)
        {
            while (true)
            {
                processes.Sleep(TickMs);
                ulong now = Tsc.UptimeMs;
                if (now > AgeMs) files.WriteBackOld(now - AgeMs);
            }
        }
    }
}
