// configfs, as far as memory containers need it (Linux's configfs holding Seth's "containers"
// subsystem): the tree
//   /                 0755   containers
//   /containers       0755   description (0444), and one directory per container
//   /containers/NAME  0755   the attribute files of Attributes.cs
// mkdir in /containers creates a container and rmdir removes it (ContainerTable); anything else
// that would change the tree is refused as configfs refuses it (mkdir elsewhere EPERM, new files
// EACCES, unlink EPERM). An attribute file generates its text on read and stores the whole text
// of each write; truncation (echo's O_TRUNC) does nothing. Unmounting fails with EBUSY while
// containers exist. The directory inode of a container is made once and kept with its id.
using Kernel.Abi;
using Kernel.Vfs;

namespace Kernel.Containers
{
    public sealed class ConfigFs : FileSystem
    {
        public const string Description =
            "Memory containers (Rohit Seth, 2006): mkdir NAME makes one; echo PID > NAME/addtask puts a process in it; its pages are charged to it.\n";

        private readonly ContainerTable _table;
        private readonly ConfigDirectory _root;
        private readonly ContainersDirectory _containers;

        public ConfigFs(ContainerTable table)
        {
            _table = table;
            _containers = new ContainersDirectory(this, table);
            _root = new ConfigDirectory(this, "containers", _containers);
        }

        public override string Type => "configfs";
        public override Inode Root => _root;
        public ContainerTable Table => _table;

        public override Errno CanUnmount() => _table.Count != 0 ? Errno.EBUSY : Errno.None;
    }

    // The root: one fixed subdirectory.
    internal sealed class ConfigDirectory : Inode
    {
        private readonly string _childName;
        private readonly Inode _child;

        public ConfigDirectory(FileSystem fs, string childName, Inode child) : base(fs, InodeKind.Directory, ModeDirectory)
        {
            _childName = childName;
            _child = child;
        }

        public override int Links => 3;
        public override int EntryCount => 1;

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = index == 0 ? _childName : null;
            child = index == 0 ? _child : null;
            return index == 0;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            child = name == _childName ? _child : null;
            return child == null ? Errno.ENOENT : Errno.None;
        }

        // The VFS does not look a name up before mkdir: an existing one is EEXIST, as in Linux.
        public override Errno Mkdir(string name, out Inode child)
        {
            child = null;
            return name == _childName ? Errno.EEXIST : Errno.EPERM;
        }

