// The kernel's file system tree: one Vfs with a ramfs at "/", configfs (the memory containers'
// control files) at "/config" and devtmpfs (Kernel.Vfs.DevFs: disks, null, zero, console) at
// "/dev", all set up at boot; the file system types `mount -t` knows; and
// the entry points task code uses.
//
// Every call into Kernel.Vfs, its file systems, Kernel.Containers and Kernel.Mm runs with
// interrupts off (one CPU, so that is the lock — a big file system lock, as early Linux had the
// BKL): ramfs pages and the charge counters are also touched by the page-fault path. The only
// place the lock is let go inside an operation is rmdir's charge move (ContainerHost.MayReschedule).
using Kernel.Abi;
using Kernel.Arch;
using Kernel.Containers;
using Kernel.Memory;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Vfs;

namespace Kernel.Fs
{
    // The running task's container, for the page cache's "who brought this file in".
    internal sealed class KernelTaskContext : TaskContext
    {
        public override MemoryContainer CurrentContainer =>
            Processes.Started ? Processes.Scheduler.Current.Container : null;
    }

    internal static class FileSystems
    {
        private static Vfs.Vfs s_vfs;
        private static TaskContext s_tasks;
        private static ConfigFs s_configFs;
        private static DevFs s_devFs;

        public static Vfs.Vfs Tree => s_vfs;

        // After Processes and TaskContainers: the root ramfs, /config, and configfs mounted on it.
        public static void Initialize()
        {
            s_tasks = new KernelTaskContext();
            IrqLock.Enter();
            s_vfs = new Vfs.Vfs(new RamFs(VirtualMemory.Context, s_tasks));
            s_configFs = new ConfigFs(TaskContainers.Table);
            Errno e = s_vfs.Mkdir("/", "/config");
            if (e == Errno.None) e = s_vfs.Mount("/", "/config", s_configFs);
            if (e == Errno.None) e = s_vfs.Mkdir("/", "/dev");
            s_devFs = new DevFs(Drivers.Disks.Table, new Drivers.TerminalDevice());
            if (e == Errno.None) e = s_vfs.Mount("/", "/dev", s_devFs);
            IrqLock.Exit();
            if (e != Errno.None) Panic.Fail("fs: cannot mount configfs on /config or devtmpfs on /dev");
        }

        // A new instance of a file system type for mount -t; ENODEV for an unknown type.
        public static Errno NewFileSystem(string type, out FileSystem fs)
        {
            fs = null;
            if (type == "ramfs") fs = new RamFs(VirtualMemory.Context, s_tasks);
            else if (type == "configfs") fs = s_configFs;   // one instance: the containers are global
            else if (type == "devtmpfs") fs = s_devFs;      // one instance: the devices are global
            return fs == null ? Errno.ENODEV : Errno.None;
        }

        private static string Cwd => Processes.Started ? Processes.Scheduler.Current.Cwd : "/";

        public static Errno Resolve(string path, out Inode inode, out string canonical)
        {
            IrqLock.Enter();
            Errno e = s_vfs.Resolve(Cwd, path, out inode, out canonical);
            IrqLock.Exit();
            return e;
        }

        public static Errno Mkdir(string path)
        {
            IrqLock.Enter();
            Errno e = s_vfs.Mkdir(Cwd, path);
            IrqLock.Exit();
            return e;
        }

        public static Errno Rmdir(string path)
        {
            IrqLock.Enter();
            Errno e = s_vfs.Rmdir(Cwd, path);
            IrqLock.Exit();
            return e;
        }

        public static Errno Unlink(string path)
        {
            IrqLock.Enter();
            Errno e = s_vfs.Unlink(Cwd, path);
            IrqLock.Exit();
            return e;
        }

        public static Errno Open(string path, OpenFlags flags, out OpenFile file)
        {
            IrqLock.Enter();
            Errno e = s_vfs.Open(Cwd, path, flags, out file);
            IrqLock.Exit();
            return e;
        }

        public static Errno Read(OpenFile file, byte[] buffer, int start, int count, out int read)
        {
            IrqLock.Enter();
            Errno e = file.Read(buffer, start, count, out read);
            IrqLock.Exit();
            return e;
        }

        public static Errno Write(OpenFile file, byte[] buffer, int start, int count, out int written)
        {
            IrqLock.Enter();
            Errno e = file.Write(buffer, start, count, out written);
            IrqLock.Exit();
            return e;
        }

        public static void Close(OpenFile file)
        {
            IrqLock.Enter();
            file.Close();
            IrqLock.Exit();
        }

        public static Errno Mount(string type, string path)
        {
            Errno e = NewFileSystem(type, out FileSystem fs);
            if (e != Errno.None) return e;
            IrqLock.Enter();
            e = s_vfs.Mount(Cwd, path, fs);
            IrqLock.Exit();
            return e;
        }

        public static Errno Unmount(string path)
        {
            IrqLock.Enter();
            Errno e = s_vfs.Unmount(Cwd, path, Processes.Init.Cwd);
            IrqLock.Exit();
            return e;
        }

        // A consistent copy of a directory's entries.
        public static void Snapshot(Inode dir, out string[] names, out Inode[] children)
        {
            IrqLock.Enter();
            int n = dir.EntryCount;
            names = new string[n];
            children = new Inode[n];
            int k = 0;
            for (int i = 0; i < n; i++)
                if (dir.EntryAt(i, out string name, out Inode child)) { names[k] = name; children[k] = child; k++; }
            IrqLock.Exit();
            if (k < n)
            {
                string[] shortNames = new string[k];
                Inode[] shortChildren = new Inode[k];
                for (int i = 0; i < k; i++) { shortNames[i] = names[i]; shortChildren[i] = children[i]; }
                names = shortNames;
                children = shortChildren;
            }
        }

        public static int MountCount => s_vfs.MountCount;

        public static void MountAt(int index, out string path, out FileSystem fs)
        {
            IrqLock.Enter();
            s_vfs.MountAt(index, out path, out fs);
            IrqLock.Exit();
        }
    }
}
