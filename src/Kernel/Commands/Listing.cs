// How ls and stat show directories and modes: entries sorted by name (byte order, as ls in the C
// locale), and "drwxr-xr-x" / "0755" from an inode's kind and permission bits.
using Kernel.Abi;
using Kernel.Fs;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal static class Listing
    {
        // The directory's entries, sorted (taken with interrupts off: a consistent copy); the error
        // when the directory cannot be read.
        public static Errno Sorted(Inode dir, out string[] names, out Inode[] children)
        {
            Errno e = Sys.Files.Snapshot(dir, out names, out children);
            for (int i = 1; i < names.Length; i++)
            {
                string n = names[i];
                Inode c = children[i];
                int j = i - 1;
                while (j >= 0 && Compare(names[j], n) > 0)
                {
                    names[j + 1] = names[j];
                    children[j + 1] = children[j];
                    j--;
                }
                names[j + 1] = n;
                children[j + 1] = c;
            }
            return e;
        }

        public static int Compare(string a, string b)
        {
            int n = a.Length < b.Length ? a.Length : b.Length;
            for (int i = 0; i < n; i++)
                if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
            return a.Length - b.Length;
        }

        public static string ModeString(Inode inode)
        {
            char[] s = new char[10];
            InodeKind k = inode.Kind;
            s[0] = k == InodeKind.Directory ? 'd' : k == InodeKind.BlockDevice ? 'b' : k == InodeKind.CharDevice ? 'c' :
                k == InodeKind.Symlink ? 'l' : k == InodeKind.Fifo ? 'p' : k == InodeKind.Socket ? 's' : '-';
            const string rwx = "rwxrwxrwx";
            for (int i = 0; i < 9; i++) s[1 + i] = (inode.Mode & (0x100 >> i)) != 0 ? rwx[i] : '-';
            return new string(s, 0, 10);
        }

        // What stat calls the kind of file.
        public static string KindName(Inode inode) =>
            inode.Kind == InodeKind.Directory ? "directory" : inode.Kind == InodeKind.BlockDevice ? "block special file" :
            inode.Kind == InodeKind.CharDevice ? "character special file" : inode.Kind == InodeKind.Symlink ? "symbolic link" :
            inode.Kind == InodeKind.Fifo ? "fifo" : inode.Kind == InodeKind.Socket ? "socket" :
            inode.Size == 0 ? "regular empty file" : "regular file";

        // ls -l's owner column: the name for 0, else the number (no user database).
        public static string Owner(uint id) => id == 0 ? "root" : id.ToString();

        public static string OctalMode(Inode inode)
        {
            char[] s = new char[4];
            s[0] = '0';
            for (int i = 0; i < 3; i++) s[1 + i] = (char)('0' + ((inode.Mode >> (6 - 3 * i)) & 7));
            return new string(s, 0, 4);
        }
    }
}