        public override Errno Rmdir(string name) => name == _childName ? Errno.EPERM : Errno.ENOENT;
        public override Errno Unlink(string name) => name == _childName ? Errno.EISDIR : Errno.ENOENT;
    }

    // /containers: description and the containers, in creation order.
    internal sealed class ContainersDirectory : Inode
    {
        private readonly ContainerTable _table;
        private readonly TextFile _description;
        private readonly ContainerDirectory[] _byId = new ContainerDirectory[ContainerTable.MaxContainers + 1];

        public ContainersDirectory(FileSystem fs, ContainerTable table) : base(fs, InodeKind.Directory, ModeDirectory)
        {
            _table = table;
            _description = new TextFile(fs, ConfigFs.Description);
        }

        public override int Links => 2 + _table.Count;
        public override int EntryCount => 1 + _table.Count;

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (index == 0)
            {
                name = "description";
                child = _description;
                return true;
            }
            Container c = _table.At(index - 1);
            if (c == null) return false;
            name = c.Name;
            child = DirectoryOf(c);
            return true;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            child = null;
            if (name == "description")
            {
                child = _description;
                return Errno.None;
            }
            Container c = _table.Find(name);
            if (c == null) return Errno.ENOENT;
            child = DirectoryOf(c);
            return Errno.None;
        }

        public override Errno Mkdir(string name, out Inode child)
        {
            child = null;
            if (name == "description") return Errno.EEXIST;
            Errno e = _table.Create(name, out Container c);
            if (e == Errno.None) child = DirectoryOf(c);
            return e;
        }

        public override Errno Rmdir(string name)
        {
            if (name == "description") return Errno.ENOTDIR;
            return _table.Remove(name);
        }

        public override Errno Unlink(string name)
        {
            if (name == "description") return Errno.EPERM;
            return _table.Find(name) == null ? Errno.ENOENT : Errno.EISDIR;
        }

        // The container's directory; made when first seen (containers can be created without
        // configfs, e.g. by bench containers), remade when its id went to another container.
        private ContainerDirectory DirectoryOf(Container c)
        {
            ContainerDirectory d = _byId[c.Id];
            if (d == null || d.Container != c)
            {
                d = new ContainerDirectory(Fs, _table, c);
                _byId[c.Id] = d;
            }
            return d;
        }
    }

    // /containers/NAME: the attribute files.
    internal sealed class ContainerDirectory : Inode
    {
        private readonly Container _container;
        private readonly AttributeFile[] _files;

        public ContainerDirectory(FileSystem fs, ContainerTable table, Container c) : base(fs, InodeKind.Directory, ModeDirectory)
        {
            _container = c;
            Attributes all = table.Attributes;
            _files = new AttributeFile[all.Count];
            for (int i = 0; i < _files.Length; i++) _files[i] = new AttributeFile(fs, table, c, all.At(i));
        }

        public Container Container => _container;
        public override int EntryCount => _files.Length;

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (index < 0 || index >= _files.Length) return false;
            name = _files[index].Attribute.Name;
            child = _files[index];
            return true;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            child = null;
            for (int i = 0; i < _files.Length; i++)
                if (_files[i].Attribute.Name == name)
                {
                    child = _files[i];
                    return Errno.None;
                }
            return Errno.ENOENT;
        }

        // The namespace is flat: no directories inside a container (EEXIST for a file's name).
        public override Errno Mkdir(string name, out Inode child)
        {
            child = null;
            return Lookup(name, out Inode _) == Errno.None ? Errno.EEXIST : Errno.EPERM;
        }

        public override Errno Rmdir(string name) => Lookup(name, out Inode _) == Errno.None ? Errno.ENOTDIR : Errno.ENOENT;
        public override Errno Unlink(string name) => Lookup(name, out Inode _) == Errno.None ? Errno.EPERM : Errno.ENOENT;
    }

    // What configfs attribute files share: Size 4096 (as Linux reports them), reads of generated
    // text from an offset, truncation that does nothing.
    internal abstract class GeneratedFile : Inode
    {
        protected GeneratedFile(FileSystem fs, ushort mode) : base(fs, InodeKind.Regular, mode) { }

        public override ulong Size => 4096;
        public override Errno Truncate(ulong size) => Errno.None;

        protected static Errno Copy(string text, ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (offset >= (ulong)text.Length) return Errno.None;
            int from = (int)offset;
            int n = text.Length - from;
            if (n > count) n = count;
            for (int i = 0; i < n; i++) buffer[start + i] = (byte)text[from + i];
            read = n;
            return Errno.None;
        }
    }

    internal sealed class TextFile : GeneratedFile
    {
        private readonly string _text;

        public TextFile(FileSystem fs, string text) : base(fs, ConfigAttribute.ReadOnly) { _text = text; }

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read) =>
            Copy(_text, offset, buffer, start, count, out read);

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            return Errno.EACCES;
        }
    }

    internal sealed class AttributeFile : GeneratedFile
    {
        private readonly ContainerTable _table;
        private readonly Container _container;
        private readonly ConfigAttribute _attribute;

        public AttributeFile(FileSystem fs, ContainerTable table, Container c, ConfigAttribute attribute) : base(fs, attribute.Mode)
        {
            _table = table;
            _container = c;
            _attribute = attribute;
        }

        public ConfigAttribute Attribute => _attribute;

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            Errno e = _table.Attributes.Show(_container, _attribute.Name, out string text);
            if (e != Errno.None) return e;
            return Copy(text, offset, buffer, start, count, out read);
        }

        // One store of the whole text; success consumes all of it.
        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            char[] chars = new char[count];
            for (int i = 0; i < count; i++) chars[i] = (char)buffer[start + i];
            Errno e = _table.Attributes.Store(_container, _attribute.Name, new string(chars, 0, count));
            if (e == Errno.None) written = count;
            return e;
        }
    }
}
