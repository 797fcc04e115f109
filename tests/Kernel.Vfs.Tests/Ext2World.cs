// The host's ext2 test bench: images made by the host's mke2fs (from a directory, with -d) loaded
// into Kernel.Block's RamDisk, mounted by the kernel's Ext2Fs in a Vfs over the Kernel.Mm test
// machine; afterwards the disk's bytes go back to an image file that the host's e2fsck -fn and
// debugfs judge. A fake FsHost: a lock that must never be taken twice, a settable clock, a log.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Kernel.Abi;
using Kernel.Block.Tests;
using Kernel.Mm.Tests;
using Kernel.Vfs;
using Kernel.Vfs.Ext2;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public sealed class TestLock : SleepLock
    {
        public int Depth, Taken;
        public override void Lock()
        {
            if (Depth != 0) throw new InvalidOperationException("ext2 lock taken twice");
            Depth++;
            Taken++;
        }
        public override void Unlock()
        {
            if (Depth != 1) throw new InvalidOperationException("ext2 lock released but not held");
            Depth--;
        }
    }

    public sealed class TestHost : FsHost
    {
        public readonly List<string> Lines = new();
        public readonly List<TestLock> Locks = new();
        public uint Clock = 1_700_000_000;
        public ulong Uptime = 1000;
        public override SleepLock CreateLock()
        {
            var l = new TestLock();
            Locks.Add(l);
            return l;
        }
        public override uint Now => Clock;
        public override ulong UptimeMs => Uptime;
        public override void Log(string line) => Lines.Add(line);
    }

    public static class HostTools
    {
        public static (int code, string output) Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args) psi.ArgumentList.Add(a);
            psi.Environment["E2FSPROGS_FAKE_TIME"] = "1700000000";
            using Process p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output + err.Result);
        }

        // An ext2 image of sizeKiB from the files under dir (null: empty), as Debian's mke2fs makes it.
        public static byte[] MakeImage(string dir, int sizeKiB, int blockSize = 0, int inodeSize = 0, string extra = null)
        {
            string image = Path.Combine(Path.GetTempPath(), "ext2-" + Guid.NewGuid().ToString("N") + ".img");
            try
            {
                var args = new List<string> { "-q", "-F", "-t", "ext2" };
                if (blockSize != 0) { args.Add("-b"); args.Add(blockSize.ToString()); }
                if (inodeSize != 0) { args.Add("-I"); args.Add(inodeSize.ToString()); }
                if (extra != null) args.AddRange(extra.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (dir != null) { args.Add("-d"); args.Add(dir); }
                args.Add(image);
                args.Add(sizeKiB + "k");
                var (code, output) = Run("mke2fs", args.ToArray());
                Assert.True(code == 0, "mke2fs: " + output);
                return File.ReadAllBytes(image);
            }
            finally { File.Delete(image); }
        }

        // e2fsck -fn's verdict on an image: (exit code, output).
        public static (int, string) Fsck(byte[] image)
        {
            string file = Path.Combine(Path.GetTempPath(), "ext2-" + Guid.NewGuid().ToString("N") + ".img");
            try
            {
                File.WriteAllBytes(file, image);
                return Run("e2fsck", "-fn", file);
            }
            finally { File.Delete(file); }
        }

        // debugfs's dump of path (null when it fails).
        public static byte[] Dump(byte[] image, string path)
        {
            string file = Path.Combine(Path.GetTempPath(), "ext2-" + Guid.NewGuid().ToString("N") + ".img");
            string outFile = file + ".out";
            try
            {
                File.WriteAllBytes(file, image);
                var (code, _) = Run("debugfs", "-R", "dump " + path + " " + outFile, file);
                return File.Exists(outFile) ? File.ReadAllBytes(outFile) : null;
            }
            finally
            {
                File.Delete(file);
                File.Delete(outFile);
            }
        }

        public static string Debugfs(byte[] image, string command)
        {
            string file = Path.Combine(Path.GetTempPath(), "ext2-" + Guid.NewGuid().ToString("N") + ".img");
            try
            {
                File.WriteAllBytes(file, image);
                return Run("debugfs", "-R", command, file).output;
            }
            finally { File.Delete(file); }
        }

        public static string TempDir()
        {
            string d = Path.Combine(Path.GetTempPath(), "ext2-src-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(d);
            return d;
        }
    }

    public sealed class Ext2World : IDisposable
    {
        public readonly VmWorld Vm;
        public readonly HostContext Context = new();
        public readonly RamDisk Disk;
        public readonly TestHost Host = new();
        public readonly NoTask Tasks = new();
        public readonly BufferPool Pool;
        public readonly RamFs RootFs;
        public readonly Vfs Vfs;
        public Ext2Fs Fs;

        public Ext2World(byte[] image, uint frames = 8192, ulong bufferLimit = 256, bool readOnlyDevice = false)
        {
            Vm = new VmWorld(frames);
            Disk = new RamDisk(Context, "vdb", (ulong)image.Length / 512, maxSectors: 256, readOnly: readOnlyDevice, poolSize: 8);
            Buffer.BlockCopy(image, 0, Disk.Data, 0, image.Length);
            Context.Interrupt = () => Disk.CompleteOne();
            Pool = new BufferPool(bufferLimit);
            RootFs = new RamFs(Vm.Vm, Tasks);
            Vfs = new Vfs(RootFs);
            Assert.Equal(Errno.None, Vfs.Mkdir("/", "/mnt"));
        }

        public Errno Mount(bool readOnly = false)
        {
            Errno e = Ext2Fs.TryMount(Disk, "/dev/vdb", "/mnt", Vm.Vm, Host, Tasks, Pool, readOnly, out Fs);
            if (e != Errno.None) return e;
            return Vfs.Mount("/", "/mnt", Fs);
        }

        public void MountOk() => Assert.Equal(Errno.None, Mount());

        public Errno Umount() => Vfs.Unmount("/", "/mnt", null);

        public byte[] Image() => (byte[])Disk.Data.Clone();

        // Unmounts, then e2fsck -fn must find nothing, and every frame must be back.
        public void UmountAndCheck()
        {
            Assert.Equal(Errno.None, Umount());
            AssertAllFreed();
            var (code, output) = HostTools.Fsck(Disk.Data);
            Assert.True(code == 0, "e2fsck -fn: exit " + code + "\n" + output);
        }

        public void AssertAllFreed()
        {
            Assert.Equal(0UL, Pool.Pages);
            Assert.Equal(0UL, Vm.Vm.DirtyPages);
            Assert.Equal(Vm.FreeAtStart, Vm.Buddy.FreeFrames);
            Vm.AssertHealthy();
        }

        public Inode At(string path)
        {
            Assert.Equal(Errno.None, Vfs.Resolve("/", path, out Inode inode, out string _));
            return inode;
        }

        public byte[] ReadAll(string path)
        {
            Assert.Equal(Errno.None, Vfs.Open("/", path, OpenFlags.Read, out OpenFile f));
            var all = new List<byte>();
            var buf = new byte[7000];
            while (true)
            {
                Assert.Equal(Errno.None, f.Read(buf, 0, buf.Length, out int n));
                if (n == 0) break;
                for (int i = 0; i < n; i++) all.Add(buf[i]);
            }
            f.Close();
            return all.ToArray();
        }

        public void WriteAll(string path, byte[] data, OpenFlags extra = OpenFlags.Truncate)
        {
            Assert.Equal(Errno.None, Vfs.Open("/", path, OpenFlags.Write | OpenFlags.Create | extra, out OpenFile f));
            Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int n));
            Assert.Equal(data.Length, n);
            f.Close();
        }

        public List<string> Names(string dir)
        {
            Inode d = At(dir);
            var names = new List<string>();
            int n = d.EntryCount;
            for (int i = 0; i < n; i++)
                if (d.EntryAt(i, out string name, out Inode _)) names.Add(name);
            names.Sort(StringComparer.Ordinal);
            return names;
        }

        public void Dispose()
        {
            Context.Dispose();
            Vm.Dispose();
        }
    }
}
