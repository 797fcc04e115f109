// The file tree: a mount table and path resolution (Linux's namei and namespace, for one
// namespace).
//
// Paths are absolute or relative to a working directory given as a canonical absolute path.
// Resolution walks component by component from the root, keeping the inodes walked on a stack:
// "." stays, ".." pops (so ".." of a mounted file system's root is the directory holding its
// mountpoint, and ".." of "/" is "/"), anything else is looked up in the directory on top, which
// must be a directory (ENOTDIR). A looked-up inode that a mount covers is replaced by the mounted
// file system's root. A symbolic link met before the last component (or as the last, unless the
// caller asks for the link itself: lstat, unlink, rename, link) is replaced by its target, walked
// from the directory holding the link (or from "/" when absolute); more than 40 links in one
// resolution is ELOOP (Linux's MAXSYMLINKS). The canonical path of the result is the names on the
// stack (the physical path: ".." after a link goes up from where the link led).
//
// Rename, link and symlink check what is the VFS's to check (the same file system: EXDEV; a
// directory moved below itself: EINVAL; a mount point: EBUSY; kinds: EISDIR, ENOTDIR, EPERM) and
// leave the rest to the file system.
//
// Mount table: _mounts[0] is the root file system (covers nothing, path "/"); every other entry
// covers a directory inode of a file system mounted before it. Invariants: a file system is
// mounted at most once, a mounted root is never covered again (EBUSY), and a mount is removed
// only when no other mount covers a directory of its file system.
// Not locked: the kernel calls this with interrupts off.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Vfs
{
    public sealed class Vfs
    {
        public const int NameMax = 255;
        public const int PathMax = 4096;
        private const int MaxDepth = 256;
        public const int MaxSymlinks = 40;

        private sealed class MountPoint
        {
            public Inode Covered;
            public FileSystem Fs;
            public string Path;
        }

        private readonly Vector<MountPoint> _mounts = new Vector<MountPoint>(8);

        public Vfs(FileSystem root)
        {
            _mounts.Add(new MountPoint { Covered = null, Fs = root, Path = "/" });
        }

        public int MountCount => _mounts.Count;

        public void MountAt(int index, out string path, out FileSystem fs)
        {
            path = null;
            fs = null;
            if (index < 0 || index >= _mounts.Count) return;
            path = _mounts[index].Path;
            fs = _mounts[index].Fs;
        }

        public Errno Resolve(string cwd, string path, out Inode inode, out string canonical)
        {
            return Walk(cwd, path, path == null ? 0 : path.Length, true, out inode, out canonical);
        }

        // As Resolve, but a symbolic link named last is the result itself (lstat).
        public Errno ResolveNoFollow(string cwd, string path, out Inode inode, out string canonical)
        {
            return Walk(cwd, path, path == null ? 0 : path.Length, false, out inode, out canonical);
        }

        public Errno Stat(string cwd, string path, out Inode inode) => Resolve(cwd, path, out inode, out string _);

        public Errno Mkdir(string cwd, string path)
        {
            Errno e = Parent(cwd, path, out Inode dir, out string name, out string _);
            if (e != Errno.None) return e;
            if (name == null) return Errno.EEXIST;   // "/", ".", ".."
            return dir.Mkdir(name, out Inode _);
        }

        public Errno Rmdir(string cwd, string path)
        {
            Errno e = Parent(cwd, path, out Inode dir, out string name, out string last);
            if (e != Errno.None) return e;
            if (name == null) return last == "." ? Errno.EINVAL : last == ".." ? Errno.ENOTEMPTY : Errno.EBUSY;
            e = dir.Lookup(name, out Inode target);
            if (e != Errno.None) return e;
            if (!target.IsDirectory) return Errno.ENOTDIR;
            if (IsCovered(target)) return Errno.EBUSY;
            return dir.Rmdir(name);
        }

        public Errno Unlink(string cwd, string path)
        {
            Errno e = Parent(cwd, path, out Inode dir, out string name, out string _);
            if (e != Errno.None) return e;
            if (name == null) return Errno.EISDIR;
            e = dir.Lookup(name, out Inode target);
            if (e != Errno.None) return e;
            if (target.IsDirectory) return Errno.EISDIR;
            if (path[path.Length - 1] == '/') return Errno.ENOTDIR;   // "file/": as Linux's unlink
            return dir.Unlink(name);
        }

        public Errno Open(string cwd, string path, OpenFlags flags, out OpenFile file) => Open(cwd, path, flags, 0, out file);

        private Errno Open(string cwd, string path, OpenFlags flags, int links, out OpenFile file)
        {
            file = null;
            Errno e = Resolve(cwd, path, out Inode inode, out string canonical);
            if (e == Errno.ENOENT && (flags & OpenFlags.Create) != 0)
            {
                e = Parent(cwd, path, out Inode dir, out string name, out string dirPath);
                if (e != Errno.None) return e;
                if (name == null) return Errno.EISDIR;
                if (path[path.Length - 1] == '/') return Errno.EISDIR;   // "new/": a file cannot be made so
                // A dangling symbolic link: the file is made where it points (as Linux's O_CREAT).
                if (dir.Lookup(name, out Inode existing) == Errno.None && existing.IsSymlink)
                {
                    if (links >= MaxSymlinks) return Errno.ELOOP;
                    e = existing.ReadLink(out string target);
                    if (e != Errno.None) return e;
                    if (target.Length == 0) return Errno.ENOENT;
                    string next = target[0] == '/' ? target : dirPath == "/" ? string.Concat("/", target) : string.Concat(dirPath, "/", target);
                    return Open(cwd, next, flags, links + 1, out file);
                }
                e = dir.Create(name, out inode);
                if (e != Errno.None) return e;
                canonical = dirPath == "/" ? string.Concat("/", name) : string.Concat(dirPath, "/", name);
            }
            if (e != Errno.None) return e;
            bool write = (flags & OpenFlags.Write) != 0;
            if (inode.IsDirectory && (write || (flags & OpenFlags.Create) != 0)) return Errno.EISDIR;
            if ((flags & OpenFlags.Read) != 0 && (inode.Mode & Inode.OwnerRead) == 0) return Errno.EACCES;
            if (write && (inode.Mode & Inode.OwnerWrite) == 0) return Errno.EACCES;
            if (write && (flags & OpenFlags.Truncate) != 0)
            {
                e = inode.Truncate(0);
                if (e != Errno.None) return e;
            }
            e = inode.Open(flags);
            if (e != Errno.None) return e;
            file = new OpenFile(inode, canonical, flags);
            inode.Opened();
            return Errno.None;
        }

        // rename(2): from's entry moves to `to`, replacing what is there.
        public Errno Rename(string cwd, string from, string to)
        {
            Errno e = Parent(cwd, from, out Inode fromDir, out string fromName, out string fromPath);
            if (e != Errno.None) return e;
            if (fromName == null) return Errno.EBUSY;
            e = Parent(cwd, to, out Inode toDir, out string toName, out string toPath);
            if (e != Errno.None) return e;
            if (toName == null) return Errno.EBUSY;
            if (fromDir.Fs != toDir.Fs) return Errno.EXDEV;
            e = fromDir.Lookup(fromName, out Inode src);
            if (e != Errno.None) return e;
            if (IsCovered(src)) return Errno.EBUSY;
            if (src.IsDirectory)
            {
                string srcPath = fromPath == "/" ? string.Concat("/", fromName) : string.Concat(fromPath, "/", fromName);
                if (toPath == srcPath || IsBelow(toPath, srcPath)) return Errno.EINVAL;
            }
            else if (from[from.Length - 1] == '/' || to[to.Length - 1] == '/') return Errno.ENOTDIR;
            e = toDir.Lookup(toName, out Inode dst);
            if (e == Errno.None)
            {
                if (dst == src) return Errno.None;
                if (IsCovered(dst)) return Errno.EBUSY;
                if (src.IsDirectory && !dst.IsDirectory) return Errno.ENOTDIR;
                if (!src.IsDirectory && dst.IsDirectory) return Errno.EISDIR;
            }
            else if (e != Errno.ENOENT) return e;
            return fromDir.Rename(fromName, toDir, toName);
        }

        // link(2): a new name for an existing non-directory (a symbolic link itself, not followed).
        public Errno Link(string cwd, string existing, string path)
        {
            Errno e = ResolveNoFollow(cwd, existing, out Inode target, out string _);
            if (e != Errno.None) return e;
            if (target.IsDirectory) return Errno.EPERM;
            e = Parent(cwd, path, out Inode dir, out string name, out string _);
            if (e != Errno.None) return e;
            if (name == null) return Errno.EEXIST;
            if (dir.Fs != target.Fs) return Errno.EXDEV;
            if (dir.Lookup(name, out Inode _) == Errno.None) return Errno.EEXIST;
            return dir.Link(name, target);
        }

        // symlink(2): path becomes a symbolic link to target (any text; not checked).
        public Errno Symlink(string cwd, string target, string path)
        {
            if (target == null || target.Length == 0) return Errno.ENOENT;
            if (target.Length > PathMax) return Errno.ENAMETOOLONG;
            Errno e = Parent(cwd, path, out Inode dir, out string name, out string _);
            if (e != Errno.None) return e;
            if (name == null) return Errno.EEXIST;
            if (dir.Lookup(name, out Inode _) == Errno.None) return Errno.EEXIST;
            return dir.Symlink(name, target, out Inode _);
        }

        public Errno ReadLink(string cwd, string path, out string target)
        {
            target = null;
            Errno e = ResolveNoFollow(cwd, path, out Inode inode, out string _);
            if (e != Errno.None) return e;
            if (!inode.IsSymlink) return Errno.EINVAL;
            return inode.ReadLink(out target);
        }

        public Errno Mount(string cwd, string path, FileSystem fs)
        {
            if (fs == null) return Errno.EINVAL;
            Errno e = Resolve(cwd, path, out Inode target, out string canonical);
            if (e != Errno.None) return e;
            if (!target.IsDirectory) return Errno.ENOTDIR;
            for (int i = 0; i < _mounts.Count; i++)
                if (_mounts[i].Fs == fs || _mounts[i].Fs.Root == target) return Errno.EBUSY;
            _mounts.Add(new MountPoint { Covered = target, Fs = fs, Path = canonical });
            return Errno.None;
        }

        public Errno Unmount(string cwd, string path, string busyPath)
        {
            Errno e = Resolve(cwd, path, out Inode target, out string _);
            if (e != Errno.None) return e;
            int index = -1;
            for (int i = 0; i < _mounts.Count; i++)
                if (_mounts[i].Fs.Root == target) index = i;
            if (index < 0) return Errno.EINVAL;
            if (index == 0) return Errno.EBUSY;
            // A mount on a directory of this file system is its child (Linux's mnt_parent): busy.
            // One it merely hides (covering a directory of the file system below) is not.
            string mountPath = _mounts[index].Path;
            FileSystem fs = _mounts[index].Fs;
            for (int i = 1; i < _mounts.Count; i++)
                if (i != index && _mounts[i].Covered.Fs == fs) return Errno.EBUSY;
            if (busyPath != null && (busyPath == mountPath || IsBelow(busyPath, mountPath))) return Errno.EBUSY;
            e = fs.CanUnmount();
            if (e != Errno.None) return e;
            _mounts.RemoveAt(index);
            fs.Unmounted();
            return Errno.None;
        }

        // path lies strictly below dir ("/a/b" below "/a"; everything but "/" below "/").
        private static bool IsBelow(string path, string dir)
        {
            if (dir == "/") return path != "/";
            return path.Length > dir.Length && path.StartsWith(dir) && path[dir.Length] == '/';
        }

        private bool IsCovered(Inode inode)
        {
            for (int i = 1; i < _mounts.Count; i++) if (_mounts[i].Covered == inode) return true;
            return false;
        }

        private Inode CrossMounts(Inode inode)
        {
            for (int i = 1; i < _mounts.Count; i++) if (_mounts[i].Covered == inode) return _mounts[i].Fs.Root;
            return inode;
        }

        // Splits path into its directory (resolved, must be a directory) and its last component.
        // name is null when the last component is "." or ".." or the path is "/" (last then says
        // which: ".", ".." or "/"); otherwise last is the directory's canonical path.
        private Errno Parent(string cwd, string path, out Inode dir, out string name, out string last)
        {
            dir = null;
            name = null;
            last = null;
            if (path == null || path.Length == 0) return Errno.ENOENT;
            if (path.Length > PathMax) return Errno.ENAMETOOLONG;
            int end = path.Length;
            while (end > 1 && path[end - 1] == '/') end--;
            int begin = end;
            while (begin > 0 && path[begin - 1] != '/') begin--;
            string component = path.Substring(begin, end - begin);
            Errno e;
            string dirPath;
            if (begin == 0) e = Walk(cwd, ".", 1, true, out dir, out dirPath);
            else e = Walk(cwd, path, begin, true, out dir, out dirPath);
            if (e != Errno.None) return e;
            if (!dir.IsDirectory) return Errno.ENOTDIR;
            if (component.Length == 0 || component == "/") { last = "/"; return Errno.None; }
            if (component == "." || component == "..") { last = component; return Errno.None; }
            if (component.Length > NameMax) return Errno.ENAMETOOLONG;
            name = component;
            last = dirPath;
            return Errno.None;
        }

        // Resolves path[0 .. length); followLast: a symbolic link named last is followed.
        private Errno Walk(string cwd, string path, int length, bool followLast, out Inode result, out string canonical)
        {
            result = null;
            canonical = null;
            if (path == null || length == 0) return Errno.ENOENT;
            if (length > PathMax) return Errno.ENAMETOOLONG;
            Vector<Inode> stack = new Vector<Inode>(16);
            Vector<string> names = new Vector<string>(16);
            stack.Add(_mounts[0].Fs.Root);
            names.Add("");
            Errno e;
            int links = 0;
            if (path[0] != '/' && cwd != null)   // no working directory: relative to "/"
            {
                e = WalkComponents(cwd, cwd.Length, stack, names, true, ref links);
                if (e != Errno.None) return e;
            }
            e = WalkComponents(path, length, stack, names, followLast, ref links);
            if (e != Errno.None) return e;
            result = stack[stack.Count - 1];
            if (path[length - 1] == '/' && !result.IsDirectory) return Errno.ENOTDIR;
            if (stack.Count == 1) canonical = "/";
            else
            {
                string s = "";
                for (int i = 1; i < names.Count; i++) s = string.Concat(s, "/", names[i]);
                canonical = s;
            }
            return Errno.None;
        }

        // stack holds the inodes walked (up to MaxDepth components deep), names their names; links
        // counts the symbolic links followed so far in this resolution.
        private Errno WalkComponents(string path, int length, Vector<Inode> stack, Vector<string> names, bool followLast, ref int links)
        {
            int i = 0;
            while (i < length)
            {
                while (i < length && path[i] == '/') i++;
                if (i == length) break;
                int start = i;
                while (i < length && path[i] != '/') i++;
                int n = i - start;
                int depth = stack.Count - 1;
                Inode current = stack[depth];
                if (!current.IsDirectory) return Errno.ENOTDIR;
                if (n == 1 && path[start] == '.') continue;
                if (n == 2 && path[start] == '.' && path[start + 1] == '.')
                {
                    if (depth > 0)
                    {
                        stack.RemoveAt(depth);
                        names.RemoveAt(depth);
                    }
                    continue;
                }
                if (n > NameMax) return Errno.ENAMETOOLONG;
                if (depth + 1 == MaxDepth) return Errno.ENAMETOOLONG;
                string name = path.Substring(start, n);
                Errno e = current.Lookup(name, out Inode child);
                if (e != Errno.None) return e;
                child = CrossMounts(child);
                if (child.IsSymlink)
                {
                    int rest = i;
                    while (rest < length && path[rest] == '/') rest++;
                    bool last = rest == length;
                    bool slash = i < length;   // "link/": a directory is meant, so it is followed
                    if (!last || followLast || slash)
                    {
                        if (++links > MaxSymlinks) return Errno.ELOOP;
                        e = child.ReadLink(out string target);
                        if (e != Errno.None) return e;
                        if (target.Length == 0) return Errno.ENOENT;
                        if (target[0] == '/')
                            while (stack.Count > 1)
                            {
                                stack.RemoveAt(stack.Count - 1);
                                names.RemoveAt(names.Count - 1);
                            }
                        e = WalkComponents(target, target.Length, stack, names, true, ref links);
                        if (e != Errno.None) return e;
                        continue;
                    }
                }
                stack.Add(child);
                names.Add(name);
            }
            return Errno.None;
        }
    }
}
