// The files of /proc (Kernel.Vfs.ProcFs providers): meminfo in Linux's format (the fields the
// issue names, each "Name:" padded to 16 columns, the value right-aligned in 8, " kB"), uptime, mounts
// (Linux's /proc/mounts lines: source, mount point, type, options, "0 0") and sys/vm/drop_caches
// (write 1: clean page cache of disk files, 2: clean buffers, 3: both; dmesg says who asked, as
// Linux does).
using Kernel.Abi;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Fs
{
    // Page counts from the frame database and the counters (one walk of the frames): what
    // /proc/meminfo, free and meminfo report.
    internal struct MemoryFigures
    {
        public ulong Total, Free, Anon, File, Buffers, Dirty, Writeback, Active, Inactive, Reserve;
        public ulong SwapCached;              // pages
        public ulong SwapTotalKiB, SwapUsedKiB;

        public static unsafe MemoryFigures Take()
        {
            MemoryFigures m = default;
            using (Sys.Irq.Hold())
            {
                FrameDatabase frames = PhysicalMemory.Frames;
                for (uint pfn = 0; pfn < frames.Count; pfn++)
                {
                    PageFlags f = frames.Get(pfn)->Flags;
                    if ((f & PageFlags.Anon) != 0) m.Anon++;
                    else if ((f & PageFlags.File) != 0) m.File++;
                    if ((f & PageFlags.SwapCache) != 0) m.SwapCached++;
                }
                m.Total = PhysicalMemory.TotalBytes / Paging.Size;
                m.Free = PhysicalMemory.Buddy.FreeFrames;
                m.Reserve = PhysicalMemory.Buddy.ReserveFrames;
                m.Buffers = Sys.Files.Buffers.Pages;
                MmContext vm = Sys.Memory.Context;
                m.Dirty = vm.DirtyPages;
                m.Writeback = vm.WritebackPages;
                SwapArea area = vm.Swap.Area;
                m.SwapTotalKiB = area == null ? 0 : area.SizeKiB;
                m.SwapUsedKiB = area == null ? 0 : area.UsedKiB;
            }
            m.Active = Sys.Memory.ActivePages();
            m.Inactive = Sys.Memory.InactivePages();
            return m;
        }

        // What a program could still get: free memory and clean caches, less the kernel's reserve.
        public ulong Available
        {
            get
            {
                ulong a = Free + File + Buffers;
                ulong held = Dirty + Writeback + Reserve;
                return a > held ? a - held : 0;
            }
        }
    }

    internal sealed class MemInfoFile : ProcFile
    {
        private static string Line(string name, ulong pages) => LineKiB(name, pages * 4);

        private static string LineKiB(string name, ulong kib) =>
            string.Concat(Numbers.PadRight(string.Concat(name, ":"), 16), Numbers.PadLeft(kib.ToString(), 8), " kB\n");

        public override string Show()
        {
            MemoryFigures m = MemoryFigures.Take();
            return string.Concat(
                string.Concat(Line("MemTotal", m.Total), Line("MemFree", m.Free), Line("MemAvailable", m.Available), Line("Buffers", m.Buffers)),
                string.Concat(Line("Cached", m.File), Line("SwapCached", m.SwapCached), Line("Active", m.Active), Line("Inactive", m.Inactive)),
                string.Concat(LineKiB("SwapTotal", m.SwapTotalKiB), LineKiB("SwapFree", m.SwapTotalKiB - m.SwapUsedKiB), Line("Dirty", m.Dirty), Line("Writeback", m.Writeback)),
                Line("AnonPages", m.Anon));
        }
    }

    // The providers reach the file tree through Sys.Files: procfs is made before the tree that
    // mounts it.
    internal sealed class MountsFile : ProcFile
    {
        public override string Show()
        {
            FileSystems files = Sys.Files;
            string s = "";
            for (int i = 0; i < files.MountCount; i++)
            {
                files.MountAt(i, out string path, out FileSystem fs);
                if (fs == null) continue;
                string options = fs.ReadOnly ? "ro" : "rw";
                if (fs.Type == "ext2") options = string.Concat(options, ",noatime");
                s = string.Concat(s, string.Concat(fs.Source, " ", path, " "), string.Concat(fs.Type, " ", options, " 0 0\n"));
            }
            return s;
        }
    }

    // /proc/uptime: seconds since boot and seconds the idle task has run, two decimals each.
    internal sealed class UptimeFile : ProcFile
    {
        private static string Seconds(ulong ms) =>
            string.Concat((ms / 1000).ToString(), ".", Commands.Text.TwoDigits(ms % 1000 / 10));

        public override string Show()
        {
            ulong idle = Sys.Processes == null ? 0 : Sys.Processes.Scheduler.Idle.CpuTicks;   // 1 ms ticks
            return string.Concat(Seconds(Kernel.Arch.Pit.UptimeMs), " ", Seconds(idle), "\n");
        }
    }

    internal sealed class DropCachesFile : ProcFile
    {
        public override Errno Store(string text)
        {
            int end = text.Length;
            while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ')) end--;
            if (end != 1 || text[0] < '1' || text[0] > '3') return Errno.EINVAL;
            int what = text[0] - '0';
            Proc.Process p = Sys.Processes.Current;
            Log.Line(string.Concat(p == null ? "kernel" : p.Name, " (", p == null ? "0" : p.Pid.ToString(), string.Concat("): drop_caches: ", what.ToString())));
            Sys.Files.DropCaches(what);
            return Errno.None;
        }
    }

    internal static class ProcFiles
    {
        public static ProcFs Create()
        {
            ProcFs proc = new ProcFs();
            proc.Add("meminfo", new MemInfoFile(), ProcFs.ModeReadOnly);
            proc.Add("mounts", new MountsFile(), ProcFs.ModeReadOnly);
            proc.Add("uptime", new UptimeFile(), ProcFs.ModeReadOnly);
            proc.Add("sys/vm/drop_caches", new DropCachesFile(), ProcFs.ModeWriteOnly);
            return proc;
        }
    }
}
