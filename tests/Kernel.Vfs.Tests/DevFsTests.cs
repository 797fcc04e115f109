// devtmpfs through the VFS: the nodes and their kinds, modes and numbers; a disk node read and
// written at odd offsets over a simulated disk (Kernel.Block's RamDisk), its end, O_TRUNC ignored;
// a claimed disk refusing to open (EBUSY); null, zero and the console; and a directory that
// refuses creation.
using System.Text;
using Kernel.Abi;
using Kernel.Block;
using Kernel.Block.Tests;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public sealed class DevFsTests : System.IDisposable
    {
        private sealed class FakeConsole : ConsoleDevice
        {
            public readonly StringBuilder Written = new();
            public string Input = "typed\nrest";

            public override Errno Read(byte[] buffer, int start, int count, out int read)
            {
                read = 0;
                while (read < count && Input.Length > 0)
                {
                    char c = Input[0];
                    Input = Input.Substring(1);
                    buffer[start + read++] = (byte)c;
                    if (c == '\n') break;
                }
                return Errno.None;
            }

            public override Errno Write(byte[] buffer, int start, int count, out int written)
            {
                for (int i = 0; i < count; i++) Written.Append((char)buffer[start + i]);
                written = count;
                return Errno.None;
            }
        }

        private readonly HostContext _context = new();
        private readonly RamDisk _sda, _vda;
        private readonly FakeConsole _console = new();
        private readonly Vfs _vfs;

        public DevFsTests()
        {
            _sda = new RamDisk(_context, "sda", 64);
            _vda = new RamDisk(_context, "vda", 16);
            _context.Interrupt = () => _sda.CompleteOne() || _vda.CompleteOne();
            var disks = new DiskTable();
            disks.Add(_sda);
            disks.Add(_vda);
            var root = new FakeFs();
            root.RootDir.Children["dev"] = new FakeDir(root);
            _vfs = new Vfs(root);
            Assert.Equal(Errno.None, _vfs.Mount("/", "/dev", new DevFs(disks, _console)));
        }

        public void Dispose() => _context.Dispose();

        [Fact]
        public void Nodes_have_their_kinds_modes_and_numbers()
        {
            Assert.Equal(Errno.None, _vfs.Resolve("/", "/dev", out Inode dev, out string _));
            Assert.Equal(5, dev.EntryCount);
            Assert.Equal(Errno.None, _vfs.Resolve("/", "/dev/sda", out Inode sda, out string _));
            Assert.Equal(InodeKind.BlockDevice, sda.Kind);
            Assert.Equal(0x180, sda.Mode);
            Assert.Equal((8, 0), (sda.DeviceMajor, sda.DeviceMinor));
            Assert.True(sda.IsDevice);
            Assert.Equal(0UL, sda.Size);
            Assert.Equal(Errno.None, _vfs.Resolve("/", "/dev/null", out Inode nul, out string _));
            Assert.Equal((InodeKind.CharDevice, (ushort)0x1B6, 1, 3), (nul.Kind, nul.Mode, nul.DeviceMajor, nul.DeviceMinor));
            Assert.Equal(Errno.None, _vfs.Resolve("/", "/dev/zero", out Inode zero, out string _));
            Assert.Equal((1, 5), (zero.DeviceMajor, zero.DeviceMinor));
            Assert.Equal(Errno.None, _vfs.Resolve("/", "/dev/console", out Inode console, out string _));
            Assert.Equal((InodeKind.CharDevice, (ushort)0x180, 5, 1), (console.Kind, console.Mode, console.DeviceMajor, console.DeviceMinor));
            Assert.Equal(Errno.ENOENT, _vfs.Resolve("/", "/dev/sdz", out Inode _, out string _));
            Assert.Equal(Errno.EACCES, _vfs.Open("/", "/dev/new", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.EPERM, _vfs.Mkdir("/", "/dev/dir"));
        }

        [Fact]
        public void A_disk_node_reads_and_writes_at_any_offset_up_to_its_end()
        {
            for (int i = 0; i < _vda.Data.Length; i++) _vda.Data[i] = (byte)(i % 251);
            Assert.Equal(Errno.None, _vfs.Open("/", "/dev/vda", OpenFlags.Read | OpenFlags.Write | OpenFlags.Truncate, out OpenFile f));
            f.Offset = 1000;
            byte[] data = Encoding.ASCII.GetBytes("across a sector boundary");
            Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int written));
            Assert.Equal(data.Length, written);
            Assert.Equal(data, _vda.Data[1000..(1000 + data.Length)]);
            Assert.Equal((byte)(999 % 251), _vda.Data[999]);              // O_TRUNC changed nothing
            f.Offset = 8192 - 10;
            byte[] buffer = new byte[100];
            Assert.Equal(Errno.None, f.Read(buffer, 0, 100, out int read));
            Assert.Equal(10, read);
            Assert.Equal(Errno.None, f.Read(buffer, 0, 100, out read));
            Assert.Equal(0, read);
            Assert.Equal(Errno.ENOSPC, f.Write(buffer, 0, 1, out written));
            f.Close();
        }

        [Fact]
        public void A_claimed_disk_refuses_a_second_user()
        {
            Assert.Equal(Errno.None, _sda.Claim("[SWAP]"));
            Assert.Equal(Errno.EBUSY, _vfs.Open("/", "/dev/sda", OpenFlags.Read, out OpenFile _));
            Assert.Equal(Errno.EBUSY, _vfs.Open("/", "/dev/sda", OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.None, _vfs.Open("/", "/dev/vda", OpenFlags.Read, out OpenFile other));
            other.Close();
            _sda.Release("[SWAP]");
            Assert.Equal(Errno.None, _vfs.Open("/", "/dev/sda", OpenFlags.Read, out OpenFile f));
            f.Close();
        }

        [Fact]
        public void Null_zero_and_the_console_behave_as_on_linux()
        {
            byte[] buffer = { 9, 9, 9, 9 };
            Assert.Equal(Errno.None, _vfs.Open("/", "/dev/null", OpenFlags.Read | OpenFlags.Write, out OpenFile nul));
            Assert.Equal(Errno.None, nul.Read(buffer, 0, 4, out int read));
            Assert.Equal(0, read);
            Assert.Equal(Errno.None, nul.Write(buffer, 0, 4, out int written));
            Assert.Equal(4, written);
            Assert.Equal(Errno.None, _vfs.Open("/", "/dev/zero", OpenFlags.Read, out OpenFile zero));
            Assert.Equal(Errno.None, zero.Read(buffer, 1, 3, out read));
            Assert.Equal(3, read);
            Assert.Equal(new byte[] { 9, 0, 0, 0 }, buffer);
            Assert.Equal(Errno.None, _vfs.Open("/", "/dev/console", OpenFlags.Read | OpenFlags.Write, out OpenFile console));
            byte[] line = new byte[64];
            Assert.Equal(Errno.None, console.Read(line, 0, 64, out read));
            Assert.Equal("typed\n", Encoding.ASCII.GetString(line, 0, read));
            Assert.Equal(Errno.None, console.Write(Encoding.ASCII.GetBytes("hi"), 0, 2, out written));
            Assert.Equal("hi", _console.Written.ToString());
        }
    }
}
