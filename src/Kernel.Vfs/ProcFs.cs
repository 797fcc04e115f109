// procfs: a small tree of files whose contents the kernel computes when they are read (Linux's
// /proc with seq_file): meminfo, mounts, sys/vm/drop_caches. A ProcFile provider, which the
// kernel implements, shows its text and may take a write; the file system only holds the tree.
//
// A read at offset 0 computes the text afresh; a read at a later offset continues the text the
// last read at offset 0 computed (so `cat` sees one consistent snapshot, as seq_file gives), and
// at its end returns 0 bytes. A write hands the written bytes to the provider, which answers with an
// errno (EINVAL for a value it does not take). Sizes read as 0, as Linux's proc files do. Read-only
// files are 0444, write-only 0200; the VFS's permission checks apply (EACCES). Directories refuse
// creation (the defaults). The tree is built at boot and never changes.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Vfs
{
    public abstract class ProcFile
    {
        // The file's contents now.
        public virtual string Show() => "";
        // A write of text; EACCES for a read-only file.
        public virtual Errno Store(string text) => Errno.EACCES;
    }

    public sealed class ProcFs : FileSystem
    {
        public const ushort ModeReadOnly = 0x124;    // 0444
        public const ushort ModeWriteOnly = 0x80;    // 0200
        private readonly ProcDirectory _root;

        public ProcFs() { _root = new ProcDirectory(this); }

        public override string Type => "proc";
        public override string Source => "proc";
        public override Inode Root => _root;

        // Adds a file at path ("sys/vm/drop_caches"), making the directories on the way.
        public void Add(string path, ProcFile file, ushort mode)
        {
            ProcDirectory dir = _root;
            int start = 0;
            while (true)
            {
                int slash = start;
                while (slash < path.Length && path[slash] != '/') slash++;
                string name = path.Substring(start, slash - start);
                if (slash == path.Length)
                {
                    dir.Add(name, new ProcNode(this, file, mode));
                    return;
                }
                if (dir.Lookup(name, out Inode child) != Errno.None)
                {
                    child = new ProcDirectory(this);
                    dir.Add(name, child);
                }
                dir = (ProcDirectory)child;
                start = slash + 1;
            }
        }
    }

    internal sealed class ProcDirectory : Inode
    {
        private readonly Vector<string> _names = new Vector<string>(4);
        private readonly Vector<Inode> _children = new Vector<Inode>(4);

        public ProcDirectory(FileSystem fs) : base(fs, InodeKind.Directory, 0x16D) { }   // 0555

        public override int Links
        {
            get
            {
                int n = 2;
                for (int i = 0; i < _children.Count; i++) if (_children[i].IsDirectory) n++;
                return n;
            }
        }

        public void Add(string name, Inode child)
        {
            _names.Add(name);
            _children.Add(child);
        }

        public override int EntryCount => _names.Count;

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (index < 0 || index >= _names.Count) return false;
            name = _names[index];
            child = _children[index];
            return true;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            for (int i = 0; i < _names.Count; i++)
                if (_names[i] == name) { child = _children[i]; return Errno.None; }
            child = null;
            return Errno.ENOENT;
        }
    }

    internal sealed class ProcNode : Inode
    {
        private readonly ProcFile _file;
        private string _text = "";

        public ProcNode(FileSystem fs, ProcFile file, ushort mode) : base(fs, InodeKind.Regular, mode) { _file = file; }

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (offset == 0) _text = _file.Show();
            string text = _text;
            if (offset >= (ulong)text.Length) return Errno.None;
            int n = text.Length - (int)offset;
            if (n > count) n = count;
            for (int i = 0; i < n; i++) buffer[start + i] = (byte)text[(int)offset + i];
            read = n;
            return Errno.None;
        }

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            char[] c = new char[count];
            for (int i = 0; i < count; i++) c[i] = (char)buffer[start + i];
            Errno e = _file.Store(new string(c, 0, count));
            if (e == Errno.None) written = count;
            return e;
        }

        // `echo 3 > drop_caches` opens with O_TRUNC: nothing to truncate.
        public override Errno Truncate(ulong size) => Errno.None;
    }
}
